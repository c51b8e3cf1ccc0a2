"""Where the window's docks and splitter go: the reading panes' measure first.

A new window is :data:`NEW_WINDOW` big where the screen has room for it, else as big as the
screen's free area allows (a 1366x768 laptop); it gives the results list a share of its width,
and shows the right-hand docks (Actors, More like this) only when it is at least
:data:`WIDE_WINDOW` wide: narrower, the article and the comment need the room more. A layout
the user left is restored as it was, shrunk to the screen it opens on if that is smaller.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter

#: A new window's size, where the screen has room for it.
NEW_WINDOW = QSize(1400, 880)
#: Kept free of the screen's available area: the window's frame and title bar, which the
#: size a window is given does not include (about 30 px under most window managers), and a
#: small margin around them.
FRAME_ROOM = QSize(24, 56)

#: The right-hand docks are shown by default only in a window at least this wide (about 65
#: characters a line each for the article and the comment at 1400 px). Crossing the width
#: shows or hides them again.
WIDE_WINDOW = 1600
DOCK_WIDTH = 300
FILTERS_WIDTH = 230
#: The results list's share of a new window's width, and its bounds.
RESULTS_SHARE, RESULTS_MIN, RESULTS_MAX = 0.24, 260, 400


def fit_to_screen(size: QSize, available: QRect) -> QSize:
    """``size``, no larger than the ``available`` area of a screen less the frame's room."""
    room = QSize(
        max(1, available.width() - FRAME_ROOM.width()),
        max(1, available.height() - FRAME_ROOM.height()),
    )
    return size.boundedTo(room)


class WindowLayout:
    """The places of ``window``'s splitter and right-hand docks, restored, saved and fitted
    to its width."""

    def __init__(
        self, window: QMainWindow, splitter: QSplitter, actors: QDockWidget, related: QDockWidget
    ) -> None:
        self.window = window
        self.splitter = splitter
        self.actors = actors
        self.related = related
        #: The layout is the user's (restored): the docks are left as they were left.
        self.restored = False
        self._default_split = False

    def restore(self, settings: QSettings) -> None:
        """The window's size and place, its docks and its splitter, as they were left."""
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.window.restoreGeometry(geometry):
            self.keep_on_screen()
        else:
            self.window.resize(fit_to_screen(NEW_WINDOW, self._screen().availableGeometry()))
        state = settings.value("window/state")
        self.restored = isinstance(state, QByteArray) and self.window.restoreState(state)
        split = settings.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)
        else:
            self._default_split = True

    def _screen(self) -> QScreen:
        """The screen the window is (or will be) shown on."""
        at = QGuiApplication.screenAt(self.window.geometry().center())
        return at or self.window.screen()

    def keep_on_screen(self) -> None:
        """Shrink a restored window to the free area of its screen, and bring it onto it.

        A layout saved on a large monitor, opened on the laptop's own screen (or at a larger
        scale, which makes the screen smaller in Qt's pixels), would otherwise open larger
        than the screen, its edges and status bar out of reach. A maximised or full-screen
        window is the window manager's to size.
        """
        state = self.window.windowState()
        if state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            return
        available = self._screen().availableGeometry()
        geo = self.window.geometry()
        size = fit_to_screen(geo.size(), available)
        if size != geo.size():
            self.window.resize(size)
        x = min(max(geo.x(), available.left()), available.right() + 1 - size.width())
        y = min(max(geo.y(), available.top()), available.bottom() + 1 - size.height())
        if (x, y) != (geo.x(), geo.y()):
            self.window.move(x, y)

    def save(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.window.saveGeometry())
        settings.setValue("window/state", self.window.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())

    def resized(self, old: int, new: int) -> None:
        """The window went from ``old`` to ``new`` pixels wide (``old`` 0 or less: it is
        shown for the first time). Docks yield room before the reading panes do."""
        first = old <= 0
        if first and self._default_split:
            self._default_split = False
            share = round(new * RESULTS_SHARE)
            self.splitter.setSizes([max(RESULTS_MIN, min(RESULTS_MAX, share)), new])
        if first and self.restored:
            return  # the user's own layout, as it was left
        if first or (old >= WIDE_WINDOW) != (new >= WIDE_WINDOW):
            self.fit_docks(new >= WIDE_WINDOW)

    def fit_docks(self, wide: bool) -> None:
        """Show the right-hand docks in a wide window, hide them in a narrower one; what the
        user chooses in View stays so until the window crosses :data:`WIDE_WINDOW`."""
        for dock in (self.actors, self.related):
            dock.setVisible(wide)
        if wide:
            self.window.resizeDocks([self.actors], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def reveal(self, dock: QDockWidget) -> None:
        """Show ``dock`` in front of its tab group; under the Actors, the larger share."""
        dock.show()
        dock.raise_()
        if self.actors.isVisible() and not self.actors.isFloating():
            height = max(400, self.window.height())
            shares = [height * 2 // 5, height * 3 // 5]
            self.window.resizeDocks([self.actors, dock], shares, Qt.Orientation.Vertical)

    def show_actors(self) -> None:
        """Show the Actors dock (a mark was clicked: the user wants to see the actor)."""
        if not self.actors.isVisible():
            self.actors.show()
            self.window.resizeDocks([self.actors], [DOCK_WIDTH], Qt.Orientation.Horizontal)


__all__ = [
    "DOCK_WIDTH",
    "FILTERS_WIDTH",
    "FRAME_ROOM",
    "NEW_WINDOW",
    "RESULTS_MAX",
    "RESULTS_MIN",
    "RESULTS_SHARE",
    "WIDE_WINDOW",
    "WindowLayout",
    "fit_to_screen",
]
