#!/usr/bin/env python3
"""Startup and scale benchmark for mlroadmap: whole processes, against a hello-world Typer app.

Run it with the Python that has mlroadmap installed::

    python benchmarks/bench.py             # the full run (30 pairs per command)
    python benchmarks/bench.py --quick     # a few seconds: does the benchmark still work?

Every command is timed as a whole process (start-up included), alternating
with a one-command Typer "hello world" run the same way by the same
interpreter: hello, command, hello, command, ... The figure that matters is
the median of the per-pair ratios command/hello, which stays meaningful on a
shared, noisy machine where absolute milliseconds do not. Peak memory is the
command process's own maximum RSS, from ``os.wait4``.

Only the standard library is used for timing; mlroadmap's own API is used to
write the stores, so their format is always the current one. Timings never
make the process fail: it exits 1 only when something failed to run (a
command exiting non-zero, or a self-check).

See benchmarks/README.md for what is measured and the targets.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Settings

FULL_PAIRS = 30
FULL_WARMUPS = 3
QUICK_PAIRS = 1
QUICK_WARMUPS = 0

BUNDLED_EVENTS = 2_000
ACTIVE_ROADMAP = "ml-12-weeks"  # the default roadmap; its IDs start with "week-"
LARGE_ID = "large"
SECTIONS = 20
ITEMS_PER_GROUP = 25
LARGE_SIZE = (10_000, 100_000)  # items, events
HALF_SIZE = (5_000, 50_000)
QUICK_LARGE_SIZE = (1_000, 5_000)
QUICK_HALF_SIZE = (500, 2_500)

TARGET_QUICK = 1.05  # progress, show, list, next, completion on the bundled roadmaps
TARGET_DONE = 1.05  # done on the bundled roadmaps (it writes the store)
TARGET_LARGE = 1.6  # progress and done on the large roadmap
TARGET_READ = 2.0  # every other read command on the large roadmap
TARGET_WRITE = 5.0  # merge and import at the large size
TARGET_LARGE_MIB = 150.0  # every read command, and done, on the large roadmap
TARGET_REPORT = 5.0  # the report page of the large roadmap (10,000 chips)
TARGET_SCALING = 2.0  # doubling items and events at most doubles the time above hello
STARTUP = "start-up"  # the label of `mlroadmap --version` in the large cases

# What the large cases time besides progress and done. Each entry: label,
# arguments, and what must exist first: (command, option) -- the entry is
# timed only when `mlroadmap COMMAND --help` exits 0 and, if an option is
# given, mentions it; so commands and options still being built are skipped.
LARGE_READS: tuple[tuple[str, tuple[str, ...], tuple[str, str | None] | None], ...] = (
    # mlroadmap's own start-up, no roadmap or store read: what the scaling figures
    # also measure from (it is below the hello floor, which bends ratios to it)
    (STARTUP, ("--version",), None),
    ("show --depth 1", ("show", "-r", LARGE_ID, "--depth", "1"), None),
    ("show", ("show", "-r", LARGE_ID), None),
    ("log", ("log",), None),  # the default: what `mlroadmap log` shows with no option
    ("log --all", ("log", "--all"), ("log", "--all")),
    ("log --calendar", ("log", "--calendar"), None),
    ("search", ("search", "chapter"), None),  # every roadmap; a third of large's items match
    ("export md", ("export", "-r", LARGE_ID, "--format", "md"), None),
    ("export json", ("export", "-r", LARGE_ID, "--format", "json"), None),
    ("export csv", ("export", "-r", LARGE_ID, "--format", "csv"), None),
    ("doctor", ("doctor",), None),  # a store unchanged since its last check: by checksum
    ("doctor --full", ("doctor", "--full"), ("doctor", "--full")),  # every line validated
    ("report", ("report", "-r", LARGE_ID, "-o", "-"), ("report", None)),
)
MERGE_NEW_SHARE = 0.1  # of the other copy's events, the share the store does not have yet
IMPORTED_ID = "imported"
SLOW_SECONDS = 1.0  # a command slower than this gets one warm-up pair
FULL_BUDGET = 120.0  # seconds of timed pairs per command before the pair count is cut
MIN_PAIRS = 3  # the fewest timed pairs the budget leaves

COMPLETE_ENV = {
    "_MLROADMAP_COMPLETE": "complete_bash",
    "COMP_WORDS": "mlroadmap done week-",
    "COMP_CWORD": "2",
}
# Never inherit these: they would change what either program does.
SCRUBBED_ENV = ("_MLROADMAP_COMPLETE", "_HELLO_COMPLETE", "COMP_WORDS", "COMP_CWORD")

CASES = ("bundled", "large", "half")
SETUP_FLAG = "--setup-case"  # internal: bench.py runs itself to write a case's files
SEED = 20240601

HELLO_APP = '''\
"""A hello-world Typer app: the floor every mlroadmap command is compared with."""

import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    """Print one line."""
    print("Hello, world!")


def main() -> None:
    app()
'''

# The stricter floor (--floor fast-exit): the same app ending as mlroadmap's
# console script does, with no cyclic GC and no interpreter teardown.
HELLO_FAST_EXIT_APP = '''\
"""The hello-world Typer app, ending as mlroadmap's console script does."""

import gc
import os
import sys

import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    """Print one line."""
    print("Hello, world!")


def main() -> None:
    gc.disable()
    try:
        app()
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    else:
        status = 0
    sys.stdout.flush()
    os._exit(status)
