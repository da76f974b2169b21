"""Allow `python -m patchvet`."""

import sys

from patchvet._cli import main

sys.exit(main())
