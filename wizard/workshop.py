"""The web server behind `ecr-policy serve`: textual-serve, with a limit on sessions.

textual-serve 1.1 starts one app process per browser websocket and has no limit of its own;
WorkshopServer counts sessions where they are created (handle_websocket) and tells one more
visitor that the workshop is full. It also builds the page's websocket address from the
address the browser used, so `--host 0.0.0.0` works (textual-serve would hand browsers
ws://0.0.0.0:8000), and keeps a browser's terminal size within bounds (a visitor chooses it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int
from yarl import URL

from wizard.crash import EXIT_INTERNAL_ERROR

log = logging.getLogger("textual-serve")

MAX_COLUMNS, MAX_ROWS = 400, 150
"""The largest terminal a browser may ask for (a 4K screen at a small font); without a bound a
visitor could make a session lay out a screen of millions of cells."""

FULL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ECR Policy Wizard: workshop full</title>
<style>body {{ background: #0c181f; color: #e8eef2; font: 18px/1.5 system-ui, sans-serif; margin: 4em auto;
max-width: 36em; }}</style></head>
<body><h1>The workshop is full</h1>
<p>{sessions} people are using the wizard, the most this workshop serves at once.
Try again in a minute (reload this page), or ask the teacher to raise <code>--max-sessions</code>.</p>
</body></html>
"""


QUIT_GRACE = 3.0
"""Seconds a session's app has to quit when its browser leaves, before it is killed."""
MESSAGE_CHARACTERS = 600_000
"""The most one browser message may type: an uploaded policy (300,000 characters at most) with
room to spare. More ends the session: a visitor pasting megabytes into a field would keep a
CPU busy and grow the process without bound."""
IDLE_SECONDS = 30 * 60
"""A session that has typed nothing for this long is closed, so a seat cannot be held forever."""

KEPT_AWS_VARIABLES = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION"})
"""The only AWS_* variables a session inherits: the wizard offers the region as its default and
never calls AWS, so the teacher's keys, session token and profile stay out of reach of any bug."""


UPLOAD = """
<label id="ecr-upload" title="Check a policy file from your computer">Check a policy file…
<input type="file" accept=".json,application/json,text/plain" hidden></label>
<style>
#ecr-upload { position: fixed; right: 1.5em; bottom: 2.2em; z-index: 5; padding: 0.3em 0.8em; cursor: pointer;
  font: 14px system-ui, sans-serif; color: #fff; background: #2c6e8f; border-radius: 4px; opacity: 0.85; }
#ecr-upload:hover { opacity: 1; }
</style>
<script>
// textual.js keeps its websocket to itself: note it as it is made, to type into the session.
(() => {
  const Native = window.WebSocket;
  let session = null;
  window.WebSocket = function (...args) { session = new Native(...args); return session; };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { OPEN: Native.OPEN, CLOSED: Native.CLOSED });
  const input = document.querySelector("#ecr-upload input");
  input.addEventListener("change", async () => {
    const file = input.files[0];
    input.value = "";
    if (!file || !session || session.readyState !== Native.OPEN) return;
    // The file reaches the wizard as a paste, as if typed in this browser: ctrl+o opens the
    // paste box (it does nothing where a dialog is already open), then the text, without
    // escape characters (they would end the paste early).
    const text = (await file.slice(0, 300000).text()).replaceAll("\x1b", "");
    session.send(JSON.stringify(["stdin", "\x0f"]));
    setTimeout(() => session.send(JSON.stringify(["stdin", "\x1b[200~" + text + "\x1b[201~"])), 300);
    document.querySelector(".xterm-helper-textarea")?.focus();
  });
})();
</script>
"""
"""A button on the page that sends a policy file from the visitor's computer to their own
session, as a paste: the only way a file reaches the wizard in a browser (it never reads one
on the server). Static text: nothing from a request goes into it."""


