"""The ``mlroadmap`` command line: parse options, call the tracker, hand results to a view.

This is the one place that turns an ``MlroadmapError`` into a message on
stderr and an exit code.
"""

import contextlib
import enum
import functools
import gc
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from mlroadmap import __version__
from mlroadmap.errors import ExitStatus, MlroadmapError, UserError
from mlroadmap.text import plural
from mlroadmap.vocabulary import DEFAULT_LOG_LIMIT, ExportFormat, ReportFormat, Setting

F = TypeVar("F", bound=Callable[..., Any])


class RootGroup(TyperGroup):
    """The root command: its options are parsed as ``PlainValueCommand``'s are."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="mlroadmap",
    cls=RootGroup,
    help=(
        "Follow machine-learning engineering roadmaps from the terminal: "
        "tick what you have done, see progress, pace and what comes next.\n\n"
        "\b\nExamples:\n"
        "  mlroadmap                   the active roadmap at a glance\n"
        "  mlroadmap show              the active roadmap as a tree, with ticks\n"
        "  mlroadmap done week-5       tick everything in week 5\n"
        "  mlroadmap progress          done/total per section, pace, ETA"
    ),
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def handle_errors(fn: F) -> F:
    """Report an MlroadmapError as one clear message and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        report_skipped(show=False)  # only this command's own
        try:
            result = fn(*args, **kwargs)
        except MlroadmapError as exc:
            from mlroadmap import views

            report_skipped()
            views.error(exc.message, exc.hint)
            raise typer.Exit(int(exc.exit_code)) from None
        except typer.Exit:
            report_skipped()
            raise
        report_skipped()
        return result

    return wrapper  # type: ignore[return-value]


def report_skipped(*, show: bool = True) -> None:
    """One warning line on stderr per roadmap file the command skipped (it could not load)."""
    catalog = sys.modules.get("mlroadmap.catalog")
    if catalog is None:
        return
    lines = catalog.take_warnings()
    if lines and show:
        from mlroadmap import views

        for line in lines:
            views.notice(f"warning: skipped {line}")


def output(
    as_json: bool, to_json: Callable[..., Any], to_view: Callable[..., Any], *args: Any
) -> None:
    """One JSON document on stdout, or the view of the same result.

    A view is a Rich renderable, or plain text written as it is (never wrapped).
    """
    if as_json:
        from mlroadmap import jsondoc

        jsondoc.emit(to_json(*args))
        return
    view = to_view(*args)
    if isinstance(view, str):
        sys.stdout.write(view)
        return
    from mlroadmap import views

    views.show(view)


class HelpCommand(TyperCommand):
    """A command whose help names arguments as people write them (``ITEM...``),
    without Python types (``<list[str]>``) or braces (``{items}``), and whose
    plain values are taken as they are (``plain_coercion``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), getattr(param, "help", None) or ""))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _argument_name(param: Any) -> str:
    name = str(param.metavar or (param.name or "").upper())
    return name if name.endswith("...") or param.nargs == 1 else f"{name}..."


# ---------------------------------------------------------------------------
# Plain option values without Pydantic
#
# Typer (the versions that vendor Click) coerces every parameter's value, an
# absent one too, with a Pydantic ``TypeAdapter`` it builds for the parameter:
# the first one imports Pydantic, the largest part of a command's start-up. The values our everyday
# options take need no coercion: a string is kept, a flag is a bool already,
# a count is ASCII digits, and a path is ``Path(value)`` (what Pydantic makes of
# a string), checked by Typer's own code. Those are taken as Typer would return
# them; any other value goes to Typer's own coercion (same result, same error
# message).

_NOT_PLAIN = object()
_PLAIN_INT_DIGITS = 18  # int() of up to 18 ASCII digits is Pydantic's int, with no limit to meet


def plain_value(annotation: Any, value: Any) -> Any:
    """``value`` as Typer's coercion to ``annotation`` returns it, or ``_NOT_PLAIN``."""
    kind = type(value)
    if annotation is str or annotation is bool:
        return value if kind is annotation else _NOT_PLAIN
    if annotation is int:
        if kind is int:
            return value
        if kind is str and 0 < len(value) <= _PLAIN_INT_DIGITS and value.isascii():
            return int(value) if value.isdigit() else _NOT_PLAIN
        return _NOT_PLAIN
    if annotation == list[str] and kind in (list, tuple):
        return list(value) if all(type(v) is str for v in value) else _NOT_PLAIN
    if _str_enum(annotation):  # a choice: its member, when the value is one's exactly
        if kind is annotation:
            return value
        if kind is str:
            return next((m for m in annotation if m.value == value), _NOT_PLAIN)
    return _NOT_PLAIN


