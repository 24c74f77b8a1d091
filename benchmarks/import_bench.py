"""Time ``mlroadmap import`` of large documents against the hello-world floor of bench.py.

    python benchmarks/import_bench.py                 # 10,000 and 20,000 units, 5 pairs each
    python benchmarks/import_bench.py --pairs 3 --sizes 10000

For each size it writes a Markdown checklist (sections of 100 ``- [x]`` entries,
each with a link), then runs hello, import, hello, import ... (a new home each
run) and prints the median wall times and the median of the per-pair ratios,
for ``import`` and ``import --with-progress``. The doubling line shows whether
the time above the floor grows linearly (about 2.0) or faster.
"""

from __future__ import annotations

import argparse
import runpy
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH: dict[str, Any] = runpy.run_path(str(Path(__file__).with_name("bench.py")), run_name="bench")


def document(units: int) -> str:
    lines = ["# A large plan", ""]
    for section in range(units // 100):
        lines += [f"## Section {section}", ""]
        lines += [
            f"- [x] Task {section}.{i}: read [chapter {i}](https://example.com/{section}/{i})"
            for i in range(100)
        ]
        lines.append("")
    return "\n".join(lines)


def measure(work: Path, doc: Path, extra: list[str], pairs: int) -> tuple[float, float, float]:
    """Median hello seconds, median import seconds, median ratio."""
    import os

    hello = [sys.executable, str(BENCH["write_hello"](work, BENCH["FLOORS"]["plain"]))]
    command = [sys.executable, str(BENCH["find_console_script"]()), "import", str(doc), *extra]
    ratios, hellos, imports = [], [], []
    for n in range(pairs + 1):
        home = Path(tempfile.mkdtemp(dir=work))
        env = {**os.environ, "MLROADMAP_HOME": str(home)}
        h = BENCH["run_once"](hello, env).seconds
        c = BENCH["run_once"](command, env).seconds
        shutil.rmtree(home)
        if n:  # the first pair warms the caches
            hellos.append(h)
            imports.append(c)
            ratios.append(c / h)
    return statistics.median(hellos), statistics.median(imports), statistics.median(ratios)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        above: dict[tuple[str, int], float] = {}
        print(f"{'units':>7}  {'command':<26} {'hello':>8} {'import':>9} {'ratio':>7}")
        for size in args.sizes:
            doc = work / f"plan-{size}.md"
            doc.write_text(document(size), encoding="utf-8")
            for label, extra in (("import", []), ("import --with-progress", ["--with-progress"])):
                hello, took, ratio = measure(work, doc, extra, args.pairs)
                above[(label, size)] = took - hello
                print(f"{size:>7,}  {label:<26} {hello:>7.3f}s {took:>8.3f}s {ratio:>7.2f}")
        sizes = sorted(args.sizes)
        if len(sizes) >= 2:
            small, large = sizes[0], sizes[-1]
            for label in ("import", "import --with-progress"):
                growth = above[(label, large)] / above[(label, small)]
                print(
                    f"{label}: {large:,} units took {growth:.2f}x the time above the floor "
                    f"of {small:,}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
