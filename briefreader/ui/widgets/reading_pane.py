"""The reading pane: header, actor legend, then article and analyst comment side by side."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontMetricsF,
    QResizeEvent,
    QShowEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.brief import provenance_line
from briefreader.core.reading import BriefView
from briefreader.ui.qtcompat import emit
from briefreader.ui.widgets.brief_browser import BriefBrowser
from briefreader.ui.widgets.marks import KIND_LABELS, LIGHT, MarkStyle, decorate

NO_COMMENT = "This brief has no analyst comment."


def _document_css(style: MarkStyle, size: float) -> str:
    return (
        f"body {{ font-size: {size:.1f}pt; }}"
        "p { margin-top: 0px; margin-bottom: 10px; line-height: 145%; }"
        "li { line-height: 140%; }"
        "h1, h2, h3 { margin-top: 6px; margin-bottom: 6px; }"
        f"a {{ color: {style.link}; }}"
        "blockquote { margin-left: 12px; }"
    )


class _Section(QFrame):
    """A caption ("Article", "Analyst comment") over a browser."""

    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.caption = QLabel(caption)
        self.caption.setObjectName("sectionCaption")
        self.browser = BriefBrowser()
        self.browser.setObjectName(name + "Browser")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.caption)
        lay.addWidget(self.browser, 1)


class ReadingPane(QWidget):
    """Shows one :class:`BriefView`; re-marks cheaply when the selection or marks change.

    actorClicked(actor_id): a mark in either section was clicked.
    addAliasRequested(text) / addActorRequested(text): glossary edits from a selection.
    rendered(): the sections were laid out anew (what others drew over them is gone).
    actorPageRequested(actor_id): "Open the actor page" chosen on a mark.
    """

    actorClicked = Signal(str)
    addAliasRequested = Signal(str)
    addActorRequested = Signal(str)
    rendered = Signal()
    actorPageRequested = Signal(str)
    briefRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: BriefView | None = None
        self.style_ = LIGHT
        self.marks = True
        self.selected: str | None = None
        self.font_size = 11.0
        self.restored = False  # the window restored the splitter from settings
        #: Set once the user flips the split (Ctrl+Shift+O): their choice then holds at
        #: every width; until then a pane too narrow for two comfortable columns stacks
        #: the comment under the article.
        self.orientation_chosen = False

        self.header = QLabel()
        self.header.setObjectName("briefHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend = QLabel()
        self.legend.setObjectName("legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)

        self.article = _Section("Article", "article")
        self.comment = _Section("Analyst comment", "comment")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("sectionSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.article)
        self.splitter.addWidget(self.comment)
        self.splitter.setSizes([1, 1])

        top = QWidget()
        top.setObjectName("headerBox")
        tl = QVBoxLayout(top)
        tl.setContentsMargins(22, 14, 22, 10)
        tl.setSpacing(6)
        tl.addWidget(self.header)
        # Where a brief read from a PDF, a web page, an email or a digest came from, and a
        # button that opens that local file in the system's viewer for it.
        self.provenance = QLabel()
        self.provenance.setObjectName("provenance")
        self.provenance.setTextFormat(Qt.TextFormat.PlainText)
        self.provenance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_original = QPushButton("Open original")
        self.open_original.setObjectName("openOriginal")
        self.open_original.setToolTip("Open the file this brief was read from")
        self.open_original.clicked.connect(self._open_original)
        self.provenance.setWordWrap(True)
        tl.addWidget(self.provenance)
        # The same article's other places (a round-up's item, the page, an email): links.
        self.copies = QLabel()
        self.copies.setObjectName("copies")
        self.copies.setWordWrap(True)
        self.copies.setTextFormat(Qt.TextFormat.RichText)
        self.copies.linkActivated.connect(self._open_copy)
        tl.addWidget(self.copies)
        self.copies.hide()
        row = QHBoxLayout()
        row.addWidget(self.legend)
        row.addStretch(1)
        row.addWidget(self.open_original)
        tl.addLayout(row)
        self.provenance.hide()
        self.open_original.hide()
        self.copies.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(top)
        lay.addWidget(self.splitter, 1)

        for section in (self.article, self.comment):
            b = section.browser
            b.actorClicked.connect(self.actorClicked)
            b.addAliasRequested.connect(self.addAliasRequested)
            b.addActorRequested.connect(self.addActorRequested)
            b.actorPageRequested.connect(self.actorPageRequested)
        self._update_legend()
        self._sized = False
        self.show_message("Open a brief from the list on the left.")

    def even_split(self) -> None:
        """Give article and comment the same room."""
        horizontal = self.splitter.orientation() == Qt.Orientation.Horizontal
        total = self.splitter.width() if horizontal else self.splitter.height()
        self.splitter.setSizes([max(1, total // 2)] * 2)

    #: Side by side only when each column can hold about this many characters a line.
    MIN_COLUMN_CHARS = 42

    def side_by_side_width(self) -> float:
        """The narrowest pane in which article and comment still read well side by side."""
        font = QFont(self.font())
        font.setPointSizeF(self.font_size)
        char = QFontMetricsF(font).averageCharWidth()
        return 2 * (self.MIN_COLUMN_CHARS * char + 60)  # 60: a column's margins and scrollbar

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.orientation_chosen:
            return
        wanted = (
            Qt.Orientation.Horizontal
            if event.size().width() >= self.side_by_side_width()
            else Qt.Orientation.Vertical
        )
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            self.even_split()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if not self.restored:
                self.even_split()

    # -- browsers ------------------------------------------------------------------------

    @property
    def browsers(self) -> tuple[BriefBrowser, BriefBrowser]:
        return self.article.browser, self.comment.browser

    def _apply_css(self) -> None:
        css = _document_css(self.style_, self.font_size)
        if getattr(self, "_applied_css", None) == css:
            return  # unchanged: setting it again would lay out the old text once more
        self._applied_css = css
        for b in self.browsers:
            b.document().setDefaultStyleSheet(css)
            font = QFont(b.font())
            font.setPointSizeF(self.font_size)
            b.document().setDefaultFont(font)
            b.fit_measure()

    # -- showing -------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.view = None
        self.header.setText(f"<p style='color:gray'>{html.escape(text)}</p>")
        self.provenance.hide()
        self.open_original.hide()
        for b in self.browsers:
            b.clear()

    def show_view(self, view: BriefView, *, keep_place: bool = False) -> None:
        """Show ``view`` from its top, or (``keep_place``: the same brief re-marked) where
        the reader was."""
        if not keep_place:
            self.selected = None
        self.view = view
        self.refresh()
        if not keep_place:
            for b in self.browsers:
                b.verticalScrollBar().setValue(0)

    def refresh(self) -> None:
        """Re-apply marks, selection and styles to the current view, keeping the place."""
        self._apply_css()
        self._update_legend()
        view = self.view
        if view is None:
            return
        places = [b.verticalScrollBar().value() for b in self.browsers]
        self._render(view)
        for b, place in zip(self.browsers, places, strict=True):
            b.verticalScrollBar().setValue(place)

    def _render(self, view: BriefView) -> None:
        self.header.setText(self._header_html(view))
        where = provenance_line(view.brief)
        self.provenance.setText(f"from {where}" if where else "")
        self.provenance.setStyleSheet(f"color: {self.style_.faded}")
        self.provenance.setVisible(bool(where))
        self.open_original.setVisible(
            bool(where) and view.brief.on_disk and view.brief.path.is_file()
        )
        self._show_copies(view.copies)
        art, com = self.browsers
        art.setHtml(
            decorate(
                view.rendered.article_html, self.style_, marks=self.marks, selected=self.selected
            )
        )
        if view.rendered.comment_html is None:
            com.setHtml(f"<p style='color:{self.style_.faded}'><i>{NO_COMMENT}</i></p>")
        else:
            com.setHtml(
                decorate(
                    view.rendered.comment_html,
                    self.style_,
                    marks=self.marks,
                    selected=self.selected,
                )
            )
        emit(self.rendered)

    def _show_copies(self, copies: tuple[str, ...]) -> None:
        if not copies:
            self.copies.hide()
            return
        links = ", ".join(
            f"<a href='copy:{n}' style='color:{self.style_.faded}'>{html.escape(c)}</a>"
            for n, c in enumerate(copies)
        )
        self.copies.setText(
            f"<span style='color:{self.style_.faded}'>The same article is also in {links}</span>"
        )
        self.copies.setToolTip("")
        self.copies.show()

    @Slot(str)
    def _open_copy(self, link: str) -> None:
        """A click on one of the article's other places opens that brief."""
        if self.view is None or not link.startswith("copy:"):
            return
        try:
            brief_id = self.view.copies[int(link.removeprefix("copy:"))]
        except (ValueError, IndexError):
            return
        emit(self.briefRequested, brief_id)

    @Slot()
    def _open_original(self) -> None:
        """The brief's own file, in the system's viewer for it (a local file: nothing is
        fetched)."""
        brief = None if self.view is None else self.view.brief
        if brief is not None and brief.on_disk and brief.path.is_file():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(brief.path.resolve())))

    def _header_html(self, view: BriefView) -> str:
        b = view.brief
        parts = [
            f"<div style='font-size:{self.font_size * 1.55:.1f}pt; font-weight:600'>"
            f"{html.escape(b.title)}</div>"
        ]
        meta = [
            x for x in (b.date.strftime("%-d %B %Y") if b.date else None, b.source, b.author) if x
        ]
        line = " · ".join(html.escape(x) for x in meta)
        if b.tags:
            tags = "&nbsp;&nbsp;".join(
                f"<span style='color:{self.style_.kind('other')[0]}; "
                f"background-color:{self.style_.kind('other')[1]}'>&nbsp;{html.escape(t)}&nbsp;</span>"
                for t in b.tags
            )
            line = f"{line}&nbsp;&nbsp;&nbsp;{tags}" if line else tags
        if line:
            parts.append(f"<div style='color:{self.style_.faded}; margin-top:4px'>{line}</div>")
        return "".join(parts)

    def _update_legend(self) -> None:
        chips = []
        for kind, label in KIND_LABELS.items():
            fg, bg = self.style_.kind(kind)
            chips.append(
                f"<span style='color:{fg}; background-color:{bg}'>&nbsp;{label}&nbsp;</span>"
            )
        hit = (
            f"<span style='background-color:{self.style_.hit_bg}; color:{self.style_.hit_fg}; "
            f"font-weight:600'>&nbsp;search hit&nbsp;</span>"
        )
        if not self.marks:
            chips = [f"<span style='color:{self.style_.faded}'>actor marks off</span>"]
        if self.view is not None and self.view.hits:  # the chip explains marks on the page
            chips.append(hit)
        self.legend.setText("&nbsp;&nbsp;".join(chips))

    # -- settings from the window --------------------------------------------------------

    def set_style(self, style: MarkStyle) -> None:
        self.style_ = style
        self.refresh()

    def set_marks(self, on: bool) -> None:
        self.marks = on
        self.refresh()

    def set_selected(self, actor_id: str | None) -> None:
        if actor_id == self.selected:
            return
        self.selected = actor_id
        self.refresh()

    def set_font_size(self, size: float) -> None:
        self.font_size = size
        self.refresh()

    def flip(self) -> None:
        self.orientation_chosen = True
        horizontal = self.splitter.orientation() == Qt.Orientation.Horizontal
        self.splitter.setOrientation(
            Qt.Orientation.Vertical if horizontal else Qt.Orientation.Horizontal
        )
        self.even_split()

    # -- navigation ----------------------------------------------------------------------

    def hit_positions(self) -> list[tuple[BriefBrowser, tuple[int, int]]]:
        colour = QColor(self.style_.hit_bg)
        return [(b, span) for b in self.browsers for span in b.hit_spans(colour)]

    def actor_positions(self, actor_id: str) -> list[tuple[BriefBrowser, tuple[int, int]]]:
        return [(b, span) for b in self.browsers for span in b.actor_spans(actor_id)]

    def find(self, text: str, backward: bool = False) -> bool:
        """Find text in the article, then the comment (wrapping around)."""
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        order = list(self.browsers)
        if backward:
            order.reverse()
        focused = next((b for b in order if b.hasFocus()), order[0])
        start = order.index(focused)
        for b in order[start:] + order[:start]:
            if b.find(text, flags):
                b.setFocus()
                return True
        for b in order:
            cursor = b.textCursor()
            cursor.movePosition(
                cursor.MoveOperation.End if backward else cursor.MoveOperation.Start
            )
            b.setTextCursor(cursor)
        for b in order:
            if b.find(text, flags):
                b.setFocus()
                return True
        return False