def _str_enum(annotation: Any) -> bool:
    """An Enum whose members' values are all strings (the choices our options offer)."""
    return (
        isinstance(annotation, type)
        and issubclass(annotation, enum.Enum)
        and all(type(m.value) is str for m in annotation)
    )


def _plain_annotation(descriptor: Any) -> bool:
    """A parameter whose values ``plain_value`` knows (no parser, file or range; a
    choice only of a string Enum's members), or a ``Path`` (``_plain_path``)."""
    annotation = descriptor.annotation
    info = descriptor.parameter_info
    choice = _str_enum(annotation)
    if getattr(info, "parser", None) is not None or descriptor.file_annotation is not None:
        return False
    if annotation is Path:
        return descriptor.is_path and getattr(info, "path_type", None) is None
    return (
        (annotation in (str, bool, int) or annotation == list[str] or choice)
        and getattr(info, "min", None) is None
        and getattr(info, "max", None) is None
        and not descriptor.is_path
        and (choice or not descriptor.is_choice)
    )


@functools.cache
def _runtime_param_classes() -> tuple[type[Any], type[Any]] | None:
    """Typer's runtime parameters: one that takes plain values as they are, and one
    that builds Typer's own coercion only for a value given (a parameter left out
    needs none); None for a Typer that does not coerce this way."""
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer._param_types import coerce_cli_path
    except ImportError:
        return None
    import dataclasses

    expected = {"parameter_info", "annotation"}
    if not hasattr(RuntimeParam, "_coerce_value") or not (
        dataclasses.is_dataclass(RuntimeParam)
        and {f.name for f in dataclasses.fields(RuntimeParam)} == expected
    ):
        return None  # a Typer whose coercion is not the one this knows: left to it

    class LazyRuntimeParam(RuntimeParam):
        # Called as Typer calls it (value, param=..., ctx=...); whatever else a later
        # Typer passes goes on to its own coercion as it came.
        def _coerce_value(self, value: Any, *args: Any, **kwargs: Any) -> Any:
            param = kwargs["param"] if "param" in kwargs else args[0]
            typer_param = build_runtime_param(param.type_descriptor)
            param._runtime_param = typer_param
            return typer_param._coerce_value(value, *args, **kwargs)

    class PlainRuntimeParam(LazyRuntimeParam):
        def _coerce_value(self, value: Any, *args: Any, **kwargs: Any) -> Any:
            if self.annotation is Path:
                path = Path(value) if type(value) is str else None
                # Typer's checks of the path, without Pydantic's Path(); its messages
                # name the value as given, so one that Path() rewrites is left to it.
                if path is not None and str(path) == value:
                    param = kwargs["param"] if "param" in kwargs else args[0]
                    ctx = kwargs["ctx"] if "ctx" in kwargs else args[1]
                    info = self.parameter_info
                    try:
                        return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
                    except ValueError:  # a name the system refuses: Typer says so
                        pass
                return super()._coerce_value(value, *args, **kwargs)
            plain = plain_value(self.annotation, value)
            if plain is not _NOT_PLAIN:
                return plain
            return super()._coerce_value(value, *args, **kwargs)

    return PlainRuntimeParam, LazyRuntimeParam


def plain_coercion(params: list[Any]) -> None:
    """Give each parameter the runtime parameter of ``_runtime_param_classes``: the
    plain one where ``plain_value`` knows its values, else the lazy one."""
    classes = _runtime_param_classes()
    if classes is None:
        return
    plain, lazy = classes
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is not None and getattr(param, "_runtime_param", False) is None:
            runtime = plain if _plain_annotation(descriptor) else lazy
            param._runtime_param = runtime(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )


COMMANDS: set[str] = set()


