"""``python -m authoring``: the course authors' command line (:mod:`authoring.cli`)."""

import sys

from authoring.cli import main

sys.exit(main())
