"""Helpers shared by the browser tests and ``benchmarks/browser_latency.py``.

Starts JupyterLab and Voila on a free loopback port, stops them (and their kernels) for sure,
launches Debian's Chromium through Playwright with every non-loopback request blocked, records
every console error and failed request of a page, and knows the selectors and waits that make
JupyterLab and Voila pages reliable to drive.

Nothing here imports pytest, so the benchmark can use it as a plain module.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import make_apps  # noqa: E402  (the Voila flags and the app registry live there)
import gauge_book_server  # noqa: E402  (the server flag every kernel websocket needs)

BOOK = ROOT / "book"
APPS = ROOT / "apps"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_MISSING = "chromium not found: install it with `sudo apt-get install chromium`"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1400, "height": 1000}
LAPTOP = {"width": 1440, "height": 900}  # the reader's laptop screen (tests/browser/test_lab.py)
# The JupyterLab settings the book ships (share/jupyter/lab/settings/overrides.d/), which `make lab`
# installs into .venv; the test servers read them from the checkout.
LAB_APP_SETTINGS = ROOT / "share" / "jupyter" / "lab" / "settings"

# JupyterLab user settings of the test servers: no "get notified about Jupyter news?" toast over the
# widgets even without the shipped overrides (test_offline.py checks the shipped ones alone).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def chromium_available():
    return CHROMIUM.exists()


def shots_dir():
    """Where screenshots go: $GAUGE_BOOK_SHOTS, default ``screenshots/`` (git-ignored)."""
    d = Path(os.environ.get("GAUGE_BOOK_SHOTS", ROOT / "screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def chapters():
    """The chapter notebooks present in book/, sorted: ``[Path('book/00_overview.ipynb'), ...]``."""
    return sorted(p for p in BOOK.glob("[0-9][0-9]_*.ipynb"))


# --- servers -------------------------------------------------------------------------------------
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid):
    """Every live descendant of ``pid`` (read from /proc; kernels run in their own sessions)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Server:
    """A Jupyter server process started in its own process group."""

    kind: str
    proc: subprocess.Popen
    port: int
    token: str
    workdir: Path
    log_path: Path
    base: str = field(init=False)

    def __post_init__(self):
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path, **query):
        if self.token:
            query.setdefault("token", self.token)
        q = urllib.parse.urlencode(query)
        return f"{self.base}{path}" + (f"?{q}" if q else "")

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def api(self, method, path, timeout=10):
        """A REST call authenticated with the token (token auth needs no XSRF header)."""
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (loopback only)
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Delete every session and kernel (between tests on a shared server)."""
        with contextlib.suppress(Exception):
            for s in self.api("GET", "/api/sessions"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/sessions/{s['id']}")
        with contextlib.suppress(Exception):
            for k in self.api("GET", "/api/kernels"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/kernels/{k['id']}")

    def stop(self, timeout=15):
        """SIGTERM to the process group, SIGKILL after ``timeout``; kernels are reaped too."""
        stop_process(self.proc, timeout)


def stop_process(proc, timeout=15):
    if proc.poll() is not None:
        return
    family = _children(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    # kernels live in their own sessions: the server normally shuts them down on SIGTERM
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    for p in family:
        if _alive(p):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(p, signal.SIGKILL)


def _wait_ready(server, path, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.kind} exited with {server.proc.returncode}:\n"
                               f"{server.log_tail()}")
        try:
            req = urllib.request.Request(server.url(path))
            with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310 (loopback only)
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.25)
    raise TimeoutError(f"{server.kind} not ready after {timeout} s ({last}):\n{server.log_tail()}")


def _spawn(kind, cmd, workdir, env, log_path):
    log = open(log_path, "wb")  # noqa: SIM115 (closed with the process)
    try:
        return subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        log.close()


def _jupyter_env(tmp, user_settings=None):
    env = dict(os.environ)
    settings = tmp / "lab-settings"
    settings.mkdir(parents=True, exist_ok=True)
    for rel, value in (LAB_SETTINGS if user_settings is None else user_settings).items():
        f = settings / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    (tmp / "workspaces").mkdir(exist_ok=True)
    (tmp / "runtime").mkdir(exist_ok=True)
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), PYTHONUNBUFFERED="1",
               # the kernel imports gauge_core/widgets from this checkout even if not installed
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    env.pop("JUPYTER_TOKEN", None)
    return env


def start_lab(tmp, sources=None, timeout=90, user_settings=None, nodelay=True):
    """JupyterLab on a free loopback port with a random token, serving a copy of book/.

    ``sources`` are the notebooks to copy (default: every book/*.ipynb); the rest of book/
    (data files) is copied too, into ``tmp/book``, so that Run All and autosave never touch
    the checkout. JupyterLab reads the book's shipped settings overrides (``LAB_APP_SETTINGS``)
    and a fresh user-settings directory holding ``user_settings`` (default ``LAB_SETTINGS``;
    ``{}`` for a first start with nothing but the shipped overrides). Kernel websockets use
    :class:`gauge_book_server.NoDelayConnection`, as ``make lab`` does (``nodelay=False``: Jupyter
    Server's default, for the benchmark's comparison).
    """
    tmp = Path(tmp)
    workdir = tmp / "book"
    # the whole of book/ (chapters may read book/data/...), minus checkpoints and caches
    shutil.copytree(BOOK, workdir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.ipynb"))
    for src in sources if sources is not None else sorted(BOOK.glob("*.ipynb")):
        shutil.copy2(src, workdir / Path(src).name)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.token={token}", "--ServerApp.password=", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={workdir}", "--LabApp.news_url=None",
           f"--LabApp.app_settings_dir={LAB_APP_SETTINGS}", "--ServerApp.open_browser=False"]
    if nodelay:
        cmd.append(gauge_book_server.LAB_FLAG)
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = _spawn("jupyterlab", cmd, workdir, _jupyter_env(tmp, user_settings), tmp / "lab.log")
    server = Server("jupyterlab", proc, port, token, workdir, tmp / "lab.log")
    try:
        _wait_ready(server, "/api/status", timeout)
    except BaseException:
        server.stop()
        raise
    return server


def start_voila(tmp, target=APPS, timeout=90):
    """Voila serving ``target`` (a notebook or a directory) on a free loopback port with a token."""
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    target = Path(target)
    workdir = target if target.is_dir() else target.parent
    cmd = make_apps.voila_command(target.name if target.is_file() else ".", port,
                                  open_browser=False, extra=["--Voila.ip=127.0.0.1", f"--Voila.token={token}",
                               "--ServerApp.port_retries=0"])
    proc = _spawn("voila", cmd, workdir, make_apps.voila_env(_jupyter_env(tmp)), tmp / "voila.log")
    server = Server("voila", proc, port, token, workdir, tmp / "voila.log")
    try:
        _wait_ready(server, "/", timeout)
    except BaseException:
        server.stop()
        raise
    return server


# --- browser -------------------------------------------------------------------------------------
def launch(playwright, **kw):
    """Debian's Chromium, headless, with the flags that keep it off the network."""
    user_data = tempfile.mkdtemp(prefix="gauge-book-chromium-")
    ctx = playwright.chromium.launch_persistent_context(
        user_data, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport=VIEWPORT, **kw)
    ctx._gauge_user_data = user_data  # removed by close_browser
    return ctx


def close_browser(ctx):
    user_data = getattr(ctx, "_gauge_user_data", None)
    with contextlib.suppress(Exception):
        ctx.close()
    if user_data:
        shutil.rmtree(user_data, ignore_errors=True)


class Guard:
    """Blocks every request that does not go to loopback (``data:``/``blob:`` URLs pass).

    Installed on a browser context. ``blocked`` lists the URLs that were refused. Nothing is
    stubbed: a page that asks for anything outside 127.0.0.1 gets a failed request, which
    ``ConsoleLog.problems`` reports.
    """

    def __init__(self):
        self.blocked = []
        self.stubbed = []  # kept for callers of the former Font Awesome stub; always empty

    def install(self, ctx):
        ctx.route("**/*", self._handle)
        return self

    def _handle(self, route):
        url = route.request.url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("data", "blob", "file") or parts.hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")


class ConsoleLog:
    """Collects the console errors, uncaught page errors and failed requests of one page.

    ``errors``: console errors and page errors (a request refused by the Guard is listed under
    ``failed`` instead). ``failed``: requests that failed (refused by the Guard, network errors)
    or were answered with HTTP >= 400; requests cancelled by a navigation (``net::ERR_ABORTED``)
    are not failures. ``problems()`` is both; ``assert_clean()`` fails on any and marks the page as
    checked (the ``page`` fixture checks unchecked pages of passing tests itself).
    """

    IGNORE = (
        # Voila 0.5.13 ships JupyterLab 4.2 core; extensions built for 4.6 warn (not errors)
        re.compile(r"Unsatisfied version"),
    )

    def __init__(self, page, guard=None):
        self.errors = []
        self.failed = []
        self.guard = guard
        self.checked = False
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, msg):
        if msg.type != "error":
            return
        text = msg.text
        if any(p.search(text) for p in self.IGNORE):
            return
        loc = (msg.location or {}).get("url", "")
        if "ERR_BLOCKED_BY_CLIENT" in text or (
                self.guard and loc and any(loc == u for u in self.guard.blocked)):
            return  # a request refused by the Guard: listed in `failed`
        if text.startswith("Failed to load resource: the server responded with a status of"):
            return  # an HTTP error: listed in `failed` with its URL
        self.errors.append(f"console.error: {text} ({loc})")

    def _request_failed(self, request):
        failure = request.failure or ""
        if "ERR_ABORTED" in failure:
            return  # cancelled by a navigation or a closed page, not a network failure
        self.failed.append(f"request failed: {request.method} {request.url} ({failure})")

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def clear(self):
        self.errors.clear()
        self.failed.clear()

    def problems(self):
        return self.errors + self.failed

    def assert_clean(self, what="page"):
        self.checked = True
        problems = self.problems()
        assert not problems, f"{what}: {len(problems)} console error(s) / failed request(s):\n" + \
            "\n".join(problems)


