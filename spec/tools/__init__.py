"""Tools that compute the expected values of the case files.

`oracle` evaluates SPEC.md's formulas with exact rational arithmetic and explicit IEEE-754
rounding; `make_cases` writes the generated case families. Neither imports `reference/`:
the expected values must not come from the implementation they judge.
"""
