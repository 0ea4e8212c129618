"""Performance benchmark: every figure is a ratio against a baseline measured in the same run.

    python benchmarks/run.py            # full run (about a minute)
    python benchmarks/run.py --quick    # fewer repetitions

Run it with the interpreter of an environment where the project is installed with its test
extra (policy_sentry, the comparison, comes from there; it is not a runtime dependency).
Commands are timed round-robin, so a noisy neighbour slows every contender alike; medians
are reported. Exit status 1 when a target is missed.

Targets (issue #7):
- `ecr-policy generate`, one repository: <= 3x `python -c pass`, and >= 8x faster than
  policy_sentry's `write-policy` for the same request.
- 1,000 repositories with --split: <= 4x `python -c pass`.
- Wizard start to first frame: <= 1.25x a minimal Textual app (a Static and a Footer) started
  the same way; peak memory <= 1.3x that app's.
- A keystroke in the repository field to the repainted preview: p95 <= 16 ms with one
  repository, <= 33 ms with 500 and with 5,000 (issue #11: the same measure on a minimal
  Input-echo app is the baseline).

Targets (issue #11): the cost of `check` and `explain` of the largest accepted document and of
`--compact` with 50,000 names grows linearly: doubling the input at most 2.6x the work (the
time at half size, both less the same command on a tiny input, is the baseline). Issue #18 adds
the same target for a handout (`explain --format html`) and for `simulate push` of that document.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ACCOUNT = "123456789012"
GENERATE = ["generate", "--role", "ci", "--repo", "my-app", "--region", "us-east-1", "--account", ACCOUNT]
POLICY_SENTRY_TEMPLATE = f"""\
mode: crud
read:
- arn:aws:ecr:us-east-1:{ACCOUNT}:repository/my-app
write:
- arn:aws:ecr:us-east-1:{ACCOUNT}:repository/my-app
wildcard-only:
  single-actions:
  - ecr:GetAuthorizationToken
"""

FIRST_FRAME = textwrap.dedent(
    """
    import sys
    which = sys.argv[1]
    if which == "wizard":
        from wizard.tui.app import PolicyWizardApp as Base
    else:
        from textual.app import App, ComposeResult
        from textual.widgets import Footer, Static

        class Base(App):
            def compose(self) -> ComposeResult:
                yield Static("ECR Policy Wizard")
                yield Footer()

    class FirstFrame(Base):
        def on_ready(self) -> None:  # posted after the first screen is laid out and painted
            self.exit()

    FirstFrame().run(headless=True, size=(100, 30))
    """
)


def run_once(command: list[str]) -> tuple[float, int]:
    """Wall time of one run, and the child's peak resident memory in KiB."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    allowed = (0, 1) if "check" in command else (0,)  # check exits 1 when it has findings
    if os.waitstatus_to_exitcode(status) not in allowed:
        raise SystemExit(f"benchmark command failed: {' '.join(command[:6])} ...")
    return elapsed, usage.ru_maxrss


