import sys

from course.kit.cli import main

sys.exit(main())
