"""``python -m ecgbeat`` runs the command line."""

import sys

from ecgbeat.cli import main

sys.exit(main())
