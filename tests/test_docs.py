"""Every public object of the lesson-facing modules names where it is taught or used."""
from __future__ import annotations

import importlib
import inspect
import re

import pytest

MODULES = ("reference", "variants", "oracle", "train", "tasks", "widgets", "device", "bptt", "fast",
           "gradients", "gradcheck", "timing", "figures", "counting", "diagrams", "charlm")
WHERE = re.compile(r"notebooks/\d\d|solutions/\d\d|\blabs? \d\d|\blessons? \d\d|\bunits? \d\d",
                   re.I)
OBJECTS = [(m, name) for m in MODULES
           for name in importlib.import_module(f"course_utils.{m}").__all__]


@pytest.mark.parametrize("module, name", OBJECTS, ids=[f"{m}.{n}" for m, n in OBJECTS])
def test_docstring_names_its_lesson_or_lab(module, name):
    mod = importlib.import_module(f"course_utils.{module}")
    obj = getattr(mod, name)
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return                      # a constant: documented by the comment above it
    assert WHERE.search(inspect.getdoc(obj) or ""), f"{module}.{name}: say where it is taught"


def test_the_package_map_names_every_module():
    import pkgutil

    import course_utils
    listed = course_utils.__doc__
    for info in pkgutil.iter_modules(course_utils.__path__):
        assert re.search(rf"\b{info.name}\b", listed), f"{info.name} is missing from the map"
