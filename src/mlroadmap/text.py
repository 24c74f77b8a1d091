"""Text from strangers, made safe for a terminal, and small wording helpers.

Titles, notes, URLs and store contents are data: every C0 and C1 control
character and every bidi control is shown as a visible escape, so nothing
from a file can move the cursor, retitle the terminal or reorder a line.
"""

from __future__ import annotations

import re

# C0 and C1 control characters (but tab and newline), DEL, and the bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Text with every terminal control character shown as a visible escape."""
    return UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


LINK_SCHEMES = ("http://", "https://", "mailto:")


def safe_link(url: str) -> bool:
    """Whether ``url`` may become a terminal hyperlink: a known scheme, and no
    control, bidi or space character that could hide where it points."""
    return (
        url.lower().startswith(LINK_SCHEMES)
        and UNSAFE.search(url) is None
        and not any(c.isspace() for c in url)
    )