# --- in-page JavaScript ----------------------------------------------------------------------------
# A cheap fingerprint of a canvas: FNV-1a over the RGBA bytes (every pixel).
# A cheap fingerprint of what a panel's figure shows: for an ipympl canvas, FNV-1a over its RGBA
# bytes; for a live figure (widgets/live: a background canvas patched in place and the live
# canvas on top), the number of backgrounds applied plus the FNV-1a hash of the live canvas.
JS_CANVAS_HASH = """(c) => {
  const fnv = (cv) => {
    const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    const u = new Uint32Array(d.buffer, d.byteOffset, d.byteLength >> 2);
    let h = 2166136261 >>> 0;
    for (let i = 0; i < u.length; i++) { h ^= u[i]; h = Math.imul(h, 16777619) >>> 0; }
    return h.toString(16);
  };
  if (c && c.classList && c.classList.contains('gb-live')) {
    const fg = c.querySelector('canvas.gb-live-fg');
    if (!fg || !fg.width) return null;
    return 'live:' + c.dataset.backgrounds + ':' + fnv(fg);
  }
  if (!c || !c.width || !c.height) return null;
  return c.width + 'x' + c.height + ':' + fnv(c);
}"""

# Resolves with ms from keydown (or a <select>'s change, whichever comes first) to the drawing call
# that changed the canvas pixels, or null after `timeout` ms. Install it, then press the key.
# The watched canvases' 2D contexts report their drawing calls (pixels on a canvas change only
# through its context, or a resize, which a live figure counts in data-backgrounds); after each
# animation frame in which something drew, a task queued from the frame hashes the pixels and
# compares them with the pixels before, so after every callback of that frame. The answer is the
# time of the last drawing call before that comparison: the browser shows those pixels when it
# next composites, which for a figure drawing in an animation frame is the end of that frame.
# Hashing every pixel in every frame, as this probe once did, costs 5-14 ms of the main thread
# per frame (measured in a Chromium trace), taken from the very answer it times; and the queued
# comparison itself runs up to 10 ms after the frame (window.__gaugeLatencyChecked keeps that
# time). The same probe watches the ipympl baseline and the live figures.
JS_ARM_LATENCY = """([canvas, timeout]) => {
  const hash = %s;
  const before = hash(canvas);
  const watched = canvas.classList && canvas.classList.contains('gb-live')
    ? Array.from(canvas.querySelectorAll('canvas')) : [canvas];
  const DRAWING = ['clearRect', 'fillRect', 'strokeRect', 'fill', 'stroke', 'drawImage',
                   'putImageData', 'fillText', 'strokeText', 'reset'];
  let dirty = false, lastDraw = null;
  const contexts = watched.map((cv) => cv.getContext('2d')).filter(Boolean);
  for (const ctx of contexts) {
    for (const name of DRAWING) {
      const original = Object.getPrototypeOf(ctx)[name];
      if (typeof original !== 'function') continue;
      ctx[name] = function (...args) {
        const out = original.apply(this, args);
        dirty = true; lastDraw = performance.now();
        return out;
      };
    }
  }
  const unwatch = () => { for (const ctx of contexts) for (const name of DRAWING) delete ctx[name]; };
  const counters = () => canvas.dataset ? `${canvas.dataset.backgrounds}` : '';
  let lastCounters = counters();
  window.__gaugeLatencyChecked = null;
  window.__gaugeLatency = new Promise((resolve) => {
    let t0 = null, done = false;
    const finish = (value) => { done = true; unwatch(); resolve(value); };
    const onKey = () => { if (t0 === null) t0 = performance.now(); };
    document.addEventListener('keydown', onKey, {capture: true, once: true});
    document.addEventListener('change', onKey, {capture: true, once: true});
    const check = () => {
      if (done || t0 === null) return;
      const now = counters();
      if ((dirty || now !== lastCounters) && hash(canvas) !== before) {
        const checked = performance.now();
        window.__gaugeLatencyChecked = checked - t0;
        finish((lastDraw !== null && lastDraw >= t0 ? lastDraw : checked) - t0); return;
      }
      dirty = false; lastCounters = now;
      if (performance.now() - t0 > timeout) finish(null);
    };
    const frame = () => {
      if (done) return;
      setTimeout(check, 0);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  return before;
}""" % JS_CANVAS_HASH


