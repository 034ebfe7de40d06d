"""Self-check helpers for the chapters' exercises.

``check(answer, expected)`` prints a friendly verdict and returns nothing, so a cell that ends with
it shows no ``True``/``False`` beside the message. An unanswered exercise (``answer is None``) only
prints a reminder; a wrong answer raises ``AssertionError`` so that the solution cells, which call
it with the right answer, double as tests.

Solution cells (tag ``solution``) are committed with their source folded, but JupyterLab unfolds a
cell's *outputs* whenever it runs it, so after Run All the answer a solution prints would sit in
plain view under the folded source. Importing this module therefore installs
:func:`fold_solution_outputs` in the running IPython kernel: while a cell tagged ``solution`` runs,
what it prints or displays is captured, and then shown inside a closed
``<details>`` block ("Show the solution's output"). The tags come with JupyterLab's execute
request (the cell's metadata); a front end that sends none (nbval, nbconvert, Voila) gets the
outputs as usual. Errors, such as the ``AssertionError`` of a wrong answer, are never hidden.
"""
from __future__ import annotations

import html

import numpy as np

__all__ = ["check", "fold_solution_outputs"]

SOLUTION_TAG = "solution"
SUMMARY = "Show the solution's output"


def check(answer, expected, rtol=0.02, atol=0.0, name="your answer"):
    """Compare a reader's answer with the value computed in the notebook.

    Parameters
    ----------
    answer : number, array_like, str or None
        The reader's answer; ``None`` means "not answered yet".
    expected : same kind as ``answer``
        The value the notebook computed.
    rtol, atol : float
        Tolerances for numbers.
    name : str
        What is being checked, for the message.

    Returns
    -------
    None
        Nothing (the verdict is printed): a cell ending with ``check(...)`` shows no ``Out[n]``.

    Raises
    ------
    AssertionError
        If the answer is given and wrong.
    """
    if answer is None:
        print(f"{name}: not answered yet — replace None with your value and run the cell again.")
        return None
    if isinstance(expected, str):
        ok = str(answer).strip().lower() == expected.strip().lower()
        shown = repr(expected)
    else:
        ok = bool(np.allclose(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float),
                              rtol=rtol, atol=atol))
        shown = np.array2string(np.asarray(expected, dtype=float), precision=4)
    if ok:
        print(f"✓ {name} is right.")
        return None
    raise AssertionError(f"✗ {name} = {answer!r} is not right (the notebook computes {shown}). "
                         f"Have another look, or open the hidden solution below.")


# --- folded solution outputs ---------------------------------------------------------------------
def _cell_tags(shell):
    """The tags of the cell being run, from the execute request's metadata (JupyterLab sends the
    cell's metadata with it); ``[]`` when the front end sends none."""
    try:
        parent = shell.get_parent()
    except Exception:  # noqa: BLE001 - a shell without a parent message (terminal IPython)
        return []
    meta = parent.get("metadata") if isinstance(parent, dict) else None
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _details_html(captured):
    """One closed ``<details>`` block holding the captured stdout/stderr and displays."""
    parts = []
    for text in (captured.stdout, captured.stderr):
        if text:
            parts.append(f"<pre>{html.escape(text)}</pre>")
    for output in captured.outputs:
        data = output.data
        if "text/html" in data:
            parts.append(data["text/html"])
        elif "image/png" in data:
            parts.append(f'<img src="data:image/png;base64,{data["image/png"]}">')
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(data['text/plain'])}</pre>")
    return (f'<details class="gauge-solution-output"><summary>{SUMMARY}</summary>'
            + "".join(parts) + "</details>")


class _SolutionFolder:
    """IPython ``pre_run_cell``/``post_run_cell`` callbacks that fold a solution cell's output."""

    def __init__(self, shell):
        self.shell = shell
        self._capture = None
        self._captured = None

    def pre_run_cell(self, info=None):
        self._capture = None
        if SOLUTION_TAG not in _cell_tags(self.shell):
            return
        from IPython.utils.capture import capture_output  # noqa: PLC0415 (kernel only)

        self._capture = capture_output(stdout=True, stderr=True, display=True)
        self._captured = self._capture.__enter__()

    def post_run_cell(self, result=None):
        if self._capture is None:
            return
        capture, captured = self._capture, self._captured
        self._capture = self._captured = None
        capture.__exit__(None, None, None)
        if not (captured.stdout or captured.stderr or captured.outputs):
            return
        from IPython.display import display  # noqa: PLC0415 (kernel only)

        text = (captured.stdout + captured.stderr).rstrip()
        display({"text/html": _details_html(captured),
                 "text/plain": f"{SUMMARY} (folded):\n{text}"}, raw=True)


def fold_solution_outputs(shell=None):
    """Fold the outputs of cells tagged ``solution`` into a closed ``<details>`` block.

    Installed once per kernel when this module is imported; calling it again does nothing.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell, optional
        Default: the running shell (nothing happens outside IPython).

    Returns
    -------
    bool
        True if the folding is active in ``shell``.
    """
    if shell is None:
        try:
            from IPython import get_ipython  # noqa: PLC0415
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    if getattr(shell, "_gauge_solution_folder", None) is not None:
        return True
    folder = _SolutionFolder(shell)
    shell.events.register("pre_run_cell", folder.pre_run_cell)
    shell.events.register("post_run_cell", folder.post_run_cell)
    shell._gauge_solution_folder = folder
    return True


fold_solution_outputs()
