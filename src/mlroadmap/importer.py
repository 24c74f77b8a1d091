"""Find the trackable units of a Markdown roadmap and turn them into a roadmap document.

Real roadmaps come in a few shapes, often mixed in one document; each
section (the text under a heading) is read on its own:

- checkboxes (``- [ ] item``): when the document has any, each one is an
  item and nothing else is;
- otherwise the rows of course or lesson tables (pipe tables and HTML
  ``<table>`` blocks): the title column is chosen by its header or its
  content, the other cells become the description, links become resources
  and a week column gives weeks;
- else paragraphs that are a link (a course list written as lines);
- else list entries (nested entries become groups).

What is not the roadmap is left out and counted: sections such as
contents, contributing, license, team or FAQ; lists and tables whose links
all point inside the page (tables of contents); link lists under a unit or a
"Resources" label become that unit's resources. A bold label at the start
of an entry is its title, the rest its description. Emoji shortcodes are
turned into emoji, YAML front matter gives the title, relative links are
resolved against ``base_url`` (a GitHub blob or raw URL works).

An ``<!-- id: some-id -->`` comment keeps an entry's ID, and the comment
``export`` writes (``<!-- mlroadmap {...} -->``) carries what Markdown
cannot: the node's kind, weeks, exact description and resources, and the
learner's mark, its day and notes, so an export imports back without loss.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlroadmap.errors import UserError
from mlroadmap.models import ID_RE, MAX_ID_LENGTH

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from markdown_it.token import Token

MAX_DESCRIPTION = 4000
MAX_TITLE = 100  # longer titles are cut at a sentence or clause; the rest is description
SLUG_LENGTH = 48
MAX_DEPTH = 8  # levels of nodes kept; deeper entries are folded into the deepest kept group
MAX_INDENT = 128  # list lines indented deeper than this are read at this indent
MAX_NESTING = 200  # markdown-it block nesting (two levels per list level)
MAX_QUOTES = 32  # blockquote levels read as they are
MAX_INLINE_DEPTH = 100  # emphasis and links nested deeper are read as plain text
MAX_WEEK = 520

_ID_COMMENT = re.compile(r"<!--\s*id:\s*([a-z0-9-]+)\s*-->")
_PAYLOAD = re.compile(r"<!--\s*mlroadmap\s+(\{.*\})\s*-->", re.DOTALL)
_WEEKS = re.compile(
    r"\bweeks?\s+(\d{1,3})(?:\s*(?:-|\u2013|\u2014|to)\s*(\d{1,3})|((?:\s*,\s*\d{1,3})+))?",
    re.IGNORECASE,
)
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
_WORD = re.compile(r"[^\W_]")
_SEPARATED = re.compile(r"^\s*[-:|\u2013\u2014]")
_QUOTES = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_BAD_URL_CHAR = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_CHECKBOX = re.compile(r"^\[([ xX])\](?:\s+|$)")
_NOISE = re.compile(
    r"(table of )?contents?|toc|index|about( this (guide|repo(sitory)?|project|course))?"
    r"|getting started|how to (use|read|navigate)\b.*|usage|contribut\w*|how to contribute"
    r"|licen[cs]e|code of conduct|(the )?team|(our )?instructors?|authors?|maintainers?"
    r"|acknowledge?ments?|credits?|thanks|sponsors?( and backers)?|backers|supporters?"
    r"|community|support( (us|this project))?|donat\w*|faq|frequently asked questions"
    r"|star history|stargazers|citations?|cite|citing|how to cite|congratulations\b.*"
    r"|disclaimer|translations?|changelog|testimonials|feedback|contact( us)?"
    r"|stay in touch|follow( us)?|related( (projects|repositories))?",
)
_RESOURCE_LABEL = re.compile(
    r"(\w+ )?(resources?|references?|further reading|reading( list)?|links|materials?"
    r"|(useful |more )?links|sources|see also|around the web|learn more)",
)
_NUMBERED = re.compile(
    r"^\W*(week|phase|month|stage|part|step|module|chapter|day|unit|lesson|lecture)s?\s+(\d+)\b",
    re.I,
)
_TITLE_HEADERS = re.compile(
    r"(course|lecture|lesson|topic|title|name|subject|module|chapter|session|unit|paper|book)",
    re.I,
)
_NOT_TITLE_HEADERS = re.compile(
    r"link|url|video|slide|note|pdf|code|quiz|assignment|homework|author|date", re.I
)
_WEEK_HEADER = re.compile(r"^\W*(week|wk)s?\W*$", re.I)
_NUMBER_HEADER = re.compile(
    r"^\W*((lesson|lecture|unit|module|chapter|class|session|week)\s+)?"
    r"(s\.?\s*no|no|nr|#|number|num|sr\.?\s*no|index|id)\W*$",
    re.I,
)
_NOT_A_TITLE = re.compile(r"^[\W\d_]*$")


# ---------------------------------------------------------------------------
# The document model


@dataclass
class Unit:
    """A heading or a trackable unit (or a group of them), before it becomes a node."""

    title: str
    kind: str  # heading, checkbox, row, link, entry
    level: int = 0  # heading level (0 for units)
    checked: bool | None = None
    id_hint: str | None = None
    links: list[tuple[str, str, str | None]] = field(default_factory=list)  # title, url, note
    text: list[str] = field(default_factory=list)
    weeks: list[int] = field(default_factory=list)
    children: list[Unit] = field(default_factory=list)
    payload: dict[str, Any] | None = None  # what an export wrote about the node
    blocks: list[Block] = field(default_factory=list)  # a heading's own blocks
    noise: bool = False


@dataclass
class Summary:
    """What an import found, and what it left out and why."""

    units: Counter[str] = field(default_factory=Counter)  # kind of unit -> count
    left_out: Counter[str] = field(default_factory=Counter)  # reason -> count
    noise_sections: list[str] = field(default_factory=list)
    weeks: list[int] = field(default_factory=list)
    title_from: str = "file name"
    folded: int = 0
    images: int = 0
    notes: list[str] = field(default_factory=list)


UNIT_NAMES = {
    "checkbox": ("checkbox", "checkboxes"),
    "row": ("table row", "table rows"),
    "link": ("link paragraph", "link paragraphs"),
    "entry": ("list entry", "list entries"),
    "topic": ("topic", "topics"),
    "subtopic": ("subtopic", "subtopics"),
}


@dataclass(frozen=True)
class Progress:
    """A mark an imported file records for an item: status, its day, its notes."""

    status: str  # done, start or skip ("" when the item only has notes)
    day: str | None = None  # ISO date; None: the file does not say when
    notes: tuple[tuple[str, str | None], ...] = ()  # (text, ISO day)
    undated: bool = False  # the day is the day it was imported, not when it was done


@dataclass(frozen=True)
class Imported:
    document: dict[str, Any]
    checked: list[str]  # IDs of the items the file marks done ([x])
    items: int
    summary: Summary = field(default_factory=Summary)
    marks: dict[str, Progress] = field(default_factory=dict)  # item ID -> its mark
    started: str | None = None  # the roadmap's start day, when the file records it


# ---------------------------------------------------------------------------
# The parsed document as a tree


class Block:
    """A node of the parsed document: what markdown-it's SyntaxTreeNode gives (type, tag,
    content, attributes, children), built in one loop over the tokens."""

    __slots__ = ("attrs", "children", "content", "tag", "type")

    def __init__(self, kind: str, tag: str, content: str, attrs: dict[str, Any]) -> None:
        self.type = kind
        self.tag = tag
        self.content = content
        self.attrs = attrs
        self.children: list[Block] = []

    def walk(self) -> Iterator[Block]:
        """This node and every node beneath it, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def build_tree(tokens: Sequence[Token]) -> list[Block]:
    """The tokens as nested blocks (inline tokens' children included)."""
    root: list[Block] = []
    stack = [root]
    for token in tokens:
        nesting = token.nesting
        if nesting == 1:
            node = Block(token.type.removesuffix("_open"), token.tag, "", dict(token.attrs))
            stack[-1].append(node)
            stack.append(node.children)
        elif nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            node = Block(token.type, token.tag, token.content, dict(token.attrs))
            if token.children:
                node.children = build_tree(token.children)
            stack[-1].append(node)
    return root


