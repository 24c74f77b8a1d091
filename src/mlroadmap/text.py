"""Text from strangers made safe for a terminal: visible escapes and checked links.

Titles, notes, URLs and store contents are data. On a terminal, a control
character in them could move the cursor, clear the screen, set the window
title or forge a hyperlink, and a bidi control could reorder what is shown.
Every such character is shown as a visible escape instead (``\\x1b``,
``\\u202e``); tab and newline are kept.
"""

from __future__ import annotations

import re
from functools import cache

URL_SCHEMES = ("http", "https", "mailto")

# C0 controls but tab and newline, DEL, C1 controls, and every bidi control:
# the Arabic letter mark, LRM/RLM, the embeddings and overrides, the isolates.
UNSAFE_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"


# The patterns are compiled on first use: most text is printable and never needs them.
@cache
def unsafe() -> re.Pattern[str]:
    """The characters ``escape`` shows as escapes."""
    return re.compile(f"[{UNSAFE_CHARS}]")


@cache
def _not_in_url() -> re.Pattern[str]:
    """What may not appear in a link at all: the above, tab, newline and any space."""
    return re.compile(f"[\\s{UNSAFE_CHARS}\\x09\\x0a]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every terminal control and bidi character shown as a visible escape."""
    if text.isprintable():  # the common case, checked in C: none of them is printable
        return text
    return unsafe().sub(_visible, text)


def escape_lines(text: str) -> str:
    """As ``escape``, keeping the carriage return of a CRLF line end (CSV uses them)."""
    return "\r\n".join(escape(part) for part in text.split("\r\n"))


def escape_json(text: str) -> str:
    """JSON text with the same characters written as ``\\uXXXX`` (still valid JSON).

    Every one of them is a control or a format character, so inside a JSON
    document it can only stand in a string, where the escape means the same.
    """
    return unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an acceptable link (None: it is one).

    A link has a known scheme (http://, https:// or mailto:) and no control,
    bidi or space character.
    """
    scheme, colon, rest = url.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in URL_SCHEMES or (scheme != "mailto" and not rest.startswith("//")):
        return "a link must start with https://, http:// or mailto:"
    bad = _not_in_url().search(url)
    if bad is not None:
        char = bad.group()
        if char.isspace():
            return f"a link must not contain spaces (U+{ord(char):04X})"
        return f"a link must not contain the control character U+{ord(char):04X}"
    return None


def safe_link(url: str | None) -> str | None:
    """``url`` when a terminal may make it a hyperlink (known scheme, no controls), else None."""
    if url is None or url_problem(url) is not None:
        return None
    return url


def clean(text: str) -> str:
    """Text with every terminal control character shown as a visible escape."""
    return escape(text)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def one_line(text: str) -> str:
    return " ".join(escape(text).split())
