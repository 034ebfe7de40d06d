"""gauge_core and the widgets stay inside the kernel: no network, no files in the working tree.

Classrooms run the book offline and from read-only checkouts, so

- with sockets blocked (``socket.socket.connect`` / ``connect_ex`` / ``socket.create_connection``
  / ``socket.getaddrinfo`` raise), the library and the widgets import in a fresh interpreter, and a
  panel (``widgets.overview_panel``, headless on Agg via ``widget_checks``) builds, runs and updates;
  an audit hook in that interpreter also records every socket event and every file opened for
  writing;
- in this process, with the same sockets monkeypatched, a panel builds and updates;
- running gauge_core (every optimiser, the models, the tools) from a temporary working directory
  leaves that directory empty and writes no file (checked by intercepting ``open``/``os.open``
  and by snapshotting the repository around a short optimisation).
"""
from __future__ import annotations

import builtins
import io
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import widget_checks  # noqa: F401  (panel test helpers)

import gauge_core as gc  # noqa: E402

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SKIP_DIRS = {".git", "__pycache__", ".hypothesis", ".pytest_cache", ".ipynb_checkpoints",
             "node_modules", ".venv", "venv"}


class NetworkBlocked(OSError):
    """Raised by the patched socket functions."""


@pytest.fixture
def no_network(monkeypatch):
    """Make every outgoing connection and name lookup raise; yield the list of attempts."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args)[:200])
        raise NetworkBlocked("network access blocked by test_resource_hygiene")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


# ------------------------------------------------------------------------------------------------
# A fresh interpreter: imports, panel, sockets and file writes seen by an audit hook
# ------------------------------------------------------------------------------------------------
FRESH_SCRIPT = textwrap.dedent("""
    import json, os, socket, sys
    events = {"socket": [], "write": []}
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event, args):
        if event.startswith("socket.") and event not in ("socket.__new__",):
            events["socket"].append([event, repr(args)[:200]])
        elif event == "open":
            path, mode, flags = (list(args) + [None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and isinstance(path, (str, bytes, os.PathLike)):
                events["write"].append(os.path.abspath(os.fsdecode(path)))
        elif event in ("os.mkdir", "os.rename", "os.remove", "shutil.copyfile", "shutil.move"):
            events["write"].append(f"{event}: {args[0]!r}")

    sys.addaudithook(hook)

    def refuse(*args, **kwargs):
        events["socket"].append(["socket.connect", "blocked: " + repr(args)[:200]])
        raise OSError("network access blocked")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    sys.path.insert(0, sys.argv[1])
    import widget_checks  # selects Agg (headless)
    import numpy as np
    import gauge_core as gc
    import widgets
    from widgets import overview_panel

    panel = overview_panel(T=16, steps=2000, seed=1)
    panel.player.run_to_end()
    panel.set(lam=2.0, seed=3)
    panel.player.run_to_end()
    panel.controls["gauge"].value = "goldstone"
    panel.player.run_to_end()
    panel.reset()
    assert panel.error is None, panel.error
    widget_checks.assert_finite(panel.fig)
    m = gc.MexicanHatChain(8, 1.0, d=2, N=2)
    for method in gc.METHODS:
        gc.optimize(m, m.random_init(0), method, 30, k1=5)
    print("RESULT " + json.dumps(events))
""")


def test_fresh_import_and_panel_without_network_or_writes(tmp_path):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-B", "-c", FRESH_SCRIPT, str(TESTS)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    events = json.loads(line[len("RESULT "):])
    connects = [e for e in events["socket"] if e[0] in ("socket.connect", "socket.getaddrinfo",
                                                        "socket.gethostbyname", "socket.sendto",
                                                        "socket.sendmsg")]
    assert not connects, f"network use: {connects}"
    in_tree = [p for p in events["write"] if str(REPO) in p or str(tmp_path) in p]
    assert not in_tree, f"files written in the working tree or the repository: {in_tree}"
    assert list(tmp_path.iterdir()) == [], "the working directory did not stay empty"


# ------------------------------------------------------------------------------------------------
# In this process, with monkeypatched sockets
# ------------------------------------------------------------------------------------------------
def test_panel_builds_and_updates_with_sockets_blocked(no_network, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    import widgets
    from widgets import overview_panel

    assert hasattr(widgets, "overview_panel")
    panel = overview_panel(T=16, steps=2000, seed=0)
    panel.player.run_to_end()
    before = widget_checks.snapshot(panel.fig)
    panel.controls["lam"].value = 3.0
    panel.player.run_to_end()
    assert widget_checks.changed(before, widget_checks.snapshot(panel.fig))
    panel.set(init="aligned", seed=5)
    panel.player.advance_chunk()
    panel.reset()
    assert panel.error is None, panel.error
    widget_checks.assert_finite(panel.fig)
    assert no_network == [], f"network use: {no_network}"
    assert list(tmp_path.iterdir()) == []


def test_socket_patch_is_effective(no_network):
    """The fixture really blocks: a connection attempt raises and is recorded."""
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.org", 80)
    assert len(no_network) == 2


# ------------------------------------------------------------------------------------------------
# No files written
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def write_log(monkeypatch):
    """Record every file opened for writing through open / io.open / os.open."""
    log = []
    real_open, real_os_open = builtins.open, os.open
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def logged_open(file, mode="r", *args, **kwargs):
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            log.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    def logged_os_open(path, flags, *args, **kwargs):
        if flags & write_flags:
            log.append(str(path))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", logged_open)
    monkeypatch.setattr(io, "open", logged_open)
    monkeypatch.setattr(os, "open", logged_os_open)
    yield log


def _exercise_gauge_core():
    """Touch every family of the public API once (small sizes)."""
    rng = np.random.default_rng(0)
    hat = gc.MexicanHatChain(8, 1.0, d=3, N=2)
    dense = gc.DynamicFactorization(rng.standard_normal((6, 3, 4)), 2, 0.5)
    data = gc.drifting_ratings(5, 4, 5, d=2, ratings_per_step=20, rng=1)
    sparse = gc.SparseLogisticFactorization(*data.train.as_args(), T=5, n_users=4, n_items=5,
                                            d=2, lam=2.0)
    for model in (hat, dense, sparse):
        for method in gc.METHODS:
            res = gc.optimize(model, model.random_init(2), method, 20, k1=5, snapshots=(0, 10))
            gc.iterations_to_converge(res.loss, 0.0)
        run = gc.Run(model, model.random_init(3), "gauge", k1=4)
        run.advance(5)
        run.advance(5)
        sparse.log_likelihood(sparse.random_init(0), *data.test.as_args()) if len(data.test) else 0
    Z = hat.random_init(4)
    Zn, R = gc.exact_gauge_step(Z, reference="mean")
    gc.gauge_fix(R, "last")
    gc.link_variables(R)
    gc.holonomy(gc.link_variables(R, ring=True))
    gc.twist_profile(Z)
    gc.twist_amplitudes(Z)
    gc.alignment(Z)
    gc.fd_hessian(gc.MexicanHatChain(4, 1.0, d=2, N=1), np.ones((4, 2, 1)))
    gc.gauge_invariant_loss(hat, Z, gc.random_skew(3, 0, size=8))
    gc.p2_objective(gc.random_skew(3, 0, size=8), Z, hat.coupling, commutator=True)
    gc.exact_change(gc.random_skew(3, 0, 0.1, size=8), Z, hat.coupling)
    gc.twist_mode(16, 1, 0.5)
    gc.chain_laplacian(8, 1.0, ring=True)


def _tree_state(root):
    """Path -> (mtime_ns, size) of every file under root, skipping caches and .git."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for f in filenames:
            p = os.path.join(dirpath, f)
            try:
                st = os.stat(p)
            except FileNotFoundError:  # removed meanwhile by someone else
                continue
            state[p] = (st.st_mtime_ns, st.st_size)
    return state


def test_gauge_core_writes_nothing(write_log, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with np.errstate(all="ignore"):
        _exercise_gauge_core()
    assert write_log == [], f"gauge_core opened files for writing: {write_log}"
    assert list(tmp_path.iterdir()) == [], "the working directory did not stay empty"


def test_short_optimize_adds_no_file_to_the_repository(monkeypatch, tmp_path):
    """Snapshot the repository around a short optimisation (other authors may be writing files
    at the same moment, so a change must show up in two windows in a row to count)."""
    monkeypatch.chdir(tmp_path)
    model = gc.MexicanHatChain(16, 1.0, d=2, N=1)
    Z0 = model.random_init(0)

    def window():
        before = _tree_state(REPO)
        t0 = time.time()
        for method in gc.METHODS:
            gc.optimize(model, Z0, method, 200, k1=10)
        after = _tree_state(REPO)
        changed = sorted(p for p in after if after[p] != before.get(p))
        return changed, time.time() - t0

    changed, seconds = window()
    if changed:
        changed_again, _ = window()
        changed = sorted(set(changed) & set(changed_again)) or changed_again
    assert not changed, f"new or modified files in the repository during optimize: {changed}"
    assert list(tmp_path.iterdir()) == []
    assert seconds < 60
