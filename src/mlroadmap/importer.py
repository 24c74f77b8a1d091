"""Turn a Markdown roadmap (headings, nested lists, checkboxes, links) into a roadmap.

The document is parsed with markdown-it-py. Headings become branches; when
the document has checkboxes, every checkbox becomes exactly one item and
other list entries become description text; without checkboxes, every list
entry is an item. Links become resources; paragraphs become descriptions.
An ``<!-- id: some-id -->`` comment on an entry keeps its ID (``export``
writes them, so an exported roadmap imports back to the same items).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlroadmap.errors import UserError
from mlroadmap.models import ID_RE, MAX_ID_LENGTH

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

MAX_DESCRIPTION = 4000
SLUG_LENGTH = 48
_ID_COMMENT = re.compile(r"<!--\s*id:\s*([a-z0-9-]+)\s*-->")
_CHECKBOX = re.compile(r"^\[([ xX])\]\s+")
_WEEKS = re.compile(
    r"\bweeks?\s+(\d{1,3})(?:\s*(?:-|\u2013|\u2014|to)\s*(\d{1,3})|((?:\s*,\s*\d{1,3})+))?",
    re.IGNORECASE,
)


@dataclass
class Draft:
    """A heading or a list entry, before it becomes a node."""

    title: str
    heading_level: int = 0  # 0 for list entries
    checked: bool | None = None  # None: not a checkbox
    id_hint: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    children: list[Draft] = field(default_factory=list)

    def has_checkbox_below(self) -> bool:
        return any(c.checked is not None or c.has_checkbox_below() for c in self.children)


@dataclass(frozen=True)
class Imported:
    document: dict[str, Any]
    checked: list[str]  # IDs of the items the file marks [x]
    items: int


# ---------------------------------------------------------------------------
# Markdown to drafts


def _inline(node: SyntaxTreeNode | None) -> tuple[str, list[tuple[str, str]], str | None]:
    """The plain text of an inline node, its http(s) links, and an ID comment."""
    if node is None:
        return "", [], None
    words: list[str] = []
    links: list[tuple[str, str]] = []
    id_hint: str | None = None

    def visit(n: SyntaxTreeNode) -> None:
        nonlocal id_hint
        if n.type in ("text", "code_inline"):
            words.append(n.content)
        elif n.type in ("softbreak", "hardbreak"):
            words.append(" ")
        elif n.type == "html_inline":
            match = _ID_COMMENT.search(n.content)
            if match:
                id_hint = match.group(1)
        elif n.type == "link":
            start = len(words)
            for child in n.children:
                visit(child)
            href = str(n.attrs.get("href", ""))
            if href.startswith(("http://", "https://")):
                label = " ".join("".join(words[start:]).split()) or href
                links.append((label, href))
            return
        elif n.type == "image":
            return
        for child in n.children:
            visit(child)

    visit(node)
    return " ".join("".join(words).split()), links, id_hint


def _first_inline(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    return node.children[0] if node.children else None


def _list_entry(item: SyntaxTreeNode) -> Draft:
    draft = Draft(title="")
    for child in item.children:
        if child.type in ("paragraph", "heading") and not draft.title and not draft.children:
            text, links, id_hint = _inline(_first_inline(child))
            match = _CHECKBOX.match(text)
            if match:
                draft.checked = match.group(1) in "xX"
                text = text[match.end() :]
            draft.title = text.strip().rstrip(":").strip() or (links[0][0] if links else "")
            draft.links.extend(links)
            draft.id_hint = id_hint
        elif child.type == "paragraph":
            text, links, _ = _inline(_first_inline(child))
            draft.text.append(text)
            draft.links.extend(links)
        elif child.type in ("bullet_list", "ordered_list"):
            draft.children.extend(_list_entry(li) for li in child.children)
    return draft


def parse(text: str) -> tuple[str | None, Draft]:
    """The document's single top heading (if it has one) and its tree of drafts."""
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

    md = MarkdownIt("commonmark").enable("table")
    tree = SyntaxTreeNode(md.parse(text))
    root = Draft(title="")
    stack = [root]

    def add_blocks(blocks: list[SyntaxTreeNode]) -> None:
        for block in blocks:
            if block.type == "heading":
                level = int(block.tag[1:])
                title, links, id_hint = _inline(_first_inline(block))
                while stack[-1].heading_level >= level:
                    stack.pop()
                heading = Draft(title=title, heading_level=level, id_hint=id_hint, links=links)
                stack[-1].children.append(heading)
                stack.append(heading)
            elif block.type == "paragraph":
                words, links, _ = _inline(_first_inline(block))
                if words:
                    stack[-1].text.append(words)
                stack[-1].links.extend(links)
            elif block.type in ("bullet_list", "ordered_list"):
                stack[-1].children.extend(_list_entry(li) for li in block.children)
            elif block.type == "blockquote":
                add_blocks(block.children)

    add_blocks(tree.children)
    top = [c for c in root.children if c.heading_level == 1]
    if len(top) == 1 and root.children and root.children[0] is top[0]:
        only = top[0]
        root.children = only.children + root.children[1:]
        root.text = only.text + root.text
        root.links = only.links + root.links
        return only.title, root
    return None, root


# ---------------------------------------------------------------------------
# Drafts to a roadmap document


_NUMBERED = re.compile(
    r"^\W*(week|phase|month|stage|part|step|module|chapter|day)s?\s+(\d+)\b", re.I
)