def command(name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command; its summary in the command list is its docstring's first line."""

    def register(fn: F) -> F:
        summary = (fn.__doc__ or "").strip().splitlines()[0]
        app.command(name, cls=HelpCommand, short_help=summary, **kwargs)(handle_errors(fn))
        COMMANDS.add(name)
        return fn

    return register


# ---------------------------------------------------------------------------
# Shell completion (kept cheap: it runs on every Tab)


def complete_roadmap(incomplete: str) -> list[str]:
    try:
        from mlroadmap.tracker import Tracker

        return [rid for rid in Tracker().catalog.ids() if rid.startswith(incomplete)]
    except Exception:
        return []


def complete_item(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        from mlroadmap.tracker import Tracker

        roadmap = Tracker().roadmap(ctx.params.get("roadmap"))
        return [name for name in roadmap.index.names if name.startswith(incomplete)]
    except Exception:
        return []


def complete_on_off(incomplete: str) -> list[str]:
    return [word for word in ("on", "off") if word.startswith(incomplete.lower())]


# ---------------------------------------------------------------------------
# Options shared by several commands

RoadmapOpt = Annotated[
    str | None,
    typer.Option(
        "--roadmap",
        "-r",
        metavar="ROADMAP",
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
        metavar="ITEM...",
        help="Item IDs (or ROADMAP/ITEM), aliases or unique prefixes; "
        "a section means every item under it.",
        autocompletion=complete_item,
        show_default=False,
    ),
]
NoteOpt = Annotated[
    str | None,
    typer.Option("--note", metavar="TEXT", help="A note or a link to the work that proves it."),
]
OnOpt = Annotated[
    str | None,
    typer.Option(
        "--on", metavar="DATE", help="The day it really happened (YYYY-MM-DD; default today)."
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


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Follow machine-learning engineering roadmaps from the terminal."""
    if ctx.invoked_subcommand is None:
        handle_errors(_overview)()


def _overview() -> None:
    """Bare ``mlroadmap``: the active roadmap at a glance."""
    from mlroadmap import tracker, views

    views.show(views.overview_view(tracker.overview(tracker.Tracker())))


# ---------------------------------------------------------------------------
# Commands


@command("list")
def list_cmd(json: JsonOpt = False, credit: CreditOpt = None) -> None:
    """List the roadmaps with done/total; * marks the active one.

    \b
    Example:
      mlroadmap list
    """
    from mlroadmap import jsondoc, tracker, views

    summaries = tracker.list_roadmaps(tracker.Tracker(), credit=credit)
    output(json, jsondoc.list_json, views.list_table, summaries)


@command("use")
def use_cmd(
    roadmap: Annotated[
        str,
        typer.Argument(
            metavar="ROADMAP",
            help="Roadmap ID or unique prefix.",
            autocompletion=complete_roadmap,
            show_default=False,
        ),
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--start", metavar="DATE", help="Start date (YYYY-MM-DD) for pace and schedule."
        ),
    ] = None,
) -> None:
    """Make a roadmap the active one, optionally with its start date.

    \b
    Example:
      mlroadmap use mle-6-months --start 2026-09-01
    """
    from mlroadmap import tracker, views

    chosen = tracker.use(tracker.Tracker(), query=roadmap, start=parse_date(start, "--start"))
    views.notice(views.use_message(chosen))


@command("show")
def show_cmd(
    item: Annotated[
        str | None,
        typer.Argument(
            metavar="ITEM",
            help="A section, one item in detail (ID or ROADMAP/ITEM), or a roadmap's ID.",
            autocompletion=complete_item,
            show_default=False,
        ),
    ] = None,
    roadmap: RoadmapOpt = None,
    depth: Annotated[
        int | None,
        typer.Option("--depth", "-d", metavar="N", help="Show only N levels of the tree."),
    ] = None,
    todo: Annotated[bool, typer.Option("--todo", help="Hide what is done or skipped.")] = False,
    json: JsonOpt = False,
    credit: CreditOpt = None,
) -> None:
    """Show the roadmap as a tree with a mark per item.

    Marks: [x] done, [~] in progress, [-] skipped, [c] credited, [ ] to do.
    Branches show done/total, and a section its own notes and links.

    \b
    Examples:
      mlroadmap show
      mlroadmap show week-5
      mlroadmap show pro-mle/linear-regression
      mlroadmap show --depth 2 --todo
    """
    from mlroadmap import jsondoc, tracker, views

    result = tracker.show(
        tracker.Tracker(),
        query=item,
        roadmap_query=roadmap,
        depth=depth,
        todo_only=todo,
        credit=credit,
        with_notes=json,
    )
    output(json, jsondoc.show_json, views.show_tree, result)


def _mark(
    items: list[str],
    action: str,
    roadmap: str | None,
    note: str | None = None,
    on: date | None = None,
) -> None:
    from mlroadmap import tracker, views

    result = tracker.mark(
        tracker.Tracker(), queries=items, action=action, roadmap_query=roadmap, note=note, on=on
    )
    views.notice(views.mark_message(result))


@command("done")
def done_cmd(
    items: ItemsArg, roadmap: RoadmapOpt = None, note: NoteOpt = None, on: OnOpt = None
) -> None:
    """Tick items as done; a section ticks every item under it.

    With --on, an item already done is re-dated to that day.

    \b
    Examples:
      mlroadmap done week-5
      mlroadmap done gradient-descent --note "notebook: https://..."
      mlroadmap done linear-regression --on 2026-11-02
    """
    _mark(items, "done", roadmap, note, parse_date(on, "--on"))


@command("undo")
def undo_cmd(
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ITEM...",
            help="Put these items back to to-do instead (a section: every item under it).",
            autocompletion=complete_item,
            show_default=False,
        ),
    ] = None,
    roadmap: RoadmapOpt = None,
) -> None:
    """Take back your last change; repeated, it goes further back. With ITEM: back to to-do.

    Undoing a change restores each item it touched as it was before, with its
    date, and removes the notes it added. 'undo ITEM' (or 'reset ITEM') puts
    items back to to-do, whatever they were.

    \b
    Examples:
      mlroadmap undo
      mlroadmap undo week-5
    """
    if items:
        _mark(items, "todo", roadmap)
        return
    if roadmap is not None:
        raise UserError("-r goes with items: 'mlroadmap undo' takes back the last change")
    from mlroadmap import tracker, views

    views.notice(views.undo_message(tracker.undo_last(tracker.Tracker())))


@command("reset")
def reset_cmd(items: ItemsArg, roadmap: RoadmapOpt = None) -> None:
    """Put items back to to-do (a section: every item under it); the same as 'undo ITEM'.

    \b
    Example:
      mlroadmap reset week-5
    """
    _mark(items, "todo", roadmap)


@command("start")
def start_cmd(
    items: ItemsArg, roadmap: RoadmapOpt = None, note: NoteOpt = None, on: OnOpt = None
) -> None:
    """Mark items as in progress; a section leaves its done and skipped items as they are.

    \b
    Example:
      mlroadmap start week-6
    """
    _mark(items, "start", roadmap, note, parse_date(on, "--on"))


@command("skip")
def skip_cmd(
    items: ItemsArg, roadmap: RoadmapOpt = None, note: NoteOpt = None, on: OnOpt = None
) -> None:
    """Mark items as not needed; progress counts them as settled, apart from done.

    A section leaves its done items as they are.

    \b
    Example:
      mlroadmap skip matplotlib-seaborn --note "already know it"
    """
    _mark(items, "skip", roadmap, note, parse_date(on, "--on"))


@command("note")
def note_cmd(
    item: Annotated[
        str,
        typer.Argument(
            metavar="ITEM", help="Item ID (or ROADMAP/ITEM).", autocompletion=complete_item
        ),
    ],
    text: Annotated[
        str | None,
        typer.Argument(metavar="TEXT", help="The note: a thought or a link.", show_default=False),
    ] = None,
    roadmap: RoadmapOpt = None,
    edit: Annotated[
        int | None,
        typer.Option("--edit", metavar="N", help="Replace note N (as 'show ITEM' numbers them)."),
    ] = None,
    delete: Annotated[
        int | None,
        typer.Option("--delete", metavar="N", help="Delete note N (as 'show ITEM' numbers them)."),
    ] = None,
) -> None:
    """Attach a note to an item, or edit or delete one.

    Notes show in 'show ITEM', numbered.

    \b
    Examples:
      mlroadmap note cnn-cifar10 "https://github.com/me/cifar-cnn"
      mlroadmap note cnn-cifar10 --edit 1 "https://github.com/me/cifar10-cnn"
      mlroadmap note cnn-cifar10 --delete 1
    """
    from mlroadmap import tracker, views

    if edit is not None and delete is not None:
        raise UserError("give either --edit or --delete, not both")
    t = tracker.Tracker()
    if delete is not None:
        if text is not None:
            raise UserError("--delete takes no text")
        change = tracker.change_note(t, query=item, number=delete, text=None, roadmap_query=roadmap)
        views.notice(views.note_message(change))
        return
    if text is None:
        raise UserError("give the note's text", hint='mlroadmap note ITEM "text"')
    if edit is not None:
        change = tracker.change_note(t, query=item, number=edit, text=text, roadmap_query=roadmap)
        views.notice(views.note_message(change))
        return
    result = tracker.add_note(t, query=item, text=text, roadmap_query=roadmap)
    views.notice(views.mark_message(result))


@command("progress")
def progress_cmd(
    roadmap: RoadmapOpt = None,
    all_: Annotated[
        bool, typer.Option("--all", "-a", help="Every roadmap, one line each.")
    ] = False,
    json: JsonOpt = False,
    credit: CreditOpt = None,
) -> None:
    """Done/total per section with a bar, then pace, ETA and schedule.

    \b
    Examples:
      mlroadmap progress
      mlroadmap progress --all
      mlroadmap progress --all --json
    """
    from mlroadmap import jsondoc, tracker, views

    if all_ and roadmap:
        raise UserError("give either --roadmap or --all, not both")
    t = tracker.Tracker()
    results = (
        tracker.progress_all(t, credit=credit)
        if all_
        else [tracker.progress(t, roadmap=t.roadmap(roadmap), credit=credit)]
    )
    output(json, jsondoc.progress_doc, views.progress_views, results, all_)


@command("next")
def next_cmd(
    count: Annotated[int, typer.Option("--count", "-n", metavar="N", help="How many items.")] = 5,
    roadmap: RoadmapOpt = None,
    quick_wins: Annotated[
        bool,
        typer.Option(
            "--quick-wins", help="Items whose skills you learned (partly) elsewhere first."
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """What to work on now: items in progress, then the first ones not done.

    \b
    Examples:
      mlroadmap next -n 3
      mlroadmap next --quick-wins
    """
    from mlroadmap import jsondoc, tracker, views

    result = tracker.next_up(
        tracker.Tracker(), limit=count, roadmap_query=roadmap, quick_wins=quick_wins
    )
    output(json, jsondoc.next_json, views.next_view, result)


EveryRoadmapOpt = Annotated[
    str | None,
    typer.Option(
        "--roadmap",
        "-r",
        metavar="ROADMAP",
        help="Only this roadmap (ID or unique prefix); default: every roadmap.",
        autocompletion=complete_roadmap,
    ),
]


@command("log")
def log_cmd(
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only from this day on (YYYY-MM-DD)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="Only up to this day (YYYY-MM-DD)."),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(
            "--count",
            "-n",
            metavar="N",
            help=f"Show the N most recent entries (default {DEFAULT_LOG_LIMIT}).",
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Show every entry.")] = False,
    roadmap: EveryRoadmapOpt = None,
    calendar: Annotated[
        bool,
        typer.Option("--calendar", help="A year of active days as a heatmap, with streaks."),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """What happened when, by day (the most recent entries), or a heatmap of active days.

    \b
    Examples:
      mlroadmap log
      mlroadmap log -n 50 -r ml-12-weeks
      mlroadmap log --since 2026-11-01 --until 2026-11-30 --all
      mlroadmap log --calendar
    """
    from mlroadmap import jsondoc, tracker, views

    t = tracker.Tracker()
    if calendar:
        if since or until or roadmap or count or every:
            raise UserError("--calendar covers the last year of every roadmap; drop the filters")
        cal = tracker.calendar(t)
        output(json, jsondoc.calendar_json, views.calendar_view, cal)
        return
    if every and count is not None:
        raise UserError("give either -n or --all, not both")
    limit = None if every else (count if count is not None else DEFAULT_LOG_LIMIT)
    result = tracker.log(
        t,
        since=parse_date(since, "--since"),
        until=parse_date(until, "--until"),
        roadmap_query=roadmap,
        limit=limit,
    )
    output(json, jsondoc.log_json, views.log_view, result)


@command("search")
def search_cmd(
    text: Annotated[str, typer.Argument(metavar="WORDS", help="Words to find (all must match).")],
    roadmap: EveryRoadmapOpt = None,
    json: JsonOpt = False,
) -> None:
    """Find items by ID, title, description and resources, in every roadmap.

    \b
    Example:
      mlroadmap search "transfer learning"
    """
    from mlroadmap import jsondoc, tracker, views

    hits = tracker.search(tracker.Tracker(), text=text, roadmap_query=roadmap)
    output(json, jsondoc.search_json, views.search_view, hits, text)


@command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="A Markdown roadmap, a JSON export, or a roadmap.sh roadmap folder.",
        ),
    ],
    roadmap_id: Annotated[
        str | None,
        typer.Option(
            "--id", metavar="ID", help="ID for the new roadmap (default: from the file name)."
        ),
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

    \b
    Examples:
      mlroadmap import README.md --id my-roadmap --base-url https://github.com/o/r
      mlroadmap import plan.md --dry-run
      mlroadmap import ~/src/roadmap.sh/src/data/roadmaps/mlops
    """
    from mlroadmap import importview, tracker, views

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
            typer.echo(views.clean(line))
    for line in importview.summary_lines(result.summary):
        views.notice(line)
    if result.path is None:
        views.notice(f"Dry run: {result.items} items; nothing was written.")
        return
    message = f"Imported {result.roadmap.id} ({result.items} items) to {result.path}."
    if with_progress:
        message += f" {result.checked} marked done."
    views.notice(message + f" Try: mlroadmap show -r {result.roadmap.id}")


@command("remove")
def remove_cmd(
    roadmap: Annotated[
        str,
        typer.Argument(
            metavar="ROADMAP",
            help="The ID of a roadmap you imported.",
            autocompletion=complete_roadmap,
            show_default=False,
        ),
    ],
) -> None:
    """Remove a roadmap you imported; what you recorded on it is kept.

    Its ticks stay in the store and count again if it is imported back.

    \b
    Example:
      mlroadmap remove my-roadmap
    """
    from mlroadmap import tracker, views

    result = tracker.remove_roadmap(tracker.Tracker(), query=roadmap)
    views.notice(views.remove_message(result))


@command("validate")
def validate_cmd(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Roadmap YAML files to check.")
    ],
    json: JsonOpt = False,
) -> None:
    """Check roadmap files; print every problem as file:line: message (exit 2 if any).

    \b
    Example:
      mlroadmap validate ~/.local/share/mlroadmap/roadmaps/*.yaml
    """
    from mlroadmap import jsondoc, tracker, views

    checks = tracker.validate_files(files)
    output(json, jsondoc.validate_json, views.validate_view, checks)
    if not all(check.ok for check in checks):
        raise typer.Exit(int(ExitStatus.USAGE))


@command("export")
def export_cmd(
    roadmap: RoadmapOpt = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="md, json or csv.", case_sensitive=False
        ),
    ] = ExportFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to this file (default: stdout)."
        ),
    ] = None,
) -> None:
    """Export the roadmap with your marks as Markdown, JSON or CSV.

    Markdown export imports back to the same items and marks.

    \b
    Example:
      mlroadmap export --format md -o my-progress.md
    """
    from mlroadmap import tracker, views

    t = tracker.Tracker()
    text = tracker.export(t, roadmap_query=roadmap, fmt=fmt)
    if output is None:
        if sys.stdout.isatty():  # shown, not kept: nothing in it may drive the terminal
            from mlroadmap import text as text_safety

            json_text = fmt.lower() == "json"
            text = (text_safety.escape_json if json_text else text_safety.escape_lines)(text)
        sys.stdout.write(text)
        return
    tracker.write_export(t, text, output)
    views.notice(f"Wrote {output}.")


