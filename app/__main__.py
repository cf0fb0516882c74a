"""`python -m app` runs the `medqa` command."""

import sys

from app.cli import main

sys.exit(main())