def canvas_hash(canvas):
    return canvas.evaluate(JS_CANVAS_HASH)


def wait_stable(page, canvas, quiet_ms=1200, timeout_ms=30000, poll_ms=150):
    """Wait until the canvas pixels stay unchanged for ``quiet_ms``; returns the final hash."""
    t_end = time.monotonic() + timeout_ms / 1000
    last, since = canvas_hash(canvas), time.monotonic()
    while time.monotonic() < t_end:
        page.wait_for_timeout(poll_ms)  # not time.sleep: route handlers need the event loop
        h = canvas_hash(canvas)
        if h != last or h is None:
            last, since = h, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return h
    raise TimeoutError(f"canvas pixels still changing after {timeout_ms} ms")


def wait_changed(page, canvas, before, timeout_ms=15000, poll_ms=50):
    t_end = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < t_end:
        h = canvas_hash(canvas)
        if h is not None and h != before:
            return h
        page.wait_for_timeout(poll_ms)
    return None


# --- panels --------------------------------------------------------------------------------------
PANEL_CANVAS = ".jupyter-matplotlib-canvas-div canvas"
LIVE_FIGURE = ".gb-live"  # widgets/live: what a panel's figure is
SLIDER_HANDLE = ".widget-slider .noUi-handle"
DROPDOWN = ".widget-dropdown select"


