"""``python -m examples.django_app``: see :mod:`examples.django_app.run`."""

import sys

from examples.django_app.run import main

sys.exit(main())