@command("report")
def report_cmd(
    roadmap: RoadmapOpt = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Every roadmap on one page.")] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write; '-' for stdout (default: mlroadmap-report.html, "
            "or mlroadmap-card.svg with --format svg).",
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="html (the page) or svg (a card); default: from -o's suffix.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    credit: CreditOpt = None,
) -> None:
    """Write a progress report: one self-contained HTML page, or an SVG card.

    The page shows the roadmap as a map of its items, progress per section, a
    year of activity, a burn-up chart with the pace's projection and the
    shared skills learned; it loads nothing from the network. The card
    (about 500x200) fits a README.

    \b
    Examples:
      mlroadmap report
      mlroadmap report --all -o progress.html
      mlroadmap report -o card.svg
    """
    from mlroadmap import report, tracker, views

    suffix_svg = (output or "").lower().endswith(".svg")
    kind = fmt.value if fmt is not None else ("svg" if suffix_svg else "html")
    if kind == "svg" and all_:
        raise UserError("a card shows one roadmap: drop --all, or use --format html")
    t = tracker.Tracker()
    data = tracker.report(t, roadmap_query=roadmap, all_roadmaps=all_, credit=credit)
    text = report.svg(data) if kind == "svg" else report.html(data)
    if output == "-":
        sys.stdout.write(text)
        return
    path = Path(output or f"mlroadmap-{'card' if kind == 'svg' else 'report'}.{kind}")
    tracker.write_export(t, text, path)
    views.notice(f"Wrote {path}.")


