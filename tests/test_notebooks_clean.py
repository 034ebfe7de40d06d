"""Repository hygiene: committed notebooks are stripped, solutions stay hidden, gauge_core is UI-free.

* Every book/*.ipynb and apps/*.ipynb is exactly what nbstripout leaves (no outputs, no execution
  counts, no saved widget state in metadata.widgets), run with the arguments of the nbstripout
  hook in .pre-commit-config.yaml; the Makefile's `clean-notebooks` uses the same arguments.
  Fix with `make clean-notebooks`.
* Every exercise solution cell (tag ``solution``) is committed with its source folded
  (``"jupyter": {"source_hidden": true}``). Its outputs are folded in the kernel, by
  widgets.exercises, because JupyterLab unfolds a cell's outputs whenever it runs it (an
  ``outputs_hidden`` flag in the file would not survive Run All); tests/test_exercises.py and
  tests/browser/test_lab.py check that.
* Notebook file names look like `03_goldstone_modes.ipynb` (teachers_guide.ipynb excepted).
* gauge_core/*.py never imports ipywidgets, ipympl, matplotlib, IPython or the project's
  own `widgets` package: the library is pure numpy.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
APPS = ROOT / "apps"
GAUGE_CORE = ROOT / "gauge_core"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
MAKEFILE = ROOT / "Makefile"

NAME_RE = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
NAME_EXCEPTIONS = {"teachers_guide.ipynb"}
FORBIDDEN_IN_CORE = {"ipywidgets", "ipympl", "matplotlib", "IPython", "widgets"}

CHAPTERS = sorted(BOOK.glob("*.ipynb")) if BOOK.is_dir() else []
NOTEBOOKS = CHAPTERS + (sorted(APPS.glob("*.ipynb")) if APPS.is_dir() else [])
CORE_FILES = sorted(GAUGE_CORE.rglob("*.py")) if GAUGE_CORE.is_dir() else []

no_notebooks = pytest.mark.skipif(not NOTEBOOKS, reason="book/ and apps/ have no notebooks yet")


def _ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def hook_args() -> list[str]:
    """The arguments of the nbstripout hook in .pre-commit-config.yaml."""
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] if repo["repo"] == "local" for h in repo["hooks"]
             if h["id"] == "nbstripout"]
    assert len(hooks) == 1, ".pre-commit-config.yaml needs one local `nbstripout` hook"
    assert hooks[0]["language"] == "system", "the hook runs the installed nbstripout (no network)"
    return [str(a) for a in hooks[0].get("args", [])]


def _dirt(nb: dict) -> list[str]:
    """What a reader would call dirty, for the failure message."""
    found = []
    if "widgets" in nb.get("metadata", {}):
        found.append("metadata.widgets (saved widget state)")
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {i}: {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            found.append(f"cell {i}: execution_count={cell['execution_count']}")
    return found


@pytest.fixture(scope="module")
def would_strip() -> set[str]:
    """Notebooks that the hook's nbstripout would change (one `--dry-run` over all of them)."""
    pytest.importorskip("nbstripout", reason="nbstripout is in the test extra: pip install -e '.[test]'")
    cmd = [sys.executable, "-m", "nbstripout", "--dry-run", *hook_args(), *map(str, NOTEBOOKS)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, f"nbstripout failed:\n{out.stdout}\n{out.stderr}"
    return set(re.findall(r"would have stripped (.+)$", out.stdout, flags=re.M))


@no_notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stripped(path, would_strip):
    if str(path) in would_strip:
        details = _dirt(_load(path)) or ["metadata or layout that nbstripout rewrites"]
        pytest.fail(f"{path.relative_to(ROOT)} is not stripped (run `make clean-notebooks`):\n"
                    + "\n".join(details))


def test_makefile_strips_like_the_hook():
    """`make clean-notebooks` and the pre-commit hook must strip the same way."""
    line = re.search(r"^NBSTRIPOUT_ARGS\s*:?=\s*(.*)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert line, "Makefile defines no NBSTRIPOUT_ARGS"
    assert shlex.split(line.group(1)) == hook_args(), (
        f"Makefile NBSTRIPOUT_ARGS {line.group(1)!r} != pre-commit args {hook_args()}")
    assert "metadata.widgets" in " ".join(hook_args()), "widget state must be stripped"


@pytest.mark.skipif(not CHAPTERS, reason="book/ has no notebooks yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_solution_sources_are_folded(path):
    """A solution cell is committed with its source folded (the reader clicks to open it)."""
    bad = []
    for i, cell in enumerate(_load(path).get("cells", [])):
        meta = cell.get("metadata", {})
        if "solution" in meta.get("tags", []) and meta.get("jupyter", {}).get("source_hidden") is not True:
            bad.append(f"cell {i} ({cell.get('id')})")
    assert not bad, (f"{path.name}: solution cells must be committed with "
                     '"jupyter": {"source_hidden": true}: ' + ", ".join(bad))


@pytest.mark.skipif(not CHAPTERS, reason="book/ has no notebooks yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
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
