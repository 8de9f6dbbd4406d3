"""`python -m policybook` entry point."""

import sys

from policybook.cli import main

sys.exit(main())
