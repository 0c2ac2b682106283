"""The case pipeline: case files read and validated (`casefiles`), selected (`selection`),
their inputs generated (`generators`, `values`) and described for a worker (`materialize`);
`fingerprints` says which version of each case a measurement was made on."""
