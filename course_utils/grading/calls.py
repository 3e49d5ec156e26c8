"""Time-limited calls of learner code.

:func:`call_learner` calls a learner's function with a time limit, with its
output, warnings and floating-point errors silenced, and turns whatever it
raises into a one-line description in a :class:`CallResult`; it never raises.
"""
from __future__ import annotations

import contextlib
import io
import signal
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..tracebacks import learner_where

__all__ = ["CallResult", "call_learner", "describe_exception"]

class _TimeLimit(BaseException):
    """Raised inside learner code when its time is up (not an Exception, so a
    learner's ``except Exception`` cannot swallow it)."""


@dataclass
class CallResult:
    value: Any = None
    error: str = ""          # one line: "ValueError: ... (in gru_cell, at `z = a[:, H:]`)"
    error_type: str = ""
    timed_out: bool = False
    seconds: float = 0.0


def describe_exception(exc: BaseException, limit: int | None = None) -> str:
    """One line: the type, the last line of the message (cut to ``limit`` characters
    with "..." when given), and where in the learner's code (never a frame of
    course_utils: the grader, the autograder's proxy)."""
    where = learner_where(exc.__traceback__)
    msg = str(exc).strip().splitlines()
    first = msg[-1] if msg else ""
    if limit is not None and len(first) > limit:
        first = first[:limit - 3] + "..."
    return f"{type(exc).__name__}: {first}{where}" if first else f"{type(exc).__name__}{where}"


def call_learner(fn: Callable, args: tuple, time_limit: float) -> CallResult:
    """Call ``fn(*args)`` with a time limit; capture output, warnings, errors.

    Never raises (except KeyboardInterrupt from the user). Uses SIGALRM in the
    main thread; elsewhere, a daemon thread that is abandoned on time-out.
    """
    out = CallResult()
    sink = io.StringIO()

    def invoke():
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*args)

    start = time.perf_counter()
    use_alarm = (threading.current_thread() is threading.main_thread()
                 and hasattr(signal, "setitimer"))
    if use_alarm:
        def on_alarm(signum, frame):
            raise _TimeLimit()
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
        try:
            out.value = invoke()
        except _TimeLimit:
            out.timed_out = True
        except KeyboardInterrupt:
            raise
        except RecursionError as exc:
            out.error, out.error_type = describe_exception(exc), "RecursionError"
        except BaseException as exc:  # SystemExit too: learner code must not end the kernel
            out.error, out.error_type = describe_exception(exc), type(exc).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    else:
        box: dict = {}

        def target():
            try:
                box["value"] = invoke()
            except BaseException as exc:  # noqa: BLE001
                box["exc"] = exc

        worker = threading.Thread(target=target, daemon=True)
        worker.start()
        worker.join(time_limit)
        if worker.is_alive():
            out.timed_out = True
        elif "exc" in box:
            out.error, out.error_type = describe_exception(box["exc"]), type(box["exc"]).__name__
        else:
            out.value = box.get("value")
    out.seconds = time.perf_counter() - start
    return out
