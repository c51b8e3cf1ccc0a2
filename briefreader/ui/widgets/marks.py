"""Turn the core's marked HTML into what QTextBrowser shows well.

The core marks actors as ``<span class="actor actor-KIND" data-actor=ID title=...>`` and
hits as ``<mark class="hit">``. Qt's rich-text engine supports only a small CSS subset, no
``<mark>`` and poor class matching, so here each actor span becomes a clickable
``<a href="actor:ID">`` with inline colours and each hit a styled ``<span>``; the selected
actor is emphasised and the others fade. Pure string work, testable without a window.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# (text colour, background) per actor kind, for light and dark themes.
KIND_COLOURS_LIGHT: dict[str, tuple[str, str]] = {
    "person": ("#1d4f91", "#e3edfb"),
    "organisation": ("#6a3d9a", "#efe6f7"),
    "state": ("#1b6e3c", "#e2f3e8"),
    "militia": ("#a4361f", "#fbe6df"),
    "place": ("#6b5a12", "#f5efd6"),
    "other": ("#4a5560", "#eceff2"),
}
KIND_COLOURS_DARK: dict[str, tuple[str, str]] = {
    "person": ("#9cc3ff", "#1f3148"),
    "organisation": ("#d2b4f2", "#33264a"),
    "state": ("#93dcae", "#1d3a2a"),
    "militia": ("#ffab94", "#4a2620"),
    "place": ("#e8d48a", "#3b3520"),
    "other": ("#c4ccd4", "#2e3439"),
}
KIND_LABELS = {
    "person": "Person",
    "organisation": "Organisation",
    "state": "State",
    "militia": "Militia",
    "place": "Place",
    "other": "Other",
}


@dataclass(frozen=True, slots=True)
class MarkStyle:
    """Colours for one theme."""

    kinds: dict[str, tuple[str, str]]
    hit_fg: str
    hit_bg: str
    faded: str
    link: str
    #: The user's own highlights: a background and an underline no actor kind or hit uses.
    note_bg: str = "#ffd0ea"
    note_line: str = "#c2185b"

    def kind(self, kind: str) -> tuple[str, str]:
        return self.kinds.get(kind, self.kinds["other"])


LIGHT = MarkStyle(KIND_COLOURS_LIGHT, "#3b2a00", "#ffd54a", "#9aa3ab", "#0b57d0")
DARK = MarkStyle(
    KIND_COLOURS_DARK, "#1b1400", "#e0b422", "#6b737b", "#8ab4f8", "#5e1f47", "#ff8cc8"
)

_SPAN = re.compile(r"<(/?)(span|a|mark)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def _actor_tags(
    attrs: dict[str, str], style: MarkStyle, marks: bool, selected: str | None, in_link: bool
) -> tuple[str, str]:
    """The opening and closing tags an actor's span becomes: a coloured link, or less."""
    if not marks:
        return "<span>", "</span>"
    actor_id = attrs["data-actor"]
    classes = attrs.get("class", "").split()
    kind = next((c[6:] for c in classes if c.startswith("actor-")), "other")
    fg, bg = style.kind(kind)
    css = f"color:{fg}; background-color:{bg}; text-decoration:none"
    if selected is not None:
        if actor_id == selected:
            css = f"color:{fg}; background-color:{bg}; font-weight:700; text-decoration:underline"
        else:
            css = f"color:{style.faded}; text-decoration:none"
    title = html.escape(attrs.get("title", ""))
    if in_link:
        # No anchor inside a brief's own link: Qt cannot nest anchors.
        return f'<span style="{css}" title="{title}">', "</span>"
    href = html.escape("actor:" + actor_id)
    return f'<a href="{href}" style="{css}" title="{title}">', "</a>"


def decorate(
    fragment: str,
    style: MarkStyle,
    *,
    marks: bool = True,
    selected: str | None = None,
) -> str:
    """Rewrite actor spans and hit marks of a rendered section for QTextBrowser.

    ``marks`` False drops the actor colouring (hits stay); ``selected`` emphasises one
    actor's mentions and fades the others.
    """
    out: list[str] = []
    stack: list[str] = []  # what each open <span>/<a>/<mark> became: its closing text
    in_link = 0
    pos = 0
    for m in _SPAN.finditer(fragment):
        out.append(fragment[pos : m.start()])
        pos = m.end()
        closing, tag, attrs_text = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if not stack:
                continue  # a stray close tag: drop it
            end = stack.pop()
            if end == "</a>":
                in_link -= 1
            out.append(end)
            continue
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(attrs_text)}
        if tag == "mark":
            out.append(
                f'<span style="background-color:{style.hit_bg}; color:{style.hit_fg}; '
                f'font-weight:600">'
            )
            stack.append("</span>")
        elif tag == "a":
            in_link += 1
            out.append(m.group(0))
            stack.append("</a>")
        elif "actor" in attrs.get("class", "").split() and attrs.get("data-actor"):
            opening, closing_tag = _actor_tags(attrs, style, marks, selected, in_link > 0)
            out.append(opening)
            stack.append(closing_tag)
            if closing_tag == "</a>":
                in_link += 1
        else:
            out.append(m.group(0))
            stack.append("</span>" if tag == "span" else f"</{tag}>")
    out.append(fragment[pos:])
    out.extend(reversed(stack))
    return "".join(out)