# ---------------------------------------------------------------------------
# Links


def normalise_base(url: str) -> str:
    """A base URL for relative links: a GitHub raw URL becomes its blob page, a bare
    repository URL its default branch."""
    from urllib.parse import urlsplit

    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"--base-url {url!r} is not an http(s) URL")
    if parts.netloc == "raw.githubusercontent.com":
        segments = parts.path.strip("/").split("/")
        if len(segments) >= 3:
            owner, repo, ref, *rest = segments
            url = f"https://github.com/{owner}/{repo}/blob/{ref}/" + "/".join(rest)
    elif parts.netloc in ("github.com", "www.github.com"):
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) == 2:
            url = f"https://github.com/{segments[0]}/{segments[1]}/blob/HEAD/"
    return url


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return slug.replace(" ", "-")


class Links:
    """Sorts the links of a document: usable, inside the page, or unresolvable."""

    def __init__(self, base_url: str | None, anchors: set[str]) -> None:
        self.base = base_url
        self.anchors = anchors

    def classify(self, href: str) -> tuple[str, str]:
        """("url", absolute URL), ("page", href) or ("relative", href) or ("other", href)."""
        href = href.strip()
        if href.startswith("#"):
            return "page", href
        if href.startswith(("http://", "https://")):
            _, _, fragment = href.partition("#")
            if fragment and fragment.lower() in self.anchors:
                return "page", href
            if _BAD_URL_CHAR.search(href):
                return "other", href
            return "url", href
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
            return "other", href
        if self.base is None:
            return "relative", href
        from urllib.parse import urljoin

        absolute = urljoin(self.base, href)
        if any(c.isspace() for c in absolute):
            return "other", href
        return "url", absolute


# ---------------------------------------------------------------------------
# Inline text


@dataclass
class Inline:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # label, href (as written)
    id_hint: str | None = None
    payload: dict[str, Any] | None = None
    label: str | None = None  # the text of a leading bold label
    rest: str = ""  # the text after that label
    starts_with_link: bool = False
    link_text_length: int = 0
    images: int = 0
    checked: bool | None = None  # a task-list checkbox


def read_inline(node: Block | None) -> Inline:
    """The plain text of an inline node, its links, ID comment, payload and bold label."""
    out = Inline()
    if node is None:
        return out
    words: list[str] = []
    label_end: int | None = None
    first = True

    def visit(n: Block, top: bool, depth: int = 0) -> None:
        nonlocal label_end, first
        kind = n.type
        if depth > MAX_INLINE_DEPTH:  # nested past reason: its text, without recursion
            words.extend(d.content for d in n.walk() if d.type in ("text", "code_inline"))
            return
        if kind in ("text", "code_inline"):
            if top and first and not n.content.strip():
                return
            words.append(n.content)
            if top:
                first = False
        elif kind in ("softbreak", "hardbreak"):
            words.append(" ")
        elif kind == "html_inline":
            content = n.content
            if "task-list-item-checkbox" in content and out.checked is None and not words:
                out.checked = 'checked="checked"' in content
                return
            match = _ID_COMMENT.search(content)
            if match:
                out.id_hint = match.group(1)
            payload = _PAYLOAD.search(content)
            if payload:
                try:
                    value = json.loads(payload.group(1))
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    out.payload = value
            if content.lower().startswith("<br"):
                words.append(" ")
        elif kind == "link":
            if top and first:
                out.starts_with_link = True
            first = False
            start = len(words)
            for child in n.children:
                visit(child, False, depth + 1)
            label = " ".join("".join(words[start:]).split())
            out.link_text_length += len(label)
            out.links.append((label, str(n.attrs.get("href", ""))))
            return
        elif kind == "image":
            out.images += 1
            first = False
            return
        elif kind == "strong" and top and first:
            first = False
            for child in n.children:
                visit(child, False, depth + 1)
            label_end = len(words)
            return
        else:
            if top:
                first = False
        for child in n.children:
            visit(child, False, depth + 1)

    for child in node.children:
        visit(child, True)
    out.text = " ".join("".join(words).split())
    if label_end is not None:
        label = " ".join("".join(words[:label_end]).split()).rstrip(":").strip()
        rest = " ".join("".join(words[label_end:]).split())
        rest = re.sub(r"^[:\-\u2013\u2014.|]+\s*", "", rest)
        if label:
            out.label, out.rest = label, rest
    return out


def emojize(text: str) -> str:
    """Emoji shortcodes (``:tada:``) as emoji; the emoji package loads only when needed."""
    if ":" not in text or not _SHORTCODE.search(text):
        return text
    import emoji

    return str(emoji.emojize(text, language="alias"))


def _plain(text: str) -> str:
    """Text for comparing a heading against the names of sections that are not the roadmap."""
    text = _SHORTCODE.sub(" ", text.lower())
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def is_noise_heading(title: str) -> bool:
    return bool(_NOISE.fullmatch(_plain(title)))


def is_resource_label(title: str) -> bool:
    return bool(_RESOURCE_LABEL.fullmatch(_plain(title)))


def short_title(text: str) -> tuple[str, str]:
    """A title of at most MAX_TITLE characters, and the rest of the text (for the description)."""
    text = text.strip()
    if len(text) <= MAX_TITLE:
        return text, ""
    head = text[: MAX_TITLE + 1]
    for pattern in (r"[.!?](?=\s)", r"[:;\u2013\u2014](?=\s)|\s[-\u2013\u2014]\s", r",(?=\s)"):
        cuts = [m.end() for m in re.finditer(pattern, head) if m.end() >= 20]
        if cuts:
            cut = cuts[-1]
            return text[:cut].rstrip(" .:;,-\u2013\u2014"), text[cut:].strip(" :;,-\u2013\u2014")
    cut = head.rfind(" ", 20)
    cut = cut if cut > 0 else MAX_TITLE
    return text[:cut].rstrip() + "\u2026", text


# ---------------------------------------------------------------------------
# HTML blocks


