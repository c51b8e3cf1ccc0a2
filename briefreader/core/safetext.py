"""Text from a brief, a glossary, notes or the team archive, made inert where it is written.

Such text is data, but each place it goes has something it obeys: Qt takes a tooltip or a
label that looks like HTML for rich text (and loads any image it names, ``/dev/zero``
included), a terminal obeys escape sequences, a spreadsheet runs a cell that starts like a
formula, and a Markdown viewer renders raw HTML. One function a place, and every writer of
that place goes through it.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from typing import Any

# -- Qt widgets --------------------------------------------------------------------------


#: The longest line a rich text keeps whole; longer ones are wrapped between words.
LINE_WIDTH = 80


def rich_text(text: str) -> str:
    """Rich text (Qt's HTML) that shows ``text`` as written: its characters, its lines.

    Qt decides by a guess (``Qt::mightBeRichText``) whether a tooltip, a message box or an
    auto-format label is HTML; a guess can be steered by the text itself. Escaped and
    wrapped in a paragraph, the text is always taken for rich text and holds no mark-up.
    Lines longer than :data:`LINE_WIDTH` are wrapped here, and Qt wraps none: it would wrap
    a rich tooltip at a width of its own, a short one mid-phrase. An empty text stays empty
    (an empty tooltip is no tooltip).
    """
    if not text:
        return ""
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) <= LINE_WIDTH:
            lines.append(line)
        else:
            lines += textwrap.wrap(line, LINE_WIDTH, break_on_hyphens=False) or [""]
    return "<p style='white-space:pre'>" + html.escape("\n".join(lines), quote=False) + "</p>"


# -- the terminal --------------------------------------------------------------------------

#: C0 controls but tab and newline (the layout of what is printed), DEL, and C1 controls
#: (a terminal may take U+009B for CSI as it takes ESC [).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def terminal_text(text: str) -> str:
    """``text`` with every control character a terminal would obey shown as ``\\xNN``.

    A title holding ``ESC ]0;…BEL`` would retitle the terminal, ``ESC [2J`` clear it.
    """
    return _CONTROL.sub(_escaped, text)


def say(*parts: object, file: Any = None, flush: bool = False) -> None:
    """``print`` for a person at a terminal: each part through :func:`terminal_text`."""
    print(*(terminal_text(str(p)) for p in parts), file=file, flush=flush)


#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw: C1 controls (C0 it escapes), and
#: the two line separators some readers of JSON take for the end of a line.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``data`` as JSON that keeps non-ASCII text readable yet holds no raw control
    character: safe to print, and the same data once read back."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- CSV and Markdown files ----------------------------------------------------------------

#: A cell a spreadsheet may take for a formula (OWASP's list: = + - @ tab CR).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a
    leading ``'`` (OWASP's rule). Numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(values: Any) -> list[Any]:
    """Each value of a CSV row through :func:`csv_cell`."""
    return [csv_cell(v) for v in values]


_MARKDOWN_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def markdown_text(text: str) -> str:
    """``text`` for a Markdown file: ``&``, ``<`` and ``>`` as entities, so no HTML in it
    becomes mark-up where the file is shown (a viewer renders raw HTML)."""
    return text.translate(_MARKDOWN_HTML)


def markdown_source(text: str) -> str:
    """A brief's own Markdown for a Markdown file: kept as Markdown (a ``>`` at a line's
    start still quotes) but no tag or entity of it is HTML: ``&`` and ``<`` are entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def markdown_cell(text: str) -> str:
    """``text`` for one cell of a Markdown table: :func:`markdown_text`, with pipes escaped
    and line breaks as spaces (either would end the cell)."""
    return markdown_text(" ".join(text.splitlines())).replace("|", "\\|")


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span (an id, a path): shown literally, whatever it holds.
    The fence is one backtick longer than any run of them in the text, as CommonMark asks."""
    flat = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall("`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
