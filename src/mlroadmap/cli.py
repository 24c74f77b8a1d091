"""The ``mlroadmap`` command line: parse options, call the core, hand results to render.

This is the one place that turns an ``MlroadmapError`` into a message on
stderr and an exit code.
"""

import contextlib
import functools
import gc
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from mlroadmap import __version__
from mlroadmap.errors import ExitStatus, MlroadmapError, UserError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="mlroadmap",
    help=(
        "Follow machine-learning engineering roadmaps from the terminal: "
        "tick what you have done, see progress, pace and what comes next.\n\n"
        "Examples:\n\n"
        "  mlroadmap show              the active roadmap as a tree, with ticks\n\n"
        "  mlroadmap done week-5       tick everything in week 5\n\n"
        "  mlroadmap progress          done/total per section, pace, ETA"
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def handle_errors(fn: F) -> F:
    """Report an MlroadmapError as one clear message and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MlroadmapError as exc:
            from mlroadmap import render

            render.error(exc.message, exc.hint)
            raise typer.Exit(int(exc.exit_code)) from None

    return wrapper  # type: ignore[return-value]


def output(
    as_json: bool, to_json: Callable[..., Any], to_view: Callable[..., Any], *args: Any
) -> None:
    """One JSON document on stdout, or the Rich view of the same result."""
    from mlroadmap import render

    if as_json:
        render.emit_json(to_json(*args))
    else:
        render.console().print(to_view(*args))


COMMANDS: set[str] = set()


def command(name: str, **kwargs: Any) -> Callable[[F], F]:
    def register(fn: F) -> F:
        app.command(name, **kwargs)(handle_errors(fn))
        COMMANDS.add(name)
        return fn

    return register


# ---------------------------------------------------------------------------
# Shell completion (kept cheap: it runs on every Tab)


def complete_roadmap(incomplete: str) -> list[str]:
    try:
        from mlroadmap.catalog import Catalog

        return [rid for rid in Catalog().ids() if rid.startswith(incomplete)]
    except Exception:
        return []


def complete_item(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        from mlroadmap.tracker import Tracker

        roadmap = Tracker().roadmap(ctx.params.get("roadmap"))
        return [name for name in roadmap.index.names if name.startswith(incomplete)]
    except Exception:
        return []


# ---------------------------------------------------------------------------
# Options shared by several commands

RoadmapOpt = Annotated[
    str | None,
    typer.Option(
        "--roadmap",
        "-r",
        help="Roadmap ID (or unique prefix) to use instead of the active one.",
        autocompletion=complete_roadmap,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document (see README).")]
CreditOpt = Annotated[
    bool | None,
    typer.Option(
        "--credit/--no-credit",
        help="Count items whose skills were learned in other roadmaps "
        "(default: the shared-credit setting).",
        show_default=False,
    ),
]
ItemsArg = Annotated[
    list[str],
    typer.Argument(
        help="Item IDs, aliases or unique prefixes; a section means every item under it.",
        autocompletion=complete_item,
        show_default=False,
    ),
]


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        detail = str(exc) if "out of range" in str(exc) else "expected YYYY-MM-DD"
        raise UserError(f"{option} {value!r} is not a valid date: {detail}") from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlroadmap {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Follow machine-learning engineering roadmaps from the terminal."""


# ---------------------------------------------------------------------------
# Commands


@command("list")
def list_cmd(json: JsonOpt = False, credit: CreditOpt = None) -> None:
    """List the roadmaps with done/total; * marks the active one.

    Example: mlroadmap list
    """
    from mlroadmap import render, tracker

    summaries = tracker.list_roadmaps(tracker.Tracker(), credit=credit)
    output(json, render.list_json, render.list_table, summaries)


@command("use")
def use_cmd(
    roadmap: Annotated[
        str, typer.Argument(help="Roadmap ID or unique prefix.", autocompletion=complete_roadmap)
    ],
    start: Annotated[
        str | None,
        typer.Option("--start", help="Start date (YYYY-MM-DD) for pace and schedule."),
    ] = None,
) -> None:
    """Make ROADMAP the active roadmap, optionally with its start date.

    Example: mlroadmap use mle-6-months --start 2026-09-01
    """
    from mlroadmap import render, tracker

    chosen = tracker.use(tracker.Tracker(), query=roadmap, start=parse_date(start, "--start"))
    render.notice(f"Now following {chosen.id}: {chosen.title}.")


@command("show")
def show_cmd(
    item: Annotated[
        str | None,
        typer.Argument(
            help="Show only this section, or one item in detail.",
            autocompletion=complete_item,
            show_default=False,
        ),
    ] = None,
    roadmap: RoadmapOpt = None,
    depth: Annotated[
        int | None, typer.Option("--depth", "-d", help="Show only N levels of the tree.")
    ] = None,
    todo: Annotated[bool, typer.Option("--todo", help="Hide what is done or skipped.")] = False,
    json: JsonOpt = False,
    credit: CreditOpt = None,
) -> None:
    """Show the roadmap as a tree with a mark per item: [x] done, [~] in progress,
    [-] skipped, [ ] to do. Branches show done/total.

    Examples: mlroadmap show; mlroadmap show week-5; mlroadmap show --depth 2 --todo
    """
    from mlroadmap import render, tracker

    result = tracker.show(
        tracker.Tracker(),
        query=item,
        roadmap_query=roadmap,
        depth=depth,
        todo_only=todo,
        credit=credit,
        with_notes=json,
    )
    output(json, render.show_json, render.show_tree, result)


def _mark(
    items: list[str],
    action: str,
    roadmap: str | None,
    note: str | None = None,
    on: date | None = None,
) -> None:
    from mlroadmap import render, tracker

    result = tracker.mark(
        tracker.Tracker(), queries=items, action=action, roadmap_query=roadmap, note=note, on=on
    )
    render.notice(render.mark_message(result))


NoteOpt = Annotated[
    str | None, typer.Option("--note", help="A note or a link to the work that proves it.")
]


@command("done")
def done_cmd(
    items: ItemsArg,
    roadmap: RoadmapOpt = None,
    note: NoteOpt = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The day it really happened (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Tick items as done; a section ticks every item under it.

    Examples: mlroadmap done week-5; mlroadmap done gradient-descent --note "notebook: ..."
    """
    _mark(items, "done", roadmap, note, parse_date(on, "--on"))


@command("undo")
def undo_cmd(items: ItemsArg, roadmap: RoadmapOpt = None) -> None:
    """Put items back to to-do (a section: every item under it).

    Example: mlroadmap undo week-5
    """
    _mark(items, "todo", roadmap)


@command("start")
def start_cmd(items: ItemsArg, roadmap: RoadmapOpt = None, note: NoteOpt = None) -> None:
    """Mark items as in progress; a section leaves its done and skipped items as they are.

    Example: mlroadmap start week-6
    """
    _mark(items, "start", roadmap, note)


@command("skip")
def skip_cmd(items: ItemsArg, roadmap: RoadmapOpt = None, note: NoteOpt = None) -> None:
    """Mark items as not needed; progress counts them as settled, apart from done.

    A section leaves its done items as they are.

    Example: mlroadmap skip matplotlib-seaborn --note "already know it"
    """
    _mark(items, "skip", roadmap, note)


@command("note")
def note_cmd(
    item: Annotated[str, typer.Argument(help="Item ID.", autocompletion=complete_item)],
    text: Annotated[str, typer.Argument(help="The note: a thought or a link.")],
    roadmap: RoadmapOpt = None,
) -> None:
    """Attach a note to an item (shown by 'show' and 'show ID').

    Example: mlroadmap note cnn-cifar10 "https://github.com/me/cifar-cnn"
    """
    from mlroadmap import render, tracker

    result = tracker.add_note(tracker.Tracker(), query=item, text=text, roadmap_query=roadmap)
    render.notice(render.mark_message(result))


@command("progress")
def progress_cmd(
    roadmap: RoadmapOpt = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every roadmap.")] = False,
    json: JsonOpt = False,
    credit: CreditOpt = None,
) -> None:
    """Done/total per section with a bar, then pace, ETA and schedule.

    Examples: mlroadmap progress; mlroadmap progress --all --json
    """
    from mlroadmap import render, tracker

    if all_ and roadmap:
        raise UserError("give either --roadmap or --all, not both")
    t = tracker.Tracker()
    results = (
        tracker.progress_all(t, credit=credit)
        if all_
        else [tracker.progress(t, roadmap=t.roadmap(roadmap), credit=credit)]
    )
    if json:
        docs = [render.progress_json(r) for r in results]
        render.emit_json({"roadmaps": docs} if all_ else docs[0])
        return
    out = render.console()
    for i, result in enumerate(results):
        if i:
            out.print()
        out.print(render.progress_view(result))


@command("next")
def next_cmd(
    count: Annotated[int, typer.Option("--count", "-n", help="How many items.")] = 5,
    roadmap: RoadmapOpt = None,
    quick_wins: Annotated[
        bool,
        typer.Option(
            "--quick-wins", help="Prefer items whose skills you learned (partly) elsewhere."
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """What to work on now: items in progress, then the first ones not done.

    Examples: mlroadmap next -n 3; mlroadmap next --quick-wins
    """
    from mlroadmap import render, tracker

    result = tracker.next_up(
        tracker.Tracker(), limit=count, roadmap_query=roadmap, quick_wins=quick_wins
    )
    output(json, render.next_json, render.next_view, result)


@command("log")
def log_cmd(
    since: Annotated[
        str | None, typer.Option("--since", help="Only from this day on (YYYY-MM-DD).")
    ] = None,
    roadmap: RoadmapOpt = None,
    calendar: Annotated[
        bool,
        typer.Option("--calendar", help="A year of active days as a heatmap, with streaks."),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """What happened when (every roadmap unless -r), or a heatmap of active days.

    Examples: mlroadmap log --since 2026-11-01; mlroadmap log --calendar
    """
    from mlroadmap import render, tracker

    t = tracker.Tracker()
    if calendar:
        if since or roadmap:
            raise UserError("--calendar covers the last year of every roadmap; drop --since/-r")
        cal = tracker.calendar(t)
        output(json, render.calendar_json, render.calendar_view, cal)
        return
    entries = tracker.log(t, since=parse_date(since, "--since"), roadmap_query=roadmap)
    output(json, render.log_json, render.log_view, entries)


@command("search")
def search_cmd(
    text: Annotated[str, typer.Argument(help="Words to find (all must match).")],
    roadmap: RoadmapOpt = None,
    json: JsonOpt = False,
) -> None:
    """Find items in every roadmap by ID, title, description and resources.

    Example: mlroadmap search "transfer learning"
    """
    from mlroadmap import render, tracker

    hits = tracker.search(tracker.Tracker(), text=text, roadmap_query=roadmap)
    output(json, render.search_json, render.search_view, hits, text)


@command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="A Markdown roadmap, a JSON export, or a roadmap.sh roadmap folder.",
        ),
    ],
    roadmap_id: Annotated[
        str | None,
        typer.Option("--id", help="ID for the new roadmap (default: from the file name)."),
    ] = None,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Record the file's marks: [x] items as done; an export's marks, days and notes.",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a user roadmap with the same ID.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Resolve relative links against this URL (a GitHub blob or raw URL works).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the outline and the summary; write nothing."),
    ] = False,
) -> None:
    """Import a roadmap: checklists, course tables, link lists, lists, roadmap.sh folders.

    Prints what it found and what it left out (contents, contributing, team ...).
    Example: mlroadmap import README.md --id my-roadmap --base-url https://github.com/o/r
    """
    from mlroadmap import importview, render, tracker

    result = tracker.import_roadmap(
        tracker.Tracker(),
        source=file,
        roadmap_id=roadmap_id,
        with_progress=with_progress,
        force=force,
        base_url=base_url,
        dry_run=dry_run,
    )
    if dry_run:
        for line in importview.outline_lines(result.roadmap):
            typer.echo(render.clean(line))
    for line in importview.summary_lines(result.summary):
        render.notice(line)
    if result.path is None:
        render.notice(f"Dry run: {result.items} items; nothing was written.")
        return
    message = f"Imported {result.roadmap.id} ({result.items} items) to {result.path}."
    if with_progress:
        message += f" {result.checked} marked done."
    render.notice(message + f" Try: mlroadmap show -r {result.roadmap.id}")


@command("validate")
def validate_cmd(
    files: Annotated[list[Path], typer.Argument(help="Roadmap YAML files to check.")],
) -> None:
    """Check roadmap files; print every problem as file:line: message (exit 2 if any).

    Example: mlroadmap validate ~/.local/share/mlroadmap/roadmaps/*.yaml
    """
    from mlroadmap import render, tracker

    bad = 0
    for path in files:
        roadmap, problems = tracker.validate_file(path)
        for line in problems:
            typer.echo(render.clean(line))
        if roadmap is None:
            bad += 1
        else:
            typer.echo(f"{render.clean(str(path))}: ok ({len(roadmap.index.leaves)} items)")
    if bad:
        raise typer.Exit(int(ExitStatus.USAGE))


@command("export")
def export_cmd(
    roadmap: RoadmapOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, json or csv.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Export the roadmap with your marks as Markdown, JSON or CSV.

    Markdown export imports back to the same items and marks.
    Example: mlroadmap export --format md -o my-progress.md
    """
    from mlroadmap import render, tracker

    text = tracker.export(tracker.Tracker(), roadmap_query=roadmap, fmt=fmt.lower())
    if output is None:
        sys.stdout.write(text)
        return
    tracker.write_export(text, output)
    render.notice(f"Wrote {output}.")


@command("skills")
def skills_cmd(
    todo: Annotated[
        bool, typer.Option("--todo", help="Only skills not learned anywhere, most shared first.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Skills shared by several roadmaps, and where you have learned each.

    An item done in one roadmap credits the items of the same skill in the
    others (shown as [c] by 'show'). Example: mlroadmap skills --todo
    """
    from mlroadmap import render, tracker

    result = tracker.skills_table(tracker.Tracker(), todo_only=todo)
    output(json, render.skills_json, render.skills_view, result)


@command("config")
def config_cmd(
    key: Annotated[str | None, typer.Argument(help="Setting: shared-credit.")] = None,
    value: Annotated[str | None, typer.Argument(help="New value: on or off.")] = None,
) -> None:
    """Show or change settings.

    Example: mlroadmap config shared-credit off
    """
    from mlroadmap import tracker

    for name, current in tracker.config(tracker.Tracker(), key=key, value=value).items():
        typer.echo(f"{name} = {current}")


@command("doctor")
def doctor_cmd(
    restore: Annotated[
        bool,
        typer.Option(
            "--restore", help="Put the backup (store.json.bak) back; the current file is kept."
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Check the store and its backup, list ticks on items no roadmap has now,
    and delete temporary files left by killed writes.

    Exits 1 when the store is unreadable. Example: mlroadmap doctor --restore
    """
    from mlroadmap import render, tracker

    report = tracker.doctor(tracker.Tracker(), restore=restore)
    output(json, render.doctor_json, render.doctor_view, report)
    if not report.healthy:
        raise typer.Exit(int(ExitStatus.STORE))


@command("merge")
def merge_cmd(
    other: Annotated[
        Path,
        typer.Argument(help="Another copy of store.json (say, from your laptop).", dir_okay=False),
    ],
) -> None:
    """Merge another copy of the store into this one: every event of both, once.

    Example: mlroadmap merge ~/laptop-store.json
    """
    from mlroadmap import render, tracker

    result = tracker.merge(tracker.Tracker(), other=other)
    render.notice(f"Merged {result.other}: {result.added} new events, {result.total} in all.")


def invoked_command(words: list[str]) -> str | None:
    """The subcommand the words name, when it is one of ours.

    The root takes no option with a value, so the first word that is not an
    option is the subcommand.
    """
    for word in words:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _command_words() -> list[str]:
    """The words after the program name: the command line, or the ones shell completion has."""
    if not os.environ.get("_MLROADMAP_COMPLETE"):
        return sys.argv[1:]
    import shlex

    try:
        if "COMP_WORDS" in os.environ:  # bash: the word being completed is not settled yet
            return shlex.split(os.environ["COMP_WORDS"])[1 : int(os.environ["COMP_CWORD"])]
        return shlex.split(os.environ.get("_TYPER_COMPLETE_ARGS", ""))[1:-1]
    except ValueError:
        return []


def run() -> int:
    """Run the app on ``sys.argv`` and return its exit status.

    Typer builds a command for every registered function before it parses
    anything, which costs about a millisecond a command. When the command
    line names one, only that one is built (help, errors and completion of
    its options are unchanged); otherwise every command is. A closed pipe
    or Ctrl-C ends quietly.
    """
    registered = app.registered_commands
    name = invoked_command(_command_words())
    if name is not None:
        app.registered_commands = [c for c in registered if c.name == name]
    try:
        app()
    except SystemExit as exc:
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except OSError as exc:  # a full disk under stdout, a terminal gone, a file we could not use
        return _os_error(exc)
    finally:
        app.registered_commands = registered
    return 0


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` would give, printing a message as it would."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _closed_pipe() -> int:
    # Whoever read our output has gone: send the rest nowhere, without a traceback.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return int(ExitStatus.STORE)


def _os_error(exc: OSError) -> int:
    """One line for a system error no command turned into a message of its own."""
    what = f"{exc.filename}" if exc.filename else "cannot write the output"
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"error: {what}: {exc.strerror or exc}\n")
        sys.stderr.flush()
    return int(ExitStatus.STORE)


def main() -> None:
    """The console script: run, flush the output, and leave at once.

    A command lives for a fraction of a second, so the cyclic garbage
    collector is switched off: its passes over a large roadmap's objects
    cost more time than they free memory. Every file is written, fsynced
    and closed before a command returns, so once stdout and stderr are
    flushed the process exits without the interpreter's teardown (freeing
    each object one by one), which on a large roadmap costs as much as
    loading it.
    """
    gc.disable()
    status = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        status = _closed_pipe()
    except OSError as exc:
        status = _os_error(exc)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(status)
