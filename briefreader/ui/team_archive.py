"""The team archive in the window (issue 17): File > Open team archive… and back.

:func:`install` puts it into a :class:`MainWindow`. Opening asks for a PostgreSQL URL or a
service name (never a password: libpq finds it in PGPASSWORD, a service file or ~/.pgpass),
tries the server off the GUI thread, and on success searches the archive instead of the
local index; a permanent line in the status bar says which archive. An unreachable server
is one line in the status bar, and the window goes on searching locally. The URL is kept
in the window's settings for next time (it holds no password: the archive refuses one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

from briefreader.core.library import Library
from briefreader.core.safetext import rich_text

if TYPE_CHECKING:
    from briefreader.ui.main_window import MainWindow

SETTING = "archive/last"


class TeamArchive(QObject):
    """The File menu's team archive actions and the status bar line naming the archive."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.local: Library | None = None  # the local library while an archive is open
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the archive's name, as written
        self.label.setObjectName("teamArchiveLabel")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.open_action = QAction("Open team archive…", window)
        self.open_action.setObjectName("openTeamArchive")
        self.open_action.triggered.connect(self.ask)
        self.close_action = QAction("Close team archive (search locally)", window)
        self.close_action.setEnabled(False)
        self.close_action.triggered.connect(self.close_archive)
        file_menu = window.menuBar().actions()[0].menu()
        first_separator = next((a for a in file_menu.actions() if a.isSeparator()), None)
        file_menu.insertActions(first_separator, [self.open_action, self.close_action])

    @property
    def name(self) -> str | None:
        """Which archive the window searches (None: the local index)."""
        return getattr(self.window.library, "name", None) if self.local is not None else None

    @Slot()
    def ask(self) -> None:
        last = str(self.window.settings.value(SETTING, "") or "")
        url, ok = QInputDialog.getText(
            self.window,
            "Open team archive",
            "PostgreSQL URL or service name (the password comes from PGPASSWORD, a service "
            "file or ~/.pgpass):",
            QLineEdit.EchoMode.Normal,
            last,
        )
        if ok and url.strip():
            self.open_archive(url.strip())

    def open_archive(self, url: str) -> None:
        """Try the archive in the background; search it if it answers."""
        window = self.window
        base = self.local or window.library
        window.statusBar().showMessage(f"Connecting to the team archive {url}…")

        def connect() -> Any:
            from briefreader.core.archive.errors import ArchiveError
            from briefreader.core.archive.library import ArchiveLibrary

            try:
                lib = ArchiveLibrary.open_archive(
                    url,
                    base.corpora,
                    data_dir=base.data_dir,
                    glossary_files=base.glossary_files,
                    pushes=False,  # the window's updates keep the local index current
                )
                lib.doc_count()  # the server answers, and holds an archive of our schema
                return lib
            except ArchiveError as exc:
                return str(exc)

        window.workers.call(connect, lambda result: self._opened(url, result))

    def _opened(self, url: str, result: Any) -> None:
        window = self.window
        if isinstance(result, str):
            # One line, and the window goes on with what it was searching.
            window.statusBar().showMessage(f"{result}; searching locally", 15000)
            return
        if self.local is None:
            self.local = window.library
        window.settings.setValue(SETTING, url)
        self._use(result)
        self.label.setText(f"Team archive: {result.name}")
        self.label.setToolTip(
            rich_text(f"Searching the team archive {result.name}, not the local index")
        )
        self.label.show()
        self.close_action.setEnabled(True)
        window.statusBar().showMessage(f"Searching the team archive {result.name}", 5000)

    @Slot()
    def close_archive(self) -> None:
        if self.local is None:
            return
        archive = self.window.library
        self._use(self.local)
        self.local = None
        archive.close()
        self.label.hide()
        self.close_action.setEnabled(False)
        self.window.statusBar().showMessage("Searching the local index", 5000)

    def _use(self, lib: Library) -> None:
        window = self.window
        window.library = lib
        window.workers.library = lib
        window.workers.forget_views()
        window.run_search()


def install(window: MainWindow) -> TeamArchive:
    """Put the team archive's actions into ``window`` (after its menus are built)."""
    return TeamArchive(window)


__all__ = ["TeamArchive", "install"]
