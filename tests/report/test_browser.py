"""Charts draw in a real browser with the network off: each chart embedded the way the site embeds it
(rk.figure's HTML, loading the site's own Vega bundle), and each chart's standalone HTML (results/<stage>/figures/<name>.html, JavaScript inlined) draws in a real
browser: headless Chromium (Debian's `chromium`, installed by .ci/run) opens it offline through the
DevTools protocol, and the test requires a drawn SVG/canvas with marks, no console error, no uncaught
exception and no network request."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (`apt-get install -y chromium`; .ci/run installs it in CI)",
)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-port=0",
)
# what the drawn Vega charts look like: every chart root (Vega's svg.marks / canvas.marks; else the
# page's first svg/canvas), the smallest size and the fewest mark items among them, and how many there are
_DRAWN_JS = """(() => {
  let roots = [...document.querySelectorAll('svg.marks, canvas.marks')];
  if (!roots.length) roots = [...document.querySelectorAll('svg, canvas')].slice(0, 1);
  if (!roots.length) return null;
  const sel = '[class^="mark-"] path, [class^="mark-"] rect, [class^="mark-"] line, [class^="mark-"] text';
  const each = roots.map(root => {
    const r = root.getBoundingClientRect();
    return {width: r.width, height: r.height, marks: root.tagName === 'CANVAS' ? 1 : root.querySelectorAll(sel).length};
  });
  return {tag: roots[0].tagName, charts: roots.length, width: Math.min(...each.map(e => e.width)),
          height: Math.min(...each.map(e => e.height)), marks: Math.min(...each.map(e => e.marks))};
})()"""


@contextmanager
def chromium() -> Iterator[str]:
    """A headless Chromium with an empty profile; yields its DevTools HTTP address.

    Chromium runs in its own process group, and the whole group is stopped at the end: its helper
    processes (renderer, crashpad) otherwise outlive the browser and keep writing into the profile
    while it is being removed ("Directory not empty", seen once in CI)."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        try:
            deadline = time.time() + 60
            endpoint = None
            while time.time() < deadline and endpoint is None:
                line = proc.stderr.readline()
                if not line and proc.poll() is not None:
                    raise RuntimeError(f"chromium exited with {proc.returncode} before DevTools started")
                m = re.search(r"DevTools listening on ws://([\d.:\[\]a-z]+)/", line)
                if m:
                    endpoint = m.group(1)
            if endpoint is None:
                raise RuntimeError("chromium did not start DevTools within 60 s")
            yield endpoint
        finally:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop a process and every process in its group: SIGTERM, then SIGKILL for whatever is left
    after 10 s; returns once the group is empty (or after a further 5 s)."""

    def group_alive() -> bool:
        try:
            os.killpg(proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if not group_alive():
            break
        os.killpg(proc.pid, sig)
        deadline = time.time() + grace
        while time.time() < deadline:
            proc.poll()  # reap the browser itself so its group can empty
            if not group_alive():
                break
            time.sleep(0.1)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


async def _open_and_check(ws_url: str, url: str, timeout: float, charts: int) -> dict:
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(ws_url, max_message_size=64 * 1024 * 1024)
    errors: list[str] = []
    requests: list[str] = []
    loaded = asyncio.Event()
    next_id = 0

    def on_event(msg: dict) -> None:
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            errors.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            errors.append("log: " + p["entry"].get("text", ""))
        elif method == "Network.loadingFailed":
            errors.append("failed request: " + p.get("errorText", "") + " " + p.get("requestId", ""))
        elif method == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if not u.startswith(("file:", "data:", "about:", "blob:")):
                requests.append(u)
        elif method == "Page.loadEventFired":
            loaded.set()

    async def call(method: str, **params) -> dict:
        nonlocal next_id
        next_id += 1
        my_id = next_id
        await conn.write_message(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            if raw is None:
                raise RuntimeError("DevTools connection closed")
            msg = json.loads(raw)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            on_event(msg)

    async def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                raw = await asyncio.wait_for(conn.read_message(), max(end - time.monotonic(), 0.01))
            except asyncio.TimeoutError:
                return
            if raw is None:
                return
            on_event(json.loads(raw))

    for domain in ("Runtime", "Log", "Page", "Network"):
        await call(f"{domain}.enable")
    # the network is off, as for an archived or downloaded copy of the site
    await call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1, uploadThroughput=-1)
    await call("Page.navigate", url=url)
    drawn = None
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        await pump(0.2)
        if loaded.is_set():
            res = await call("Runtime.evaluate", expression=_DRAWN_JS, returnByValue=True)
            drawn = res.get("result", {}).get("value")
            if drawn and drawn["marks"] > 0 and drawn["width"] > 0 and drawn["charts"] >= charts:
                break
    await pump(0.5)  # late asynchronous errors
    conn.close()
    return {"drawn": drawn, "errors": errors, "requests": requests, "loaded": loaded.is_set(), "charts": charts}


def check_pages(endpoint: str, pages: list[Path], timeout: float = 30.0, charts: int = 1, parallel: int = 6) -> list[dict]:
    """Open each page in its own tab of the running Chromium at ``endpoint`` (``parallel`` tabs at a
    time: most of a check is waiting); what each drew and reported (waiting up to ``timeout`` seconds
    for ``charts`` charts to draw)."""

    def new_tab() -> dict:
        req = urllib.request.Request(f"http://{endpoint}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    async def one(html: Path, slots: asyncio.Semaphore) -> dict:
        async with slots:
            target = new_tab()
            try:
                return await _open_and_check(target["webSocketDebuggerUrl"], html.resolve().as_uri(), timeout, charts)
            finally:
                urllib.request.urlopen(f"http://{endpoint}/json/close/{target['id']}", timeout=timeout).read()

    async def run() -> list[dict]:
        slots = asyncio.Semaphore(parallel)
        return list(await asyncio.gather(*(one(p, slots) for p in pages)))

    return asyncio.run(run())


def check_in_browser(endpoint: str, html: Path, timeout: float = 30.0, charts: int = 1) -> dict:
    """Open ``html`` in a new tab of the running Chromium at ``endpoint``; what it drew and reported
    (waiting up to ``timeout`` seconds for ``charts`` charts to draw)."""
    return check_pages(endpoint, [html], timeout, charts)[0]


def problems(result: dict) -> list[str]:
    """Why a chart page failed (empty when it drew cleanly)."""
    out = []
    if not result["loaded"]:
        out.append("page did not finish loading")
    d = result["drawn"]
    if not d:
        out.append("no <svg> or <canvas> was drawn")
    elif d["marks"] <= 0 or d["width"] <= 0 or d["height"] <= 0:
        out.append(f"chart drawn empty: {d}")
    elif d["charts"] < result["charts"]:
        out.append(f"{d['charts']} of {result['charts']} charts drawn")
    out += result["errors"]
    out += [f"network request (must work offline): {u}" for u in result["requests"]]
    return out


@needs_chromium
def test_browser_check_catches_a_broken_chart(tmp_path):
    """The harness itself: a page with a script error and nothing drawn must fail."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    with chromium() as endpoint:
        res = check_in_browser(endpoint, bad, timeout=3.0)  # nothing will draw: no need to wait 30 s
    msgs = problems(res)
    assert any("undefinedFunction" in m for m in msgs) and any("no <svg>" in m for m in msgs)