def race(commands: dict[str, list[str]], repetitions: int) -> dict[str, tuple[float, int]]:
    """Median wall time and median peak memory of each command, run round-robin."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    memory: dict[str, list[int]] = {name: [] for name in commands}
    for command in commands.values():  # warm caches (.pyc, page cache) first
        run_once(command)
    for _ in range(repetitions):
        for name, command in commands.items():
            elapsed, peak = run_once(command)
            times[name].append(elapsed)
            memory[name].append(peak)
    return {name: (statistics.median(times[name]), int(statistics.median(memory[name]))) for name in commands}


async def keystroke_latencies(app_factory, prepare, keys: str) -> list[float]:
    """Seconds from each key press to the frame painted after the preview changed."""
    painted: list[float] = []
    app = app_factory(painted)
    async with app.run_test(size=(100, 30)) as pilot:
        await prepare(pilot)
        latencies = []
        for key in keys:
            before = len(painted)
            start = time.perf_counter()
            await app._press_keys([key])
            deadline = start + 2
            while len(painted) == before:
                if time.perf_counter() > deadline:
                    raise SystemExit(f"no repaint after pressing {key!r}: the benchmark is out of step with the app")
                await asyncio.sleep(0)
            latencies.append(painted[-1] - start)
    return latencies


def wizard_factory(repositories: list[str]):
    from wizard.core.answers import Answers
    from wizard.tui.app import PolicyWizardApp
    from wizard.tui.preview import PolicyView

    def make(painted: list[float]):
        class Measured(PolicyWizardApp):
            pass

        original = PolicyView.show

        def show(view: PolicyView, text: str, highlight=None, language="json") -> None:
            changed = text != view.json_text
            original(view, text, highlight, language)
            if changed:
                view.call_after_refresh(lambda: painted.append(time.perf_counter()))

        PolicyView.show = show  # type: ignore[method-assign]
        return Measured(answers=Answers(repositories=list(repositories), region="us-east-1", account=ACCOUNT))

    async def prepare(pilot) -> None:
        # On the repository field, with one letter typed: from the next key on, every key
        # makes a new valid name, so every key changes the preview.
        await pilot.press("alt+2", "x")
        await pilot.pause()

    return make, prepare


def echo_factory():
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Static

    def make(painted: list[float]):
        class Echo(App):
            def compose(self) -> ComposeResult:
                yield Input(id="field")
                yield Static(id="echo")

            def on_input_changed(self, event: Input.Changed) -> None:
                self.query_one("#echo", Static).update(event.value)
                self.call_after_refresh(lambda: painted.append(time.perf_counter()))

        return Echo()

    async def prepare(pilot) -> None:
        await pilot.pause()

    return make, prepare


def largest_policy(repositories: int) -> dict:
    """An identity policy of `repositories` ARNs split over pull and push statements: at
    3,300 it is close to the 256 KiB input limit, the largest document `check` reads."""
    arns = [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team-{i % 50}/service-{i}" for i in range(repositories)]
    half = len(arns) // 2
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Login", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Sid": "Pull",
                "Effect": "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": arns[:half],
            },
            {
                "Sid": "Push",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                    "ecr:PutImage",
                ],
                "Resource": arns[half:],
            },
        ],
    }


def growth_commands(scratch: str, ecr_policy: str) -> dict[str, list[str]]:
    """The same work at a tiny size, at half size and at full size: how cost grows with input."""
    import json

    commands: dict[str, list[str]] = {}
    for label, count in (("tiny", 2), ("half", 1650), ("full", 3300)):
        path = Path(scratch) / f"policy-{label}.json"
        path.write_text(json.dumps(largest_policy(count)))
        commands[f"check {label}"] = [ecr_policy, "check", str(path)]
        commands[f"explain {label}"] = [ecr_policy, "explain", str(path)]
        commands[f"handout {label}"] = [ecr_policy, "explain", str(path), "--format", "html"]
        last = count - 1  # the last repository listed: the push statement's last ARN
        image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team-{last % 50}/service-{last}:v1"
        commands[f"simulate {label}"] = [ecr_policy, "simulate", str(path), "push", image]
    for label, count in (("tiny", 2), ("half", 25_000), ("full", 50_000)):
        path = Path(scratch) / f"names-{label}.txt"
        path.write_text("\n".join(f"team-{i % 97}/svc-{i}" if i % 3 else f"app{i}-x" for i in range(count)))
        commands[f"compact {label}"] = [ecr_policy, *GENERATE[:3], "--repo-file", str(path), *GENERATE[5:], "--compact"]
    return commands


def growth(times: dict[str, tuple[float, int]], what: str) -> tuple[float, float, float]:
    """(full-size time, half-size time, growth): growth is (full - tiny) / (half - tiny), the
    cost of doubling the input once start-up is set aside; 2 is linear, 4 quadratic."""
    tiny, half, full = (times[f"{what} {label}"][0] for label in ("tiny", "half", "full"))
    return full, half, (full - tiny) / max(half - tiny, 1e-9)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (noisier)")
    args = parser.parse_args()
    repetitions = 7 if args.quick else 21
    python = sys.executable
    ecr_policy = str(BIN / "ecr-policy")
    policy_sentry = shutil.which("policy_sentry", path=str(BIN))
    if not Path(ecr_policy).exists() or policy_sentry is None:
        raise SystemExit("install the project with its test extra in this environment first: pip install '.[test]'")

    rows: list[tuple[str, str, str, str, bool]] = []

    def row(what: str, figure: str, ratio: float, target: str, ok: bool) -> None:
        rows.append((what, figure, f"{ratio:.2f}x", target, ok))

    with tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch) / "crud.yml"
        template.write_text(POLICY_SENTRY_TEMPLATE)
        names = [f"team-{index % 9}/service-{index}" for index in range(1000)]
        repo_file = Path(scratch) / "repositories.txt"
        repo_file.write_text("\n".join(names) + "\n")
        flags = [argument for name in names for argument in ("--repo", name)]
        cli = race(
            {
                "python -c pass": [python, "-c", "pass"],
                "generate": [ecr_policy, *GENERATE],
                "generate 1,000 --split": [
                    ecr_policy,
                    *GENERATE[:3],
                    "--repo-file",
                    str(repo_file),
                    *GENERATE[5:],
                    "--split",
                ],
                "generate 1,000 flags --split": [ecr_policy, *GENERATE[:3], *flags, *GENERATE[5:], "--split"],
                "policy_sentry write-policy": [policy_sentry, "write-policy", "--input-file", str(template)],
            },
            repetitions,
        )
        growing = race(growth_commands(scratch, ecr_policy), max(5, repetitions // 2))
        startup = race(
            {
                "minimal Textual app": [python, "-c", FIRST_FRAME, "minimal"],
                "wizard": [python, "-c", FIRST_FRAME, "wizard"],
            },
            max(5, repetitions // 2),
        )

    base = cli["python -c pass"][0]
    generate = cli["generate"][0]
    ratio = generate / base
    row(
        "generate, 1 repository",
        f"{generate * 1000:.1f} ms vs {base * 1000:.1f} ms",
        ratio,
        "<= 3x python -c pass",
        ratio <= 3,
    )
    sentry = cli["policy_sentry write-policy"][0]
    speedup = sentry / generate
    row(
        "policy_sentry write-policy / generate",
        f"{sentry * 1000:.0f} ms / {generate * 1000:.1f} ms",
        speedup,
        ">= 8x",
        speedup >= 8,
    )
    split = cli["generate 1,000 --split"][0]
    ratio = split / base
    row(
        "generate, 1,000 repositories (--repo-file) --split",
        f"{split * 1000:.1f} ms",
        ratio,
        "<= 4x python -c pass",
        ratio <= 4,
    )
    flagged = cli["generate 1,000 flags --split"][0]
    row(
        "  the same as 1,000 --repo flags (argparse is quadratic)",
        f"{flagged * 1000:.1f} ms",
        flagged / base,
        "for reference",
        True,
    )
    for what, title in (
        ("check", "check, largest accepted document (256 KiB, 3,300 ARNs)"),
        ("explain", "explain, largest accepted document"),
        ("handout", "explain --format html (handout), largest accepted document"),
        ("simulate", "simulate push, largest accepted document"),
        ("compact", "generate --compact, 50,000 repositories"),
    ):
        full, half, rate = growth(growing, what)
        row(
            title,
            f"{full * 1000:.0f} ms (half input: {half * 1000:.0f} ms)",
            rate,
            "growth <= 2.6x (linear: 2)",
            rate <= 2.6,
        )
    minimal_time, minimal_memory = startup["minimal Textual app"]
    wizard_time, wizard_memory = startup["wizard"]
    ratio = wizard_time / minimal_time
    row(
        "wizard start to first frame",
        f"{wizard_time * 1000:.0f} ms vs {minimal_time * 1000:.0f} ms",
        ratio,
        "<= 1.25x minimal app",
        ratio <= 1.25,
    )
    ratio = wizard_memory / minimal_memory
    row(
        "wizard peak memory",
        f"{wizard_memory / 1024:.1f} MiB vs {minimal_memory / 1024:.1f} MiB",
        ratio,
        "<= 1.3x minimal app",
        ratio <= 1.3,
    )

    keys = "abcdefghijklmnopqrstuvwxyz" * (1 if args.quick else 2)
    echo = p95(asyncio.run(keystroke_latencies(*echo_factory(), keys)))
    for count, limit in ((1, 0.016), (500, 0.033), (5000, 0.033)):
        names = [f"team-{index % 9}/service-{index}" for index in range(count - 1)]
        latency = p95(asyncio.run(keystroke_latencies(*wizard_factory(names), keys)))
        row(
            f"keystroke to preview, {count:,} repositor{'y' if count == 1 else 'ies'} (p95)",
            f"{latency * 1000:.1f} ms vs echo {echo * 1000:.1f} ms",
            latency / echo,
            f"<= {limit * 1000:.0f} ms",
            latency <= limit,
        )

    widths = [max(len(str(row_[column])) for row_ in rows) for column in range(4)]
    header = ("measure", "figure", "ratio", "target")
    widths = [max(width, len(title)) for width, title in zip(widths, header, strict=False)]
    print("  ".join(title.ljust(width) for title, width in zip(header, widths, strict=False)) + "  met")
    for row_ in rows:
        print(
            "  ".join(str(cell).ljust(width) for cell, width in zip(row_[:4], widths, strict=False))
            + ("  yes" if row_[4] else "  NO")
        )
    print(f"\n{repetitions} round-robin runs per command; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    return 0 if all(row_[4] for row_ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
