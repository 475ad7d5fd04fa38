"""The bundle's entry point: the ``tessera`` command, as the console script runs it."""

import sys

from tessera.cli import main

if __name__ == "__main__":
    sys.exit(main())