@needs_chromium
def test_a_saved_chart_draws_in_chromium(tmp_path):
    import altair as alt

    from analysis.core.figures import save_chart

    df = pd.DataFrame({"position": range(50), "similarity": [((i % 7) - 3) / 3 for i in range(50)]})
    chart = alt.Chart(df).mark_line(point=True).encode(x="position", y="similarity", tooltip=["position"])
    paths = save_chart(chart, tmp_path / "figures" / "demo")
    with chromium() as endpoint:
        res = check_in_browser(endpoint, paths["html"])
    assert not problems(res), problems(res)


@pytest.mark.slow
@needs_chromium
def test_every_smoke_chart_draws_in_chromium(smoke_results):
    pages = sorted(smoke_results.glob("*/figures/*.html"))
    if not pages:
        pytest.skip("the smoke run wrote no chart yet (no stage with figures is merged)")
    with chromium() as endpoint:
        results = check_pages(endpoint, pages)
    failed = {str(html.relative_to(smoke_results)): problems(r) for html, r in zip(pages, results) if problems(r)}
    assert not failed, f"charts that did not draw cleanly in Chromium: {failed}"


def _site_page(tmp_path: Path, bodies: list[str], name: str = "charts") -> Path:
    """A page at <site>/report/<name>.html with the site's Vega bundle at <site>/report/_vendor/,
    as the render lays them out (the bundle is a resource of _quarto.yml)."""
    from analysis.report.quarto import write_vendor
    from analysis.report.reportkit import VEGA_BUNDLE

    if not (tmp_path / VEGA_BUNDLE).is_file():
        write_vendor(tmp_path)
    page = tmp_path / "report" / f"{name}.html"
    page.write_text("<!doctype html><html><head><meta charset='utf-8'></head><body>\n" + "\n".join(bodies) + "\n</body></html>")
    return page


