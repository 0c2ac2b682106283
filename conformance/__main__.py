"""`python -m wbimage_conformance`: the `wbimage-conformance` command."""

import sys

from wbimage_conformance.commands.cli import main

sys.exit(main())
