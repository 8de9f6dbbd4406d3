"""Build the sample handbook: every subsidiary, every format (= `policybook build handbook/`)."""

import sys

from policybook.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", "handbook", *sys.argv[1:]]))
