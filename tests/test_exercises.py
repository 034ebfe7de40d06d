"""widgets.exercises: `check` verdicts, and solution outputs folded in the kernel.

The folding is driven by the cell's tags, which JupyterLab sends in the execute request's
metadata; here a real IPython shell stands in for the kernel, with ``get_parent`` returning such
a request. (tests/browser/test_lab.py checks the same thing in a real JupyterLab.)
"""
from __future__ import annotations

import pytest

IPython = pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from widgets import exercises  # noqa: E402


def test_check_returns_nothing_and_prints_the_verdict(capsys):
    assert exercises.check(None, 1.0, name="x") is None
    assert "not answered yet" in capsys.readouterr().out
    assert exercises.check(1.001, 1.0, rtol=0.01, name="x") is None
    assert "x is right" in capsys.readouterr().out
    assert exercises.check("GL(d)", "gl(d)") is None


def test_check_raises_on_a_wrong_answer():
    with pytest.raises(AssertionError, match="not right"):
        exercises.check(2.0, 1.0)


@pytest.fixture
def shell():
    """The process's IPython shell, as in a kernel (capture_output works on ``get_ipython()``)."""
    existed = InteractiveShell.initialized()
    sh = InteractiveShell.instance()
    sh.gauge_tags = []
    sh.get_parent = lambda: {"metadata": {"tags": list(sh.gauge_tags)}}
    assert exercises.fold_solution_outputs(sh) is True
    assert exercises.fold_solution_outputs(sh) is True  # idempotent: one pair of callbacks
    sh.user_ns["check"] = exercises.check
    yield sh
    sh.events.unregister("pre_run_cell", sh._gauge_solution_folder.pre_run_cell)
    sh.events.unregister("post_run_cell", sh._gauge_solution_folder.post_run_cell)
    sh._gauge_solution_folder = None
    del sh.get_parent
    if not existed:
        InteractiveShell.clear_instance()


def _run(shell, code, tags):
    shell.gauge_tags = tags
    with capture_output() as out:
        result = shell.run_cell(code, store_history=False)
    return result, out


def test_solution_output_is_folded(shell):
    result, out = _run(shell, "print('the answer is 42'); check(42, 42.0, name='solution 1')",
                       ["solution", "hide-input"])
    assert result.success
    assert "42" not in out.stdout, "a solution's printed answer must not be shown unfolded"
    (shown,) = out.outputs
    html = shown.data["text/html"]
    assert html.startswith('<details class="gauge-solution-output"><summary>')
    assert "<details open" not in html
    assert "the answer is 42" in html and "solution 1 is right" in html


def test_other_cells_are_untouched(shell):
    result, out = _run(shell, "print('prose number 7')", ["hide-input"])
    assert result.success
    assert "prose number 7" in out.stdout and not out.outputs


def test_wrong_answer_in_a_solution_still_fails(shell):
    result, out = _run(shell, "print('computed 3'); check(3.0, 4.0)", ["solution"])
    assert isinstance(result.error_in_exec, AssertionError)
    (shown,) = out.outputs  # what it printed before failing is still folded, not lost
    assert "computed 3" in shown.data["text/html"]


def test_no_folding_without_a_kernel():
    assert exercises.fold_solution_outputs(None) in (True, False)  # never raises outside IPython
