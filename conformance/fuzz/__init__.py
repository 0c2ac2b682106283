"""Differential fuzzing: Hypothesis strategies for `Image` calls (`strategies`, public) and
the search that compares two implementations and writes new cases (`differential`)."""
