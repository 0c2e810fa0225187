"""``python -m classroom``: the class hub's command line (:mod:`classroom.cli`)."""

import sys

from classroom.cli import main

sys.exit(main())
