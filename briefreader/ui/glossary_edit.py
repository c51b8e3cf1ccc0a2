"""Glossary edits made from the window: an alias or an actor added from selected text.

Each edit is saved to the user's glossary file at once (atomically, by the core); the window
then re-marks the open brief and re-indexes what the edit can affect (``edited``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from briefreader.core.glossary import KNOWN_KINDS, Glossary, GlossaryError
from briefreader.core.safetext import rich_text
from briefreader.ui.qtcompat import emit
from briefreader.ui.widgets.glossary_panel import GlossaryPanel
from briefreader.ui.widgets.marks import KIND_LABELS

log = logging.getLogger(__name__)


class GlossaryEditor(QObject):
    """Asks what to add, adds it to ``glossary``, saves ``user_file``, refreshes ``panel``.

    edited(): the glossary changed (marks and the index may be out of date).
    """

    edited = Signal()

    def __init__(
        self, glossary: Glossary, user_file: Path, panel: GlossaryPanel, dialogs: QWidget
    ) -> None:
        super().__init__(dialogs)
        self.glossary = glossary
        self.user_file = user_file
        self.panel = panel
        self._dialogs = dialogs

    def _save(self) -> str | None:
        try:
            self.glossary.save_user(self.user_file)
        except (GlossaryError, OSError) as exc:
            log.warning("glossary not saved: %s", exc)
            return f"The glossary could not be saved: {exc}"
        return None

    def add_alias(self, actor_id: str, alias: str) -> str | None:
        """Add an alias and save the user glossary; None, or why it could not be done."""
        try:
            self.glossary.add_alias(actor_id, alias)
        except (KeyError, ValueError) as exc:
            return str(exc).strip("'\"")
        error = self._save()
        self.panel.refresh()
        emit(self.edited)
        return error

    def add_actor(self, name: str, kind: str) -> str | None:
        """Add an actor, save, and select it in the panel; None, or why it could not be."""
        try:
            actor = self.glossary.add_actor(name, kind)
        except ValueError as exc:
            return str(exc)
        error = self._save()
        self.panel.refresh(select=actor.id)
        emit(self.edited)
        return error

    @Slot(str)
    def ask_add_alias(self, text: str) -> None:
        actors = sorted(self.glossary.actors.values(), key=lambda a: a.name.lower())
        names = [a.name for a in actors]
        current = self.panel.current()
        start = next((i for i, a in enumerate(actors) if a.id == current), 0)
        # Labels and messages quote a brief's text or a name: plain text, never mark-up.
        question = rich_text(f"“{text}” is another name for:")
        name, ok = QInputDialog.getItem(
            self._dialogs, "Add an alias", question, names, start, False
        )
        if not ok:
            return
        error = self.add_alias(actors[names.index(name)].id, text)
        if error:
            QMessageBox.warning(self._dialogs, "Add an alias", rich_text(error))

    @Slot(str)
    def ask_add_actor(self, text: str) -> None:
        name, ok = QInputDialog.getText(self._dialogs, "Add an actor", "Name:", text=text)
        if not ok or not name.strip():
            return
        labels = [KIND_LABELS.get(k, k) for k in KNOWN_KINDS]
        label, ok = QInputDialog.getItem(
            self._dialogs, "Add an actor", rich_text(f"{name} is a:"), labels, 0, False
        )
        if not ok:
            return
        error = self.add_actor(name, KNOWN_KINDS[labels.index(label)])
        if error:
            QMessageBox.warning(self._dialogs, "Add an actor", rich_text(error))
