"""Lesson 02: the commercialization scoring model (the seeds' formulas) and its scorecard."""
