"""A QTextBrowser for one section of a brief: actor links, tooltips, no network, hit stepping."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QDesktopServices,
    QFontMetricsF,
    QHelpEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QMenu, QTextBrowser, QToolTip, QWidget

from briefreader.core.safetext import rich_text
from briefreader.ui.qtcompat import emit

ACTOR_SCHEME = "actor"
#: The longest line, in characters of the text's font: lines longer than about 75
#: characters are hard to follow back to their start, so a wide pane leaves room unused.
MAX_MEASURE = 75
_SAMPLE = "the quick brown fox jumps over the lazy dog, said Iraq's Prime Minister on Monday"


class BriefBrowser(QTextBrowser):
    """Shows rendered HTML; links are handled here, never followed inside the widget.

    actorClicked(actor_id): a mark was clicked.
    addAliasRequested(text): "Add as alias…" chosen on a selection.
    addActorRequested(text): "Add as new actor…" chosen on a selection.
    actorPageRequested(actor_id): "Open the actor page" chosen on a mark.
    """

    actorClicked = Signal(str)
    addAliasRequested = Signal(str)
    addActorRequested = Signal(str)
    actorPageRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.document().setDocumentMargin(18)
        self.setMouseTracking(True)
        #: Called with (menu, self, pos) to add entries to a right-click menu (notes).
        self.menu_hooks: list[Callable[[QMenu, BriefBrowser, QPoint], None]] = []

    # -- measure -------------------------------------------------------------------------

    def fit_measure(self) -> None:
        """Wrap lines at :data:`MAX_MEASURE` characters when the pane is wider than that."""
        fm = QFontMetricsF(self.document().defaultFont())
        per_char = fm.horizontalAdvance(_SAMPLE) / len(_SAMPLE)
        widest = round(MAX_MEASURE * per_char + 2 * self.document().documentMargin())
        if self.viewport().width() > widest:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.FixedPixelWidth)
            self.setLineWrapColumnOrWidth(widest)
        else:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_measure()

    # -- network safety ------------------------------------------------------------------

    def loadResource(self, kind: int, url: QUrl | str) -> object:
        """Only local files (images from the brief's folder) load; nothing from a network."""
        url = QUrl(url) if isinstance(url, str) else url
        if url.isLocalFile() or url.scheme() in ("", "data"):
            if url.scheme() == "data":
                return None
            return super().loadResource(kind, url)
        return None

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == ACTOR_SCHEME:
            emit(self.actorClicked, url.path() or url.toString()[len(ACTOR_SCHEME) + 1 :])
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    # -- tooltips: Qt shows no title attribute of rich text by itself --------------------
    # A title comes from the brief (``<abbr title=...>``) or the glossary (an actor's
    # description): shown as plain text, or Qt would load the image one names.

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip for the character under ``pos`` (viewport coordinates), or ""."""
        doc_pos = QPointF(
            pos.x() + self.horizontalScrollBar().value(), pos.y() + self.verticalScrollBar().value()
        )
        at = self.document().documentLayout().hitTest(doc_pos, Qt.HitTestAccuracy.ExactHit)
        if at < 0:
            return ""
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(at + 1, self.document().characterCount() - 1))
        fmt = cursor.charFormat()
        tip = fmt.toolTip()
        if not tip and fmt.isAnchor() and fmt.anchorHref().startswith(("http", "mailto")):
            tip = fmt.anchorHref()
        return tip

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            tip = self.tooltip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), rich_text(tip), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    # -- context menu: glossary edits from a selection -----------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def context_menu(self, pos: QPoint) -> QMenu:
        """The menu for a right-click at ``pos`` (viewport coordinates): Qt's, with "Copy
        Link Location" only over a real link (never over nothing or an actor mark), and the
        glossary edits for a selection."""
        menu: QMenu = self.createStandardContextMenu(pos)
        link = menu.findChild(QAction, "link-copy")
        if link is not None:
            href = self.anchorAt(pos)
            link.setEnabled(href.startswith(("http:", "https:", "mailto:")))
            link.setVisible(not href.startswith(f"{ACTOR_SCHEME}:"))
        href = self.anchorAt(pos)
        if href.startswith(f"{ACTOR_SCHEME}:"):
            actor_id = href[len(ACTOR_SCHEME) + 1 :]
            menu.addSeparator()
            page = menu.addAction("Open the actor page")
            page.triggered.connect(lambda: emit(self.actorPageRequested, actor_id))
        text = self.textCursor().selectedText().strip()
        if text:
            menu.addSeparator()
            short = text if len(text) <= 30 else text[:29] + "…"
            alias = menu.addAction(f"Add “{short}” as an alias…")
            alias.triggered.connect(lambda: emit(self.addAliasRequested, text))
            actor = menu.addAction(f"Add “{short}” as a new actor…")
            actor.triggered.connect(lambda: emit(self.addActorRequested, text))
        for hook in self.menu_hooks:
            hook(menu, self, pos)
        return menu

    # -- positions of marks --------------------------------------------------------------

    def spans_where(self, test: object) -> list[tuple[int, int]]:
        """(start, end) document positions of runs whose char format passes ``test``."""
        out: list[tuple[int, int]] = []
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                if frag.isValid() and test(frag.charFormat()):  # type: ignore[operator]
                    start, end = frag.position(), frag.position() + frag.length()
                    if out and out[-1][1] == start:
                        out[-1] = (out[-1][0], end)
                    else:
                        out.append((start, end))
                it += 1
            block = block.next()
        return out

    def hit_spans(self, colour: QColor) -> list[tuple[int, int]]:
        rgb = colour.rgb()

        def is_hit(fmt: QTextCharFormat) -> bool:
            return fmt.background().style() != 0 and fmt.background().color().rgb() == rgb

        return self.spans_where(is_hit)

    def actor_spans(self, actor_id: str) -> list[tuple[int, int]]:
        href = f"{ACTOR_SCHEME}:{actor_id}"
        return self.spans_where(lambda fmt: fmt.isAnchor() and fmt.anchorHref() == href)

    def select_span(self, span: tuple[int, int]) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centre_cursor()

    def centre_cursor(self) -> None:
        """Scroll so that the cursor sits in the middle of the view (as far as the text
        allows): a hit on the bottom edge is read without its context."""
        bar = self.verticalScrollBar()
        rect = self.cursorRect()
        bar.setValue(bar.value() + rect.center().y() - self.viewport().height() // 2)