@needs_chromium
def test_a_chart_embedded_as_the_site_does_draws_offline(tmp_path, monkeypatch):
    import altair as alt

    from analysis.core.figures import save_chart
    from analysis.report import reportkit as rk

    results = tmp_path / "results"
    df = pd.DataFrame({"m": range(40), "B": [((i % 9) - 4) / 4 for i in range(40)]})
    save_chart(alt.Chart(df).mark_line().encode(x="m", y="B"), results / "bounds" / "figures" / "demo")
    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(results))
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    html = rk.html_of(rk.figure("bounds", "demo"))
    assert "http" not in html.split("const spec")[0]  # nothing loaded from a network
    page = _site_page(tmp_path, [html])
    with chromium() as endpoint:
        res = check_in_browser(endpoint, page)
    assert not problems(res), problems(res)


@needs_chromium
def test_several_charts_on_one_page_load_the_bundle_once(tmp_path, monkeypatch):
    """A page holds many charts; each chart's HTML asks for the bundle, but it must be loaded once:
    loaded twice its top-level declarations collide (a SyntaxError per extra chart)."""
    import altair as alt

    from analysis.core.figures import save_chart
    from analysis.report import reportkit as rk

    results = tmp_path / "results"
    df = pd.DataFrame({"m": range(40), "B": [((i % 9) - 4) / 4 for i in range(40)]})
    for name in ("one", "two", "three"):
        save_chart(alt.Chart(df).mark_line().encode(x="m", y="B"), results / "bounds" / "figures" / name)
    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(results))
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    page = _site_page(tmp_path, [rk.html_of(rk.figure("bounds", n)) for n in ("one", "two", "three")], "three")
    with chromium() as endpoint:
        res = check_in_browser(endpoint, page, charts=3)
    assert not problems(res), problems(res)


@pytest.mark.slow
@needs_chromium
def test_every_smoke_chart_draws_offline_as_the_site_embeds_it(smoke_results, tmp_path, monkeypatch):
    from analysis.report import reportkit as rk

    monkeypatch.setenv("ROPE_BOUNDS_RESULTS", str(smoke_results))
    monkeypatch.delenv("QUARTO_EXECUTE_INFO", raising=False)
    figs = sorted(smoke_results.glob("*/figures/*.vl.json"))
    assert figs
    by_stage: dict[str, list[str]] = {}
    for vl in figs:
        by_stage.setdefault(vl.parent.parent.name, []).append(vl.name.removesuffix(".vl.json"))
    failed = {}
    with chromium() as endpoint:  # one page per stage holding all its charts, as the site's pages do
        for stage, names in by_stage.items():
            page = _site_page(tmp_path, [rk.html_of(rk.figure(stage, n)) for n in names], stage)
            msgs = problems(check_in_browser(endpoint, page, charts=len(names)))
            if msgs:
                failed[f"{stage} ({', '.join(names)})"] = msgs
    assert not failed, f"charts that did not draw offline as embedded on the site: {failed}"