def look_at(locator, tries=4):
    """Scroll an element to the middle of the notebook with the mouse wheel, as a reader does to
    watch it. (``scroll_into_view_if_needed`` may leave it a pixel inside the notebook's edge,
    where the live figure counts as out of view and asks for no frames; JupyterLab's windowed
    notebook may undo a programmatic scroll, not a reader's wheel.)"""
    page = locator.page
    for _ in range(tries):
        geo = locator.evaluate("""(e) => {
          const sc = e.closest('.jp-WindowedPanel-outer');
          const r = e.getBoundingClientRect();
          if (!sc) { e.scrollIntoView({block: 'center'}); return null; }
          const s = sc.getBoundingClientRect();
          const h = Math.min(r.height, sc.clientHeight);
          return {dy: (r.top - s.top) - (sc.clientHeight - h) / 2,
                  x: s.left + s.width / 2, y: s.top + s.height / 2};
        }""")
        if geo is None or abs(geo["dy"]) < 8:
            return
        page.mouse.move(geo["x"], geo["y"])
        page.mouse.wheel(0, geo["dy"])
        page.wait_for_timeout(150)


def pause_all_play(page):
    """Pause every playing panel (they autoplay their runs): live figures' ⏸ buttons and any
    ipywidgets Play; returns how many were clicked."""
    n = 0
    for live in page.locator(LIVE_FIGURE + "[data-playing='1']").all():
        with contextlib.suppress(Exception):
            live.locator("button.gb-live-play").click(timeout=2000)
            n += 1
    for play in page.locator(".widget-play").all():
        pause = play.locator("button:has(.fa-pause)")
        if pause.count():
            with contextlib.suppress(Exception):
                pause.first.click(timeout=2000)
                n += 1
    return n


