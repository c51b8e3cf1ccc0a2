"""The look: Fusion style, our light and dark palettes, and the stylesheets in resources/.

Applied once per application (:func:`apply_theme`); the window asks for it when the user
picks a theme, and the smoke test uses it without a window.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from briefreader import paths

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")


def _dark_palette() -> QPalette:
    p = QPalette()
    c = QPalette.ColorRole
    roles = {
        c.Window: "#1f2226",
        c.WindowText: "#e3e6e8",
        c.Base: "#17191c",
        c.AlternateBase: "#24282d",
        c.Text: "#e3e6e8",
        c.Button: "#2a2e33",
        c.ButtonText: "#e3e6e8",
        c.Highlight: "#3d6fb6",
        c.HighlightedText: "#ffffff",
        c.PlaceholderText: "#8b949c",
        c.ToolTipBase: "#2a2e33",
        c.ToolTipText: "#e3e6e8",
        c.Link: "#8ab4f8",
        c.Mid: "#4a5058",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    return p


def _light_palette() -> QPalette:
    p = QPalette()
    c = QPalette.ColorRole
    roles = {
        c.Window: "#f4f5f7",
        c.WindowText: "#1f2328",
        c.Base: "#ffffff",
        c.AlternateBase: "#f2f4f7",
        c.Text: "#1f2328",
        c.Button: "#eef0f3",
        c.ButtonText: "#1f2328",
        c.Highlight: "#cfe0f8",
        c.HighlightedText: "#0f2540",
        c.PlaceholderText: "#6b737b",
        c.ToolTipBase: "#ffffff",
        c.ToolTipText: "#1f2328",
        c.Link: "#0b57d0",
        c.Mid: "#b8bec6",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    return p


_RESOURCE_URL = re.compile(r"url\((icons/[^)\"']+)\)")


def stylesheet_text(qss: Path) -> str:
    """A stylesheet from resources/, its ``url(icons/...)`` images made absolute: Qt reads a
    relative one from the working folder, which is anywhere. (An ``@2x`` file beside an image
    is what Qt draws on a high-density screen.)"""
    base = qss.parent.resolve().as_posix()
    return _RESOURCE_URL.sub(lambda m: f'url("{base}/{m.group(1)}")', qss.read_text("utf-8"))


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion style with our palette and the matching stylesheet from resources/."""
    if app.property("briefreaderTheme") == theme:
        return
    app.setProperty("briefreaderTheme", theme)
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None and app.style().name().lower() != "fusion":
        app.setStyle(fusion)
    app.setPalette(_dark_palette() if theme == "dark" else _light_palette())
    qss = paths.resources_dir() / f"{theme}.qss"
    try:
        app.setStyleSheet(stylesheet_text(qss))
    except OSError:
        log.warning("stylesheet %s not found", qss)
        app.setStyleSheet("")


def system_is_dark() -> bool:
    """Whether the desktop asks for dark colours (the "system" theme follows it)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
