"""Briefs of other formats in the window: a dropped email, a picked PDF digest and a digest
item found by search read as any brief (article beside comment) and say where they came from."""

from __future__ import annotations

from pathlib import Path

import formats_kit as kit
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from briefreader.ui.main_window import MainWindow


def _shown(qtbot, window: MainWindow, act) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.briefShown, timeout=20000):
        act()


def test_a_dropped_email_opens_beside_its_comment_with_its_origin(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    eml = kit.make_eml(tmp_path)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(eml))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    _shown(qtbot, window, lambda: window.dropEvent(event))
    brief = window.pane.view.brief
    assert brief.format == "email" and brief.comment == kit.COMMENT
    assert window.pane.provenance.text() == "from message.eml · email"
    assert not window.pane.open_original.isHidden()


def test_a_pdf_digest_picked_from_file_menu_opens_at_its_first_item(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    pdf = kit.make_pdf(tmp_path, "roundup.pdf", pages=(kit.ROUNDUP_DATED,))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(pdf), ""))
    )
    _shown(qtbot, window, window.choose_brief_file)
    brief = window.pane.view.brief
    assert brief.format == "pdf" and brief.item == 1
    assert brief.title.startswith("Amiri warns")
    assert window.pane.provenance.text().startswith(f"from {pdf.name} · item 1 · p. 1")