@command("skills")
def skills_cmd(
    todo: Annotated[
        bool, typer.Option("--todo", help="Only skills not learned anywhere, most shared first.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Skills shared by several roadmaps, and where you have learned each.

    An item done in one roadmap credits the items of the same skill in the
    others (shown as [c] by 'show').

    \b
    Example:
      mlroadmap skills --todo
    """
    from mlroadmap import jsondoc, tracker, views

    result = tracker.skills_table(tracker.Tracker(), todo_only=todo)
    output(json, jsondoc.skills_json, views.skills_view, result)


@command("config")
def config_cmd(
    key: Annotated[
        Setting | None,
        typer.Argument(metavar="KEY", help="Setting: shared-credit.", show_default=False),
    ] = None,
    value: Annotated[
        str | None,
        typer.Argument(
            metavar="VALUE",
            help="New value: on or off.",
            autocompletion=complete_on_off,
            show_default=False,
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Show or change settings; also where your data lives and the start dates.

    \b
    Examples:
      mlroadmap config
      mlroadmap config shared-credit off
    """
    from mlroadmap import jsondoc, tracker, views

    result = tracker.config(tracker.Tracker(), key=key.value if key else None, value=value)
    output(json, jsondoc.config_json, views.config_view, result)


@command("doctor")
def doctor_cmd(
    restore: Annotated[
        bool,
        typer.Option(
            "--restore",
            help="Salvage every intact event of the store, its backup and earlier copies; "
            "the current files are kept under new names.",
        ),
    ] = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Validate every line of the store again, even when its bytes are those "
            "of its last check.",
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Check the store, its backup and cache, and your roadmaps; remove leftovers.

    Lists roadmap files that cannot be loaded (the other commands skip them),
    ticks on items no roadmap has now and events with impossible dates, and
    deletes temporary files left by killed writes. A store whose bytes have not
    changed since every line was validated (their checksum says so) is not
    validated again unless --full. --restore salvages every intact event of
    the store and its copies. Exits 1 when the store is unreadable or lacks
    events a copy of it holds, else 2 when a roadmap file is invalid.

    \b
    Examples:
      mlroadmap doctor
      mlroadmap doctor --full
      mlroadmap doctor --restore
    """
    from mlroadmap import jsondoc, tracker, views

    report = tracker.doctor(tracker.Tracker(), restore=restore, full=full)
    output(json, jsondoc.doctor_json, views.doctor_view, report)
    if not report.healthy:
        raise typer.Exit(int(ExitStatus.STORE))
    if report.roadmap_problems:
        raise typer.Exit(int(ExitStatus.USAGE))


@command("merge")
def merge_cmd(
    other: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Another copy of store.json (say, from your laptop).",
            dir_okay=False,
        ),
    ],
) -> None:
    """Merge another copy of the store into this one: every event of both, once.

    Each setting comes from the copy where it was changed last. The other file
    must be a store (a regular file of at most 64 MiB) with sane dates.

    \b
    Example:
      mlroadmap merge ~/laptop-store.json
    """
    from mlroadmap import tracker, views

    result = tracker.merge(tracker.Tracker(), other=other)
    views.notice(
        f"Merged {result.other}: {plural(result.added, 'new event')}, {result.total} in all."
    )


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
    _replace_unencodable()
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


def _replace_unencodable() -> None:
    """On a stream whose encoding cannot show every character (cp1252, ASCII), a
    character it lacks is printed as ``?`` instead of failing the command."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not encoding.startswith(("utf", "cp65001")):
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


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
