"""Open a report page in headless Chromium, offline, and say what happened.

Talks the DevTools protocol over ``--remote-debugging-pipe`` (no websocket library needed):
the network is switched off, the page is loaded from disk, and the console errors, uncaught
exceptions, JavaScript dialogs (an ``alert`` that ran), network requests, rendered plotly
charts, visible text and a screenshot are returned. Used by the browser tests and to make the
README screenshot (``python -m opsai.report.browser reports/latest/index.html docs/report.png``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsai.report.pdf import PdfError, chromium_flags, find_chromium

_STDERR: Any = subprocess.DEVNULL


@dataclass
class PageReport:
    """What a page did when opened."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every URL the page asked for (``file:`` ones included)."""
    plots: int = 0
    """plotly charts that drew an SVG."""
    text: str = ""
    screenshot: bytes | None = None

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:", "blob:"))]


class _Pipe:
    """A DevTools session over Chromium's fds 3 (commands in) and 4 (replies out)."""

    def __init__(self, exe: str, profile: str, *, width: int, height: int) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def _fds() -> None:  # runs in the child before exec: the pipes become fds 3 and 4
            a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                exe,
                *chromium_flags(profile),
                "--remote-debugging-pipe",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--window-size={width},{height}",
                "--hide-scrollbars",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=_STDERR,
            close_fds=False,
            preexec_fn=_fds,
        )
        os.close(cmd_r)
        os.close(out_w)
        self._next = 0
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._replies: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        while chunk := os.read(self._out_r, 1 << 16):
            buf += chunk
            *msgs, buf = buf.split(b"\0")
            for m in msgs:
                msg = json.loads(m)
                if "id" in msg:
                    with self._cond:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()
                else:
                    self.events.put(msg)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        with self._cond:
            if not self._cond.wait_for(lambda: self._next in self._replies, timeout):
                raise PdfError(f"Chromium did not answer {method} within {timeout:g} s")
            reply = self._replies.pop(self._next)
        if "error" in reply:
            raise PdfError(f"Chromium refused {method}: {reply['error'].get('message')}")
        return dict(reply.get("result", {}))

    def close(self) -> None:
        with contextlib.suppress(PdfError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)


def _drain(pipe: _Pipe, report: PageReport, session: str) -> bool:
    """Handle queued events; True once the load event fired."""
    loaded = False
    while True:
        try:
            ev = pipe.events.get_nowait()
        except queue.Empty:
            return loaded
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Page.loadEventFired":
            loaded = True
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(
                str(a.get("value", a.get("description", ""))) for a in p.get("args", [])
            )
            report.console_errors.append(f"console.{p['type']}: {args}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            desc = d.get("exception", {}).get("description") or d.get("text", "")
            report.console_errors.append(f"uncaught: {desc}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            report.console_errors.append(
                f"{e.get('source')}: {e.get('text')} {e.get('url', '')}".strip()
            )
        elif method == "Network.requestWillBeSent":
            report.requests.append(p.get("request", {}).get("url", ""))
        elif method == "Page.javascriptDialogOpening":
            report.dialogs.append(f"{p.get('type')}: {p.get('message')}")
            pipe.send("Page.handleJavaScriptDialog", {"accept": True}, session=session)


def inspect_page(
    page: str | os.PathLike[str],
    *,
    width: int = 1200,
    height: int = 900,
    full_page: bool = False,
    settle_s: float = 1.5,
    timeout: float = 60.0,
) -> PageReport:
    """Load a local HTML file offline in headless Chromium and report what it did.

    Args:
        page: the HTML file.
        width, height: the viewport in CSS pixels.
        full_page: screenshot the whole page (up to 8000 px tall), not just the viewport.
        settle_s: seconds to wait after the load event for charts to draw.
        timeout: seconds before giving up on the load event.
    """
    url = Path(page).resolve().as_uri()
    report = PageReport(url)
    with tempfile.TemporaryDirectory(prefix="opsai-chromium-") as profile:
        pipe = _Pipe(find_chromium(), profile, width=width, height=height)
        try:
            target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for domain in ("Page", "Runtime", "Log", "Network"):
                pipe.send(f"{domain}.enable", session=s)
            pipe.send(
                "Network.emulateNetworkConditions",
                {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                session=s,
            )
            pipe.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=s,
            )
            pipe.send("Page.navigate", {"url": url}, session=s)
            deadline = time.monotonic() + timeout
            while not _drain(pipe, report, s):
                if time.monotonic() > deadline:
                    raise PdfError(f"{url} did not finish loading within {timeout:g} s")
                time.sleep(0.05)
            end = time.monotonic() + settle_s
            while time.monotonic() < end:
                _drain(pipe, report, s)
                time.sleep(0.05)

            def js(expr: str) -> Any:
                r = pipe.send(
                    "Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s
                )
                return r.get("result", {}).get("value")

            report.plots = int(
                js("document.querySelectorAll('.plotly-graph-div .main-svg').length") or 0
            )
            report.text = str(js("document.body ? document.body.innerText : ''") or "")
            if full_page:
                h = int(js("document.documentElement.scrollHeight") or height)
                pipe.send(
                    "Emulation.setDeviceMetricsOverride",
                    {
                        "width": width,
                        "height": min(h, 8000),
                        "deviceScaleFactor": 1,
                        "mobile": False,
                    },
                    session=s,
                )
                time.sleep(0.3)
            shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=s)
            report.screenshot = base64.b64decode(shot["data"])
            _drain(pipe, report, s)
        finally:
            pipe.close()
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m opsai.report.browser PAGE PNG``: a screenshot of the page's first screen."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m opsai.report.browser PAGE.html OUT.png", file=sys.stderr)
        return 2
    rep = inspect_page(args[0])
    Path(args[1]).write_bytes(rep.screenshot or b"")
    for e in rep.console_errors:
        print(f"console error: {e}", file=sys.stderr)
    print(f"{args[1]}: {len(rep.screenshot or b'')} bytes, {rep.plots} chart(s)")
    return 1 if rep.console_errors or rep.dialogs else 0


if __name__ == "__main__":
    sys.exit(main())
