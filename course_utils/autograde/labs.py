"""The lab side of grading a notebook: which exercises a lab grades, and the
code that sets up a learner's namespace before the graded cells run.

From a submission only the graded solution cells (by their nbgrader
``grade_id``) run, after :data:`LAZY_IMPORTS` and :func:`setup_code` of the
lab's other cells (the instructor's copy in ``solutions/``, then the
submission's own): imports, definitions and assignments of lambdas or literals.
torch and the course's torch-based modules are imported only when the
learner's code first uses them (:func:`warm_up_code`).
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

from ..nbio import cell_source, is_solution, nbgrader, read_notebook

__all__ = ["SOLUTIONS", "LAZY_IMPORTS", "ANSWER_MODULES", "lab_exercises", "graded_ids",
           "identify_lab", "setup_code", "solution_cells", "warm_up_code", "defs_and_imports",
           "course_code_problems"]

_REPO = Path(__file__).resolve().parent.parent.parent
#: what parsing learner source can raise: bad syntax, null bytes or lone
#: surrogates (ValueError), an expression nested too deeply, a huge one
_UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)
SOLUTIONS = _REPO / "solutions"


def lab_exercises(lab: str) -> list:
    """Exercise ids graded in lab ``lab`` (e.g. "02_gru"), in notebook order."""
    return list(_lab_exercises(lab))


@functools.lru_cache(maxsize=None)
def _lab_exercises(lab: str) -> tuple:
    from ..grading import EXERCISES
    return tuple(i for i in graded_ids(read_notebook(SOLUTIONS / f"{lab}.ipynb"))
                 if i in EXERCISES)


def graded_ids(nb: dict) -> list:
    """The grade_ids of the solution cells of ``nb``, in order, each once."""
    ids = []
    for cell in nb["cells"]:
        gid = nbgrader(cell).get("grade_id")
        if is_solution(cell) and isinstance(gid, str) and gid not in ids:
            ids.append(gid)
    return ids


def identify_lab(nb: dict):
    """The lab whose graded exercises are all solution cells of ``nb`` (the most
    of them if several are), or None: a lab saved under another name."""
    ids = set(graded_ids(nb))
    labs = [p.stem for p in sorted(SOLUTIONS.glob("*.ipynb"))]
    fits = [(len(lab_exercises(lab)), lab) for lab in labs
            if lab_exercises(lab) and set(lab_exercises(lab)) <= ids]
    return max(fits)[1] if fits else None


def _is_safe_value(node) -> bool:
    """A lambda or a literal (numbers, strings, tuples of them): cheap to run, no effects."""
    if isinstance(node, ast.Lambda):
        return True
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


#: defined first in the learner process: stands for a module (or a name in one)
#: that is imported on first use, so a lab's `import torch` costs nothing unless
#: the learner's code uses torch
LAZY_IMPORTS = '''
class _CourseLazy:
    def __init__(self, module, attr=None):
        object.__setattr__(self, "_where", (module, attr))

    def _target(self):
        import importlib
        module, attr = object.__getattribute__(self, "_where")
        mod = importlib.import_module(module)
        if attr is None:
            return mod
        try:
            return getattr(mod, attr)
        except AttributeError:
            return importlib.import_module(module + "." + attr)

    def __getattr__(self, name):
        return getattr(self._target(), name)

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)
'''


@functools.lru_cache(maxsize=None)
def _heavy(module: str) -> bool:
    """True for torch, and for course_utils modules that import it (followed
    through their imports of other course_utils modules) or the graders."""
    top = module.split(".")[0]
    if top == "torch":
        return True
    if top != "course_utils":
        return False
    if module.startswith("course_utils.grading"):
        return True                      # imports its units (and torch) dynamically
    path = _REPO / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = _REPO / module.replace(".", "/") / "__init__.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return True
    for node in tree.body:
        if isinstance(node, ast.Import) and any(_heavy(a.name) for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:                # relative: inside course_utils
                base = module.rsplit(".", node.level)[0]
                name = f"{base}.{name}" if name else base
            if _heavy(name):
                return True
    return False


def _lazy_import(node) -> str:
    """An import of a heavy module rewritten as lazy proxies ('' if it is light)."""
    if isinstance(node, ast.Import):
        lines = [f"{a.asname or a.name.split('.')[0]} = _CourseLazy("
                 f"{(a.name if a.asname else a.name.split('.')[0])!r})"
                 for a in node.names if _heavy(a.name)]
        return "\n".join(lines) if len(lines) == len(node.names) else ""
    if node.level or not _heavy(node.module or ""):
        return ""
    return "\n".join(f"{a.asname or a.name} = _CourseLazy({node.module!r}, {a.name!r})"
                     for a in node.names if a.name != "*")


def defs_and_imports(source: str) -> str:
    """Only the top-level imports (torch and the course's torch-based modules as
    lazy proxies), function and class definitions, and assignments of lambdas or
    literals (``sig = lambda a: ...``, ``EPS = 1e-8``) of a code cell."""
    try:
        tree = ast.parse(source)
    except _UNPARSABLE:
        return ""
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lazy = _lazy_import(node)
            keep.append(ast.parse(lazy) if lazy else node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            keep.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and _is_safe_value(node.value):
            keep.append(node)
    try:
        return "\n\n".join(ast.unparse(n) for n in keep)
    except _UNPARSABLE:
        return ""


def warm_up_code(sources) -> str:
    """Code that resolves the lazy imports named in ``sources`` (learner code)."""
    names = set()
    for src in sources:
        try:
            names |= {n.id for n in ast.walk(ast.parse(src))
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        except _UNPARSABLE:
            continue
    return (f"for _name in {sorted(names)!r}:\n"
            "    if isinstance(globals().get(_name), _CourseLazy):\n"
            "        globals()[_name]._target()\n")


def setup_code(nb: dict) -> str:
    """Imports and helper functions from the non-graded code cells of ``nb``
    (run after :data:`LAZY_IMPORTS`)."""
    parts = []
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code" and not nbgrader(cell):
            code = defs_and_imports(cell_source(cell))
            if code:
                parts.append(code)
    return "\n\n".join(parts)


def solution_cells(nb: dict, ids) -> dict:
    """{exercise id: source of its solution cell}; a duplicated cell: the last one."""
    found = {}
    for cell in nb["cells"]:
        nbg = nbgrader(cell)
        if cell.get("cell_type") == "code" and is_solution(cell) and nbg.get("grade_id") in ids:
            found[nbg["grade_id"]] = cell_source(cell)
    return found


# ------------------------------------------------------------------ course code

def _course_names(tree) -> dict:
    """{name: "course_utils.module.attr"} bound by imports of the course package
    anywhere in ``tree`` (inside functions too)."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "course_utils":
                    bound[a.asname or "course_utils"] = a.name
        elif isinstance(node, ast.ImportFrom) and not node.level \
                and (node.module or "").split(".")[0] == "course_utils":
            for a in node.names:
                bound[a.asname or a.name] = f"{node.module}.{a.name}"
    return bound