class WorkshopAppService(AppService):
    """One visitor's app process, with the terminal size kept within bounds and the teacher's
    AWS credentials left out of its environment."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        return {
            name: value
            for name, value in environment.items()
            if not name.startswith("AWS_") or name in KEPT_AWS_VARIABLES
        }

    async def start(self, width: int, height: int) -> None:
        await super().start(*_bounded(width, height))

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*_bounded(width, height))

    async def run(self) -> None:
        """Relay the app's output until it ends; then close the browser's websocket. (textual-serve
        closes it only when the app says goodbye: a killed app would leave a dead page and a
        session counted forever.)"""
        await super().run()
        with contextlib.suppress(Exception):
            await self.remote_close()

    async def end(self) -> None:
        """Stop the app and make sure its process is gone: a busy app never reads textual-serve's
        "quit", so after a grace period it is killed (a session is counted until then)."""
        with contextlib.suppress(Exception, TimeoutError):
            await asyncio.wait_for(self.stop(), timeout=QUIT_GRACE)
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(Exception):
                await process.wait()

    async def crashed(self) -> bool:
        """True when the app ended on an internal error (its report is on this machine)."""
        if self._process is None:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._process.wait(), timeout=5)
        return self._process.returncode == EXIT_INTERNAL_ERROR


def _bounded(width: object, height: object) -> tuple[int, int]:
    columns = width if isinstance(width, int) else 80
    rows = height if isinstance(height, int) else 24
    return max(10, min(columns, MAX_COLUMNS)), max(5, min(rows, MAX_ROWS))


class WorkshopServer(Server):
    """textual-serve's Server, with at most `max_sessions` app processes at once."""

    def __init__(self, command: str, host: str, port: int, max_sessions: int) -> None:
        super().__init__(command, host=host, port=port, title="ECR Policy Wizard")
        self.max_sessions = max_sessions
        self.sessions = 0
        """App processes running now (one per open browser tab)."""
        self._websockets: set[web.WebSocketResponse] = set()

    @property
    def full(self) -> bool:
        return self.sessions >= self.max_sessions

    async def on_startup(self, app: web.Application) -> None:
        where = self.public_url
        if self.host in ("0.0.0.0", "::", "[::]"):  # every interface: name one a student can use
            where = f"http://{socket.gethostname()}:{self.port} (or this machine's IP address)"
        self.console.print(
            f"Serving the ECR Policy Wizard at {where} (up to {self.max_sessions} browsers at once).\n"
            "Each browser gets its own session; no visitor can read or write a file on this machine.\n"
            "Press Ctrl+C to stop.",
            highlight=False,
            markup=False,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C: close every browser's session now (aiohttp would wait for them to leave)."""
        for websocket in list(self._websockets):
            with contextlib.suppress(Exception):
                await websocket.close(code=1001, message=b"the workshop server stopped")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page that starts a session, or a plain page saying the workshop is full."""
        if self.full:
            return web.Response(
                status=503,
                text=FULL_PAGE.format(sessions=self.sessions),
                content_type="text/html",
                headers={"Retry-After": "60"},
            )
        origin = request.url.origin()
        websocket = origin.with_scheme("wss" if origin.scheme == "https" else "ws")
        context = {
            "font_size": max(8, min(to_int(request.query.get("fontsize", "16"), 16), 64)),
            "app_websocket_url": str(websocket.with_path("/ws")),
            "config": {"static": {"url": str(origin.with_path("/static/"))}},
            "application": {"name": self.title},
        }
        page = aiohttp_jinja2.render_string("app_index.html", request, context)
        return web.Response(text=page.replace("</body>", UPLOAD + "</body>", 1), content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One session per websocket, while there is room (textual-serve's, counted)."""
        if not _same_origin(request):
            # Another web site's page opening sessions (filling the seats) from a visitor's browser.
            log.warning("A websocket from another site's page was refused")
            raise web.HTTPForbidden(text="Sessions are opened by this workshop's own page only.")
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.full:
            log.warning("Workshop full (%d sessions): a browser was turned away", self.sessions)
            await websocket.close(code=1013, message=b"the workshop is full")  # 1013: try again later
            return websocket
        self.sessions += 1
        self._websockets.add(websocket)
        service = WorkshopAppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        try:
            await service.start(
                to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24)
            )
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a malformed message from a browser ends its session only
            log.warning("Session ended on a bad message from the browser: %s", type(error).__name__)
        finally:
            await service.end()
            self.sessions -= 1
            self._websockets.discard(websocket)
            if await service.crashed():
                log.error("A session ended on an internal error; its report is named above")
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual-serve's message loop, with a bound on what one message may type and a
        session closed after IDLE_SECONDS without input."""
        while True:
            try:
                message = await websocket.receive(timeout=IDLE_SECONDS)
            except TimeoutError:
                await websocket.close(code=1000, message=b"closed after 30 minutes without input")
                return
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            if message.type != WSMsgType.TEXT:
                continue
            if len(message.data) > MESSAGE_CHARACTERS * 2:  # JSON escapes at most double it
                await websocket.close(code=1009, message=b"message too large")  # 1009: too big
                return
            await self._handle(websocket, app_service, message.json())

    async def _handle(self, websocket: web.WebSocketResponse, app_service: AppService, envelope) -> None:
        kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)  # "focus" and "blur" carry none
        if kind == "stdin":
            await app_service.send_bytes(data[:MESSAGE_CHARACTERS].encode("utf-8"))
        elif kind == "resize":
            await app_service.set_terminal_size(data["width"], data["height"])
        elif kind == "ping":
            await websocket.send_json(["pong", data])
        elif kind == "blur":
            await app_service.blur()
        elif kind == "focus":
            await app_service.focus()


def _same_origin(request: web.Request) -> bool:
    """True unless a browser says the page that opens the socket is another site's (browsers
    always send Origin on websockets; a script without one is no visitor's browser)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    with contextlib.suppress(ValueError):
        return URL(origin).host == request.url.host and URL(origin).port == request.url.port
    return False
