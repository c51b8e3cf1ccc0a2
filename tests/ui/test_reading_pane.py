"""The reading pane: article beside comment when there is room, one above the other when not."""

from __future__ import annotations

from PySide6.QtCore import Qt

from briefreader.ui.widgets.reading_pane import ReadingPane


def _pane(qtbot, width: int) -> ReadingPane:  # type: ignore[no-untyped-def]
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.resize(width, 600)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def test_a_narrow_pane_stacks_the_comment_under_the_article(qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = _pane(qtbot, 500)
    assert pane.width() < pane.side_by_side_width()
    assert pane.splitter.orientation() == Qt.Orientation.Vertical
    pane.resize(1400, 600)
    qtbot.waitUntil(lambda: pane.splitter.orientation() == Qt.Orientation.Horizontal)
    # Both sections get the same room in either orientation.
    a, b = pane.splitter.sizes()
    assert abs(a - b) <= 2


def test_the_users_flip_holds_at_every_width(qtbot) -> None:  # type: ignore[no-untyped-def]
    pane = _pane(qtbot, 1400)
    assert pane.splitter.orientation() == Qt.Orientation.Horizontal
    pane.flip()
    assert pane.splitter.orientation() == Qt.Orientation.Vertical
    pane.resize(1500, 600)
    qtbot.waitUntil(lambda: pane.width() == 1500)
    assert pane.splitter.orientation() == Qt.Orientation.Vertical
