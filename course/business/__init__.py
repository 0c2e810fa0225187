"""Lessons 04-05: serving costs, the lender's economics and the go/no-go decision."""
