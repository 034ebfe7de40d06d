"""Mutation check: plant a deliberate bug in a key function and assert that the suite catches it.

Each case copies ``gauge_core`` (and the tests and cached data it needs) to a temporary directory,
changes one line of the source there, and runs the tests that guard it in a fresh interpreter
whose ``gauge_core`` is the mutated copy. The run must fail; the same tests on the unmutated copy
must pass (so a failure is the mutation's doing). About a minute in all.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: (name, file, original text, mutated text, tests that must catch it)
MUTATIONS = [
    ("dispersion relation", "gauge_core/spectra/modes.py",
     "return lam * (2.0 - 2.0 * np.cos(np.pi * nu / T))",
     "return lam * (2.0 - 2.0 * np.cos(np.pi * nu / (T + 1)))",
     ["tests/test_spectra.py", "tests/test_coupling.py"]),
    ("GD decay rate", "gauge_core/theory.py",
     "return 1.0 - lr * dispersion(T, lam)",
     "return 1.0 - 0.5 * lr * dispersion(T, lam)",
     ["tests/test_spectra.py"]),
    ("exact gauge step", "gauge_core/gauge/fixing.py",
     "R[1:] = np.swapaxes(U, 1, 2)",
     "R[1:] = U",
     ["tests/test_gauge.py"]),
    ("floor iteration of chapter 08", "gauge_core/experiments/realistic_summary.py",
     "    psi = np.asarray(psi, dtype=float)\n",
     "    return 1\n",
     ["tests/test_realistic_claims.py"]),
    ("P1 Eq. 17 step size", "gauge_core/optimize/phases.py",
     "rho = step_scale * d / max(",
     "rho = 0.5 * step_scale * d / max(",
     ["tests/test_optimize.py", "tests/test_gauge_claims.py"]),
]


def _copy_tree(dest):
    shutil.copytree(REPO / "gauge_core", dest / "gauge_core",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "tests", dest / "tests",
                    ignore=shutil.ignore_patterns("__pycache__", "browser", "test_mutations.py"))
    (dest / "book").mkdir()
    shutil.copytree(REPO / "book" / "data", dest / "book" / "data")
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")


def _pytest(dest, targets):
    env = dict(os.environ, PYTHONPATH=str(dest), PYTHONDONTWRITEBYTECODE="1",
               OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not slow",
           *targets]
    return subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    dest = tmp_path_factory.mktemp("mutants")
    _copy_tree(dest)
    env = dict(os.environ, PYTHONPATH=str(dest))
    where = subprocess.run([sys.executable, "-c", "import gauge_core; print(gauge_core.__file__)"],
                           cwd=dest, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(dest)), where.stdout  # the copy is what runs
    return dest


@pytest.mark.slow
@pytest.mark.parametrize("name,path,old,new,targets", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_the_suite_catches_a_planted_bug(copy, name, path, old, new, targets):
    source = copy / path
    original = source.read_text()
    assert original.count(old) == 1, f"{path}: the line to mutate is not there exactly once"
    clean = _pytest(copy, targets)
    assert clean.returncode == 0, f"unmutated copy fails:\n{clean.stdout[-3000:]}"
    try:
        source.write_text(original.replace(old, new))
        mutant = _pytest(copy, targets)
    finally:
        source.write_text(original)
    assert mutant.returncode != 0, f"{name}: the planted bug survived {targets}"
