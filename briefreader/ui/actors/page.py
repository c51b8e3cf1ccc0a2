"""The actor page: one actor's timeline, company, and the analysts' own words about it.

A view only: it shows an :class:`ActorPage` it is given and says what the reader asked for
through its signals; :mod:`briefreader.ui.actors.workbench` fetches the data and acts.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.dossier import marked
from briefreader.core.glossary import Actor
from briefreader.core.records import ActorPage, CommentSentence
from briefreader.core.wording import counted
from briefreader.ui.actors.models import CompanyModel
from briefreader.ui.models import ActorIdRole
from briefreader.ui.qtcompat import emit
from briefreader.ui.widgets.company_graph import CompanyGraph
from briefreader.ui.widgets.marks import KIND_LABELS, LIGHT, MarkStyle
from briefreader.ui.widgets.timeline_chart import TimelineChart

#: Companions drawn in the graph (the core links as many: core.index.actors.GRAPH_SIZE).
GRAPH_NODES = 8
#: Link schemes of the page's rich text.
OPEN, MORE, SEARCH = "sentence", "more", "search"


def _months_label(n: int) -> str:
    return counted(n, "month")


class ActorPageView(QWidget):
    """Shows one actor; emits what the reader asks for.

    searchRequested(query): search this (a month, two actors, comment-only briefs).
    openRequested(brief_id, start, end, text): open a brief at a sentence of its comment.
    moreRequested(): the reader reached the end of the sentences loaded so far.
    pageRequested(actor_id): show another actor's page (from the company's menu).
    exportRequested(format): "md" or "pdf": save the whole dossier.
    backRequested(): back to the open brief.
    """

    searchRequested = Signal(str)
    openRequested = Signal(str, int, int, str)
    moreRequested = Signal()
    pageRequested = Signal(str)
    exportRequested = Signal(str)
    backRequested = Signal()

    def __init__(
        self,
        name_of: Callable[[str], str],
        kind_of: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._kind_of = kind_of or (lambda _actor_id: "other")
        self.setObjectName("actorPage")
        self.actor: Actor | None = None
        self.page: ActorPage | None = None
        self.comments: list[CommentSentence] = []
        self.style_: MarkStyle = LIGHT
        self._name_of = name_of
        self._sized = False
        self._build()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.back_button = QToolButton()
        self.back_button.setText("◀ Brief")
        self.back_button.setToolTip("Back to the open brief")
        self.back_button.clicked.connect(lambda: emit(self.backRequested))
        self.title = QLabel()
        self.title.setObjectName("actorTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.export_button = QToolButton()
        self.export_button.setText("Export dossier")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction("Markdown…", lambda: emit(self.exportRequested, "md"))
        menu.addAction("PDF…", lambda: emit(self.exportRequested, "pdf"))
        self.export_button.setMenu(menu)
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.export_button)

        self.figures = QLabel()
        self.figures.setObjectName("actorFigures")
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.figures.setWordWrap(True)
        self.figures.linkActivated.connect(self._on_link)

        self.chart = TimelineChart()
        self.chart.monthClicked.connect(self._on_month)

        self.company_model = CompanyModel(self._name_of, self)
        self.company = QTableView()
        self.company.setObjectName("companyTable")
        self.company.setModel(self.company_model)
        self.company.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.company.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.company.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.company.verticalHeader().hide()
        self.company.setShowGrid(False)
        self.company.setWordWrap(False)
        self.company.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.company.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.company.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.company.clicked.connect(self._on_company)
        self.company.activated.connect(self._on_company)
        self.company.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.company.customContextMenuRequested.connect(self._company_menu)
        self.company.setMinimumWidth(180)
        self.graph = CompanyGraph(
            lambda actor_id: (self._name_of(actor_id), self._kind_of(actor_id))
        )
        self.graph.companionClicked.connect(self._on_companion)
        self.company_tabs = QTabWidget()
        self.company_tabs.setObjectName("companyTabs")
        self.company_tabs.setDocumentMode(True)
        self.company_tabs.addTab(self.company, "Companions")
        self.company_tabs.addTab(self.graph, "Graph")

        self.dossier_caption = QLabel("What the analysts wrote")
        self.dossier_caption.setObjectName("sectionCaption")
        self.dossier_caption.setTextFormat(Qt.TextFormat.PlainText)  # names the actor
        self.dossier_caption.setWordWrap(True)  # never widens the window
        self.dossier = QTextBrowser()
        self.dossier.setObjectName("dossier")
        self.dossier.setOpenLinks(False)
        self.dossier.setOpenExternalLinks(False)
        self.dossier.anchorClicked.connect(self._on_anchor)
        self.dossier.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        dossier_box = QWidget()
        dl = QVBoxLayout(dossier_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(0)
        dl.addWidget(self.dossier_caption)
        dl.addWidget(self.dossier, 1)

        self.lower = QSplitter(Qt.Orientation.Horizontal)
        self.lower.setObjectName("actorLower")
        self.lower.setChildrenCollapsible(False)
        self.lower.addWidget(self.company_tabs)
        self.lower.addWidget(dossier_box)
        self.lower.setStretchFactor(0, 2)
        self.lower.setStretchFactor(1, 3)
        self.body = QSplitter(Qt.Orientation.Vertical)
        self.body.setObjectName("actorBody")
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.chart)
        self.body.addWidget(self.lower)
        self.body.setStretchFactor(0, 2)
        self.body.setStretchFactor(1, 3)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        lay.addLayout(top)
        lay.addWidget(self.figures)
        lay.addWidget(self.body, 1)

    def showEvent(self, event: QShowEvent) -> None:
        """The first time: the analysts' words get the larger share of the lower half."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            width = max(1, self.lower.width())
            self.lower.setSizes([round(width * 0.36), width - round(width * 0.36)])

    # -- showing -------------------------------------------------------------------------

    def show_loading(self, actor: Actor) -> None:
        self.actor = actor
        self.body.setVisible(True)
        self.page = None
        self.comments = []
        self._title(actor)
        self.figures.setText(f"<span style='color:{self.style_.faded}'>Reading the index…</span>")
        self.chart.set_months([], "")
        self.company_model.set_company([])
        self.graph.set_graph(actor.id, [], [])
        self.dossier.clear()
        self.export_button.setEnabled(False)

    def show_message(self, text: str) -> None:
        self.figures.setText(f"<span style='color:{self.style_.faded}'>{html.escape(text)}</span>")

    def show_unavailable(self, text: str) -> None:
        """Only ``text`` under the actor's name: no empty chart, table or dossier, nothing
        to export (an actor page over a team archive, which has no actor workbench)."""
        self.page = None
        self.comments = []
        self.show_message(text)
        # The line stays under the name, where the page's figures stand (not centred in the
        # room the hidden panes leave).
        self.figures.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body.setVisible(False)
        self.export_button.setEnabled(False)

    def show_page(self, actor: Actor, page: ActorPage) -> None:
        """The page as read from the index; its sentences are the first of the dossier."""
        self.actor = actor
        self.page = page
        self.comments = list(page.comments)
        self.body.setVisible(True)
        self._title(actor)
        self._figures()
        self.chart.set_months(page.timeline, actor.name)
        self.company_model.set_company(page.company)
        self.graph.set_graph(actor.id, page.company[:GRAPH_NODES], page.links)
        self.export_button.setEnabled(bool(self.comment_briefs))
        self._render_dossier()
        self.dossier.verticalScrollBar().setValue(0)

    def add_comments(self, more: Sequence[CommentSentence]) -> None:
        """More of the dossier (the next briefs, read as the reader scrolled)."""
        bar = self.dossier.verticalScrollBar()
        place = bar.value()
        self.comments.extend(more)
        self._render_dossier()
        bar.setValue(place)

    @property
    def comment_briefs(self) -> int:
        """Briefs whose comment names the actor (the dossier's length in briefs)."""
        return sum(m.comment for m in self.page.timeline) if self.page else 0

    @property
    def loaded_briefs(self) -> int:
        return len({c.id for c in self.comments})

    def _title(self, actor: Actor) -> None:
        fg, bg = self.style_.kind(actor.kind)
        kind = html.escape(KIND_LABELS.get(actor.kind, actor.kind.title()))
        self.title.setText(
            f"<span style='font-size:16pt; font-weight:600'>{html.escape(actor.name)}</span>"
            f"&nbsp;&nbsp;<span style='color:{fg}; background-color:{bg}'>&nbsp;{kind}&nbsp;"
            "</span>"
        )

    def _figures(self) -> None:
        page, actor = self.page, self.actor
        if page is None or actor is None:
            return
        link = self.style_.link
        dated = [m for m in page.timeline if m.month]
        span = ""
        if dated:
            span = f" from {dated[0].month} to {dated[-1].month}"
            span += f" ({_months_label(len(dated))} with briefs)"
        only_comment = f"actors_comment:{actor.id} NOT actors_article:{actor.id}"
        only_article = f"actors_article:{actor.id} NOT actors_comment:{actor.id}"

        def a(query: str, text: str) -> str:
            href = html.escape(f"{SEARCH}:{query}", quote=True)
            return f"<a style='color:{link}' href=\"{href}\">{text}</a>"

        briefs = f"<b>{counted(page.briefs, 'brief')}</b>"
        self.figures.setText(
            f"{a(_actor_query(actor), briefs)}{span}"
            f" · the analyst names it although the article does not in"
            f" {a(only_comment, f'<b>{page.comment_only}</b>')}"
            f" · the article names it but not the comment in"
            f" {a(only_article, f'<b>{page.article_only}</b>')}"
        )

    def _render_dossier(self) -> None:
        verb = "names" if self.comment_briefs == 1 else "name"
        self.dossier_caption.setText(
            f"What the analysts wrote: {counted(self.comment_briefs, 'comment')} {verb} "
            f"{self.actor.name if self.actor else 'it'}, newest first"
        )
        if not self.comments:
            self.dossier.setHtml(
                f"<p style='color:{self.style_.faded}'>No analyst comment names this actor.</p>"
            )
            return
        s = self.style_
        fg, bg = s.kind(self.actor.kind if self.actor else "other")
        parts: list[str] = []
        last = None
        for i, c in enumerate(self.comments):
            if c.id != last:
                last = c.id
                date = c.date.strftime("%-d %b %Y") if c.date else "undated"
                parts.append(
                    f"<p style='margin-top:12px; margin-bottom:2px'>"
                    f"<span style='color:{s.faded}'>{date}</span> · "
                    f"<a style='color:{s.link}; text-decoration:none' href='{OPEN}:{i}'>"
                    f"<b>{html.escape(c.title or c.id)}</b></a></p>"
                )
            mark = f"<span style='color:{fg}; background-color:{bg}'>"
            body = marked(c.text, c.marks, mark, "</span>", html.escape)
            parts.append(
                f"<p style='margin-left:14px; margin-top:2px; margin-bottom:4px'>“{body}” "
                f"<a style='color:{s.link}; text-decoration:none' href='{OPEN}:{i}'>"
                "open ›</a></p>"
            )
        if self.loaded_briefs < self.comment_briefs:
            left = self.comment_briefs - self.loaded_briefs
            parts.append(
                f"<p style='margin-top:12px'><a style='color:{s.link}' href='{MORE}:'>"
                f"Show more ({counted(left, 'comment')} to go)</a></p>"
            )
        self.dossier.setHtml("".join(parts))

    def set_style(self, style: MarkStyle) -> None:
        self.style_ = style
        if self.actor is not None:
            self._title(self.actor)
        if self.page is not None:
            self._figures()
            self._render_dossier()
        self.chart.update()
        self.graph.set_style(style)

    # -- the reader's requests -----------------------------------------------------------

    @Slot(str)
    def _on_month(self, month: str) -> None:
        if self.actor is not None:
            emit(self.searchRequested, f"{_actor_query(self.actor)} date:{month}")

    def company_query(self, row: int) -> str | None:
        other = self.company_model.company(row)
        if other is None or self.actor is None:
            return None
        name = self._name_of(other.actor_id)
        return f'{_actor_query(self.actor)} AND actor:"{name}"'

    @Slot(str)
    def _on_companion(self, actor_id: str) -> None:
        rows = [
            r
            for r in range(self.company_model.rowCount())
            if self.company_model.index(r, 0).data(ActorIdRole) == actor_id
        ]
        query = self.company_query(rows[0]) if rows else None
        if query:
            emit(self.searchRequested, query)

    @Slot(QModelIndex)
    def _on_company(self, index: QModelIndex) -> None:
        query = self.company_query(index.row())
        if query:
            emit(self.searchRequested, query)

    @Slot(QPoint)
    def _company_menu(self, pos: QPoint) -> None:
        index = self.company.indexAt(pos)
        actor_id = index.data(ActorIdRole) if index.isValid() else None
        if not actor_id:
            return
        menu = QMenu(self)
        menu.addAction(
            f"Open the page of {self._name_of(actor_id)}",
            lambda: emit(self.pageRequested, actor_id),
        )
        menu.addAction("Search the briefs naming both", lambda: self._on_company(index))
        menu.exec(self.company.viewport().mapToGlobal(pos))
        menu.deleteLater()

    @Slot(str)
    def _on_link(self, link: str) -> None:
        if link.startswith(f"{SEARCH}:"):
            emit(self.searchRequested, link[len(SEARCH) + 1 :])

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        text = url.toString()
        scheme, _, rest = text.partition(":")
        if scheme == OPEN and rest.isdigit() and int(rest) < len(self.comments):
            c = self.comments[int(rest)]
            emit(self.openRequested, c.id, c.start, c.end, c.text)
        elif scheme == MORE:
            emit(self.moreRequested)

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        bar = self.dossier.verticalScrollBar()
        if value and value >= bar.maximum() and self.loaded_briefs < self.comment_briefs:
            emit(self.moreRequested)


def _actor_query(actor: Actor) -> str:
    return f'actor:"{actor.name}"'
