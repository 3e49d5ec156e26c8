"""The learner process; moved to :mod:`course_utils.autograde.sandbox` (kept
here so that ``from course_utils.sandbox import Sandbox`` keeps working)."""
from .autograde.sandbox import LearnerError, Sandbox, SandboxError, pack, unpack

__all__ = ["Sandbox", "SandboxError", "LearnerError", "pack", "unpack"]