'''
FLOORS = {"plain": HELLO_APP, "fast-exit": HELLO_FAST_EXIT_APP}

# The same text pip writes for a console script, so both programs start the same way.
CONSOLE_WRAPPER = """\
# -*- coding: utf-8 -*-
import re
import sys
from {module} import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


# A self-check of a command's untimed warm run: a problem, or None.
Check = Callable[["Output"], "str | None"]


class BenchError(Exception):
    """Something failed to run; the benchmark exits 1 with this message."""


# ---------------------------------------------------------------------------
# Running one process


@dataclass
class Run:
    seconds: float
    maxrss_kib: float | None


def _maxrss_kib(ru_maxrss: int) -> float:
    # Linux reports KiB; macOS reports bytes.
    return ru_maxrss / 1024 if sys.platform == "darwin" else float(ru_maxrss)


def run_once(argv: list[str], env: dict[str, str]) -> Run:
    """Run ``argv`` to the end with no output; its wall time and its own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss: float | None = _maxrss_kib(usage.ru_maxrss)
    else:  # pragma: no cover - Windows: no per-child rusage
        proc.wait()
        elapsed = time.perf_counter() - start
        rss = None
    if proc.returncode != 0:
        raise BenchError(_failure(argv, env, proc.returncode))
    return Run(elapsed, rss)


@dataclass
class Output:
    """What a command's untimed run printed, kept in files, not in this process.

    Holding a large output (``log`` prints tens of megabytes) would leave this
    process bigger, and every child's peak RSS starts at its parent's size.
    """

    stdout_path: Path
    stderr_path: Path
    HEAD = 1 << 16

    @property
    def size(self) -> int:
        return self.stdout_path.stat().st_size + self.stderr_path.stat().st_size

    def stdout(self) -> str:
        """The first 64 KiB of stdout."""
        return _head(self.stdout_path, self.HEAD)

    def stderr(self) -> str:
        return _head(self.stderr_path, self.HEAD)


def _head(path: Path, size: int) -> str:
    with path.open("rb") as f:
        return f.read(size).decode("utf-8", errors="replace")


def run_warm(argv: list[str], env: dict[str, str], where: Path) -> Output:
    """Run ``argv`` untimed with its output to files in ``where``; a non-zero exit fails."""
    output = Output(where / "warm-stdout.txt", where / "warm-stderr.txt")
    with output.stdout_path.open("wb") as out, output.stderr_path.open("wb") as err:
        code = subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, check=False
        ).returncode
    if code != 0:
        text = output.stderr().strip() or output.stdout().strip() or "(no output)"
        raise BenchError(f"{_shown(argv, env)} exited {code}:\n{text[-4000:]}")
    return output


def run_captured(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` untimed, keeping its output; a non-zero exit is a failure."""
    result = subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise BenchError(_describe_failure(argv, env, result))
    return result


def _failure(argv: list[str], env: dict[str, str], code: int) -> str:
    """Describe a failed timed run; it is run once more to capture its stderr."""
    again = subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, check=False
    )
    message = f"{_shown(argv, env)} exited {code}"
    if again.returncode == 0:
        return message + " (run again to get its stderr, it exited 0 and printed nothing wrong)"
    return message + ":\n" + (again.stderr.strip() or again.stdout.strip() or "(no output)")


def _describe_failure(
    argv: list[str], env: dict[str, str], result: subprocess.CompletedProcess[str]
) -> str:
    output = result.stderr.strip() or result.stdout.strip() or "(no output)"
    return f"{_shown(argv, env)} exited {result.returncode}:\n{output}"


def _shown(argv: list[str], env: dict[str, str]) -> str:
    extra = " ".join(f"{k}={env[k]!r}" for k in (*COMPLETE_ENV, "MLROADMAP_HOME") if k in env)
    return f"{extra} {' '.join(argv)}".strip()


# ---------------------------------------------------------------------------
# What is timed


@dataclass
class Command:
    """One mlroadmap command line to time; ``args`` is called before every run."""

    label: str
    args: Callable[[], list[str]]
    shown: list[str]
    target: float | None = None
    rss_target_mib: float | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    check: Callable[[], Check] | None = None  # armed just before the warm run
    prepare: Callable[[], None] | None = None  # untimed, before every run of the command


def fixed(*args: str) -> Callable[[], list[str]]:
    return lambda: list(args)


class DonePool:
    """Items not yet done, so that every timed ``done`` really writes the store.

    When they run out, the ones used are put back to to-do by one untimed ``undo``.
    """

    def __init__(
        self, items: list[str], prefix: list[str], bench: Bench, env: dict[str, str]
    ) -> None:
        if not items:
            raise BenchError("the generated store left no item to tick with 'done'")
        self.free = list(items)
        self.used: list[str] = []
        self.prefix = prefix
        self.bench = bench
        self.env = env

    def next_args(self) -> list[str]:
        if not self.free:
            run_captured([*self.bench.mlroadmap, "undo", *self.prefix, *self.used], self.env)
            self.free, self.used = self.used, []
        item = self.free.pop(0)
        self.used.append(item)
        return ["done", *self.prefix, item]


@dataclass
class Result:
    label: str
    argv: list[str]
    hello: list[Run]
    cmd: list[Run]
    target: float | None
    rss_target_mib: float | None
    output_bytes: int = 0  # what the untimed warm run printed (stdout and stderr)

    @property
    def ratios(self) -> list[float]:
        return [c.seconds / h.seconds for h, c in zip(self.hello, self.cmd, strict=True)]

    @property
    def above_floor(self) -> list[float]:
        return [c.seconds - h.seconds for h, c in zip(self.hello, self.cmd, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def hello_ms(self) -> float:
        return statistics.median(r.seconds for r in self.hello) * 1000

    @property
    def cmd_ms(self) -> float:
        return statistics.median(r.seconds for r in self.cmd) * 1000

    @property
    def above_floor_ms(self) -> float:
        return statistics.median(self.above_floor) * 1000

    @staticmethod
    def _peak(runs: list[Run]) -> float | None:
        values = [r.maxrss_kib for r in runs if r.maxrss_kib is not None]
        return max(values) / 1024 if values else None

    @property
    def peak_mib(self) -> float | None:
        return self._peak(self.cmd)

    @property
    def hello_peak_mib(self) -> float | None:
        return self._peak(self.hello)

    @property
    def ratio_ok(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target

    @property
    def rss_ok(self) -> bool | None:
        if self.rss_target_mib is None or self.peak_mib is None:
            return None
        return self.peak_mib <= self.rss_target_mib

    def as_json(self) -> dict[str, Any]:
        ratios = self.ratios
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [ratios[0]] * 3
        return {
            "argv": self.argv,
            "pairs": len(ratios),
            "hello_median_ms": round(self.hello_ms, 3),
            "cmd_median_ms": round(self.cmd_ms, 3),
            "ratio_median": round(self.ratio, 4),
            "ratio_p25": round(quartiles[0], 4),
            "ratio_p75": round(quartiles[2], 4),
            "above_floor_median_ms": round(self.above_floor_ms, 3),
            "ratio_target": self.target,
            "ratio_ok": self.ratio_ok,
            "peak_rss_mib": _round(self.peak_mib),
            "hello_peak_rss_mib": _round(self.hello_peak_mib),
            "rss_target_mib": self.rss_target_mib,
            "rss_ok": self.rss_ok,
            "output_bytes": self.output_bytes,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class CaseResult:
    name: str
    description: str
    items: int
    events: int
    results: list[Result]

    def as_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "items": self.items,
            "events": self.events,
            "commands": {r.label: r.as_json() for r in self.results},
        }


# ---------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(
        self,
        workdir: Path,
        pairs: int,
        warmups: int,
        *,
        floor: str = "plain",
        verbose: bool = True,
        budget: float | None = None,
    ) -> None:
        self.workdir = workdir
        self.pairs = pairs
        self.warmups = warmups
        self.verbose = verbose
        self.budget = budget
        script = find_console_script()
        self.mlroadmap = [sys.executable, str(script)]
        self.hello = [sys.executable, str(write_hello(workdir, FLOORS[floor]))]
        self.base_env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}

    def log(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def env_for(self, home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self.base_env, "MLROADMAP_HOME": str(home), **(extra or {})}

    def check_hello(self) -> None:
        out = run_captured(self.hello, self.base_env).stdout
        if out.strip() != "Hello, world!":
            raise BenchError(f"the hello app printed {out!r}, not 'Hello, world!'")

    def time_command(self, command: Command, home: Path) -> Result:
        """One untimed warm run (a self-check), warm-up pairs, then the timed pairs."""
        env = self.env_for(home, command.extra_env)
        self.log(f"  {command.label} ...")

        def argv() -> list[str]:
            if command.prepare is not None:
                command.prepare()
            return [*self.mlroadmap, *command.args()]

        first = argv()
        check = command.check() if command.check is not None else None
        start = time.perf_counter()
        warm = run_warm(first, env, self.workdir)
        warm_seconds = time.perf_counter() - start
        if check is not None:
            problem = check(warm)
            if problem:
                raise BenchError(f"self-check of {command.label!r} failed: {problem}")
        warmups, pairs = self.counts(warm_seconds)
        if pairs < self.pairs:
            self.log(f"    {warm_seconds:.1f} s a run: {pairs} pairs after {warmups} warm-up")
        hello_runs: list[Run] = []
        cmd_runs: list[Run] = []
        gc.collect()
        gc.disable()
        try:
            for n in range(warmups + pairs):
                hello = run_once(self.hello, env)
                cmd = run_once(argv(), env)
                if n >= warmups:
                    hello_runs.append(hello)
                    cmd_runs.append(cmd)
        finally:
            gc.enable()
        return Result(
            command.label,
            command.shown,
            hello_runs,
            cmd_runs,
            command.target,
            command.rss_target_mib,
            warm.size,
        )

    def counts(self, seconds: float) -> tuple[int, int]:
        """Warm-up and timed pairs for a command whose warm run took ``seconds``.

        A slow command gets one warm-up pair (its warm run already filled the
        caches), and with a budget only as many pairs as fit in it, at least
        MIN_PAIRS: its ratio is far from 1, so a few pairs tell it well enough.
        """
        warmups = min(self.warmups, 1) if seconds >= SLOW_SECONDS else self.warmups
        if self.budget is None:
            return warmups, self.pairs
        fit = int(self.budget / max(seconds, 1e-3))
        return warmups, max(min(self.pairs, MIN_PAIRS), min(self.pairs, fit))

    def available(self, name: str, option: str | None) -> str | None:
        """The help text of command ``name`` (None: not there, or without ``option``)."""
        help_run = subprocess.run(
            [*self.mlroadmap, name, "--help"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=self.env_for(self.workdir / "help-home"),
            check=False,
        )
        if help_run.returncode != 0 or (option is not None and option not in help_run.stdout):
            return None
        return help_run.stdout

    # -- the cases ----------------------------------------------------------

    def bundled(self) -> CaseResult:
        home = self.fresh_home("bundled")
        info = self.setup(home, "bundled")
        env = self.env_for(home)
        pool = DonePool(info["undone"], [], self, env)
        store = home / "store.json"
        self.log(f"bundled: {info['description']}")
        commands = [
            Command("progress", fixed("progress"), ["progress"], TARGET_QUICK, check=printed),
            Command("show", fixed("show"), ["show"], TARGET_QUICK, check=printed),
            Command("list", fixed("list"), ["list"], TARGET_QUICK, check=printed),
            Command("next", fixed("next"), ["next"], TARGET_QUICK, check=printed),
            Command(
                "done",
                pool.next_args,
                ["done", "<item>"],
                TARGET_DONE,
                check=store_grew(store),
            ),
            Command(
                "complete",
                fixed(),
                ["(bash completion of 'mlroadmap done week-')"],
                TARGET_QUICK,
                extra_env=COMPLETE_ENV,
                check=completes_weeks,
            ),
        ]
        results = [self.time_command(c, home) for c in commands]
        return CaseResult("bundled", info["description"], info["items"], info["events"], results)

    def large(self, name: str, items: int, events: int) -> CaseResult:
        home = self.fresh_home(name)
        inputs = self.fresh_home(f"{name}-inputs")
        info = self.setup(home, "large", items, events, inputs)
        env = self.env_for(home)
        pool = DonePool(info["undone"], ["-r", LARGE_ID], self, env)
        store = home / "store.json"
        self.log(f"{name}: {info['description']}")
        full = name == "large"
        target = TARGET_LARGE if full else None
        read = TARGET_READ if full else None
        write = TARGET_WRITE if full else None
        mib = TARGET_LARGE_MIB if full else None
        commands = [
            Command(
                "progress",
                fixed("progress", "-r", LARGE_ID),
                ["progress", "-r", LARGE_ID],
                target,
                mib,
                check=printed,
            ),
            Command(
                "done",
                pool.next_args,
                ["done", "-r", LARGE_ID, "<item>"],
                target,
                mib,
                check=store_grew(store),
            ),
        ]
        for label, args, requires in LARGE_READS:
            if requires is not None:
                help_text = self.available(*requires)
                if help_text is None:
                    missing = " ".join(w for w in requires if w)
                    self.log(f"  {label}: skipped ('mlroadmap {missing}' is not there yet)")
                    continue
                if "--roadmap" not in help_text:
                    args = tuple(a for a in args if a not in ("-r", LARGE_ID))
            check = valid_json if "json" in args else printed
            target = (TARGET_REPORT if full else None) if label == "report" else read
            commands.append(Command(label, fixed(*args), list(args), target, mib, check=check))
        results = [self.time_command(c, home) for c in commands]

        # merge: every run merges the same other copy into the store as it was
        # before the first run, so every run really adds its new events.
        other = info["merge_other"]
        before_merge = HomeSnapshot(home, self.workdir / f"{name}-home.before-merge")
        merge = Command(
            "merge",
            fixed("merge", other),
            ["merge", f"<copy: {info['merge_events']:,} events, {info['merge_new']:,} new>"],
            write,
            check=all_of(said, store_grew(store)),
            prepare=before_merge.restore,
        )
        results.append(self.time_command(merge, home))
        before_merge.restore()

        # import: into a home with the bundled roadmaps' caches built and no store,
        # put back as it was before every run, so each run is a first import.
        import_home = self.fresh_home(f"{name}-import")
        run_captured([*self.mlroadmap, "list"], self.env_for(import_home))
        clean = HomeSnapshot(import_home, self.workdir / f"{name}-import.clean")
        document = info["document"]
        units = f"<document: {info['document_units']:,} units>"
        imported = import_home / "roadmaps" / f"{IMPORTED_ID}.yaml"
        for label, extra in (("import", ()), ("import --with-progress", ("--with-progress",))):
            written = [imported, import_home / "store.json"] if extra else [imported]
            command = Command(
                label,
                fixed("import", document, "--id", IMPORTED_ID, *extra),
                ["import", units, "--id", IMPORTED_ID, *extra],
                write,
                check=all_of(said, *map(wrote, written)),
                prepare=clean.restore,
            )
            results.append(self.time_command(command, import_home))
        clean.restore()
        return CaseResult(name, info["description"], info["items"], info["events"], results)

    def setup(self, home: Path, kind: str, *size: int | Path) -> dict[str, Any]:
        """Write a case's roadmap and store in a child process (see ``setup_main``).

        The timing process never imports mlroadmap: on Linux a child's max RSS
        starts at its parent's RSS when it is forked, so a big benchmark process
        would raise every figure to its own size.
        """
        argv = [sys.executable, str(Path(__file__).resolve()), SETUP_FLAG, kind, str(home)]
        result = run_captured([*argv, *map(str, size)], self.env_for(home))
        info: dict[str, Any] = json.loads(result.stdout)
        return info

    def fresh_home(self, name: str) -> Path:
        home = self.workdir / f"{name}-home"
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        return home


class HomeSnapshot:
    """A home's files as they are now, put back before every run of a command that changes them.

    A file that still has the inode, size and modification time it had is left
    alone, so the caches bound to the files that did not change stay valid;
    files the command added are deleted, and those it changed are copied back.
    """

    def __init__(self, home: Path, where: Path) -> None:
        self.home = home
        self.where = where
        if where.exists():
            shutil.rmtree(where)
        self.keys: dict[Path, tuple[int, int, int]] = {}
        for path in self._files(home):
            rel = path.relative_to(home)
            (where / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, where / rel, follow_symlinks=False)
            self.keys[rel] = self._key(path)

    @staticmethod
    def _files(root: Path) -> list[Path]:
        return sorted(p for p in root.rglob("*") if p.is_symlink() or p.is_file())

    @staticmethod
    def _key(path: Path) -> tuple[int, int, int]:
        st = path.lstat()
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def restore(self) -> None:
        present = set()
        for path in self._files(self.home):
            rel = path.relative_to(self.home)
            if self.keys.get(rel) == self._key(path):
                present.add(rel)
            else:
                path.unlink()
        for rel in self.keys.keys() - present:
            target = self.home / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.where / rel, target, follow_symlinks=False)
            self.keys[rel] = self._key(target)


# ---------------------------------------------------------------------------
# Self-checks (run on the untimed warm run of each command)


def printed() -> Check:
    def check(output: Output) -> str | None:
        return None if output.stdout().strip() else "it printed nothing"

    return check


def said() -> Check:
    """It printed something, on stdout or stderr (merge and import report on stderr)."""

    def check(output: Output) -> str | None:
        return None if (output.stdout() + output.stderr()).strip() else "it printed nothing"

    return check


def valid_json() -> Check:
    def check(output: Output) -> str | None:
        # parsed in a child process, which this process's size does not depend on
        parse = "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))"
        argv = [sys.executable, "-c", parse, str(output.stdout_path)]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["?"])[-1]
            return f"it did not print one JSON document ({last})"
        return None

    return check


def wrote(path: Path) -> Callable[[], Check]:
    """The run wrote ``path`` (it is absent before every run, see ``HomeSnapshot``)."""

    def arm() -> Check:
        def check(output: Output) -> str | None:
            if not path.is_file() or path.stat().st_size == 0:
                return f"it did not write {path}"
            return None

        return check

    return arm


def all_of(*checks: Callable[[], Check]) -> Callable[[], Check]:
    """Every one of ``checks``; the first problem found."""

    def arm() -> Check:
        armed = [c() for c in checks]

        def check(output: Output) -> str | None:
            return next((p for p in (c(output) for c in armed) if p), None)

        return check

    return arm


def completes_weeks() -> Check:
    def check(output: Output) -> str | None:
        words = output.stdout().split()
        if "week-1" in words and all(w.startswith("week-") for w in words):
            return None
        return f"expected completions such as 'week-1', got {output.stdout()[:200]!r}"

    return check


def store_grew(store: Path) -> Callable[[], Check]:
    """The warm ``done`` run must really write: the store grows by one event."""

    def arm() -> Check:
        before = store.stat().st_size

        def check(output: Output) -> str | None:
            after = store.stat().st_size
            if after <= before:
                return f"the store did not grow ({before} -> {after} bytes)"
            return None

        return check

    return arm


# ---------------------------------------------------------------------------
# Setting up: the hello app, the stores, the large roadmap


def find_console_script() -> Path:
    bindir = os.path.dirname(sys.executable)
    found = shutil.which("mlroadmap", path=bindir)
    if found is None:
        import sysconfig

        found = shutil.which("mlroadmap", path=sysconfig.get_path("scripts"))
    if found is None:
        raise BenchError(
            f"no 'mlroadmap' console script beside {sys.executable}; "
            "run this with the Python of the environment where mlroadmap is installed"
        )
    return Path(found)


def write_hello(workdir: Path, source: str = HELLO_APP) -> Path:
    """The hello app as a module plus a console-script wrapper, like an installed CLI."""
    (workdir / "hello_app.py").write_text(source, encoding="utf-8")
    wrapper = workdir / "hello.py"
    wrapper.write_text(CONSOLE_WRAPPER.format(module="hello_app"), encoding="utf-8")
    return wrapper


def byte_compile(hello_dir: Path) -> None:
    """Write the bytecode caches of mlroadmap and of the hello app before timing.

    pip does this when it installs a package, but an editable install (or an
    environment with PYTHONDONTWRITEBYTECODE set) would otherwise compile the
    sources on every run, which is not what an installed tool costs.
    """
    import importlib.util

    spec = importlib.util.find_spec("mlroadmap")  # finds the package without importing it
    targets = [str(hello_dir / "hello_app.py")]
    if spec is not None and spec.submodule_search_locations:
        targets += list(spec.submodule_search_locations)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *targets],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def _use_home(home: Path) -> None:
    # mlroadmap reads MLROADMAP_HOME whenever it builds a path.
    os.environ["MLROADMAP_HOME"] = str(home)


def setup_main(argv: list[str]) -> int:
    """``bench.py --setup-case KIND HOME [ITEMS EVENTS INPUTS]``: write a case, print its facts.

    For the large cases INPUTS is the directory for the files commands read:
    the other copy of the store for ``merge``, the Markdown document for ``import``.
    """
    kind, home = argv[0], Path(argv[1])
    if kind == "bundled":
        info = make_bundled_store(home)
    else:
        info = make_large_store(home, int(argv[2]), int(argv[3]), Path(argv[4]))
    print(json.dumps(info))
    return 0


def _event_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


ACTIONS = ("done", "start", "note", "todo", "skip")
ACTION_WEIGHTS = (45, 25, 12, 12, 6)


def _events_for(
    rng: random.Random,
    roadmap_ids: list[str],
    leaves: dict[str, list[str]],
    weights: list[float],
    count: int,
    now: datetime,
) -> list[Any]:
    """``count`` events over a year, on the first part of each roadmap (learners go in order)."""
    from mlroadmap.records import Event

    frontier = {
        rid: leaves[rid][: max(1, round(len(leaves[rid]) * rng.uniform(0.45, 0.75)))]
        for rid in roadmap_ids
    }
    seconds = 365 * 24 * 3600
    times = sorted(now - timedelta(seconds=rng.randrange(60, seconds)) for _ in range(count))
    events = []
    for ts in times:
        rid = rng.choices(roadmap_ids, weights)[0]
        item = rng.choice(frontier[rid])
        action = rng.choices(ACTIONS, ACTION_WEIGHTS)[0]
        note = None
        if action == "note" or (action == "done" and rng.random() < 0.1):
            note = f"notebook: https://github.com/learner/ml-journey/blob/main/{item}.ipynb"
        events.append(
            Event(id=_event_id(rng), ts=ts, roadmap=rid, item=item, action=action, note=note)
        )
    return events


def _write_store(home: Path, events: list[Any], active: str | None) -> None:
    from mlroadmap.records import RoadmapSettings, Settings, StoreData
    from mlroadmap.store import Store

    started: dict[str, date] = {}
    for event in events:
        started.setdefault(event.roadmap, event.ts.date())
    data = StoreData(
        settings=Settings(active=active),
        roadmaps={rid: RoadmapSettings(started=day) for rid, day in sorted(started.items())},
        events=events,
    )
    Store(home / "store.json").write(data)


def _undone(home: Path, roadmap_id: str, events: list[Any]) -> list[str]:
    from mlroadmap.catalog import Catalog
    from mlroadmap.progress import DONE, replay, status_of

    roadmap = Catalog(user_dir=home / "roadmaps").get(roadmap_id)
    states = replay(roadmap, events)
    return [leaf for leaf in roadmap.index.leaves if status_of(states, leaf) != DONE]


def make_bundled_store(home: Path) -> dict[str, Any]:
    """A year of use of the bundled roadmaps: BUNDLED_EVENTS events, mostly on the active one."""
    _use_home(home)
    from mlroadmap.catalog import Catalog

    catalog = Catalog(user_dir=home / "roadmaps")
    ids = catalog.ids()
    if ACTIVE_ROADMAP not in ids:
        raise BenchError(f"the bundled roadmap {ACTIVE_ROADMAP!r} is missing (found {ids})")
    leaves = {rid: list(catalog.get(rid).index.leaves) for rid in ids}
    weights = [4.0 if rid == ACTIVE_ROADMAP else 1.5 for rid in ids]
    rng = random.Random(SEED)
    events = _events_for(rng, ids, leaves, weights, BUNDLED_EVENTS, datetime.now(timezone.utc))
    _write_store(home, events, ACTIVE_ROADMAP)
    items = sum(len(v) for v in leaves.values())
    return {
        "description": f"{len(ids)} roadmaps, {items:,} items, {len(events):,} events",
        "items": items,
        "events": len(events),
        "undone": _undone(home, ACTIVE_ROADMAP, events),
    }


def large_roadmap_yaml(items: int) -> str:
    """A roadmap of ``items`` items: SECTIONS sections of groups of ITEMS_PER_GROUP items."""
    per_section = SECTIONS * ITEMS_PER_GROUP
    if items % per_section:
        raise BenchError(f"the large roadmap's size must be a multiple of {per_section}")
    groups = items // per_section
    lines = [
        f"id: {LARGE_ID}",
        f"title: A large generated roadmap ({items:,} items)",
        "summary: A synthetic roadmap for the benchmark, far bigger than any real one.",
        "source:",
        "  title: mlroadmap benchmarks/bench.py",
        f"duration_weeks: {SECTIONS}",
        "children:",
    ]
    for s in range(1, SECTIONS + 1):
        lines += [
            f"  - id: s{s}",
            f'    title: "Section {s}: topics and practice"',
            "    kind: section",
            f"    weeks: [{s}]",
            "    children:",
        ]
        for g in range(1, groups + 1):
            lines += [
                f"      - id: s{s}-g{g}",
                f"        title: Group {g} of section {s}",
                "        kind: group",
                "        children:",
            ]
            for i in range(1, ITEMS_PER_GROUP + 1):
                lines.append(f"          - id: s{s}-g{g}-item-{i}")
                lines.append(f"            title: Item {i} of group {g} in section {s}")
                kind = "task" if i % 5 == 0 else "topic"
                lines.append(f"            kind: {kind}")
                if i % 3 == 0:
                    lines.append(
                        "            description: Read the chapter, work through the examples "
                        "and write a short note on what was new."
                    )
    return "\n".join(lines) + "\n"


def make_large_store(home: Path, items: int, count: int, inputs: Path) -> dict[str, Any]:
    _use_home(home)
    roadmaps = home / "roadmaps"
    roadmaps.mkdir(parents=True, exist_ok=True)
    (roadmaps / f"{LARGE_ID}.yaml").write_text(large_roadmap_yaml(items), encoding="utf-8")
    from mlroadmap.catalog import Catalog

    roadmap = Catalog(user_dir=roadmaps).get(LARGE_ID)
    leaves = list(roadmap.index.leaves)
    if len(leaves) != items:
        raise BenchError(f"the generated roadmap has {len(leaves)} items, not {items}")
    rng = random.Random(SEED + items)
    events = _events_for(
        rng, [LARGE_ID], {LARGE_ID: leaves}, [1.0], count, datetime.now(timezone.utc)
    )
    _write_store(home, events, LARGE_ID)
    other, new = _write_other_copy(inputs / "other-store.json", rng, leaves, events)
    document = inputs / "roadmap.md"
    document.write_text(markdown_document(items), encoding="utf-8")
    return {
        "description": f"{items:,} items, {count:,} events (-r {LARGE_ID})",
        "items": items,
        "events": count,
        "undone": _undone(home, LARGE_ID, events),
        "merge_other": str(other),
        "merge_events": count,
        "merge_new": new,
        "document": str(document),
        "document_units": items,
    }


def _write_other_copy(
    path: Path, rng: random.Random, leaves: list[str], events: list[Any]
) -> tuple[Path, int]:
    """Another copy of the store, as from a second computer: as many events as the store,
    MERGE_NEW_SHARE of them new (a year of other work on the same roadmap), the rest shared.
    """
    from mlroadmap.records import RoadmapSettings, Settings, StoreData
    from mlroadmap.store import encode

    new = round(len(events) * MERGE_NEW_SHARE)
    theirs = _events_for(
        rng, [LARGE_ID], {LARGE_ID: leaves}, [1.0], new, datetime.now(timezone.utc)
    )
    merged = sorted([*events[: len(events) - new], *theirs], key=lambda e: e.ts)
    data = StoreData(
        settings=Settings(active=LARGE_ID),
        roadmaps={LARGE_ID: RoadmapSettings(started=merged[0].ts.date())},
        events=merged,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(data))
    return path, new


def markdown_document(units: int) -> str:
    """A Markdown roadmap of ``units`` checkboxes, shaped like the large roadmap.

    Headings for sections and groups, one checkbox per unit (every fourth one
    ticked, for ``--with-progress``), a link on every unit, and a line of
    description under every third.
    """
    per_section = SECTIONS * ITEMS_PER_GROUP
    if units % per_section:
        raise BenchError(f"the document's size must be a multiple of {per_section}")
    groups = units // per_section
    lines = [
        f"# A large generated roadmap ({units:,} units)",
        "",
        "A synthetic roadmap for the benchmark, far bigger than any real one.",
        "",
    ]
    unit = 0
    for s in range(1, SECTIONS + 1):
        lines += [f"## Section {s}: topics and practice (week {s})", ""]
        for g in range(1, groups + 1):
            lines += [f"### Group {g} of section {s}", ""]
            for i in range(1, ITEMS_PER_GROUP + 1):
                unit += 1
                mark = "x" if unit % 4 == 0 else " "
                url = f"https://example.org/course/s{s}/g{g}/{i}"
                lines.append(f"- [{mark}] Item {i} of group {g} in section {s} ([notes]({url}))")
                if i % 3 == 0:
                    lines.append("  - Read the chapter and work through the examples.")
            lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Report


def own_peak_mib() -> float | None:
    """This process's max RSS (a forked child's max RSS starts at the parent's RSS)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    return _maxrss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def mlroadmap_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mlroadmap")
    except PackageNotFoundError:
        return "?"


def header(pairs: int, warmups: int, floor: str = "plain") -> list[str]:
    now = datetime.now().astimezone()
    lines = [
        f"mlroadmap {mlroadmap_version()} benchmark: Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {now:%Y-%m-%d %H:%M %Z}",
        f"{pairs} pairs (hello, command) per command after {warmups} warm-up pair(s)",
    ]
    if floor != "plain":
        lines.append(
            "floor: the hello app with no cyclic GC and no interpreter teardown, as mlroadmap ends"
        )
    return lines


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "over")


LABEL_WIDTH = 22


def table(cases: list[CaseResult]) -> list[str]:
    """One line per command under a line naming its case; fits 80 columns."""
    lines = [
        f"{'command':<{LABEL_WIDTH}}  {'n':>2}  {'hello':>6}  {'cmd':>8}  {'ratio':>6}  "
        f"{'target':<10}  {'peak':>5}",
        f"{'':<{LABEL_WIDTH}}  {'':>2}  {'ms':>6}  {'ms':>8}  {'':>6}  {'':<10}  {'MiB':>5}",
        "-" * 79,
    ]
    for case in cases:
        lines.append(f"{case.name}: {case.description}")
        for r in case.results:
            target = "" if r.target is None else f"<={r.target:.2f} {_mark(r.ratio_ok)}"
            peak = "n/a" if r.peak_mib is None else f"{r.peak_mib:.0f}"
            rss = "" if r.rss_ok is None else f" {_mark(r.rss_ok)}"
            lines.append(
                f"{r.label:<{LABEL_WIDTH}}  {len(r.cmd):>2}  {r.hello_ms:>6.1f}  {r.cmd_ms:>8.1f}  "
                f"{r.ratio:>6.2f}  {target:<10}  {peak:>5}{rss}".rstrip()
            )
    return lines


def scaling(cases: dict[str, CaseResult]) -> dict[str, Any] | None:
    if "large" not in cases or "half" not in cases:
        return None
    big, small = cases["large"], cases["half"]
    out: dict[str, Any] = {
        "small": {"items": small.items, "events": small.events},
        "big": {"items": big.items, "events": big.events},
        "target": TARGET_SCALING,
        "commands": {},
    }
    small_by = {r.label: r for r in small.results}
    big_by = {r.label: r for r in big.results}
    # mlroadmap's own start-up, above the floor at each size (below it: negative)
    starts = (
        (small_by[STARTUP].above_floor_ms, big_by[STARTUP].above_floor_ms)
        if STARTUP in small_by and STARTUP in big_by
        else None
    )
    for r in big.results:
        if r.label not in small_by or r.label == STARTUP:
            continue
        s_ms, b_ms = small_by[r.label].above_floor_ms, r.above_floor_ms
        ratio = b_ms / s_ms if s_ms > 0 else None
        own = None
        if starts is not None and s_ms - starts[0] > 0:
            own = (b_ms - starts[1]) / (s_ms - starts[0])
        out["commands"][r.label] = {
            "small_above_floor_ms": round(s_ms, 3),
            "big_above_floor_ms": round(b_ms, 3),
            "ratio": None if ratio is None else round(ratio, 4),
            "ok": None if ratio is None else ratio <= TARGET_SCALING,
            "ratio_above_startup": None if own is None else round(own, 4),
            "ok_above_startup": None if own is None else own <= TARGET_SCALING,
        }
    return out


def scaling_lines(data: dict[str, Any]) -> list[str]:
    small, big = data["small"], data["big"]
    lines = [
        "",
        "Scaling: ms above the hello floor (median of per-pair differences) at",
        f"half = {_size(small)} and large = {_size(big)}",
        "ratio: large/half of those; own: the same taken above mlroadmap's own",
        "start-up (`mlroadmap --version`), which is below the floor",
        f"{'command':<{LABEL_WIDTH}}  {'half':>8}  {'large':>8}  {'ratio':>5}  {'own':>5}  "
        f"target <={data['target']:.1f}",
    ]
    for label, c in data["commands"].items():
        ratio = "n/a" if c["ratio"] is None else f"{c['ratio']:.2f}"
        own = c.get("ratio_above_startup")
        own_text = "n/a" if own is None else f"{own:.2f}"
        lines.append(
            f"{label:<{LABEL_WIDTH}}  {c['small_above_floor_ms']:>8.1f}  "
            f"{c['big_above_floor_ms']:>8.1f}  {ratio:>5}  {own_text:>5}  "
            f"{_mark(c['ok']) or '-':<4} {_mark(c.get('ok_above_startup'))}".rstrip()
        )
    return lines


def _size(size: dict[str, int]) -> str:
    return f"{size['items']:,} items, {size['events']:,} events"


def legend() -> list[str]:
    return textwrap.wrap(
        "n: timed pairs. ratio: median over pairs of command time / hello time (hello: "
        "a one-command Typer app run the same way). peak: the command's largest max RSS. "
        "PASS/over compare with the targets; timings never fail the benchmark.",
        width=78,
    )


# ---------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time mlroadmap commands as whole processes against a hello-world Typer app."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny repeat counts and a smaller large case: checks the benchmark works (CI)",
    )
    parser.add_argument("--repeats", type=int, help=f"timed pairs per command ({FULL_PAIRS})")
    parser.add_argument("--warmups", type=int, help=f"untimed pairs first ({FULL_WARMUPS})")
    parser.add_argument(
        "--budget",
        type=float,
        metavar="SECONDS",
        help=f"cut the pairs of a slow command to what fits in this time, at least {MIN_PAIRS} "
        f"({FULL_BUDGET:.0f}; none with --quick)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where to write the hello app and the stores (kept)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--floor",
        choices=tuple(FLOORS),
        default="plain",
        help="the hello app as written (plain, the targets' floor), or ending as mlroadmap "
        "does: no cyclic GC, no interpreter teardown (fast-exit, a stricter floor)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=(*CASES, "scaling"),
        help="run only this case (repeatable); 'scaling' means large and half",
    )
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.warmups is not None and args.warmups < 0:
        parser.error("--warmups must be 0 or more")
    if args.budget is not None and args.budget <= 0:
        parser.error("--budget must be more than 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pairs = args.repeats or (QUICK_PAIRS if args.quick else FULL_PAIRS)
    warmups = args.warmups
    if warmups is None:
        warmups = QUICK_WARMUPS if args.quick else FULL_WARMUPS
    only = set(args.only or CASES)
    if "scaling" in only:
        only |= {"large", "half"}
    budget = args.budget if args.budget is not None else None if args.quick else FULL_BUDGET
    large_size = QUICK_LARGE_SIZE if args.quick else LARGE_SIZE
    half_size = QUICK_HALF_SIZE if args.quick else HALF_SIZE

    if args.workdir is not None:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = False
    else:
        workdir = Path(tempfile.mkdtemp(prefix="mlroadmap-bench-"))
        cleanup = True
    try:
        bench = Bench(workdir, pairs, warmups, floor=args.floor, budget=budget)
        byte_compile(workdir)
        bench.check_hello()
        done: dict[str, CaseResult] = {}
        if "bundled" in only:
            done["bundled"] = bench.bundled()
        if "large" in only:
            done["large"] = bench.large("large", *large_size)
        if "half" in only:
            done["half"] = bench.large("half", *half_size)
    except BenchError as exc:
        print(f"bench.py: error: {exc}", file=sys.stderr)
        return 1
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)

    cases = list(done.values())
    scale = scaling(done)
    bench_rss = own_peak_mib()
    lines = [
        *header(pairs, warmups, args.floor),
        *[f"  {c.name}: {c.description}" for c in cases],
        "",
    ]
    lines += table(cases)
    if scale is not None:
        lines += scaling_lines(scale)
    lines += ["", *legend()]
    hello_peaks = [r.hello_peak_mib for c in cases for r in c.results if r.hello_peak_mib]
    if bench_rss is not None and hello_peaks and bench_rss >= min(hello_peaks):
        lines += textwrap.wrap(
            f"warning: this process's peak RSS ({bench_rss:.1f} MiB) is not below the hello "
            "app's, so peak figures may show this process's size, not the command's.",
            width=78,
        )
    print("\n".join(lines))

    if args.json is not None:
        document = {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "mlroadmap": mlroadmap_version(),
            "bench_process_peak_rss_mib": _round(bench_rss),
            "quick": args.quick,
            "floor": args.floor,
            "pairs": pairs,
            "warmups": warmups,
            "budget_seconds": budget,
            "cases": {c.name: c.as_json() for c in cases},
            "scaling": scale,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == [SETUP_FLAG]:
        sys.exit(setup_main(sys.argv[2:]))
    sys.exit(main())
