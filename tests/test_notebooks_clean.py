"""Repository hygiene: committed notebooks are cleared, gauge_core stays UI-free.

* Every book/*.ipynb is committed with outputs cleared: code cells have `outputs == []`
  and `execution_count` None, and the notebook metadata has no saved widget state.
  Fix with `make clean-notebooks` (tools/clear_notebooks.py).
* Notebook file names look like `03_goldstone_modes.ipynb` (teachers_guide.ipynb excepted).
* gauge_core/*.py never imports ipywidgets, ipympl, matplotlib, IPython or the project's
  own `widgets` package: the library is pure numpy.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
GAUGE_CORE = ROOT / "gauge_core"

NAME_RE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
NAME_EXCEPTIONS = {"teachers_guide.ipynb"}
FORBIDDEN_IN_CORE = {"ipywidgets", "ipympl", "matplotlib", "IPython", "widgets"}

NOTEBOOKS = sorted(BOOK.glob("*.ipynb")) if BOOK.is_dir() else []
CORE_FILES = sorted(GAUGE_CORE.rglob("*.py")) if GAUGE_CORE.is_dir() else []

no_notebooks = pytest.mark.skipif(not NOTEBOOKS, reason="book/ has no notebooks yet")


def _ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@no_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_outputs_cleared(path):
    nb = _load(path)
    dirty = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs") != []:
            dirty.append(f"cell {i}: has outputs")
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {i}: execution_count={cell.get('execution_count')}")
    assert not dirty, f"{path.name} is not cleared (run `make clean-notebooks`):\n" + "\n".join(dirty)


@no_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_no_widget_state(path):
    metadata = _load(path).get("metadata", {})
    assert "widgets" not in metadata, (
        f"{path.name} stores widget state in its metadata (run `make clean-notebooks`)"
    )


@no_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_name(path):
    assert path.name in NAME_EXCEPTIONS or NAME_RE.match(path.name), (
        f"{path.name}: notebook names must match {NAME_RE.pattern}"
    )


def _forbidden_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if module.split(".")[0] in FORBIDDEN_IN_CORE:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {module}")
    return bad


@pytest.mark.skipif(not CORE_FILES, reason="gauge_core/ has no Python files yet")
def test_gauge_core_imports_no_ui():
    bad = [line for path in CORE_FILES for line in _forbidden_imports(path)]
    assert not bad, "gauge_core must stay pure numpy:\n" + "\n".join(bad)
