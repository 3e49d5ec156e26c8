"""``python -m course_utils.autograde_bench``: the batch grader's benchmark, now
:mod:`course_utils.autograde.bench` (this name is kept for the README's command)."""
import sys

from .autograde.bench import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
