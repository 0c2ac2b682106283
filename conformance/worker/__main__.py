"""`python -m wbimage_conformance.worker --impl IMPL`: the runner starts this (see serve.py)."""

import sys

from wbimage_conformance.worker.serve import main

sys.exit(main())
