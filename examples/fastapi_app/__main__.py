"""``python -m examples.fastapi_app``: run the example (against the emulator by default)."""

from __future__ import annotations

import sys

from examples.fastapi_app.run import main

sys.exit(main())