def settle(page, canvas, quiet_ms=1200, timeout_ms=45000, rounds=4):
    """Pause every Play (the kernel may start one late) and wait for still pixels."""
    h = None
    for _ in range(rounds):
        pause_all_play(page)
        h = wait_stable(page, canvas, quiet_ms=quiet_ms, timeout_ms=timeout_ms)
        if pause_all_play(page) == 0:
            return h
    return h


def controls_of(panel):
    """The panel's keyboard-operable controls, in reading order within each kind: slider
    handles first (the brief's "move a slider"), then drop-downs. ``[(kind, locator), ...]``."""
    out = []
    handles = panel.locator(SLIDER_HANDLE)
    out += [("slider", handles.nth(i)) for i in range(handles.count())]
    selects = panel.locator(DROPDOWN)
    out += [("dropdown", selects.nth(i)) for i in range(selects.count())]
    return out


def control_label(kind, control):
    box = control.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' widget-inline-hbox ')][1]")
    with contextlib.suppress(Exception):
        text = box.locator(".widget-label").first.inner_text(timeout=2000).strip()
        if text:
            return f"{kind} '{text}'"
    return kind


def press_until_changed(page, panel, canvas, max_controls=4, timeout_ms=15000):
    """Move the panel's controls one step (``operate``), one after the other, until the canvas
    pixels change. Sliders come first; a slider that only changes the caption (not the figure) is
    passed over for the next control. Returns one dict per control tried, the last one being
    the control that changed the figure (``changed`` True) if any did."""
    tried = []
    for kind, control in controls_of(panel)[:max_controls]:
        value_of = "e => e.getAttribute('aria-valuenow')" if kind == "slider" else "e => e.value"
        before_value = control.evaluate(value_of)
        before = settle(page, canvas)
        text_before = panel.inner_text()
        key = key_for(control, kind)
        operate(page, control, kind, key)
        after = wait_changed(page, canvas, before, timeout_ms=timeout_ms)
        tried.append({"control": control_label(kind, control), "kind": kind, "key": key,
                      "value_before": before_value, "value_after": control.evaluate(value_of),
                      "hash_before": before, "hash_after": after, "changed": after is not None,
                      "text_changed": panel.inner_text() != text_before})
        if after is not None:
            break
    return tried


def first_panel(page, scope=None):
    """The first widget output that holds both a slider and a figure (a live figure, or an
    ipympl canvas).

    Returns ``(output, handle, figure)`` locators; ``figure`` is what :func:`canvas_hash` takes.
    """
    root = scope or page
    outputs = root.locator(".jupyter-widgets.widget-vbox:has(.noUi-handle):has(canvas)")
    out = outputs.first
    out.wait_for(state="visible", timeout=60000)
    # the outermost VBox: a panel may nest boxes
    figure = out.locator(f"{LIVE_FIGURE}, {PANEL_CANVAS}").first
    return out, out.locator(SLIDER_HANDLE).first, figure


