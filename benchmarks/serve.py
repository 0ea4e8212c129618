"""Benchmark of `ecr-policy serve` in a real browser: time to first paint and memory per session.

    python benchmarks/serve.py            # 7 first paints each, 1 and 5 sessions
    python benchmarks/serve.py --quick    # 3 first paints each

Needs the test extra (playwright, psutil, textual-serve) and Chromium at /usr/bin/chromium (or
$ECR_POLICY_CHROMIUM). The baseline is a minimal Textual app (a Static and a Footer) served by
the same server the same way, measured in the same run: the figures are ratios against it.

- Time to first paint: from the browser asking for the page to the app's first screen arriving
  over the websocket (the wizard's role question; the baseline's text). Median.
- Memory per session: the resident memory (RSS) and the memory no other process shares (USS) of
  every process the server started, with 1 and with 5 browsers open, divided by the sessions.

Targets: first paint <= 2x the baseline's; USS per session <= 2x the baseline's. Exit status 1
when one is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("ECR_POLICY_CHROMIUM", "/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parent.parent

MINIMAL_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Footer, Static

    class Minimal(App):
        def compose(self):
            yield Static("Minimal app ready")
            yield Footer()

    Minimal().run()
    """
)

BASELINE_SERVER = textwrap.dedent(
    """
    import shlex, sys
    from wizard.workshop import WorkshopServer

    command = shlex.join([sys.executable, "-c", sys.argv[2]])
    WorkshopServer(command, "127.0.0.1", int(sys.argv[1]), 30).serve()
    """
)

SERVED = {
    "wizard": ([sys.executable, "-m", "wizard", "serve", "--port"], "Who pulls or pushes"),
    "minimal Textual app": ([sys.executable, "-c", BASELINE_SERVER], "Minimal app ready"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(name: str):
    command, _ = SERVED[name]
    port = free_port()
    arguments = [*command, str(port)] + ([MINIMAL_APP] if name != "wizard" else [])
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(arguments, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"http://127.0.0.1:{port}"
    for _ in range(150):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(address, timeout=1).close()
            break
        time.sleep(0.2)
    else:
        process.kill()
        raise SystemExit(f"{name}: the server did not start")
    try:
        yield address, process
    finally:
        process.terminate()
        process.wait(timeout=15)


def open_session(context, address: str, ready: str) -> tuple[object, float]:
    """A new tab on the served app; returns it and the seconds until its first screen arrived."""
    page = context.new_page()
    received: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(_bytes(data))))
    started = time.perf_counter()
    page.goto(address)
    needle = ready.encode()
    while needle not in b"".join(received):
        page.wait_for_timeout(5)
        if time.perf_counter() - started > 60:
            raise SystemExit(f"{address}: no first paint in 60 s")
    return page, time.perf_counter() - started


def _bytes(data) -> bytes:
    return data if isinstance(data, bytes) else data.encode()


def session_memory(server_process: subprocess.Popen, sessions: int) -> tuple[float, float]:
    """RSS and USS in MB of every process the server started, per session."""
    time.sleep(1.5)  # let the sessions settle after their first frame
    rss = uss = 0
    children = psutil.Process(server_process.pid).children(recursive=True)
    if len(children) < sessions:
        raise SystemExit(f"{sessions} sessions open but {len(children)} processes: the count is wrong")
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            info = child.memory_full_info()
            rss += info.rss
            uss += info.uss
    return rss / sessions / 2**20, uss / sessions / 2**20


def measure(browser, name: str, paints: int) -> dict[str, float]:
    _, ready = SERVED[name]
    figures: dict[str, float] = {}
    with server(name) as (address, process):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        open_session(context, address, ready)[0].close()  # warm the server, the disk cache
        times = []
        for _ in range(paints):
            page, seconds = open_session(context, address, ready)
            times.append(seconds)
            page.close()
        figures["first paint"] = statistics.median(times)
        time.sleep(1)
        for count in (1, 5):
            pages = [open_session(context, address, ready)[0] for _ in range(count)]
            figures[f"rss {count}"], figures[f"uss {count}"] = session_memory(process, count)
            for page in pages:
                page.close()
            time.sleep(1)
        figures["server rss"] = psutil.Process(process.pid).memory_info().rss / 2**20
        context.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer first paints (noisier)")
    args = parser.parse_args()
    paints = 3 if args.quick else 7
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        wizard = measure(browser, "wizard", paints)
        base = measure(browser, "minimal Textual app", paints)
        browser.close()

    rows = []
    paint_ratio = wizard["first paint"] / base["first paint"]
    rows.append(
        (
            "time to first paint",
            f"{wizard['first paint'] * 1000:.0f} ms vs {base['first paint'] * 1000:.0f} ms",
            f"{paint_ratio:.2f}x",
            "<= 2x",
            paint_ratio <= 2,
        )
    )
    for count in (1, 5):
        ratio = wizard[f"uss {count}"] / base[f"uss {count}"]
        rows.append(
            (
                f"memory per session, {count} open",
                f"USS {wizard[f'uss {count}']:.0f} MB vs {base[f'uss {count}']:.0f} MB "
                f"(RSS {wizard[f'rss {count}']:.0f} MB vs {base[f'rss {count}']:.0f} MB)",
                f"{ratio:.2f}x",
                "<= 2x",
                ratio <= 2,
            )
        )
    rows.append(("server process", f"RSS {wizard['server rss']:.0f} MB", "", "", True))
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  figure (wizard vs minimal app)                     ratio  target")
    for what, figure, ratio, target, ok in rows:
        print(f"{what:<{width}}  {figure:<50} {ratio:>6}  {target}{'' if ok else '  MISSED'}")
    return 0 if all(row[4] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