def _definitions(trees) -> dict:
    """{name: names its body loads} for every top-level function, class and
    lambda assignment of the cells ``trees``."""
    defs = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                target, body = node.name, node
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                target, body = node.targets[0].id, node.value
            else:
                continue
            defs[target] = {n.id for n in ast.walk(body) if isinstance(n, ast.Name)}
    return defs


def _reached(start: str, defs: dict, stop=()) -> set:
    """The names the definition of ``start`` uses, followed through the other
    definitions (not into ``stop``: the other graded functions, graded on their own)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        for used in defs.get(name, ()):
            if used not in seen:
                seen.add(used)
                if used not in stop:
                    todo.append(used)
    return seen


def _parse_all(sources) -> list:
    trees = []
    for src in sources:
        try:
            trees.append(ast.parse(src))
        except _UNPARSABLE:
            continue
    return trees


def _uses_of_course_code(nb: dict, ids) -> dict:
    """{exercise id: set of the course objects its function reaches ("module.name"),
    or {"<dynamic>"} for a string naming the package or an ``__import__`` /
    ``importlib`` in its cell}."""
    trees = _parse_all(cell_source(c) for c in nb["cells"] if c.get("cell_type") == "code")
    bound, defs = {}, _definitions(trees)
    for tree in trees:
        bound.update(_course_names(tree))
    cells = solution_cells(nb, ids)
    out = {}
    for ex_id in ids:
        used = {bound[n] for n in _reached(ex_id, defs, set(ids) - {ex_id}) if n in bound}
        for tree in _parse_all([cells.get(ex_id, "")]):
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                        and "course_utils" in node.value) or \
                        (isinstance(node, ast.Name) and node.id in ("__import__", "importlib")):
                    used.add("<dynamic>")
        out[ex_id] = used
    return out


#: the course modules that hold answers: references, oracles, the graders
ANSWER_MODULES = ("reference", "fast", "bptt", "variants", "oracle", "grading")
_GRADER_API = {"course_utils.grading.check", "course_utils.grading.grade"}


def _is_answer(obj: str) -> bool:
    """True for a course object (``"course_utils.reference.gru_cell"``, or a whole
    module) from the modules that hold answers."""
    parts = obj.split(".")
    return obj not in _GRADER_API and (len(parts) == 1 or parts[1] in ANSWER_MODULES)


@functools.lru_cache(maxsize=None)
def _allowed_course_code(lab: str) -> dict:
    """{exercise id: the answer-holding course objects the lab allows there}: what
    the instructor's solution uses in that cell, and what the lab's notebook
    imports (``reference.sigmoid``; lab 07's loop, for its speed comparison),
    except the course's own version of that very exercise."""
    nb = read_notebook(SOLUTIONS / f"{lab}.ipynb")
    ids = lab_exercises(lab)
    imported = set()
    for tree in _parse_all(cell_source(c) for c in nb["cells"] if c.get("cell_type") == "code"):
        imported |= set(_course_names(tree).values())
    return {k: frozenset(v | {o for o in imported if o.rsplit(".", 1)[-1] != k})
            for k, v in _uses_of_course_code(nb, ids).items()}


def course_code_problems(nb: dict, lab: str) -> dict:
    """{exercise id: reason} for each graded function of ``nb`` that is, calls or
    loads a course object holding an answer (:data:`ANSWER_MODULES`: the
    course's own reference, an oracle, the graders) that its lab does not allow
    there, or names the course package in a string: it earns 0 for that exercise."""
    allowed = _allowed_course_code(lab)
    problems = {}
    for ex_id, used in _uses_of_course_code(nb, lab_exercises(lab)).items():
        extra = sorted(u for u in used - allowed.get(ex_id, frozenset())
                       if u == "<dynamic>" or _is_answer(u))
        if not extra:
            continue
        what = ", ".join(f"`{u}`" for u in extra if u != "<dynamic>")
        if "<dynamic>" in extra:
            what = (what + " and " if what else "") + "the course package by name"
        problems[ex_id] = (f"{ex_id} uses the course's own code ({what}), which this lab "
                           "does not allow there: write the function yourself.")
    return problems
