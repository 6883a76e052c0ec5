"""``python -m bot`` is ``ssw-bot``."""

import sys

from bot.cli import main

sys.exit(main())
