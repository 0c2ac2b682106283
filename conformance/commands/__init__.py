"""What users call: the `wbimage-conformance` command line and the pytest plugin."""