def key_for(control, kind="slider"):
    """An arrow key that moves ``control`` one step: towards the other end if at an end."""
    if kind == "dropdown":
        idx, n = control.evaluate("e => [e.selectedIndex, e.options.length]")
        return "ArrowUp" if idx >= n - 1 else "ArrowDown"
    now, top = control.get_attribute("aria-valuenow"), control.get_attribute("aria-valuemax")
    try:
        return "ArrowLeft" if float(now) >= float(top) else "ArrowRight"
    except (TypeError, ValueError):
        return "ArrowRight"


def operate(page, control, kind, key):
    """Move ``control`` one step as a reader would: an arrow key on a focused slider handle;
    for a drop-down, choosing the neighbouring option (JupyterLab's command mode takes arrow
    keys on a focused ``<select>`` for itself, so the option is picked like a mouse would)."""
    if kind == "slider":
        control.focus()
        page.keyboard.press(key)
        return
    idx = control.evaluate("e => e.selectedIndex")
    control.select_option(index=idx + (1 if key == "ArrowDown" else -1))


# --- JupyterLab ----------------------------------------------------------------------------------
def lab_open(page, server, name, timeout_ms=90000):
    page.goto(server.url(f"/lab/tree/{urllib.parse.quote(name)}", reset=""), wait_until="commit")
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=timeout_ms)
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle")).wait_for(timeout=timeout_ms)


def lab_run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


JS_LAB_PROGRESS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const nb = panel && panel.querySelector('.jp-Notebook');
  if (!nb) return {cells: 0};
  // cells whose input is collapsed (hidden solutions) show no prompt: they count as unknown
  const prompts = [...nb.querySelectorAll('.jp-CodeCell')].map((c) => {
    const p = c.querySelector('.jp-InputArea .jp-InputPrompt');
    return p ? p.textContent.trim() : null;
  });
  const shown = prompts.filter((p) => p !== null);
  const errors = [...nb.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map((e) => e.textContent).filter((t) => /Traceback|\\w+Error\\b/.test(t));
  const status = document.querySelector('#jp-main-statusbar');
  return {cells: prompts.length, shown: shown.length,
          busy: shown.filter((p) => p.includes('*')).length,
          done: shown.filter((p) => /\\[\\d+\\]/.test(p)).length, errors,
          idle: !!status && /\\|\\s*Idle/.test(status.textContent)};
}"""


def lab_wait_all_done(page, timeout_ms=180000, quiet_ms=1000):
    """Wait until Run All has finished: every visible prompt numbered, none queued, the kernel
    idle, all of it for ``quiet_ms`` (the status bar flashes "Idle" between queued cells).
    Returns early as soon as an error output appears."""
    t_end = time.monotonic() + timeout_ms / 1000
    state, since = {}, None
    while time.monotonic() < t_end:
        state = page.evaluate(JS_LAB_PROGRESS)
        if state.get("errors"):
            return state
        ok = (state.get("cells") and state["done"] == state["shown"] and not state["busy"]
              and state["idle"])
        if not ok:
            since = None
        elif since is None:
            since = time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return state
        page.wait_for_timeout(200)
    raise TimeoutError(f"Run All did not finish in {timeout_ms / 1000:.0f} s: {state}")


def notebook_errors(page):
    return page.evaluate(JS_LAB_PROGRESS).get("errors", [])


# --- Voila ---------------------------------------------------------------------------------------
def voila_open(page, server, name, timeout_ms=90000):
    """Open a Voila app and wait until its panel canvas has drawn (goto waits for commit only:
    Voila's load event waits for the whole notebook to execute)."""
    page.goto(server.url(f"/voila/render/{urllib.parse.quote(name)}"), wait_until="commit")
    out, handle, canvas = first_panel(page)
    canvas.wait_for(state="visible", timeout=timeout_ms)
    return out, handle, canvas
