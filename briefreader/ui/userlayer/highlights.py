"""Highlights in the reading pane: made from a selection, drawn in their own colour.

They are drawn as the browsers' *extra selections*, over the text and not in it: the
document stays as rendered, so search-hit stepping (which reads the hits' colour from the
document) and the actor links work inside a highlight too. A highlight made on another
version of the brief is not drawn (its offsets mean other text now); the Notes panel lists
it with the text it was made on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QHelpEvent, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.brief import ARTICLE, COMMENT, Brief
from briefreader.core.safetext import rich_text
from briefreader.core.userdata import Note
from briefreader.ui.qtcompat import emit
from briefreader.ui.userlayer.anchors import Alignment
from briefreader.ui.userlayer.store import UserStore
from briefreader.ui.widgets.brief_browser import ACTOR_SCHEME, BriefBrowser
from briefreader.ui.widgets.marks import MarkStyle
from briefreader.ui.widgets.reading_pane import ReadingPane

#: Asks the user for a note's text: (parent, title, quote, text so far) -> text or None.
AskNote = Callable[[QWidget, str, str, str], "str | None"]


#: Asks the user to confirm a deletion: (parent, question) -> yes.
Confirm = Callable[[QWidget, str], bool]


def confirm(parent: QWidget, question: str) -> bool:
    """Yes or no, No by default: a note deleted is gone (there is no undo). The question
    quotes the note: shown as plain text."""
    answer = QMessageBox.question(
        parent,
        "Delete the note",
        rich_text(question),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_note(parent: QWidget, title: str, quote: str, text: str = "") -> str | None:
    """A small dialog: the quoted text, a box for the note; None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(420)
    lay = QVBoxLayout(dialog)
    if quote:
        shown = quote if len(quote) <= 400 else quote[:399] + "…"
        label = QLabel(f"“{shown}”")
        label.setTextFormat(Qt.TextFormat.PlainText)  # the brief's text, never mark-up
        label.setWordWrap(True)
        label.setObjectName("noteQuote")
        lay.addWidget(label)
    box = QPlainTextEdit(text)
    box.setPlaceholderText("Your note (optional for a highlight)")
    box.setTabChangesFocus(True)
    lay.addWidget(box, 1)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    lay.addWidget(buttons)
    box.setFocus()
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return box.toPlainText().strip()


