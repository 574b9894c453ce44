"""The HTML report in a real browser: headless Chromium opens it from a file:// URL.

Chromium is driven over the DevTools protocol through a pipe (--remote-debugging-pipe: no port, no extra
package). The test collects console messages, uncaught exceptions, log entries (CSP violations land there),
network requests and dialogs, waits until the page says its charts are drawn, and takes a screenshot whose
pixels are decoded here to check the charts' colours are really on screen.

Set XBORDER_SCREENSHOT_DIR to keep the screenshots somewhere to look at.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import zlib
from base64 import b64decode
from pathlib import Path

import pytest

from tests.e2e.conftest import SCRIPT_TITLE, chromium_binary

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
CHART_IDS = (
    "chart-suitability-bands",
    "chart-warehouse-flags",
    "chart-logistics-cost-ratio",
    "chart-top-reasons",
    "chart-categories",
    "chart-run-history",
)
# The logistics-cost-ratio chart's bar colours (charts.ZONE_COLOURS): fine, elevated, high, exceeds price.
EXPECTED_COLOURS = {(0x2E, 0x7D, 0x32), (0xF9, 0xA8, 0x25), (0xEF, 0x6C, 0x00), (0xB7, 0x1C, 0x1C)}

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe: fd 3 carries commands in, fd 4 replies out."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def connect_pipes() -> None:  # runs in the child before exec: the fds Chromium expects, inheritable
            commands, replies = os.dup(to_browser_read), os.dup(from_browser_write)  # free of fds 3 and 4
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self.process = subprocess.Popen(  # noqa: S603 (our own fixed command line)
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=connect_pipes,  # noqa: PLW1509 (single-threaded at this point of the test)
            close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._next_id = 0
        self._replies: dict[int, dict] = {}
        self._messages: queue.Queue[dict | None] = queue.Queue()
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._messages.put(json.loads(message))
        self._messages.put(None)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._next_id += 1
        message_id = self._next_id
        message: dict = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while message_id not in self._replies:
            self._pump(deadline)
        reply = self._replies.pop(message_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        seen = len(self.events)
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            self._pump(deadline)

    def _pump(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("Chromium did not answer in time")
        try:
            message = self._messages.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError("Chromium did not answer in time") from None
        if message is None:
            raise RuntimeError("Chromium closed the DevTools pipe")
        if "id" in message:
            self._replies[message["id"]] = message
        else:
            self.events.append(message)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_browser)


def decode_png(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, unfiltered scanlines and bytes per pixel of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0, "unexpected PNG layout"
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            compressed += body
        position += 12 + length
    raw = zlib.decompress(compressed)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def distinct_colours(png: bytes) -> set[tuple[int, int, int]]:
    width, _, rows, channels = decode_png(png)
    colours: set[tuple[int, int, int]] = set()
    for row in rows:
        for x in range(0, width * channels, channels):
            colours.add((row[x], row[x + 1], row[x + 2]))
    return colours


# What the page shows once its charts settled: per chart, its SVG and bar marks and where it sits on the page.
PAGE_PROBE = """JSON.stringify({
    charts: Object.fromEntries(CHART_IDS.map((id) => {
        const element = document.getElementById(id);
        const box = element.getBoundingClientRect();
        return [id, {svgs: element.querySelectorAll("svg.marks").length,
                     marks: element.querySelectorAll("g.mark-rect path, g.mark-rect rect").length,
                     box: {x: box.x + scrollX, y: box.y + scrollY, width: box.width, height: box.height}}];
    })),
    text: document.body.innerText,
    scripts: document.scripts.length,
    height: document.documentElement.scrollHeight})"""
CHART_STATE = """JSON.stringify({rendered: document.body.getAttribute("data-charts-rendered"),
                                failed: document.body.getAttribute("data-charts-failed")})"""


def evaluate(browser: DevTools, session: str, expression: str) -> dict:
    reply = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
    return json.loads(reply["result"]["value"])


def screenshot(browser: DevTools, session: str, clip: dict) -> bytes:
    reply = browser.send(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}},
        session=session,
    )
    return b64decode(reply["data"])


@pytest.fixture(scope="module")
def browser_visit(report_html: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Open the report once; gather what the page did, its chart state and screenshots."""
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium); the browser test needs one")
    keep = os.environ.get("XBORDER_SCREENSHOT_DIR")
    shots = Path(keep) if keep else tmp_path_factory.mktemp("screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="xborder-chromium-"))
    url = report_html.resolve().as_uri()
    browser = DevTools(binary, profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        deadline = time.monotonic() + 30
        state = evaluate(browser, session, CHART_STATE)
        while not (state["rendered"] or state["failed"]) and time.monotonic() < deadline:
            time.sleep(0.1)
            state = evaluate(browser, session, CHART_STATE)
        page = evaluate(browser, session, PAGE_PROBE.replace("CHART_IDS", json.dumps(list(CHART_IDS))))
        full = screenshot(browser, session, {"x": 0, "y": 0, "width": 1280, "height": page["height"]})
        box = page["charts"]["chart-logistics-cost-ratio"]["box"]
        chart_png = screenshot(browser, session, box) if box["width"] and box["height"] else None
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    (shots / "report.png").write_bytes(full)
    if chart_png:
        (shots / "logistics_cost_ratio_chart.png").write_bytes(chart_png)
    return {"url": url, "state": state, "page": page, "events": browser.events, "chart_png": chart_png,
            "screenshot": shots / "report.png"}


def test_every_chart_is_drawn(browser_visit: dict) -> None:
    assert browser_visit["state"].get("failed") is None, browser_visit["state"]
    assert browser_visit["state"].get("rendered") == str(len(CHART_IDS))
    for chart_id, chart in browser_visit["page"]["charts"].items():
        assert chart["svgs"] == 1 and chart["marks"] > 0, (chart_id, chart)
        assert chart["box"]["width"] > 100 and chart["box"]["height"] > 100, (chart_id, chart)


def test_the_page_logs_no_error_and_raises_no_exception(browser_visit: dict) -> None:
    problems = [
        event
        for event in browser_visit["events"]
        if event["method"] == "Runtime.exceptionThrown"
        or (event["method"] == "Runtime.consoleAPICalled" and event["params"]["type"] in ("error", "assert"))
        or (event["method"] == "Log.entryAdded" and event["params"]["entry"]["level"] == "error")
    ]
    assert problems == []


def test_the_page_fetches_nothing_from_a_network(browser_visit: dict) -> None:
    requested = [
        event["params"]["request"]["url"]
        for event in browser_visit["events"]
        if event["method"] == "Network.requestWillBeSent"
    ]
    assert requested and all(url == browser_visit["url"] or url.startswith("data:") for url in requested), requested


def test_listing_text_shows_as_text_and_never_runs(browser_visit: dict) -> None:
    assert not [event for event in browser_visit["events"] if event["method"] == "Page.javascriptDialogOpening"]
    assert SCRIPT_TITLE in browser_visit["page"]["text"]
    assert browser_visit["page"]["scripts"] == 3  # the Vega bundle, the chart data, the boot script


def test_the_screenshot_shows_the_chart_colours(browser_visit: dict) -> None:
    assert browser_visit["chart_png"], "the logistics-cost-ratio chart takes no space on the page"
    colours = distinct_colours(browser_visit["chart_png"])

    assert len(colours) > 20, "the chart area is (nearly) blank"
    missing = {colour for colour in EXPECTED_COLOURS if colour not in colours}
    assert not missing, f"bar colours not on screen: {missing}; screenshot in {browser_visit['screenshot']}"
