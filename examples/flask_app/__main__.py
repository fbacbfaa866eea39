"""``python -m examples.flask_app``: run the example (against the emulator by default)."""

from __future__ import annotations

import sys

from examples.flask_app.run import main

sys.exit(main())
