"""Files and text from strangers: bounded work, clean errors, nothing reaches the terminal.

Every refusal is ``file:line: message`` with exit 2; one bad user roadmap is
skipped by the commands that read every roadmap (one warning line), listed by
``doctor`` and refused when named; control and bidi characters are shown as
visible escapes wherever data meets a terminal.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from mlroadmap import catalog, views
from mlroadmap.catalog import check_text, parse_yaml, read_text
from mlroadmap.cli import app
from mlroadmap.errors import RoadmapFileError
from mlroadmap.models import Resource
from mlroadmap.text import escape, escape_json, safe_link, url_problem

runner = CliRunner()

HEAD = "id: demo\ntitle: Demo\nsummary: S\nsource: {title: S}\n"
GOOD = HEAD + "children:\n  - {id: a, title: A}\n"


def problems_of(text: str, source: str = "demo.yaml") -> list[str]:
    with pytest.raises(RoadmapFileError) as info:
        check_text(text, source)
    return info.value.problems


def run(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    detail = f"stdout={result.stdout!r}\nstderr={result.stderr!r}\nexc={result.exception!r}"
    assert result.exit_code == code, detail
    assert "Traceback" not in result.output
    return result


def user_roadmap(home: Path, name: str, text: str) -> Path:
    folder = home / "roadmaps"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def mine(roadmap_id: str = "mine", title: str = "My roadmap", extra: str = "") -> str:
    return textwrap.dedent(
        f"""\
        id: {roadmap_id}
        title: {title}
        summary: Mine
        source: {{title: Notes}}
        children:
          - id: part-one
            title: Part one
            children:
              - {{id: read-paper, title: Read the paper}}
              - {{id: write-code, title: Write code{extra}}}
        """
    )


# ---------------------------------------------------------------------------
# Bounded parsing


def merge_bomb(levels: int) -> str:
    lines = ["a0: &a0 {x: 1}"]
    lines += [f"a{n}: &a{n} {{<<: [*a{n - 1}, *a{n - 1}]}}" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def bomb_line(levels: int) -> int:
    """The line of the anchor at which the root's expanded size first passes the budget.

    a0 is 3 nodes (a mapping, a key, a value); aN is a mapping, the ``<<`` key
    and a sequence holding aN-1 twice. The root holds every aN under its key.
    """
    composed = 1 + (levels + 1) + 3 + 3 * levels  # root, its keys, a0, each aN
    limit = composed + catalog.MAX_ALIAS_NODES
    size, root = 3, 1 + 1 + 3
    for n in range(1, levels + 1):
        size = 3 + 2 * size
        root += 1 + size
        if root > limit:
            return n + 1
    raise AssertionError("the bomb is within the budget")


def test_a_merge_key_bomb_is_refused_before_it_is_expanded() -> None:
    # 40 levels expand to 2**40 mappings; measured on the composed graph, never built.
    problems = problems_of(merge_bomb(40), "bomb.yaml")
    line = bomb_line(40)
    assert 10 < line < 20
    assert problems == [f"bomb.yaml:{line}: the document expands to too many nodes (aliases?)"]


def test_merge_keys_within_the_budget_still_merge() -> None:
    text = textwrap.dedent(
        """\
        base: &base {kind: topic, title: Shared}
        id: demo
        title: Demo
        summary: S
        source: {title: S}
        children:
          - {<<: *base, id: a}
          - {<<: *base, id: b, title: Own}
        """
    )
    document: Any = parse_yaml(text, "demo.yaml")
    assert document["children"] == [
        {"kind": "topic", "title": "Shared", "id": "a"},
        {"kind": "topic", "title": "Own", "id": "b"},
    ]


def test_forty_thousand_brackets_are_refused_at_their_line() -> None:
    text = HEAD + "children: " + "[" * 40_000 + "]" * 40_000 + "\n"
    assert problems_of(text) == [
        f"demo.yaml:5: the document is nested more than {catalog.MAX_DEPTH} deep"
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("x: " + "{a: " * 5_000 + "b" + "}" * 5_000 + "\n", 1),
        ("- " * 5_000 + "x\n", 1),
        ("top:\n" + "".join(" " * n + "- \n" for n in range(1, 300)), 101),
    ],
    ids=["flow-mappings", "compact-sequences", "indented-sequences"],
)
def test_deep_nesting_of_every_shape_is_refused(text: str, line: int) -> None:
    with pytest.raises(RoadmapFileError) as info:
        parse_yaml(text, "deep.yaml")
    assert info.value.problems == [
        f"deep.yaml:{line}: the document is nested more than {catalog.MAX_DEPTH} deep"
    ]


def test_nesting_up_to_the_limit_parses() -> None:
    depth = catalog.MAX_DEPTH
    assert parse_yaml("[" * depth + "]" * depth, "ok.yaml") is not None
    with pytest.raises(RoadmapFileError):
        parse_yaml("[" * (depth + 1) + "]" * (depth + 1), "deep.yaml")


def test_nesting_made_by_aliases_is_refused() -> None:
    # Each line nests the previous anchor once more: shallow as written, deep expanded.
    lines = ["a0: &a0 [x]"] + [f"a{n}: &a{n} [*a{n - 1}]" for n in range(1, 150)]
    with pytest.raises(RoadmapFileError) as info:
        parse_yaml("\n".join(lines) + "\n", "chain.yaml")
    (problem,) = info.value.problems
    deep = f"the document is nested more than {catalog.MAX_DEPTH} deep (aliases?)"
    assert re.fullmatch(rf"chain\.yaml:\d+: {re.escape(deep)}", problem)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("title: 2026-02-30", "demo.yaml:2: cannot read '2026-02-30' as timestamp: day is out of"),
        ("duration_weeks: " + "9" * 5_000, "demo.yaml:5: cannot read '999"),
        ("duration_weeks: !!int 0x", "demo.yaml:5: cannot read '0x' as int: invalid literal"),
        ("title: !!timestamp 2001-99-99", "demo.yaml:2: cannot read '2001-99-99' as timestamp"),
        ("title: !!timestamp soon", "demo.yaml:2: cannot read 'soon' as timestamp: not a valid"),
        ("title: !!bool maybe", "demo.yaml:2: cannot read 'maybe' as bool: not a valid bool"),
        ("title: !!float x", "demo.yaml:2: cannot read 'x' as float: could not convert"),
        ("title: !!binary '!!'", "demo.yaml:2: title: String should have at least 1 character"),
        ("title: !!set {a}", "demo.yaml:2: title: Input should be a valid string"),
        ("title: 2026-01-30", "demo.yaml:2: title: Input should be a valid string"),
        ("title: 1:2:3", "demo.yaml:2: title: Input should be a valid string"),
        ("duration_weeks: .nan", "demo.yaml:5: duration_weeks: Input should be a finite number"),
        ("duration_weeks: .inf", "demo.yaml:5: duration_weeks: Input should be a finite number"),
        ("duration_weeks: 1.0e+400", "demo.yaml:5: duration_weeks: Input should be a finite"),
        ("duration_weeks: 12.5", "demo.yaml:5: duration_weeks: Input should be a valid integer"),
        ("title: !!null x", "demo.yaml:2: title: Input should be a valid string"),
        ("title: !!omap [1]", "demo.yaml:2: invalid YAML"),
        ("title: !nonsense x", "demo.yaml:2: invalid YAML"),
    ],
)
def test_every_odd_scalar_is_reported_at_its_line(line: str, message: str) -> None:
    # A valid roadmap but for this one line (line 2 is the title, line 5 the weeks).
    key = line.partition(":")[0]
    body = "id: demo\n" + (line if key == "title" else "title: Demo") + "\n"
    body += "summary: S\nsource: {title: S}\n"
    body += (line if key == "duration_weeks" else "duration_weeks: 3") + "\n"
    body += "children:\n  - {id: a, title: A}\n"
    check_text(body.replace(line, f"{key}: 3" if key == "duration_weeks" else "title: T"), "ok")
    problems = problems_of(body)
    assert problems[0].startswith(message), problems


def test_a_5000_digit_number_says_so() -> None:
    (problem,) = problems_of(HEAD + "duration_weeks: " + "9" * 5_000 + "\nchildren: [{id: a}]\n")
    assert problem.endswith("as int: the number has too many digits")


def test_a_nul_byte_is_reported_at_its_real_line() -> None:
    text = GOOD + '  - {id: b, title: "B\x00"}\n'
    assert problems_of(text) == ["demo.yaml:7: the file contains the control character U+0000"]


def test_a_raw_escape_is_reported_at_its_line() -> None:
    text = HEAD + "children:\n\n  - {id: a, title: \x1b[2J}\n"
    assert problems_of(text) == ["demo.yaml:7: the file contains the control character U+001B"]


def test_a_second_document_and_an_unknown_alias_are_reported() -> None:
    assert problems_of(GOOD + "---\nid: b\n") == [
        "demo.yaml:7: expected one document, but found another one"
    ]
    assert problems_of(HEAD + "children: *nowhere\n") == [
        "demo.yaml:5: found undefined alias 'nowhere'"
    ]


def test_validate_refuses_each_case_with_exit_2(tmp_path: Path) -> None:
    files = {
        "bomb.yaml": merge_bomb(40),
        "brackets.yaml": HEAD + "children: " + "[" * 40_000 + "]" * 40_000 + "\n",
        "nul.yaml": GOOD + '  - {id: b, title: "B\x00"}\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("validate", *(str(tmp_path / n) for n in files), code=2)
    lines = result.stdout.splitlines()
    assert lines == [
        f"{tmp_path / 'bomb.yaml'}:{bomb_line(40)}: the document expands to too many nodes "
        "(aliases?)",
        f"{tmp_path / 'brackets.yaml'}:5: the document is nested more than "
        f"{catalog.MAX_DEPTH} deep",
        f"{tmp_path / 'nul.yaml'}:7: the file contains the control character U+0000",
    ]


# ---------------------------------------------------------------------------
# Special and oversized files


def test_validate_dev_zero_is_refused_unread() -> None:
    result = run("validate", "/dev/zero", code=2)
    assert result.stdout == "/dev/zero:1: the file is a character device, not a regular file\n"


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "roadmap.yaml"
    os.mkfifo(fifo)
    with pytest.raises(RoadmapFileError) as info:
        read_text(fifo)
    assert info.value.problems == [f"{fifo}:1: the file is a pipe, not a regular file"]


def test_a_file_longer_than_its_size_says_is_read_only_to_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # /proc files are regular and report a size of 0, whatever they hold.
    source = Path("/proc/self/maps")
    if not source.exists():
        pytest.skip("no /proc on this system")
    read: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(catalog, "MAX_FILE_BYTES", 64)
    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(RoadmapFileError) as info:
        read_text(source)
    assert info.value.problems == [f"{source}:1: the file grew past the limit of 64 bytes"]
    assert sum(read) == 65


def test_an_oversized_user_roadmap_is_skipped_by_list(isolated_home: Path) -> None:
    path = user_roadmap(isolated_home, "huge.yaml", "#" * (catalog.MAX_FILE_BYTES + 1))
    result = run("list")
    assert result.stderr == (
        f"warning: skipped {path}:1: the file is {catalog.MAX_FILE_BYTES + 1:,} bytes; "
        f"the limit is {catalog.MAX_FILE_BYTES:,}\n"
    )


# ---------------------------------------------------------------------------
# One bad user roadmap never takes the others down


BAD_CASES = {
    "brackets": ("children: " + "[" * 40_000 + "]" * 40_000 + "\n", 5),
    "bomb": (None, 0),
    "dup-ids": ("children:\n  - {id: a, title: A}\n  - {id: a, title: B}\n", 7),
}


def bad_roadmap(home: Path, case: str) -> tuple[Path, str]:
    """A user roadmap file that cannot be loaded, and its one problem."""
    if case == "bomb":
        text = merge_bomb(40)
        path = user_roadmap(home, "bad.yaml", text)
        line = bomb_line(40)
        return path, f"{path}:{line}: the document expands to too many nodes (aliases?)"
    body, line = BAD_CASES[case]
    path = user_roadmap(home, "bad.yaml", HEAD.replace("demo", "bad") + str(body))
    problem = {
        "brackets": f"the document is nested more than {catalog.MAX_DEPTH} deep",
        "dup-ids": "children.1.id: duplicate ID 'a' (ID of 'A')",
    }[case]
    return path, f"{path}:{line}: {problem}"


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_one_bad_roadmap_among_good_ones(isolated_home: Path, case: str) -> None:
    user_roadmap(isolated_home, "mine.yaml", mine())
    _path, problem = bad_roadmap(isolated_home, case)
    warning = f"warning: skipped {problem}\n"

    listed = run("list", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)["roadmaps"]][-1] == "mine"
    assert "bad" not in [r["id"] for r in json.loads(listed.stdout)["roadmaps"]]
    assert listed.stderr == warning

    found = run("search", "paper")
    assert "mine/read-paper" in found.stdout
    assert found.stderr == warning

    every = run("progress", "--all", "--json")
    assert "mine" in [r["roadmap"] for r in json.loads(every.stdout)["roadmaps"]]
    assert every.stderr == warning

    doctor = run("doctor", "--json", code=2)
    assert json.loads(doctor.stdout)["roadmap_problems"] == [problem]
    assert doctor.stderr == ""  # listed in the report, not warned about as well
    shown = run("doctor", code=2)
    # The line may wrap (at a space, or inside the long path): compare without either.
    flat = "".join(shown.stdout.split())
    assert "FAIL" + "".join(problem.split()) in flat

    named = run("show", "-r", "bad", code=2)
    assert named.stderr == f"error: {problem}\n"
    assert run("show", "-r", "mine").stdout.count("[ ]") == 2


def test_duplicate_ids_in_a_bad_file_are_checked_against_the_real_message() -> None:
    text = HEAD + BAD_CASES["dup-ids"][0]
    assert problems_of(text)[0].startswith("demo.yaml:7: children.1.id: duplicate ID 'a'")


def test_a_stray_yml_beside_a_yaml_of_the_same_id(isolated_home: Path) -> None:
    kept = user_roadmap(isolated_home, "mine.yaml", mine())
    stray = user_roadmap(isolated_home, "mine.yml", mine(title="An older copy"))
    listed = run("list")
    assert "My roadmap" in listed.stdout
    assert "older copy" not in listed.stdout
    assert listed.stderr == (
        f"warning: skipped {stray}:1: the ID 'mine' is taken by {kept}; "
        "rename or remove one of the files\n"
    )
    assert "My roadmap" in run("show", "-r", "mine").stdout  # the .yaml file is used
    assert run("done", "read-paper", "-r", "mine").stderr.startswith("Marked")


def test_log_of_a_roadmap_whose_file_went_bad(isolated_home: Path) -> None:
    path = user_roadmap(isolated_home, "mine.yaml", mine())
    run("done", "read-paper", "-r", "mine")
    path.write_text(mine() + "  - {id: read-paper, title: Again}\n", encoding="utf-8")
    logged = run("log", "--json")
    assert [e["item"] for e in json.loads(logged.stdout)["events"]] == ["read-paper"]
    (warning,) = logged.stderr.splitlines()
    assert warning.startswith(f"warning: skipped {path}:11: children.1.id: duplicate ID")
    report = json.loads(run("doctor", "--json", code=2).stdout)
    assert report["orphans"] == []  # the ticks are not orphans: their file is listed instead
    assert len(report["roadmap_problems"]) == 1


# ---------------------------------------------------------------------------
# Links


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.com/\x1b]8;;https://evil.example/", "control character U+001B"),
        ("https://example.com/\u202egnp.exe", "control character U+202E"),
        ("https://example.com/\u061c", "control character U+061C"),
        ("https://example.com/\x85", "spaces (U+0085)"),
        ("https://example.com/a b", "spaces (U+0020)"),
        ("https://example.com/\u3000", "spaces (U+3000)"),
        ("javascript:alert(1)", "must start with https://, http:// or mailto:"),
        ("file:///etc/passwd", "must start with https://, http:// or mailto:"),
        ("ftp://example.com/", "must start with https://, http:// or mailto:"),
        ("https:example.com", "must start with https://, http:// or mailto:"),
    ],
)
def test_bad_links_are_refused_on_load_with_their_line(url: str, problem: str) -> None:
    assert url_problem(url) is not None
    assert problem in str(url_problem(url))
    quoted = json.dumps(url)  # a YAML double-quoted string: escapes make the characters
    text = GOOD + f"  - id: b\n    title: B\n    resources:\n      - {{title: R, url: {quoted}}}\n"
    (message,) = problems_of(text)
    assert message.startswith("demo.yaml:10: children.1.resources.0.url: ")
    assert message.endswith(problem)


@pytest.mark.parametrize(
    "url", ["https://example.com/a?b=c#d", "http://example.com", "mailto:me@example.com"]
)
def test_good_links_are_accepted_and_linked(url: str) -> None:
    assert url_problem(url) is None
    assert safe_link(url) == url


def terminal_output(renderable: Any) -> str:
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="standard", width=200).print(renderable)
    return out.getvalue()


def test_a_link_with_escape_codes_is_never_written_into_a_hyperlink() -> None:
    # Bypassing the schema (a file cached before the rule, say): still no forged link.
    evil = "https://ok.example/\x1b]8;;https://evil.example/\x1b\\"
    shown = terminal_output(views.resource_line(Resource("Read me", evil, "docs")))
    assert "\x1b]8;" not in shown  # no hyperlink at all
    assert "evil.example" in shown
    assert "\\x1b]8;;https://evil.example/" in shown
    safe = terminal_output(views.resource_line(Resource("Read me", "https://ok.example/", "docs")))
    assert "\x1b]8;id=" in safe
    assert "https://ok.example/" in safe


# ---------------------------------------------------------------------------
# Control and bidi characters in titles, through every view

HOSTILE_TITLE = "Plan \x1b]0;owned\x07 \x1b[2J \u061c\u202eevil\u2066"
ITEM = "Read \x1b7\x07\u061c\u202e"  # ESC 7 saves the cursor; no character Markdown escapes
ITEM_SHOWN = "Read \\x1b7\\x07\\u061c\\u202e"
RAW = ("\x1b", "\x07", "\u061c", "\u202e", "\u2066")


def hostile_home(home: Path) -> None:
    """A user roadmap whose title and an item's title hold escape codes and bidi controls.

    YAML's double-quoted escapes (``\\e``, ``\\a``, ``\\u202e``) make them: the raw
    characters are not allowed in a YAML file.
    """
    text = mine(title=r'"Plan \e]0;owned\a \e[2J \u061c\u202eevil\u2066"')
    user_roadmap(
        home, "mine.yaml", text.replace("title: Read the paper", r'title: "Read \e7\a\u061c\u202e"')
    )


def no_raw_controls(text: str) -> None:
    assert [c for c in RAW if c in text] == []
    assert not [c for c in text if ord(c) < 32 and c not in "\t\n"]


def test_the_hostile_title_is_loaded_as_written(isolated_home: Path) -> None:
    hostile_home(isolated_home)
    title = catalog.Catalog().get("mine").title
    assert title == "Plan \x1b]0;owned\x07 \x1b[2J \u061c\u202eevil\u2066"


@pytest.mark.parametrize(
    "args",
    [
        ["show", "-r", "mine"],
        ["show", "-r", "mine", "read-paper"],
        ["list"],
        ["search", "read"],
        ["progress", "-r", "mine"],
        ["next", "-r", "mine"],
        ["log"],
    ],
)
def test_views_escape_control_and_bidi_characters(isolated_home: Path, args: list[str]) -> None:
    hostile_home(isolated_home)
    run("note", "read-paper", "-r", "mine", "see \x1b[31mred\u202e")
    out = run(*args).stdout
    no_raw_controls(out)
    assert "\\u061c" in out or "\\x1b" in out


def test_json_views_escape_them_and_keep_the_value(isolated_home: Path) -> None:
    hostile_home(isolated_home)
    out = run("show", "-r", "mine", "--json").stdout
    no_raw_controls(out)
    assert json.loads(out)["roadmap"]["title"] == catalog.Catalog().get("mine").title


def test_export_to_a_file_keeps_the_text_as_it_is(isolated_home: Path, tmp_path: Path) -> None:
    hostile_home(isolated_home)
    for fmt in ("md", "csv"):
        target = tmp_path / f"out.{fmt}"
        run("export", "-r", "mine", "-f", fmt, "-o", str(target))
        assert ITEM in target.read_text(encoding="utf-8")


def on_a_terminal(*args: str) -> str:
    """What the console script writes to stdout when it is a terminal (a pty)."""
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "mlroadmap", *args],
            stdout=slave,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_export_to_a_terminal_escapes(isolated_home: Path, fmt: str) -> None:
    hostile_home(isolated_home)
    shown = on_a_terminal("export", "-r", "mine", "-f", fmt)
    no_raw_controls(shown)
    if fmt == "json":
        assert json.loads(shown)["title"] == catalog.Catalog().get("mine").title
    else:
        assert ITEM_SHOWN in shown


def test_export_to_a_pipe_is_unchanged(isolated_home: Path) -> None:
    hostile_home(isolated_home)
    piped = subprocess.run(
        [sys.executable, "-m", "mlroadmap", "export", "-r", "mine"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert ITEM in piped.stdout


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x00b", "a\\x00b"),
        ("\x9b31m", "\\x9b31m"),
        ("\x7f", "\\x7f"),
        ("\u061c\u200e\u200f", "\\u061c\\u200e\\u200f"),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("r\u00e9sum\u00e9 \u6f22\u5b57 \U0001f680", "r\u00e9sum\u00e9 \u6f22\u5b57 \U0001f680"),
    ],
)
def test_escape_shows_every_control_and_bidi_character(raw: str, shown: str) -> None:
    assert escape(raw) == shown
    assert views.clean(raw) == shown
    assert json.loads(escape_json(json.dumps(raw, ensure_ascii=False))) == raw


# ---------------------------------------------------------------------------
# Length limits and empty arguments


@pytest.mark.parametrize("how", ["note", "--note"])
def test_a_note_over_the_limit_is_one_line_and_exit_2(how: str) -> None:
    text = "x" * 10_001
    args = (
        ["note", "derivatives", text] if how == "note" else ["done", "derivatives", "--note", text]
    )
    result = run(*args, code=2)
    assert result.stderr == "error: the note is 10,001 characters long; the limit is 10,000\n"
    assert json.loads(run("log", "--json").stdout)["events"] == []  # nothing was recorded


def test_a_note_at_the_limit_is_kept() -> None:
    run("note", "derivatives", "x" * 10_000)
    (note,) = json.loads(run("log", "--json").stdout)["events"]
    assert len(note["note"]) == 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["use", ""], "error: an empty roadmap ID was given\n"),
        (["show", "-r", ""], "error: an empty roadmap ID was given\n"),
        (["show", ""], "error: an empty item ID was given\n"),
        (["progress", "-r", ""], "error: an empty roadmap ID was given\n"),
        (["log", "-r", ""], "error: an empty roadmap ID was given\n"),
        (["search", "x", "-r", ""], "error: an empty roadmap ID was given\n"),
        (["export", "-r", ""], "error: an empty roadmap ID was given\n"),
        (["next", "-r", ""], "error: an empty roadmap ID was given\n"),
        (["done", "week-1", "-r", " "], "error: an empty roadmap ID was given\n"),
    ],
)
def test_empty_ids_exit_2(args: list[str], message: str) -> None:
    assert run(*args, code=2).stderr == message


def test_import_with_an_empty_or_long_id_exits_2(tmp_path: Path, isolated_home: Path) -> None:
    source = tmp_path / "plan.md"
    source.write_text("# Plan\n\n- [ ] one\n", encoding="utf-8")
    assert run("import", str(source), "--id", "", code=2).stderr == (
        "error: an empty roadmap ID was given\n"
    )
    long = run("import", str(source), "--id", "a" * 65, code=2).stderr
    assert long.startswith("error: --id 'aaaa")
    assert long.count("\n") == 1
    assert "at most 64" in long
    assert not (isolated_home / "roadmaps").exists()  # nothing was written


def test_a_special_file_among_the_user_roadmaps_is_skipped(isolated_home: Path) -> None:
    folder = isolated_home / "roadmaps"
    folder.mkdir(parents=True)
    (folder / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.yaml")
    result = run("list")
    assert "ml-12-weeks" in result.stdout
    assert result.stderr.splitlines() == [
        f"warning: skipped {folder / 'pipe.yaml'}:1: the file is a pipe, not a regular file",
        f"warning: skipped {folder / 'zero.yaml'}:1: the file is a character device, "
        "not a regular file",
    ]


def test_the_catalogue_collects_problems_and_prints_nothing(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user_roadmap(isolated_home, "mine.yaml", mine())
    bad = user_roadmap(isolated_home, "bad.yaml", HEAD.replace("demo", "bad") + "children: []\n")
    catalog.take_warnings()
    found = catalog.Catalog()
    ids = [r.id for r in found.all()]
    assert "mine" in ids
    assert "bad" not in ids
    problem = f"{bad}:5: children: List should have at least 1 item after validation, not 0"
    assert found.problems == {bad: [problem]}
    assert found.find("bad") is None
    assert catalog.take_warnings() == [problem]
    assert catalog.take_warnings() == []  # reported once
    with pytest.raises(RoadmapFileError) as info:
        found.get("bad")
    assert info.value.problems == [problem]
    assert capsys.readouterr() == ("", "")


def test_a_command_reports_only_what_it_skipped(isolated_home: Path) -> None:
    bad = user_roadmap(isolated_home, "bad.yaml", HEAD.replace("demo", "bad") + "children: []\n")
    catalog.Catalog().all()  # skipped outside any command: not reported by the next one
    assert run("show").stderr == ""  # the active roadmap only: the bad file is not read
    assert run("list").stderr.startswith(f"warning: skipped {bad}:5: children: ")


def test_more_nodes_than_the_cap_are_refused_where_the_cap_is_passed() -> None:
    text = "".join(f"- {i}\n" for i in range(catalog.MAX_NODES + 10))
    with pytest.raises(RoadmapFileError) as info:
        parse_yaml(text, "many.yaml")
    # The sequence is one node, then each line one: line N holds node N + 1.
    assert info.value.problems == [
        f"many.yaml:{catalog.MAX_NODES}: the document has more than {catalog.MAX_NODES:,} nodes"
    ]


def test_more_aliases_than_the_budget_are_refused_as_they_are_read() -> None:
    aliases = ", ".join(["*a"] * (catalog.MAX_ALIAS_NODES + 1))
    with pytest.raises(RoadmapFileError) as info:
        parse_yaml(f"a: &a 1\nb: [{aliases}]\n", "aliases.yaml")
    assert info.value.problems == [
        "aliases.yaml:2: the document expands to too many nodes (aliases?)"
    ]


def test_a_refused_file_is_not_parsed_again_for_the_same_content(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, problem = bad_roadmap(isolated_home, "brackets")
    assert run("list").stderr == f"warning: skipped {problem}\n"

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(catalog, "_checked", no_parsing)
    assert run("list").stderr == f"warning: skipped {problem}\n"
    # The same content under another name: the problems name the new file.
    other = path.with_name("other.yaml")
    other.write_bytes(path.read_bytes())
    assert f"warning: skipped {other}:5: " in run("list").stderr
    path.write_text(path.read_text() + "# changed\n")  # new content: parsed afresh
    with pytest.raises(AssertionError, match="parsed again"):
        catalog.load_file(path)
