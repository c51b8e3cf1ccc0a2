"""What the window's features use of it, and nothing else (as qutebrowser's ``api``).

:mod:`~briefreader.ui.host.specs` names the menus and docks and declares actions and docks
as data; :mod:`~briefreader.ui.host.chrome` turns them into Qt menus and docks, in one
place; :mod:`~briefreader.ui.host.api` is the :class:`WindowHost` a feature is given
instead of the window. The app installs the features (:mod:`briefreader.ui.app`).
"""

from briefreader.ui.host.api import Feature, SearchHooks, WindowHost
from briefreader.ui.host.specs import ActionSpec, DockId, DockSpec, MenuId, Place

__all__ = [
    "ActionSpec",
    "DockId",
    "DockSpec",
    "Feature",
    "MenuId",
    "Place",
    "SearchHooks",
    "WindowHost",
]
