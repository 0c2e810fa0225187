"""Lesson 01: the open-source AI market on real data, and sizing a market."""
