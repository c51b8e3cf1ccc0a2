"""The team archive in the window: File > Open team archive… and back.

:func:`install` puts it into the window through its host. Opening asks for a PostgreSQL URL or a
service name (never a password: libpq finds it in PGPASSWORD, a service file or ~/.pgpass),
tries the server off the GUI thread, and on success searches the archive instead of the
local index; a permanent line in the status bar says which archive. An unreachable server
is one line in the status bar, and the window goes on searching locally. The URL is kept
in the window's settings for next time (it holds no password: the archive refuses one).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

from briefreader.core.library import Library
from briefreader.core.safetext import rich_text
from briefreader.ui.host import ActionSpec, MenuId, Place, WindowHost

SETTING = "archive/last"


class TeamArchive(QObject):
    """The File menu's team archive actions and the status bar line naming the archive."""

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host)
        self.host = host
        #: The archive searched, and the local library it stands in for, while one is open.
        self.archive: Library | None = None
        self.local: Library | None = None
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the archive's name, as written
        self.label.setObjectName("teamArchiveLabel")
        self.label.hide()
        host.add_status_widget(self.label)
        # After the corpus folders' entries, before the printing ones.
        self.open_action = host.add_action(
            ActionSpec(
                "Open team archive…",
                self.ask,
                Place(MenuId.FILE, "open", 50),
                object_name="openTeamArchive",
            )
        )
        self.close_action = host.add_action(
            ActionSpec(
                "Close team archive (search locally)",
                self.close_archive,
                Place(MenuId.FILE, "open", 51),
                enabled=False,
            )
        )
        host.libraryChanged.connect(self._on_library_changed)

    @property
    def name(self) -> str | None:
        """Which archive the window searches (None: the local index)."""
        return self.archive.name if self.archive is not None else None

    @Slot()
    def ask(self) -> None:
        last = str(self.host.settings.value(SETTING, "") or "")
        url, ok = QInputDialog.getText(
            self.host.parent_widget,
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
        base = self.local or self.host.library
        self.host.show_message(f"Connecting to the team archive {url}…")

        def connect() -> Any:
            from briefreader.core.archive.errors import ArchiveError

            try:
                lib = Library.open_archive(
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

        self.host.workers.call(connect, lambda result: self._opened(url, result))

    def _opened(self, url: str, result: Library | str) -> None:
        if isinstance(result, str):
            # One line, and the window goes on with what it was searching.
            self.host.show_message(f"{result}; searching locally", 15000)
            return
        previous, self.archive = self.archive, result
        if self.local is None:
            self.local = self.host.library
        self.host.settings.setValue(SETTING, url)
        self._use(result)
        if previous is not None:
            previous.close()  # another archive was open: this one takes its place
        self.label.setText(f"Team archive: {result.name}")
        self.label.setToolTip(
            rich_text(f"Searching the team archive {result.name}, not the local index")
        )
        self.label.show()
        self.close_action.setEnabled(True)
        self.host.show_message(f"Searching the team archive {result.name}", 5000)

    @Slot()
    def close_archive(self) -> None:
        archive, local = self.archive, self.local
        if archive is None or local is None:
            return
        self._forget()
        self._use(local)
        archive.close()
        self.host.show_message("Searching the local index", 5000)

    def _use(self, lib: Library) -> None:
        self.host.set_library(lib)
        self.host.workers.forget_views()
        self.host.run_search()

    def _forget(self) -> None:
        self.archive = self.local = None
        self.label.hide()
        self.close_action.setEnabled(False)

    @Slot(object)
    def _on_library_changed(self, library: Library) -> None:
        """Corpus folders added or removed while an archive was open: the window searches
        a new local library now, and the archive is closed."""
        archive = self.archive
        if archive is not None and library is not archive:
            self._forget()
            archive.close()


def install(host: WindowHost) -> TeamArchive:
    """Put the team archive's actions into the window."""
    return TeamArchive(host)


__all__ = ["TeamArchive", "install"]
