"""Self-check helpers for the chapters' exercises.

``check(answer, expected)`` prints a friendly verdict. An unanswered exercise (``answer is None``)
only prints a reminder; a wrong answer raises ``AssertionError`` so that the solution cells, which
call it with the right answer, double as tests.
"""
from __future__ import annotations

import numpy as np

__all__ = ["check"]


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
    bool
        True if correct, False if not answered yet.
    """
    if answer is None:
        print(f"{name}: not answered yet — replace None with your value and run the cell again.")
        return False
    if isinstance(expected, str):
        ok = str(answer).strip().lower() == expected.strip().lower()
        shown = repr(expected)
    else:
        ok = bool(np.allclose(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float),
                              rtol=rtol, atol=atol))
        shown = np.array2string(np.asarray(expected, dtype=float), precision=4)
    if ok:
        print(f"✓ {name} is right.")
        return True
    raise AssertionError(f"✗ {name} = {answer!r} is not right (the notebook computes {shown}). "
                         f"Have another look, or open the hidden solution below.")
