"""``python -m smartcar``: the ``smartcar`` command line."""

import sys

from smartcar._cli import main

sys.exit(main())