class _HtmlReader:
    """Tables, the first H1 and images of an HTML block (the standard library's parser)."""

    def __init__(self, html: str) -> None:
        from html.parser import HTMLParser

        self.tables: list[list[list[tuple[str, list[tuple[str, str]], bool]]]] = []
        self.h1: str | None = None
        self.images = 0
        reader = self
        stack_tables: list[list[list[tuple[str, list[tuple[str, str]], bool]]]] = []
        state: dict[str, Any] = {"cell": None, "h1": None, "link": None}

        class Parser(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                if tag == "table":
                    stack_tables.append([])
                elif tag == "tr" and stack_tables:
                    stack_tables[-1].append([])
                elif tag in ("td", "th") and stack_tables:
                    if not stack_tables[-1]:
                        stack_tables[-1].append([])
                    state["cell"] = {"text": [], "links": [], "header": tag == "th"}
                elif tag == "h1" and reader.h1 is None:
                    state["h1"] = []
                elif tag == "a":
                    href = dict(attrs).get("href")
                    self._close_link()
                    if href:
                        state["link"] = {"href": href, "text": []}
                elif tag == "img":
                    reader.images += 1
                elif tag == "br":
                    self.handle_data(" ")

            def _close_link(self) -> None:
                link = state["link"]
                if link is not None and state["cell"] is not None:
                    label = " ".join("".join(link["text"]).split())
                    state["cell"]["links"].append((label, link["href"]))
                state["link"] = None

            def handle_endtag(self, tag: str) -> None:
                if tag == "a":
                    self._close_link()
                elif tag in ("td", "th") and state["cell"] is not None:
                    self._close_link()
                    cell = state["cell"]
                    text = " ".join("".join(cell["text"]).split())
                    if stack_tables and stack_tables[-1]:
                        stack_tables[-1][-1].append((text, cell["links"], cell["header"]))
                    state["cell"] = None
                elif tag == "table" and stack_tables:
                    if state["cell"] is not None:
                        self.handle_endtag("td")
                    reader.tables.append(stack_tables.pop())
                elif tag == "h1" and state["h1"] is not None:
                    reader.h1 = " ".join("".join(state["h1"]).split())
                    state["h1"] = None

            def handle_data(self, data: str) -> None:
                if state["cell"] is not None:
                    state["cell"]["text"].append(data)
                if state["link"] is not None:
                    state["link"]["text"].append(data)
                if state["h1"] is not None:
                    state["h1"].append(data)

        parser = Parser(convert_charrefs=True)
        parser.feed(html)
        parser.close()
        while stack_tables:
            self.tables.append(stack_tables.pop())


# ---------------------------------------------------------------------------
# Markdown to units


def _clamp_indent(text: str) -> str:
    """Lines nested deeper than the parser goes (indented past MAX_INDENT, or quoted more than
    MAX_QUOTES times) are read at the deepest kept level, as siblings of the entry there: every
    entry is kept, none is dropped."""
    deep_indent = " " * MAX_INDENT in text or "\t" * (MAX_INDENT // 4) in text
    deep_quotes = ">" * MAX_QUOTES in text or "> " * MAX_QUOTES in text
    if not (deep_indent or deep_quotes):
        return text
    lines = text.split("\n")
    anchor = 0  # the indent of the last line read as it is
    for i, line in enumerate(lines):
        if deep_quotes:
            match = _QUOTES.match(line)
            if match and match.group().count(">") > MAX_QUOTES:
                line = lines[i] = "> " * MAX_QUOTES + line[match.end() :]
        stripped = line.lstrip(" \t")
        if not stripped:
            continue
        indent = len(line) - len(stripped)
        width = len(line[:indent].expandtabs(4)) if indent > MAX_INDENT // 4 else indent
        if width > MAX_INDENT:
            lines[i] = " " * anchor + stripped
        else:
            anchor = width
    return "\n".join(lines)


def _parser() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
    # Checkboxes are read here rather than with mdit-py-plugins' tasklists, whose search
    # for each entry's list walks back over the entries before it (a long list: n²/2 steps).
    return md.use(front_matter_plugin)


@dataclass
class Document:
    """A parsed Markdown document: its front matter, headings as a tree, and link rules."""

    root: Unit
    front_matter: dict[str, Any]
    h1: str | None  # the first H1 (Markdown or HTML)
    h1_unit: Unit | None  # the Markdown H1 heading that gives the title
    has_checkboxes: bool
    links: Links
    images: int


def parse(text: str, base_url: str | None = None) -> Document:
    """Headings as a tree of units, each holding its own blocks."""
    text = _clamp_indent(text)
    quick = quick_tree(text)
    if quick is not None:
        tree, anchors, has_checkboxes = quick
        images = 0
    else:
        tree, anchors, has_checkboxes, images = _markdown_tree(text)
    root = Unit(title="", kind="heading")
    stack = [root]
    front: dict[str, Any] = {}
    h1: str | None = None
    h1_unit: Unit | None = None
    for block in tree:
        if block.type == "front_matter":
            front = _front_matter(block.content)
            continue
        if block.type == "heading":
            level = int(block.tag[1:])
            inline = read_inline(block.children[0] if block.children else None)
            while stack[-1].level >= level:
                stack.pop()
            heading = Unit(
                title=emojize(inline.text),
                kind="heading",
                level=level,
                id_hint=inline.id_hint,
                payload=inline.payload,
            )
            heading.links = [(label, href, None) for label, href in inline.links]
            heading.noise = is_noise_heading(inline.text)
            if level == 1 and h1 is None:
                h1 = heading.title
                h1_unit = heading
            stack[-1].children.append(heading)
            stack.append(heading)
            continue
        if block.type == "html_block" and h1 is None and "<h1" in block.content.lower():
            found = _HtmlReader(block.content).h1
            if found:
                h1 = emojize(found)
        stack[-1].blocks.append(block)
    return Document(
        root=root,
        front_matter=front,
        h1=h1,
        h1_unit=h1_unit,
        has_checkboxes=has_checkboxes,
        links=Links(base_url, anchors),
        images=images,
    )


def _markdown_tree(text: str) -> tuple[list[Block], set[str], bool, int]:
    """The document as blocks (markdown-it), its headings' anchors, whether it has
    checkboxes, and how many images it shows."""
    tokens = _parser().parse(text)
    anchors: set[str] = set()
    has_checkboxes = False
    images = 0
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open" and i + 1 < len(tokens):
            anchors.add(github_slug(tokens[i + 1].content))
        elif kind == "inline" and token.children:
            if i >= 2 and tokens[i - 2].type == "list_item_open" and _mark_checkbox(token):
                has_checkboxes = True
            if "![" in token.content:
                images += sum(1 for child in token.children if child.type == "image")
        elif kind == "html_block" and "<img" in token.content.lower():
            images += token.content.lower().count("<img")
    return build_tree(tokens), anchors, has_checkboxes, images


# ---------------------------------------------------------------------------
# A quick reading of plain checklists
#
# Most long roadmaps are plain checklists: headings, "- [ ] item" lines (nested
# by two spaces), short paragraphs, and inline links. ``quick_tree`` reads a
# document made only of those, line by line, into the very blocks markdown-it
# gives (tests hold the two to each other on generated documents); anything
# else in the document (emphasis, code, HTML, tables, quotes, ordered lists,
# escapes, entities, images, odd indents or whitespace) returns None and the
# document is read by markdown-it.

QUICK_MAX_DEPTH = 16
_QUICK_REFUSE = re.compile(r"[^\S \n]|\x00")  # tabs, carriage returns, other spaces, NUL
_QUICK_REFUSE_ASCII = "\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x00"  # what it finds in ASCII text
_QUICK_HEADING = re.compile(r"(#{1,6})( .*)")
_QUICK_CLOSING = re.compile(r" #+$")  # a heading's closing sequence (after a space)
_QUICK_ITEM = re.compile(r"( *)([-*+]) (\S.*)")
_QUICK_BOX = re.compile(r"\[[ xX]\] (?=\S)")
# What a paragraph may start with (and any character past ASCII, none of them Markdown's).
_QUICK_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789[(\"':$%@!")
_QUICK_ORDERED = re.compile(r"\d{1,9}[.)](?: |$)")
_QUICK_TEXT_BAD = re.compile(r"[\\`*_<\[\]]|&[A-Za-z0-9#]")
_QUICK_LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")
# Link targets markdown-it keeps as written (its normalizeLink leaves them unchanged).
_QUICK_URL = re.compile(
    r"(?:https?://[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?(?=[/?#]|$)|(?!//))"
    r"(?:[A-Za-z0-9\-._~/?#=+,!$'*&]|%[0-9A-Fa-f]{2})*"
)


def _quick_inline(content: str, start: int = 0) -> list[Block] | None:
    """The inline children of ``content`` (plain text and links, one paragraph's lines), or
    None; the first ``start`` characters are text as they are (a checkbox)."""
    children: list[Block] = []
    for n, line in enumerate(content.split("\n") if "\n" in content else (content,)):
        if n:
            children.append(Block("softbreak", "br", "", {}))
        text_from = pos = 0
        if n == 0:
            pos = start
        while True:
            bracket = line.find("[", pos)
            end = len(line) if bracket < 0 else bracket
            if _QUICK_TEXT_BAD.search(line, pos, end):
                return None
            if bracket < 0:
                break
            match = _QUICK_LINK.match(line, bracket)
            if match is None or (bracket and line[bracket - 1] == "!"):
                return None
            label, url = match.group(1), match.group(2)
            if _QUICK_TEXT_BAD.search(label) or not _QUICK_URL.fullmatch(url):
                return None
            if bracket > text_from:
                children.append(Block("text", "", line[text_from:bracket], {}))
            link = Block("link", "a", "", {"href": url})
            link.children.append(Block("text", "", label, {}))
            children.append(link)
            text_from = pos = match.end()
        if len(line) > text_from:
            children.append(Block("text", "", line[text_from:], {}))
    return children


def _quick_paragraph(content: str, start: int = 0) -> Block | None:
    children = _quick_inline(content, start)
    if children is None:
        return None
    inline = Block("inline", "", content, {})
    inline.children = children
    paragraph = Block("paragraph", "p", "", {})
    paragraph.children.append(inline)
    return paragraph


def _quick_starts_well(text: str) -> bool:
    """The line starts a paragraph (not a heading, list, quote, code, HTML or rule)."""
    first = text[0]
    if first not in _QUICK_START and first < "\x80":
        return False
    return _QUICK_ORDERED.match(text) is None


def quick_tree(text: str) -> tuple[list[Block], set[str], bool] | None:
    """A plain checklist's blocks (as ``_markdown_tree`` gives them), its headings' anchors
    and whether it has checkboxes; None when the document is more than a plain checklist."""
    if text.isascii():  # the same test, made of quick scans
        if any(char in text for char in _QUICK_REFUSE_ASCII):
            return None
    elif _QUICK_REFUSE.search(text):
        return None
    root: list[Block] = []
    anchors: set[str] = set()
    has_checkboxes = False
    lists: list[tuple[str, Block]] = []  # the open lists: marker, list (its last entry open)
    paragraph: list[str] = []  # the lines of an open top-level paragraph
    after_item = False  # the line before was a list entry (a text line would continue it)

    def close_paragraph() -> bool:
        if paragraph:
            block = _quick_paragraph("\n".join(paragraph).rstrip(" "))
            paragraph.clear()
            if block is None:
                return False
            root.append(block)
        return True

    for raw in text.split("\n"):
        line = raw.rstrip(" ")
        if not line:
            if not close_paragraph():
                return None
            after_item = False
            continue
        if line[0] == "#":
            heading = _QUICK_HEADING.fullmatch(line)
            if heading is None or not close_paragraph():
                return None
            content = _QUICK_CLOSING.sub("", heading.group(2)).strip(" ")
            children = _quick_inline(content)
            if children is None:
                return None
            block = Block("heading", f"h{len(heading.group(1))}", "", {})
            inline = Block("inline", "", content, {})
            inline.children = children
            block.children.append(inline)
            root.append(block)
            anchors.add(github_slug(content))
            lists.clear()
            after_item = False
            continue
        item = _QUICK_ITEM.fullmatch(line)
        if item is not None:
            indent, marker, content = len(item.group(1)), item.group(2), item.group(3)
            if paragraph and indent:
                return None  # an indented entry right under a paragraph
            if not close_paragraph():
                return None
            depth = indent // 2
            if indent % 2 or depth > len(lists) or depth >= QUICK_MAX_DEPTH:
                return None
            del lists[depth + 1 :]
            if depth < len(lists) and lists[depth][0] != marker:
                del lists[depth:]  # another bullet character starts another list
            box = _QUICK_BOX.match(content)
            if box is None and not _quick_starts_well(content):
                return None
            item_paragraph = _quick_paragraph(content, box.end() if box else 0)
            if item_paragraph is None:
                return None
            if box is not None:
                has_checkboxes = True
                inline = item_paragraph.children[0]
                first = inline.children[0]
                first.content = first.content[box.end() :]
                checked = content[1] in "xX"
                inline.children.insert(
                    0, Block("html_inline", "", CHECKBOX_DONE if checked else CHECKBOX_TODO, {})
                )
            if depth == len(lists):
                bullets = Block("bullet_list", "ul", "", {})
                (lists[-1][1].children[-1].children if lists else root).append(bullets)
                lists.append((marker, bullets))
            entry = Block("list_item", "li", "", {})
            entry.children.append(item_paragraph)
            lists[depth][1].children.append(entry)
            after_item = True
            continue
        if raw[0] == " " or after_item or not _quick_starts_well(line):
            return None  # indented text, a lazy continuation, or another kind of block
        if paragraph and paragraph[-1].endswith(" "):
            return None  # trailing spaces before a line break (a hard break, or trimmed)
        lists.clear()
        paragraph.append(raw)
    if not close_paragraph():
        return None
    return root, anchors, has_checkboxes


def _mark_checkbox(token: Any) -> bool:
    """Turn a list entry's leading ``[ ]``/``[x]`` into a checkbox token (as task lists do)."""
    first = token.children[0]
    # The source, not the text: an escaped "\\[x]" is not a checkbox.
    if first.type != "text" or not _CHECKBOX.match(token.content):
        return False
    match = _CHECKBOX.match(first.content)
    if match is None:
        return False
    from markdown_it.token import Token

    box = Token("html_inline", "", 0)
    box.content = CHECKBOX_DONE if match.group(1) in "xX" else CHECKBOX_TODO
    first.content = first.content[match.end() :]
    token.children.insert(0, box)
    return True


CHECKBOX_TODO = '<input class="task-list-item-checkbox" type="checkbox">'
CHECKBOX_DONE = '<input class="task-list-item-checkbox" checked="checked" type="checkbox">'


def _front_matter(content: str) -> dict[str, Any]:
    import yaml

    try:
        value = yaml.safe_load(content[:20_000])
    except yaml.YAMLError:
        return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------
# Reading a section's blocks


class Reader:
    """Turns each section's blocks into units, resources and description text."""

    def __init__(self, doc: Document, summary: Summary) -> None:
        self.doc = doc
        self.summary = summary
        self.checkbox_mode = doc.has_checkboxes

    # -- links ------------------------------------------------------------

    def resolve(self, links: list[tuple[str, str]]) -> list[tuple[str, str, str | None]]:
        out: list[tuple[str, str, str | None]] = []
        for label, href in links:
            kind, url = self.doc.links.classify(href)
            if kind == "url":
                out.append((emojize(label) or url, url, None))
            elif kind == "relative":
                self.summary.left_out["relative links (give --base-url to keep them)"] += 1
        return out

    def in_page(self, links: list[tuple[str, str]]) -> bool:
        return bool(links) and all(self.doc.links.classify(h)[0] == "page" for _, h in links)

    # -- sections ---------------------------------------------------------

    def section(self, heading: Unit) -> None:
        """Fill a heading's children (units, then sub-headings), text and resources."""
        subsections = heading.children
        heading.children = []
        self.read_blocks(heading, heading.blocks)
        heading.blocks = []
        kept: list[Unit] = []
        for sub in subsections:
            if sub.noise:
                self.left_out_section(sub)
                continue
            self.section(sub)
            if is_resource_label(sub.title) and not self._has_units(sub):
                # A "Resources" heading: its links belong to the section above.
                heading.links.extend(sub.links)
                heading.text.extend(sub.text)
                continue
            kept.append(sub)
        heading.children.extend(kept)

    def left_out_section(self, heading: Unit) -> None:
        self.summary.noise_sections.append(heading.title)
        self.summary.left_out["sections that are not the roadmap"] += 1

    def _has_units(self, unit: Unit) -> bool:
        return any(c.kind != "heading" or self._has_units(c) for c in unit.children)

    def read_blocks(self, heading: Unit, blocks: list[Block]) -> None:
        rows: list[Unit] = []
        link_paragraphs: list[Unit] = []
        entries: list[Unit] = []
        link_lists: list[list[Unit]] = []
        text = heading.text
        resources = heading.links
        html: list[str] = []
        pending_label = False  # a "Resources:" paragraph: the list after it is resources

        def flush_html() -> None:
            if html:
                rows.extend(self.html_rows("\n".join(html)))
                html.clear()

        flat: list[Block] = []

        def flatten(nodes: list[Block]) -> None:
            for node in nodes:
                if node.type == "blockquote":
                    flatten(node.children)
                else:
                    flat.append(node)

        flatten(blocks)
        for block in flat:
            if block.type == "html_block":
                html.append(block.content)
                continue
            flush_html()
            kind = block.type
            if kind == "paragraph":
                inline = read_inline(block.children[0] if block.children else None)
                if inline.checked is not None:
                    continue
                if not self.checkbox_mode and self.is_link_paragraph(inline):
                    unit = self.link_unit(inline)
                    if unit is not None:
                        link_paragraphs.append(unit)
                        pending_label = False
                        continue
                if _only_links(inline) and self.in_page(inline.links):
                    self.summary.left_out["links inside the page"] += 1
                    continue
                label = inline.label or inline.text
                pending_label = is_resource_label(label) and not inline.rest
                if not pending_label:
                    words = emojize(inline.text)
                    if _has_words(words):
                        text.append(words)
                resources.extend(self.resolve(inline.links))
            elif kind == "table":
                rows.extend(self.table_rows(_pipe_table(block)))
                pending_label = False
            elif kind in ("bullet_list", "ordered_list"):
                items = block.children
                if self.is_toc(items):
                    self.summary.left_out["table-of-contents entries"] += len(items)
                    pending_label = False
                    continue
                units = [self.entry(li) for li in items]
                if pending_label:
                    # A reading list: links become resources, the rest stays as text.
                    for unit in units:
                        if unit.kind != "link-entry":
                            text.extend(_entry_lines(unit))
                        resources.extend(_all_links(unit))
                    pending_label = False
                    continue
                if self.checkbox_mode:
                    self.checkbox_units(units, heading)
                    continue
                if all(u.kind == "link-entry" for u in units):
                    link_lists.append(units)
                else:
                    entries.extend(self.settle_entries(units, resources))
        flush_html()
        if self.checkbox_mode:
            return
        if rows:
            chosen, rest = rows, [*link_paragraphs, *entries, *(u for ls in link_lists for u in ls)]
        elif link_paragraphs:
            chosen, rest = link_paragraphs, [*entries, *(u for ls in link_lists for u in ls)]
        elif entries:
            chosen, rest = entries, [u for ls in link_lists for u in ls]
        elif link_lists and not is_resource_label(heading.title):
            chosen, rest = [u for ls in link_lists for u in ls], []
        else:
            chosen, rest = [], [u for ls in link_lists for u in ls]
        for unit in rest:
            if unit.kind == "link-entry":
                pass  # a resource: its note says what it is
            elif unit.kind == "link":
                text.extend(unit.text)
            elif unit.title:
                text.append(f"- {unit.title}")
            resources.extend(_all_links(unit))
        for unit in chosen:
            if unit.kind == "link-entry":
                unit.kind = "entry"
            heading.children.append(unit)

    # -- checklists -------------------------------------------------------

    def checkbox_units(self, units: list[Unit], parent: Unit) -> None:
        """In a checklist only checkboxes are units; other entries are description."""
        for unit in units:
            if unit.checked is not None or _has_checkbox(unit):
                parent.children.append(self._checkbox_tree(unit))
            else:
                parent.text.extend(_entry_lines(unit))
                parent.links.extend(_all_links(unit))

    def _checkbox_tree(self, unit: Unit) -> Unit:
        children = unit.children
        unit.children = []
        for child in children:
            if child.checked is not None or _has_checkbox(child):
                unit.children.append(self._checkbox_tree(child))
            else:
                unit.text.extend(_entry_lines(child))
                unit.links.extend(_all_links(child))
        unit.kind = "checkbox" if unit.checked is not None else "label"  # label: not an item
        return unit

    # -- list entries -----------------------------------------------------

    def entry(self, item: Block) -> Unit:
        unit = Unit(title="", kind="entry")
        sublists: list[list[Unit]] = []
        for child in item.children:
            if child.type in ("paragraph", "heading") and not unit.title and not sublists:
                inline = read_inline(child.children[0] if child.children else None)
                unit.checked = inline.checked
                unit.id_hint = inline.id_hint
                unit.payload = inline.payload
                links = self.resolve(inline.links)
                if inline.label and inline.rest and not self.checkbox_mode:
                    title, more = inline.label, inline.rest
                else:
                    title, more = inline.text, ""
                title = emojize(title).strip().rstrip(":").strip()
                if not title and links:
                    title = links[0][0]
                title, cut = short_title(title)
                unit.title = title
                unit.text.extend(t for t in (cut, emojize(more)) if t)
                if (
                    inline.starts_with_link
                    and links
                    and unit.checked is None
                    and len(inline.links) == len(links)
                ):
                    # "[Name](url) - what it is": the name is the title, the rest its
                    # description (and the note of the link, should it be a resource).
                    unit.kind = "link-entry"
                    first_label = links[0][0]
                    note = _note_after_link(inline.text, inline.links[0][0])
                    links[0] = (first_label, links[0][1], note or None)
                    after = inline.text[len(inline.links[0][0]) :]
                    if note and first_label and _SEPARATED.match(after):
                        unit.title = short_title(emojize(first_label))[0]
                        unit.text = [emojize(note)]
                elif _only_links(inline) and self.in_page(inline.links):
                    unit.kind = "page-link"
                unit.links.extend(links)
            elif child.type == "paragraph":
                inline = read_inline(child.children[0] if child.children else None)
                if _has_words(inline.text):
                    unit.text.append(emojize(inline.text))
                unit.links.extend(self.resolve(inline.links))
            elif child.type in ("bullet_list", "ordered_list"):
                sublists.append([self.entry(li) for li in child.children])
            elif child.type == "table":
                unit.children.extend(self.table_rows(_pipe_table(child)))
        for sub in sublists:
            if unit.kind == "link-entry" and not self.checkbox_mode:
                unit.kind = "entry"
            if self.checkbox_mode:
                unit.children.extend(sub)
            elif is_resource_label(unit.title) or all(u.kind == "link-entry" for u in sub):
                unit.links.extend(link for u in sub for link in _all_links(u))
            else:
                unit.children.extend(self.settle_entries(sub, unit.links))
        return unit

    def settle_entries(
        self, units: list[Unit], resources: list[tuple[str, str, str | None]]
    ) -> list[Unit]:
        """Entries of one list, without labels ("Resources:") and links into the page."""
        kept: list[Unit] = []
        for unit in units:
            if unit.kind == "page-link":
                self.summary.left_out["links inside the page"] += 1
                continue
            if is_resource_label(unit.title) and not unit.children:
                resources.extend(unit.links)
                continue
            if unit.kind == "link-entry":
                unit.kind = "entry"  # in a list with other entries: one of them
            kept.append(unit)
        return kept

    def is_toc(self, items: list[Block]) -> bool:
        """A list whose every entry is a link into the page (sub-lists included)."""
        classify = self.doc.links.classify
        for node in items:
            found = False
            for inline in node.walk():
                if inline.type == "link":
                    if classify(str(inline.attrs.get("href", "")))[0] != "page":
                        return False
                    found = True
            if not found:
                return False
        return bool(items)

    # -- link paragraphs --------------------------------------------------

    def is_link_paragraph(self, inline: Inline) -> bool:
        """A paragraph that starts with a link to somewhere else and says little beyond links."""
        if not inline.starts_with_link or inline.checked is not None:
            return False
        if self.doc.links.classify(inline.links[0][1])[0] == "page":
            return False
        outside = len(inline.text) - inline.link_text_length
        return outside <= max(24, len(inline.text) // 4)

    def link_unit(self, inline: Inline) -> Unit | None:
        links = self.resolve(inline.links)
        label = inline.links[0][0]
        if not links and not label:
            return None
        title, cut = short_title(emojize(label or links[0][0]))
        unit = Unit(title=title, kind="link", id_hint=inline.id_hint, payload=inline.payload)
        if cut:
            unit.text.append(cut)
        rest = _note_after_link(inline.text, label)
        if rest and _has_words(rest):
            unit.text.append(emojize(rest))
        unit.links = links
        return unit

    # -- tables -----------------------------------------------------------

    def html_rows(self, html: str) -> list[Unit]:
        reader = _HtmlReader(html)
        rows: list[Unit] = []
        for table in reader.tables:
            cells = [[(t, links) for t, links, _ in row] for row in table if row]
            header_row = table[0] if table and table[0] and all(c[2] for c in table[0]) else None
            header = [t for t, _, _ in header_row] if header_row else None
            body = cells[1:] if header_row else cells
            rows.extend(self.table_rows((header, body)))
        return rows

    def table_rows(
        self, table: tuple[list[str] | None, list[list[tuple[str, list[tuple[str, str]]]]]]
    ) -> list[Unit]:
        header, body = table
        body = [row for row in body if any(text or links for text, links in row)]
        if not body:
            return []
        all_links = [link for row in body for _, links in row for link in links]
        if self.in_page(all_links):
            self.summary.left_out["table-of-contents entries"] += len(body)
            return []
        width = max(len(row) for row in body)
        names = [*(header or []), *[""] * width][:width]
        title_col = self._title_column(names, body)
        if title_col is None:
            return []
        week_cols = [i for i, name in enumerate(names) if _WEEK_HEADER.match(name or "")]
        skip = {title_col, *week_cols}
        skip.update(i for i, name in enumerate(names) if _NUMBER_HEADER.match(name or ""))
        if not names[0] and all(_NOT_A_TITLE.match(row[0][0]) for row in body if row):
            skip.add(0)  # an unnamed first column of numbers: the rows' numbers
        units: list[Unit] = []
        for row in body:
            cells = [*row, *[("", [])] * width][:width]
            title_text, title_links = cells[title_col]
            title = emojize(title_text).strip()
            if not title and title_links:
                title = title_links[0][0]
            if _NOT_A_TITLE.match(title):
                continue
            title, cut = short_title(title)
            unit = Unit(title=title, kind="row")
            if cut:
                unit.text.append(cut)
            unit.links.extend(self._row_links(title_links, names[title_col]))
            for i, (text, links) in enumerate(cells):
                if i in week_cols:
                    unit.weeks = _numbers(text)
                    continue
                if i in skip:
                    continue
                link_labels = " ".join(label for label, _ in links)
                value = emojize(text).strip()
                if value and value != link_labels.strip() and _has_words(value):
                    name = names[i].strip()
                    unit.text.append(f"{name}: {value}" if name else value)
                unit.links.extend(self._row_links(links, names[i]))
            units.append(unit)
        return units

    def _row_links(
        self, links: list[tuple[str, str]], column: str
    ) -> list[tuple[str, str, str | None]]:
        resolved = self.resolve(links)
        out = []
        for label, url, note in resolved:
            if column and label.lower() in ("link", "here", "url", "") and column.strip():
                label = column.strip()
            out.append((label, url, note))
        return out

    @staticmethod
    def _title_column(
        names: list[str], body: list[list[tuple[str, list[tuple[str, str]]]]]
    ) -> int | None:
        """The column that names each row: by its header, else the one with the most text."""
        for i, name in enumerate(names):
            named = sum(1 for row in body if len(row) > i and not _NOT_A_TITLE.match(row[i][0]))
            if (
                name
                and _TITLE_HEADERS.search(name)
                and not _NOT_TITLE_HEADERS.search(name)
                and not _WEEK_HEADER.match(name)
                and named * 2 > len(body)  # not a column of numbers ("Lesson Number")
            ):
                return i
        best: tuple[float, int] | None = None
        for i in range(len(names)):
            if _NUMBER_HEADER.match(names[i] or "") or _WEEK_HEADER.match(names[i] or ""):
                continue
            texts = [row[i][0] for row in body if len(row) > i]
            worded = [t for t in texts if not _NOT_A_TITLE.match(t)]
            if not worded:
                continue
            # Prefer text that is not a link's label, then the column filled most often.
            plain = sum(
                1
                for row in body
                if len(row) > i
                and row[i][0]
                and row[i][0] != " ".join(label for label, _ in row[i][1]).strip()
            )
            score = (len(worded) + plain) / len(body)
            if best is None or score > best[0]:
                best = (score, i)
        return best[1] if best else None


def _pipe_table(
    table: Block,
) -> tuple[list[str] | None, list[list[tuple[str, list[tuple[str, str]]]]]]:
    header: list[str] | None = None
    body: list[list[tuple[str, list[tuple[str, str]]]]] = []
    for part in table.children:
        for tr in part.children:
            cells = []
            for cell in tr.children:
                inline = read_inline(cell.children[0] if cell.children else None)
                cells.append((inline.text, inline.links))
            if part.type == "thead":
                header = [t for t, _ in cells]
                if not any(header):
                    header = None
            else:
                body.append(cells)
    return header, body


def _numbers(text: str) -> list[int]:
    found = [int(n) for n in re.findall(r"\d{1,3}", text)]
    range_match = re.match(r"^\D*(\d{1,3})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,3})\D*$", text)
    if range_match:
        first, last = int(range_match.group(1)), int(range_match.group(2))
        if first <= last <= first + 52:
            return list(range(first, last + 1))
    return [n for n in found if 1 <= n <= MAX_WEEK]


def _only_links(inline: Inline) -> bool:
    return len(inline.text) - inline.link_text_length <= 4


def _note_after_link(text: str, label: str) -> str:
    rest = text[len(label) :] if text.startswith(label) else ""
    return re.sub(r"^[\s:\-\u2013\u2014|,]+", "", rest).strip()


def _has_words(text: str) -> bool:
    """Text with a letter or digit in it (not a rule of emoji or dashes)."""
    return _WORD.search(text) is not None


def _all_links(unit: Unit) -> list[tuple[str, str, str | None]]:
    found = list(unit.links)
    for child in unit.children:
        found.extend(_all_links(child))
    return found


def _entry_lines(unit: Unit, indent: str = "") -> list[str]:
    lines = [f"{indent}- {unit.title}"] if unit.title else []
    for child in unit.children:
        lines.extend(_entry_lines(child, indent + "  "))
    return lines


def _has_checkbox(unit: Unit) -> bool:
    return any(c.checked is not None or _has_checkbox(c) for c in unit.children)


# ---------------------------------------------------------------------------
# Units to a roadmap document


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """A short ID for a title: "Week 3: Linear Algebra" -> week-3; else its first five words."""
    numbered = _NUMBERED.match(text)
    if numbered:
        return f"{numbered.group(1).lower()}-{numbered.group(2)}"
    slug = "-".join(_NOT_SLUG.sub(" ", text.lower()).split()[:5])
    if len(slug) > SLUG_LENGTH:
        cut = slug[:SLUG_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[SLUG_LENGTH // 2 :] else cut
        slug = slug.strip("-")
    return slug or fallback


_KIND_RULES = [
    (("youtube.com/playlist", "list="), "playlist"),
    (("youtube.com", "youtu.be", "vimeo.com"), "video"),
    (
        ("coursera.org", "udemy.com", "edx.org", "udacity.com", "fast.ai", "khanacademy.org"),
        "course",
    ),
    (("kaggle.com/datasets", "huggingface.co/datasets"), "dataset"),
    (("github.com", "gitlab.com"), "repo"),
    (("discord.", "reddit.com", "twitter.com", "x.com/", "slack.com"), "community"),
    (("oreilly.com", "manning.com", "amazon.", "books.google"), "book"),
    (("docs.", "readthedocs", "/docs", "/doc/", "documentation"), "docs"),
]


# Any needle of any rule: most links have none, and are articles after one search.
_ANY_NEEDLE = re.compile("|".join(re.escape(n) for needles, _ in _KIND_RULES for n in needles))


def resource_kind(url: str) -> str:
    """The kind of the first rule with a needle in the URL (its host and path), else article."""
    host_path = url.split("://", 1)[-1].lower()
    if _ANY_NEEDLE.search(host_path) is None:
        return "article"
    for needles, kind in _KIND_RULES:
        for needle in needles:
            if needle in host_path:
                return kind
    return "article"


def weeks_in(title: str) -> list[int]:
    """The weeks a title names ("Week 3", "Weeks 1-8", "Week 5, 6"), each from 1 to 520."""
    return [w for w in _weeks_named(title) if 1 <= w <= MAX_WEEK]


def _weeks_named(title: str) -> list[int]:
    match = _WEEKS.search(title)
    if not match:
        return []
    first = int(match.group(1))
    if match.group(2):
        last = int(match.group(2))
        return list(range(first, last + 1)) if first <= last <= first + 52 else [first]
    if match.group(3):
        return [first, *(int(n) for n in re.findall(r"\d+", match.group(3)))]
    return [first]


RESOURCE_KINDS = frozenset(
    {"video", "playlist", "course", "book", "docs", "dataset", "article", "community", "repo"}
    | {"tool", "other"}
)
NODE_KINDS = frozenset(
    {"stage", "phase", "month", "week", "section", "group", "topic", "task", "project"}
    | {"exercise", "resource", "item"}
)


class Builder:
    """Units to the nodes of a roadmap document: IDs, kinds, weeks, marks."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary
        self.used: set[str] = set()
        self.suffixes: dict[str, int] = {}  # an ID's base -> the suffix it last took (1: none)
        self.checked: list[str] = []
        self.marks: dict[str, Progress] = {}
        self.items = 0

    def new_id(self, title: str, hint: str | None, suffix: str = "") -> str:
        if hint and ID_RE.match(hint) and len(hint) <= MAX_ID_LENGTH and hint not in self.used:
            self.used.add(hint)
            return hint
        base = slugify(title) + suffix
        # The first free of base, base-2, base-3, ...: the search goes on from where the last
        # one for this base stopped (IDs are only ever added), so many equal titles stay linear.
        n = self.suffixes.get(base, 1)
        candidate = base if n == 1 else f"{base}-{n}"
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.suffixes[base] = n
        self.used.add(candidate)
        return candidate

    @staticmethod
    def resources(links: list[tuple[str, str, str | None]]) -> list[dict[str, str]]:
        seen: set[str] = set()
        out = []
        for title, url, note in links:
            if url in seen or not _has_words(title or url):
                continue
            seen.add(url)
            resource = {"title": (title or url)[:300], "url": url, "kind": resource_kind(url)}
            if note:
                resource["note"] = note[:500]
            out.append(resource)
        return out

    @staticmethod
    def describe(doc: dict[str, Any], lines: list[str]) -> None:
        text = "\n".join(line for line in lines if line.strip()).strip()
        if text:
            doc["description"] = text[:MAX_DESCRIPTION]

    def node(self, unit: Unit, depth: int) -> dict[str, Any] | None:
        """A node for the unit, or None when nothing trackable is beneath it."""
        payload = unit.payload or {}
        if depth >= MAX_DEPTH - 2 and any(c.children for c in unit.children):
            # Its children are the deepest level kept (a checkbox heading a group makes
            # one more level: the group, and the checkbox as its first item).
            folded = _flatten(unit.children)
            self.summary.folded += len(folded) - len(unit.children)
            unit.children = folded
        children = [n for c in unit.children if (n := self.node(c, depth + 1)) is not None]
        if unit.kind == "heading" and not children:
            if unit.title:
                self.summary.left_out["sections with nothing to track (text only)"] += 1
            return None
        title = unit.title or "(untitled)"
        if isinstance(payload.get("title"), str):
            title = payload["title"]
        own_checkbox = unit.kind == "checkbox" and bool(children)
        doc: dict[str, Any] = {
            "id": self.new_id(title, None if own_checkbox else unit.id_hint, "-group")
            if own_checkbox
            else self.new_id(title, unit.id_hint),
            "title": title,
        }
        kind = payload.get("kind")
        if kind in NODE_KINDS:
            doc["kind"] = kind
        elif unit.kind == "heading":
            doc["kind"] = "section"
        else:
            doc["kind"] = "group" if children else "item"
        if doc["kind"] == "topic":
            del doc["kind"]
        self.summary_text(doc, unit, payload)
        if unit.payload is not None:  # written by export: its weeks, or none
            weeks = payload.get("weeks") if isinstance(payload.get("weeks"), list) else []
        else:
            weeks = unit.weeks or weeks_in(title)
        if weeks:
            doc["weeks"] = weeks
            self.summary.weeks.extend(weeks)
        if children:
            if own_checkbox:
                own = Unit(title=title, kind="checkbox", checked=unit.checked, id_hint=unit.id_hint)
                children.insert(0, self.leaf_of(own))
            doc["children"] = children
            return doc
        self.summary.units[unit.kind if unit.kind != "heading" else "entry"] += 1
        self.items += 1
        self.record_mark(doc["id"], unit, payload)
        return doc

    def leaf_of(self, unit: Unit) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.new_id(unit.title, unit.id_hint), "title": unit.title}
        doc["kind"] = "item"
        self.items += 1
        self.summary.units[unit.kind] += 1
        self.record_mark(doc["id"], unit, {})
        return doc

    def summary_text(self, doc: dict[str, Any], unit: Unit, payload: dict[str, Any]) -> None:
        if unit.payload is not None:
            # Written by export: the comment holds the exact values.
            description = payload.get("description")
            if isinstance(description, str):
                doc["description"] = description
            resources = payload.get("resources")
            if isinstance(resources, list) and resources:
                doc["resources"] = resources
        else:
            self.describe(doc, unit.text)
            found = self.resources(unit.links)
            if found:
                doc["resources"] = found
        for key in ("aliases", "renamed_from"):
            if isinstance(payload.get(key), list) and payload[key]:
                doc[key] = payload[key]

    def record_mark(self, item: str, unit: Unit, payload: dict[str, Any]) -> None:
        status = payload.get("status")
        boxed = unit.checked
        if status not in ("done", "start", "skip") or (
            boxed is not None and boxed != (status == "done")
        ):
            # The box wins over what the comment says: the learner may have ticked it by hand.
            status = "done" if boxed else None
            day = None
        else:
            day = payload.get("day") if isinstance(payload.get("day"), str) else None
        undated = day is not None and payload.get("undated") is True
        raw_notes = payload.get("notes")
        notes: list[tuple[str, str | None]] = []
        if isinstance(raw_notes, list):
            for n in raw_notes:
                if isinstance(n, dict) and isinstance(n.get("text"), str):
                    note_day = n.get("day") or n.get("at")
                    notes.append((n["text"], note_day[:10] if isinstance(note_day, str) else None))
        if status == "done":
            self.checked.append(item)
        if status is not None or notes:
            self.marks[item] = Progress(
                status=status or "", day=day, notes=tuple(notes), undated=undated
            )


def _flatten(units: list[Unit]) -> list[Unit]:
    """Every unit beneath, in order, as items: groups folded away (a checkbox or a list
    entry that heads a group stays, as an item; a label of a checklist does not)."""
    out: list[Unit] = []
    for unit in units:
        if not unit.children:
            out.append(unit)
            continue
        if unit.kind not in ("heading", "label") and unit.title:
            out.append(
                Unit(
                    title=unit.title,
                    kind=unit.kind,
                    checked=unit.checked,
                    id_hint=unit.id_hint,
                    links=unit.links,
                    text=unit.text,
                    weeks=unit.weeks,
                    payload=unit.payload,
                )
            )
        out.extend(_flatten(unit.children))
    return out


def _has_checkbox_doc(unit: Unit) -> bool:
    return unit.checked is not None or any(_has_checkbox_doc(c) for c in unit.children)


def file_title(source: str) -> str:
    path = Path(source)
    stem = path.stem
    if stem.lower() in ("readme", "index", "roadmap") and path.parent.name:
        stem = path.parent.name
    return stem.replace("_", " ").replace("-", " ").strip() or stem


def convert(text: str, *, roadmap_id: str, source: str, base_url: str | None = None) -> Imported:
    """A roadmap document (a dict for the YAML file) from Markdown text."""
    base = normalise_base(base_url) if base_url else None
    summary = Summary()
    doc = parse(text, base)
    reader = Reader(doc, summary)
    root = doc.root
    front = doc.front_matter
    title: str | None = None
    if isinstance(front.get("title"), str) and front["title"].strip():
        title, summary.title_from = " ".join(front["title"].split()), "front matter"
    h1s = [c for c in root.children if c.level == 1]
    h1_unit = doc.h1_unit
    if h1_unit is not None and len(h1s) > 1 and _NUMBERED.match(h1_unit.title):
        h1_unit = None  # "Part 1", "Part 2": the H1s are the roadmap's parts, not its title
    elif h1_unit is not None:
        # The title heading's text and sections are the roadmap's own.
        position = root.children.index(h1_unit)
        root.children[position : position + 1] = h1_unit.children
        root.blocks = [*root.blocks, *h1_unit.blocks]
        root.links.extend(h1_unit.links)
        if title is None and h1_unit.title:
            title, summary.title_from = h1_unit.title, "first H1"
    elif title is None and doc.h1:
        title, summary.title_from = doc.h1, "first H1 (HTML)"
    if title is None:
        title = file_title(source)
    if isinstance(front.get("description"), str):
        root.text.append(front["description"].strip())
    reader.section(root)
    payload = h1_unit.payload if h1_unit is not None and h1_unit.payload else {}
    builder = Builder(summary)
    children = [n for c in root.children if (n := builder.node(c, 0)) is not None]
    if not children:
        why = "found nothing to track: no checkboxes, course tables, link lists or list entries"
        if doc.images:
            why += " (its roadmap may be an image)"
        hint = "a roadmap needs '- [ ] item' lines, list entries, table rows or links"
        if summary.noise_sections:
            hint += "; left out as not the roadmap: " + ", ".join(summary.noise_sections[:6])
        raise UserError(f"{source}: {why}", hint=hint)
    summary.images = doc.images
    description = "\n".join(t for t in root.text if t.strip()).strip()
    document: dict[str, Any] = {
        "id": roadmap_id,
        "title": title[:200],
        "summary": payload.get("summary")
        if isinstance(payload.get("summary"), str)
        else f"Imported from {Path(source).name}: {builder.items} items.",
    }
    if isinstance(payload.get("title"), str):
        document["title"] = payload["title"]
    if payload:
        if isinstance(payload.get("description"), str):
            document["description"] = payload["description"]
    elif description:
        document["description"] = description[:MAX_DESCRIPTION]
    source_doc = payload.get("source")
    if isinstance(source_doc, dict) and isinstance(source_doc.get("title"), str):
        document["source"] = source_doc
    else:
        document["source"] = {"title": title[:200]}
        author = front.get("author")
        if isinstance(author, str) and author.strip():
            document["source"]["author"] = author.strip()
        if base:
            document["source"]["url"] = base
    if isinstance(payload.get("duration_weeks"), int):
        document["duration_weeks"] = payload["duration_weeks"]
    document["children"] = children
    if summary.folded:
        summary.notes.append(
            f"{summary.folded} entries nested deeper than {MAX_DEPTH} levels were folded "
            f"into the deepest kept group"
        )
    started = payload.get("started") if isinstance(payload.get("started"), str) else None
    return Imported(
        document=document,
        checked=builder.checked,
        items=builder.items,
        summary=summary,
        marks=builder.marks,
        started=started,
    )


_NODE_KEYS = ("id", "title", "kind", "description", "weeks", "aliases", "renamed_from")
_ROADMAP_KEYS = ("title", "summary", "description", "source", "duration_weeks")


def convert_json(text: str, *, roadmap_id: str, source: str) -> Imported:
    """A roadmap document, and its marks, from ``export --format json``."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UserError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        drawing = isinstance(data, dict) and isinstance(data.get("nodes"), list)
        raise UserError(
            f"{source}: not a roadmap exported by mlroadmap (export --format json)",
            hint="a roadmap.sh roadmap is imported from its folder: give the folder"
            if drawing
            else "a JSON roadmap has a title, a summary, a source and children",
        )
    summary = Summary(title_from="exported roadmap")
    builder = Builder(summary)

    def node(raw: object, depth: int) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise UserError(f"{source}: every node must be a JSON object")
        if depth > 64:
            raise UserError(f"{source}: the roadmap is nested too deeply")
        out = {key: raw[key] for key in _NODE_KEYS if key in raw}
        if isinstance(raw.get("weeks"), list):
            summary.weeks.extend(w for w in raw["weeks"] if isinstance(w, int))
        if isinstance(raw.get("resources"), list) and raw["resources"]:
            out["resources"] = raw["resources"]
        children = raw.get("children")
        if isinstance(children, list) and children:
            out["children"] = [node(c, depth + 1) for c in children]
            return out
        builder.items += 1
        summary.units["item"] += 1
        item = str(out.get("id", ""))
        builder.used.add(item)
        status = raw.get("status")
        fields: dict[str, Any] = {
            "status": status,
            "day": raw.get("day"),
            "undated": raw.get("undated"),
            "notes": raw.get("notes"),
        }
        builder.record_mark(item, Unit(title="", kind="item"), fields)
        return out

    document: dict[str, Any] = {"id": roadmap_id}
    document.update({key: data[key] for key in _ROADMAP_KEYS if key in data})
    document["children"] = [node(c, 0) for c in data["children"]]
    started = data.get("started") if isinstance(data.get("started"), str) else None
    return Imported(
        document=document,
        checked=builder.checked,
        items=builder.items,
        summary=summary,
        marks=builder.marks,
        started=started,
    )


__all__ = [
    "Imported",
    "Progress",
    "Summary",
    "convert",
    "convert_json",
    "resource_kind",
    "slugify",
    "weeks_in",
]


# ---------------------------------------------------------------------------
# The roadmap file

# Characters YAML does not take raw inside a double-quoted scalar (non-printable ones,
# and line breaks JSON leaves as they are): written as escapes.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"[a-z][a-z_]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


# What JSON escapes (quote, backslash, control characters) or YAML must have escaped.
_YAML_ESCAPED = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')


def _yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar: as it is when nothing in it needs an escape
    (most text), else as ``_yaml_escaped`` writes it."""
    if _YAML_ESCAPED.search(text) is None:
        return f'"{text}"'
    return _yaml_escaped(text)


def _yaml_escaped(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        raise UserError("the document holds text that is not valid Unicode (a lone surrogate)")
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    return _yaml_string(str(value))


def to_yaml(document: dict[str, Any]) -> str:
    """A roadmap document as block YAML, every string double-quoted (so any text reads back
    exactly); many times quicker than PyYAML's representer for a large roadmap."""
    return yaml_shape(document)[0]


def yaml_shape(document: dict[str, Any]) -> tuple[str, int, int]:
    """``to_yaml``'s text, how deep its collections nest and how many YAML nodes it has
    (keys, values and collections, as a YAML composer counts them)."""
    out: list[str] = []
    keys: dict[str, str] = {}  # a key as written (the same few keys on every node)
    deepest = nodes = 0

    def mapping(doc: dict[str, Any], indent: str, first: str, level: int) -> None:
        nonlocal deepest, nodes
        deepest = max(deepest, level)
        nodes += 1 + 2 * len(doc)  # the mapping, its keys, and a node for each value
        lead = first
        for name, value in doc.items():
            key = keys.get(name)
            if key is None:
                key = keys[name] = (
                    name
                    if _PLAIN_KEY.fullmatch(name) and name not in _YAML_WORDS
                    else _yaml_string(name)
                )
            if type(value) is str:  # most values
                out.append(f"{lead}{key}: {_yaml_string(value)}")
            elif isinstance(value, dict):
                out.append(f"{lead}{key}:")
                nodes -= 1  # counted as the mapping it is
                mapping(value, indent + "  ", indent + "  ", level + 1)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                out.append(f"{lead}{key}:")
                deepest = max(deepest, level + 1)
                for item in value:
                    mapping(item, indent + "  ", indent + "- ", level + 2)
            elif isinstance(value, list):
                out.append(f"{lead}{key}: [{', '.join(_yaml_scalar(v) for v in value)}]")
                deepest = max(deepest, level + 1)
                nodes += len(value)
            else:
                out.append(f"{lead}{key}: {_yaml_scalar(value)}")
            lead = indent

    mapping(document, "", "", 1)
    return "\n".join(out) + "\n", deepest, nodes