def slugify(text: str, fallback: str = "item") -> str:
    """A short ID for a title: "Week 3: Linear Algebra" -> week-3; else its first five words."""
    numbered = _NUMBERED.match(text)
    if numbered:
        return f"{numbered.group(1).lower()}-{numbered.group(2)}"
    slug = "-".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()[:5])
    if len(slug) > SLUG_LENGTH:
        cut = slug[:SLUG_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[SLUG_LENGTH // 2 :] else cut
        slug = slug.strip("-")
    return slug or fallback


def resource_kind(url: str) -> str:
    host_path = url.split("://", 1)[-1].lower()
    host = host_path.split("/", 1)[0]
    rules = [
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
    for needles, kind in rules:
        if any(n in host_path or n in host for n in needles):
            return kind
    return "article"


def weeks_in(title: str) -> list[int]:
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


class _Builder:
    def __init__(self, checkbox_mode: bool) -> None:
        self.checkbox_mode = checkbox_mode
        self.used: set[str] = set()
        self.checked: list[str] = []
        self.items = 0

    def new_id(self, title: str, hint: str | None, suffix: str = "") -> str:
        if hint and ID_RE.match(hint) and len(hint) <= MAX_ID_LENGTH and hint not in self.used:
            self.used.add(hint)
            return hint
        base = slugify(title) + suffix
        candidate, n = base, 2
        while candidate in self.used:
            candidate = f"{base}-{n}"
            n += 1
        self.used.add(candidate)
        return candidate

    @staticmethod
    def resources(links: list[tuple[str, str]]) -> list[dict[str, str]]:
        seen: set[str] = set()
        out = []
        for title, url in links:
            if url in seen or any(c.isspace() for c in url):
                continue
            seen.add(url)
            out.append({"title": title[:300], "url": url, "kind": resource_kind(url)})
        return out

    def describe(self, doc: dict[str, Any], lines: list[str]) -> None:
        text = "\n".join(line for line in lines if line.strip()).strip()
        if text:
            doc["description"] = text[:MAX_DESCRIPTION]

    def is_item(self, draft: Draft) -> bool:
        if draft.heading_level:
            return False
        return draft.checked is not None if self.checkbox_mode else True

    def leaf(
        self, draft: Draft, extra_text: list[str], extra_links: list[tuple[str, str]]
    ) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.new_id(draft.title, draft.id_hint),
            "title": draft.title or "(untitled)",
            "kind": "item",
        }
        self.describe(doc, [*draft.text, *extra_text])
        resources = self.resources([*draft.links, *extra_links])
        if resources:
            doc["resources"] = resources
        if weeks := weeks_in(draft.title):
            doc["weeks"] = weeks
        self.items += 1
        if draft.checked:
            self.checked.append(doc["id"])
        return doc

    def convert(self, draft: Draft) -> dict[str, Any] | None:
        """A node for the draft, or None when nothing checkable is beneath it."""
        if not draft.heading_level and not self.is_item(draft) and not self._has_items(draft):
            return None
        if self.is_item(draft) and not self._has_items_below(draft):
            text, links = self._loose(draft.children)
            return self.leaf(draft, text, links)
        is_item = self.is_item(draft) and draft.checked is not None
        doc: dict[str, Any] = {
            "id": self.new_id(draft.title, None, "-group")
            if is_item
            else self.new_id(draft.title, draft.id_hint),
            "title": draft.title or "(untitled)",
            "kind": "section" if draft.heading_level else "group",
        }
        if weeks := weeks_in(draft.title):
            doc["weeks"] = weeks
        children: list[dict[str, Any]] = []
        if is_item:
            # A checkbox with checkboxes under it: the entry itself is still one item.
            own = Draft(title=draft.title, checked=draft.checked, id_hint=draft.id_hint)
            children.append(self.leaf(own, [], []))
        loose_text, loose_links = self._loose([c for c in draft.children if not self._has_items(c)])
        for child in draft.children:
            node = self.convert(child)
            if node is not None:
                children.append(node)
        if not children:
            return None
        self.describe(doc, [*draft.text, *loose_text])
        resources = self.resources([*draft.links, *loose_links])
        if resources:
            doc["resources"] = resources
        doc["children"] = children
        return doc

    def _has_items(self, draft: Draft) -> bool:
        return self.is_item(draft) or self._has_items_below(draft)

    def _has_items_below(self, draft: Draft) -> bool:
        return any(self._has_items(c) for c in draft.children)

    def _loose(self, drafts: list[Draft]) -> tuple[list[str], list[tuple[str, str]]]:
        """Text and links of list entries that are not items (kept as description)."""
        text: list[str] = []
        links: list[tuple[str, str]] = []
        for d in drafts:
            if d.heading_level:
                continue
            if d.title:
                text.append(f"- {d.title}")
            links.extend(d.links)
            sub_text, sub_links = self._loose(d.children)
            text.extend(f"  {line}" for line in sub_text)
            links.extend(sub_links)
        return text, links


def _has_checkbox(draft: Draft) -> bool:
    return draft.checked is not None or any(_has_checkbox(c) for c in draft.children)


def convert(text: str, *, roadmap_id: str, source: str) -> Imported:
    """A roadmap document (a dict for the YAML file) from Markdown text."""
    title, root = parse(text)
    builder = _Builder(checkbox_mode=_has_checkbox(root))
    children = [node for c in root.children if (node := builder.convert(c)) is not None]
    if not children:
        raise UserError(
            f"{source}: found no checklist or list entries to track",
            hint="a roadmap needs '- [ ] item' lines or list entries",
        )
    loose_text, _ = builder._loose([c for c in root.children if not builder._has_items(c)])
    description = "\n".join([*root.text, *loose_text]).strip()
    document: dict[str, Any] = {
        "id": roadmap_id,
        "title": title or roadmap_id,
        "summary": f"Imported from {Path(source).name}: {builder.items} items.",
    }
    if description:
        document["description"] = description[:MAX_DESCRIPTION]
    document["source"] = {"title": title or Path(source).name}
    document["children"] = children
    return Imported(document=document, checked=builder.checked, items=builder.items)
