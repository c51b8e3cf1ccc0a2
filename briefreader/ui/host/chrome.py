"""Declared actions and docks turned into Qt menus and dock widgets: the one place that does.

The window and each feature hand their :class:`ActionSpec` and :class:`DockSpec` here (the
features through their host); a menu is laid out again, sections in the order
:data:`MENUS` gives and a line between them, whenever something is added to it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from briefreader.ui.host.specs import MENUS, ActionSpec, DockId, DockSpec, MenuId, Place, Shortcut

_ORDER = list(MenuId)


@dataclass(frozen=True)
class _Entry:
    """An action or a submenu in a menu's section."""

    place: Place
    seq: int
    action: QAction | None = None
    submenu: MenuId | None = None


def set_shortcut(action: QAction, shortcut: Shortcut) -> None:
    if isinstance(shortcut, tuple):
        action.setShortcuts([QKeySequence(k) for k in shortcut])
    elif isinstance(shortcut, str):
        action.setShortcut(QKeySequence(shortcut))
    elif shortcut is not None:
        action.setShortcut(shortcut)


class Chrome:
    """The menus and docks of ``window``, kept by id."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self._seq = itertools.count()
        self._menus: dict[MenuId, QMenu] = {}
        self._entries: dict[MenuId, list[_Entry]] = {menu: [] for menu in MenuId}
        self._docks: dict[DockId, QDockWidget] = {}
        for menu_id, spec in MENUS.items():
            if spec.place is not None:
                self._entries[spec.place.menu].append(
                    _Entry(spec.place, next(self._seq), submenu=menu_id)
                )
        for menu_id, spec in MENUS.items():
            if spec.dynamic:
                self._lay_out(menu_id)

    # -- actions -----------------------------------------------------------------------

    def add_action(self, spec: ActionSpec) -> QAction:
        """Make the action ``spec`` declares and put it in its menu; its keys work anywhere
        in the window."""
        action = QAction(spec.text, self.window)
        set_shortcut(action, spec.shortcut)
        action.setCheckable(spec.checkable)
        if spec.checked:
            action.setChecked(True)
        action.setEnabled(spec.enabled)
        if spec.tooltip:
            action.setToolTip(spec.tooltip)
        if spec.object_name:
            action.setObjectName(spec.object_name)
        action.triggered.connect(spec.triggered)
        self.window.addAction(action)
        self.place(action, spec.place)
        return action

    def place(self, action: QAction, place: Place) -> None:
        """Put an existing action (a dock's show/hide) in a menu too."""
        if place.section not in MENUS[place.menu].sections:
            raise ValueError(f"the {place.menu.value} menu has no section {place.section!r}")
        self._entries[place.menu].append(_Entry(place, next(self._seq), action=action))
        self._lay_out(place.menu)

    def menu(self, menu_id: MenuId) -> QMenu:
        """The Qt menu of ``menu_id`` (made the first time it is asked for)."""
        menu = self._menus.get(menu_id)
        if menu is None:
            spec = MENUS[menu_id]
            parent = self.window.menuBar() if spec.place is None else self.menu(spec.place.menu)
            menu = QMenu(spec.title, parent)
            if spec.object_name:
                menu.setObjectName(spec.object_name)
            self._menus[menu_id] = menu
        return menu

    def _shown(self, menu_id: MenuId) -> bool:
        """A menu is shown when it holds something (or is filled as it opens)."""
        return MENUS[menu_id].dynamic or any(map(self._entry_shown, self._entries[menu_id]))

    def _entry_shown(self, entry: _Entry) -> bool:
        return entry.submenu is None or self._shown(entry.submenu)

    def _lay_out(self, menu_id: MenuId) -> None:
        """Fill the menu again from its entries; then its parent (it may have just become
        worth showing), or its place in the menu bar."""
        spec = MENUS[menu_id]
        menu = self.menu(menu_id)
        if not spec.dynamic:
            # Not QMenu.clear(): PySide6's deletes the actions it removes, a dock's own too.
            for action in menu.actions():
                menu.removeAction(action)
                if action.isSeparator():
                    action.deleteLater()
            started = False
            for section in spec.sections:
                entries = sorted(
                    (
                        e
                        for e in self._entries[menu_id]
                        if e.place.section == section and self._entry_shown(e)
                    ),
                    key=lambda e: (e.place.order, e.seq),
                )
                if not entries:
                    continue
                if started:
                    menu.addSeparator()
                started = True
                for entry in entries:
                    if entry.submenu is not None:
                        menu.addMenu(self.menu(entry.submenu))
                    elif entry.action is not None:
                        menu.addAction(entry.action)
        if spec.place is not None:
            self._lay_out(spec.place.menu)
        elif self._shown(menu_id):
            self._put_in_bar(menu_id)

    def _put_in_bar(self, menu_id: MenuId) -> None:
        bar = self.window.menuBar()
        in_bar = bar.actions()
        menu = self.menu(menu_id)
        if menu.menuAction() in in_bar:
            return
        later = [
            self._menus[m].menuAction()
            for m in _ORDER[_ORDER.index(menu_id) + 1 :]
            if m in self._menus and self._menus[m].menuAction() in in_bar
        ]
        if later:
            bar.insertMenu(later[0], menu)
        else:
            bar.addMenu(menu)

    # -- docks -------------------------------------------------------------------------

    def add_dock(self, spec: DockSpec) -> QDockWidget:
        """Make the dock ``spec`` declares, in its area (tabbed with another if told), its
        show/hide action in its menus."""
        dock = QDockWidget(spec.title, self.window)
        dock.setObjectName(spec.id.value)
        dock.setWidget(spec.widget)
        self.window.addDockWidget(spec.area, dock)
        if spec.tabify_with is not None:
            self.window.tabifyDockWidget(self._docks[spec.tabify_with], dock)
        if spec.hidden:
            dock.hide()
        self._docks[spec.id] = dock
        toggle = dock.toggleViewAction()
        if spec.shortcut:
            toggle.setShortcut(QKeySequence(spec.shortcut))
            self.window.addAction(toggle)
        for place in spec.places:
            self.place(toggle, place)
        return dock

    def dock(self, dock_id: DockId) -> QDockWidget:
        return self._docks[dock_id]

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, action, keys) for every action with a key in the menu bar's menus, in
        their order; an action in two menus (a panel's, View) is listed once."""
        rows: list[tuple[str, str, str]] = []
        listed: set[int] = set()
        for menu_action in self.window.menuBar().actions():
            menu = menu_action.menu()
            if not isinstance(menu, QMenu):
                continue
            for act in menu.actions():
                if id(act) in listed:
                    continue
                listed.add(id(act))
                native = QKeySequence.SequenceFormat.NativeText
                keys = ", ".join(k.toString(native) for k in act.shortcuts())
                if keys:
                    rows.append((menu.title().replace("&", ""), act.text(), keys))
        return rows


__all__ = ["Chrome", "set_shortcut"]
