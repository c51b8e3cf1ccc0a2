"""A brief made ready to read: parsed, matched to the glossary, hits marked, rendered.

Qt-free, so the window's workers, the command line and tests all prepare a brief the same
way; the reading pane only shows the :class:`BriefView` it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefreader.core.brief import Brief
from briefreader.core.match import Mention
from briefreader.core.records import Hit
from briefreader.core.render import RenderedBrief, render_brief

if TYPE_CHECKING:
    from briefreader.core.library import Library

log = logging.getLogger(__name__)

#: How many "more like this" briefs a reader is offered.
RELATED_LIMIT = 8


@dataclass(frozen=True, slots=True)
class BriefView:
    """A brief ready to show: parsed, matched, hit-marked and rendered off the GUI thread."""

    brief: Brief
    mentions: list[Mention]
    hits: list[tuple[int, int]]
    rendered: RenderedBrief
    related: list[Hit] = field(default_factory=list)
    #: The query whose hits are marked ("" for none): a reader re-marks when it changes.
    query: str = ""
    #: The same article's other places (ids of briefs holding it too).
    copies: tuple[str, ...] = ()


def actor_info(library: Library) -> Callable[[str], tuple[str, str, str]]:
    """(name, kind, description) of an actor, for tooltips in rendered HTML."""
    return library.glossary.describe


def prepare_brief(library: Library, ref: str, query: str, *, related: bool = True) -> BriefView:
    """Everything a reader needs for one brief (the window runs this in a worker)."""
    brief = library.brief(ref)
    mentions = library.mentions(brief)
    hits = library.hit_spans(brief, query) if query.strip() else []
    rendered = render_brief(brief, mentions, hits, actor_info(library))
    rel = related_briefs(library, brief.id) if related else []
    try:
        copies = library.copies_of(brief.id)
    except Exception:  # the other places are a nicety, like "more like this": logged only
        log.debug("no copies looked up for %s", brief.id, exc_info=True)
        copies = ()
    return BriefView(brief, mentions, hits, rendered, rel, query.strip(), copies)


def related_briefs(library: Library, brief_id: str) -> list[Hit]:
    """Briefs like this one; none rather than an error, since "more like this" is a nicety."""
    try:
        return library.related(brief_id, limit=RELATED_LIMIT)
    except Exception:  # "more like this" is a nicety: logged, never shown
        log.debug("no related briefs for %s", brief_id, exc_info=True)
        return []
