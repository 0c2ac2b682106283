"""The case pipeline: case files read and validated (`casefiles`), selected (`selection`),
their inputs generated (`generators`, `values`) and described for a worker (`materialize`)."""
