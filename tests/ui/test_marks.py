"""The UI's rewrite of the core's marked HTML, and the browser's tooltips and links."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QUrl
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from briefreader.ui.widgets.brief_browser import BriefBrowser
from briefreader.ui.widgets.marks import LIGHT, decorate

MARKED = (
    '<p><span class="actor actor-person" data-actor="qassem-suleimani" '
    'title="Qassem Suleimani (person): Quds Force commander.">Suleimani</span> met '
    '<span class="actor actor-militia" data-actor="kh" title="KH (militia)">KH '
    '<mark class="hit">leaders</mark></span> in <a href="https://example.com">'
    '<span class="actor actor-place" data-actor="baghdad" title="Baghdad (place)">Baghdad'
    "</span></a>.</p>"
)


def test_actor_spans_become_links_and_hits_styled() -> None:
    out = decorate(MARKED, LIGHT)
    assert 'href="actor:qassem-suleimani"' in out
    assert 'href="actor:kh"' in out
    assert "<mark" not in out and LIGHT.hit_bg in out
    # No anchor inside the brief's own link: Qt cannot nest them.
    assert 'href="actor:baghdad"' not in out
    assert out.count("<a ") == out.count("</a>")
    assert out.count("<span") == out.count("</span>")


def test_selection_emphasises_one_actor_and_fades_the_rest() -> None:
    out = decorate(MARKED, LIGHT, selected="kh")
    kh = out[out.index('href="actor:kh"') - 40 : out.index('href="actor:kh"') + 120]
    assert "font-weight:700" in kh
    assert f"color:{LIGHT.faded}" in out


def test_marks_off_keeps_text_and_hits() -> None:
    out = decorate(MARKED, LIGHT, marks=False)
    assert "actor:" not in out
    assert LIGHT.hit_bg in out
    assert "Suleimani" in out


def test_stray_close_tags_are_dropped() -> None:
    out = decorate("<p>a</span></mark> b</p>", LIGHT)
    assert out == "<p>a b</p>"


def test_hovering_a_mark_shows_its_tooltip(qtbot) -> None:  # type: ignore[no-untyped-def]
    browser = BriefBrowser()
    qtbot.addWidget(browser)
    browser.resize(500, 300)
    browser.show()
    qtbot.waitExposed(browser)
    browser.setHtml(decorate(MARKED, LIGHT))
    cursor = browser.textCursor()
    cursor.setPosition(3)
    pos = browser.cursorRect(cursor).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, browser.viewport().mapToGlobal(pos))
    QApplication.sendEvent(browser.viewport(), event)
    assert "Quds Force commander" in QToolTip.text()
    # Nowhere near a mark: no tooltip.
    assert browser.tooltip_at(QPoint(490, 290)) == ""
    assert "Quds Force" in browser.tooltip_at(pos)


def test_links_only_open_on_click(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(
        "briefreader.ui.widgets.brief_browser.QDesktopServices.openUrl",
        lambda url: opened.append(url.toString()),
    )
    browser = BriefBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(decorate(MARKED, LIGHT))
    assert opened == []
    with qtbot.waitSignal(browser.actorClicked) as b:
        browser.anchorClicked.emit(QUrl("actor:kh"))
    assert b.args == ["kh"]
    browser.anchorClicked.emit(QUrl("https://example.com"))
    browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == ["https://example.com"]
