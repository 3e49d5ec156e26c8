"""``python -m course_utils.autograde``: see :mod:`course_utils.autograde`."""
import sys

from .cli import main

sys.exit(main())