def _pieces(span: tuple[int, int], hits: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """``span`` cut at the search hits inside it: (start, end, over a hit)."""
    out: list[tuple[int, int, bool]] = []
    pos, end = span
    for a, b in hits:
        a, b = max(a, pos), min(b, end)
        if a >= b:
            continue
        if pos < a:
            out.append((pos, a, False))
        out.append((a, b, True))
        pos = b
    if pos < end:
        out.append((pos, end, False))
    return out


class PaneHighlights(QObject):
    """Draws the open brief's highlights in the pane and makes new ones from a selection.

    watchRequested(actor_id): "Watch this actor" chosen on an actor mark.
    starToggled(): "Star this brief" chosen in a section's menu.
    """

    watchRequested = Signal(str)
    starToggled = Signal()

    def __init__(
        self,
        pane: ReadingPane,
        store: UserStore,
        ask: AskNote = ask_note,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.pane = pane
        self.store = store
        self.ask = ask
        self.confirm: Confirm = confirm
        #: Per browser: the drawn highlights as (start, end) on screen, and their notes.
        self.drawn: dict[BriefBrowser, list[tuple[int, int, Note]]] = {}
        self._alignments: dict[BriefBrowser, tuple[str, Alignment]] = {}
        pane.rendered.connect(self.redraw)
        store.notesChanged.connect(self._on_notes_changed)
        for browser in pane.browsers:
            browser.menu_hooks.append(self._add_menu_entries)
            browser.viewport().installEventFilter(self)

    # -- where each section is -----------------------------------------------------------

    def _section(self, browser: BriefBrowser) -> tuple[str, int, str] | None:
        """(section, its start in the brief, its text) shown by ``browser``, if any."""
        view = self.pane.view
        if view is None:
            return None
        name = ARTICLE if browser is self.pane.browsers[0] else COMMENT
        return next((s for s in view.brief.sections() if s[0] == name), None)

    def _alignment(self, browser: BriefBrowser, source: str) -> Alignment:
        shown = browser.document().toPlainText()
        key = shown + "\0" + source
        cached = self._alignments.get(browser)
        if cached is None or cached[0] != key:
            cached = (key, Alignment(shown, source))
            self._alignments[browser] = cached
        return cached[1]

    # -- drawing -------------------------------------------------------------------------

    @Slot(str)
    def _on_notes_changed(self, brief_id: str) -> None:
        view = self.pane.view
        if view is not None and view.brief.id == brief_id:
            self.redraw()

    @Slot()
    def redraw(self) -> None:
        """Draw the open brief's current highlights (after every render of the pane)."""
        view = self.pane.view
        notes = self.store.notes(view.brief.id) if view is not None else []
        style: MarkStyle = self.pane.style_  # the theme's: the pane re-renders on a change
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(style.note_bg))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        fmt.setUnderlineColor(QColor(style.note_line))
        # Over a search hit only the underline: the hit keeps its own colours (its dark
        # text on the highlight's dark background would be unreadable in the dark theme).
        line_only = QTextCharFormat()
        line_only.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        line_only.setUnderlineColor(QColor(style.note_line))
        for browser in self.pane.browsers:
            drawn: list[tuple[int, int, Note]] = []
            selections: list[QTextEdit.ExtraSelection] = []
            section = self._section(browser)
            hits = browser.hit_spans(QColor(style.hit_bg)) if notes else []
            for note in notes:
                if view is None or section is None or note.section != section[0]:
                    continue
                if note.sha256 != view.brief.sha256 or note.start is None or note.end is None:
                    continue  # made on another version of the brief: listed, not drawn
                _name, at, text = section
                span = self._alignment(browser, text).to_shown(note.start - at, note.end - at)
                if span is None:
                    continue
                for a, b, over_hit in _pieces(span, hits):
                    cursor = QTextCursor(browser.document())
                    cursor.setPosition(a)
                    cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
                    sel = QTextEdit.ExtraSelection()
                    sel.cursor = cursor  # type: ignore[misc]
                    sel.format = line_only if over_hit else fmt  # type: ignore[misc]
                    selections.append(sel)
                drawn.append((span[0], span[1], note))
            browser.setExtraSelections(selections)
            self.drawn[browser] = drawn

    def highlight_at(self, browser: BriefBrowser, position: int) -> Note | None:
        return next((n for a, b, n in self.drawn.get(browser, []) if a <= position < b), None)

    def show_note(self, note: Note) -> bool:
        """Select a drawn highlight in its pane, centred (the Notes panel's "go to")."""
        for browser, drawn in self.drawn.items():
            for a, b, n in drawn:
                if n.id == note.id:
                    browser.select_span((a, b))
                    return True
        return False

    # -- making ----------------------------------------------------------------------------

    def selection(self) -> tuple[BriefBrowser, int, int] | None:
        """The browser with selected text (the focused one first) and the selection."""
        ordered = sorted(self.pane.browsers, key=lambda b: not b.hasFocus())
        for browser in ordered:
            cursor = browser.textCursor()
            if cursor.hasSelection() and self._section(browser) is not None:
                return browser, cursor.selectionStart(), cursor.selectionEnd()
        return None

    def highlight_selection(self, *, with_note: bool = True) -> Note | None:
        """Highlight the selected text; ``with_note``: ask for a note first."""
        chosen = self.selection()
        view = self.pane.view
        if chosen is None or view is None:
            emit(self.store.message, "Select some text of the brief to highlight it.", 4000)
            return None
        browser, start, end = chosen
        return self.highlight(view.brief, browser, start, end, with_note=with_note)

    def highlight(
        self, brief: Brief, browser: BriefBrowser, start: int, end: int, *, with_note: bool
    ) -> Note | None:
        section = self._section(browser)
        if section is None:
            return None
        name, at, text = section
        span = self._alignment(browser, text).to_source(start, end)
        if span is None:
            emit(self.store.message, "That selection holds no words of the brief.", 4000)
            return None
        body = ""
        if with_note:
            quote = browser.document().toPlainText()[start:end]
            asked = self.ask(self.pane, "Highlight with a note", " ".join(quote.split()), "")
            if asked is None:
                return None
            body = asked
        note = self.store.add_highlight(brief, name, at + span[0], at + span[1], body)
        if note is not None:
            cursor = browser.textCursor()
            cursor.clearSelection()
            browser.setTextCursor(cursor)
        return note

    def delete(self, note: Note) -> bool:
        """Delete a note or highlight; one with words of the user's in it only once they
        say yes (a bare highlight is one click to make again)."""
        if note.body.strip():
            short = " ".join(note.body.split())
            short = short if len(short) <= 80 else short[:79] + "…"
            if not self.confirm(self.pane, f"Delete the note “{short}”? There is no undo."):
                return False
        self.store.delete_note(note)
        return True

    def edit(self, note: Note) -> None:
        text = self.ask(self.pane, "Edit note", " ".join((note.quote or "").split()), note.body)
        if text is not None:
            self.store.edit_note(note, text)

    # -- the right-click menu and tooltips -----------------------------------------------

    def _add_menu_entries(self, menu: QMenu, browser: BriefBrowser, pos: QPoint) -> None:
        view = self.pane.view
        if view is None:
            return
        menu.addSeparator()
        cursor = browser.textCursor()
        if cursor.hasSelection() and self._section(browser) is not None:
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            act = menu.addAction("Highlight with a note…")
            act.setShortcut(QKeySequence("Ctrl+Shift+H"))  # said, not bound: the menu's own
            act.setShortcutVisibleInContextMenu(True)
            act.triggered.connect(
                lambda: self.highlight(view.brief, browser, start, end, with_note=True)
            )
            act = menu.addAction("Highlight")
            act.triggered.connect(
                lambda: self.highlight(view.brief, browser, start, end, with_note=False)
            )
        at = browser.cursorForPosition(pos).position()
        note = self.highlight_at(browser, at)
        if note is not None:
            act = menu.addAction("Edit the note…" if note.body else "Add a note…")
            act.triggered.connect(lambda: self.edit(note))
            act = menu.addAction("Remove this highlight")
            act.triggered.connect(lambda: self.delete(note))
        href = browser.anchorAt(pos)
        if href.startswith(f"{ACTOR_SCHEME}:"):
            actor_id = href[len(ACTOR_SCHEME) + 1 :]
            act = menu.addAction("Watch this actor")
            act.triggered.connect(lambda: emit(self.watchRequested, actor_id))
        starred = self.store.is_starred(view.brief.id)
        act = menu.addAction("Unstar this brief" if starred else "Star this brief")
        act.setShortcut(QKeySequence("Ctrl+D"))
        act.setShortcutVisibleInContextMenu(True)
        act.triggered.connect(lambda: emit(self.starToggled))

    def tooltip(self, browser: BriefBrowser, pos: QPoint) -> str:
        """The note of the highlight under ``pos`` (viewport coordinates), or ""."""
        doc_pos = QPointF(
            pos.x() + browser.horizontalScrollBar().value(),
            pos.y() + browser.verticalScrollBar().value(),
        )
        at = browser.document().documentLayout().hitTest(doc_pos, Qt.HitTestAccuracy.ExactHit)
        note = self.highlight_at(browser, at) if at >= 0 else None
        if note is None:
            return ""
        return note.body or "Highlighted (no note)"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            browser = next((b for b in self.pane.browsers if b.viewport() is watched), None)
            tip = self.tooltip(browser, event.pos()) if browser is not None else ""
            if tip:  # the user's note, maybe pasted from anywhere: plain text
                QToolTip.showText(event.globalPos(), rich_text(tip), browser)
                return True
        return super().eventFilter(watched, event)
