"""Allow `python -m patchvet`."""

import sys

from patchvet.cli import main

sys.exit(main())
