"""The window's menus and docks by id, and actions and docks declared as data.

The menu bar is laid out here once: which menus there are, in what order, their sections
(separated by a line) and where each submenu sits. The window and its features declare what
goes in them (:class:`ActionSpec`, :class:`DockSpec`) by these ids; nothing finds a menu by
its label or its position. A menu nobody puts anything in is left out of the bar.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

#: A key, several keys (the first is the one the menu shows) or a platform's standard key.
Shortcut = str | tuple[str, ...] | QKeySequence.StandardKey | None


class MenuId(enum.Enum):
    """Every menu of the window. The menu bar shows its menus in this order."""

    FILE = "file"
    FILE_REMOVE = "file.remove"
    FILE_EXPORT = "file.export"
    EDIT = "edit"
    VIEW = "view"
    VIEW_THEME = "view.theme"
    GO = "go"
    NOTES = "notes"
    WATCH = "watch"
    HELP = "help"


class DockId(enum.Enum):
    """Every dock of the window; the value is its object name, which the saved layout keys on."""

    GLOSSARY = "glossaryDock"
    RELATED = "relatedDock"
    FILTERS = "facetDock"
    NOTES = "notesDock"
    WATCHLIST = "watchlistDock"


@dataclass(frozen=True)
class Place:
    """Where an entry goes: a menu, one of its sections, and its order there (lower first;
    entries of the same order keep the order they were declared in)."""

    menu: MenuId
    section: str
    order: int = 0


@dataclass(frozen=True)
class MenuSpec:
    """A menu: its title, its sections in order, and where it sits (None: in the menu bar).
    A ``dynamic`` menu is filled as it opens, so it is shown even with nothing declared."""

    title: str
    sections: tuple[str, ...]
    place: Place | None = None
    object_name: str = ""
    dynamic: bool = False


#: The menu bar, declared once.
MENUS: dict[MenuId, MenuSpec] = {
    MenuId.FILE: MenuSpec("&File", ("open", "output", "quit")),
    MenuId.FILE_REMOVE: MenuSpec(
        "Remove corpus folder",
        ("folders",),
        Place(MenuId.FILE, "open", 30),
        object_name="removeCorpusMenu",
        dynamic=True,
    ),
    MenuId.FILE_EXPORT: MenuSpec(
        "Export",
        ("results", "starred", "brief"),
        Place(MenuId.FILE, "output", 30),
        object_name="exportMenu",
    ),
    MenuId.EDIT: MenuSpec("&Edit", ("search", "filters")),
    MenuId.VIEW: MenuSpec("&View", ("size", "look", "panels", "actors")),
    MenuId.VIEW_THEME: MenuSpec("Theme", ("themes",), Place(MenuId.VIEW, "look", 10)),
    MenuId.GO: MenuSpec("&Go", ("history",)),
    MenuId.NOTES: MenuSpec("&Notes", ("marks", "stars", "panel")),
    MenuId.WATCH: MenuSpec("&Watch", ("panel", "saved", "history")),
    MenuId.HELP: MenuSpec("&Help", ("help",)),
}


@dataclass(frozen=True)
class ActionSpec:
    """An action as data: what it says, what it does, its keys and where it goes."""

    text: str
    triggered: Callable[..., object]
    place: Place
    shortcut: Shortcut = None
    checkable: bool = False
    checked: bool = False
    enabled: bool = True
    tooltip: str = ""
    object_name: str = ""


@dataclass(frozen=True)
class DockSpec:
    """A dock as data: its id, title and widget, its area, the dock it shares a tab group
    with, and where its show/hide action goes (the View menu's panels, unless told)."""

    id: DockId
    title: str
    widget: QWidget
    area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea
    tabify_with: DockId | None = None
    hidden: bool = False
    shortcut: str | None = None
    places: tuple[Place, ...] = (Place(MenuId.VIEW, "panels"),)


__all__ = [
    "MENUS",
    "ActionSpec",
    "DockId",
    "DockSpec",
    "MenuId",
    "MenuSpec",
    "Place",
    "Shortcut",
]
