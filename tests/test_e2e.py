"""End to end: build the wheel, install it in a fresh venv, run the installed `mlroadmap`.

The venv gets the wheel itself (so `mlroadmap` and its bundled roadmaps come
from the wheel, not the work tree) and borrows the dependencies from the
environment running the tests through a `.pth` line. A path listed in a `.pth`
file is only added to `sys.path`: the `.pth` files inside it (such as the
editable install's `_editable_impl_mlroadmap.pth`, which points at `src/`) are
not processed, so the work tree stays out of reach. The test checks that.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from mlroadmap import __version__
from tests.conftest import REPO

BUNDLED = ["advanced-mle", "ml-12-weeks", "mle-6-months", "pro-mle", "stats-to-mle"]


def sh(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=180, **kwargs
    )
    assert result.returncode == 0, f"{args}\nstdout={result.stdout}\nstderr={result.stderr}"
    return result


def build_wheel(out: Path) -> Path:
    """Build the wheel from the work tree; offline when the build backend is installed."""
    isolation = ["--no-isolation"] if importlib.util.find_spec("hatchling") else []
    sh(sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", out, REPO)
    (wheel,) = out.glob("mlroadmap-*.whl")
    return wheel


def test_installed_wheel_runs(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for rid in BUNDLED:
        assert f"mlroadmap/roadmaps/{rid}.yaml" in names
    assert "mlroadmap/__init__.py" in names
    assert "mlroadmap/cli.py" in names
    assert "mlroadmap/templates/report.html.j2" in names
    assert "mlroadmap/templates/card.svg.j2" in names
    assert not any(name.startswith(("tests/", "src/")) for name in names)

    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    sh(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--disable-pip-version-check",
        "--quiet",
        wheel,
    )
    venv_site = Path(
        sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    )
    dev_site = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (venv_site / "zz_dev_dependencies.pth").write_text(
        "".join(f"{d}\n" for d in dev_site), encoding="utf-8"
    )

    home = tmp_path / "home"
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(MLROADMAP_HOME=str(home), COLUMNS="80", NO_COLOR="1", TZ="UTC")
    env.pop("VIRTUAL_ENV", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return sh(*args, cwd=work, env=env)

    where = json.loads(
        run(
            str(python),
            "-c",
            "import json, mlroadmap, mlroadmap.paths as p; "
            "print(json.dumps([mlroadmap.__file__, str(p.bundled_roadmaps_dir())]))",
        ).stdout
    )
    module_file, roadmaps_dir = (Path(w).resolve() for w in where)
    assert module_file.is_relative_to(venv.resolve()), module_file
    assert roadmaps_dir == module_file.parent / "roadmaps"
    assert not module_file.is_relative_to(REPO)

    mlroadmap = str(venv / "bin" / "mlroadmap")
    listing = json.loads(run(mlroadmap, "list", "--json").stdout)
    assert [r["id"] for r in listing["roadmaps"]] == BUNDLED
    assert listing["active"] == "ml-12-weeks"

    table = run(mlroadmap, "list").stdout
    assert all(rid in table for rid in BUNDLED)

    done = run(mlroadmap, "done", "week-5")
    assert "Marked 4 items done" in done.stderr
    assert done.stdout == ""

    report = json.loads(run(mlroadmap, "progress", "--json").stdout)
    assert report["roadmap"] == "ml-12-weeks"
    assert (report["total"]["done"], report["total"]["total"]) == (4, 63)
    assert "4/63" in run(mlroadmap, "progress").stdout
    assert (home / "store.json").is_file()

    page = run(mlroadmap, "report", "-o", "-").stdout
    assert page.startswith("<!DOCTYPE html>")
    assert 'data-item="regression-algorithms" data-status="done"' in page
    card = run(mlroadmap, "report", "--format", "svg", "-o", "-").stdout
    assert card.startswith("<svg")
    assert "4/63 items" in card

    version = run(str(python), "-m", "mlroadmap", "--version").stdout.strip()
    assert version == f"mlroadmap {__version__}"

    failed = subprocess.run(
        [mlroadmap, "done", "week-55"], capture_output=True, text=True, cwd=work, env=env
    )
    assert failed.returncode == 2
    assert "did you mean week-5?" in failed.stderr
    assert "Traceback" not in failed.stderr
