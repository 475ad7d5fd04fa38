"""``python -m ui``: the same as ``tessera``."""

import sys

from app.cli import main

sys.exit(main(sys.argv[1:]))
