"""The window on a small screen: a new window fits the screen's free area (a 1366x768 laptop,
or a larger screen at 200 %), and a size saved on a larger screen is shrunk to the one the
window opens on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from window_kit import unstarted_window

from briefreader import paths
from briefreader.core.library import Library
from briefreader.ui.theme import stylesheet_text
from briefreader.ui.window_layout import FRAME_ROOM, NEW_WINDOW, fit_to_screen


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (QRect(0, 0, 1920, 1040), NEW_WINDOW),  # a desktop screen: the preferred size
        (QRect(0, 0, 1366, 728), QSize(1342, 672)),  # a laptop, its task bar at the bottom
        (QRect(0, 0, 1366, 768), QSize(1342, 712)),  # no task bar
        (QRect(0, 0, 1280, 692), QSize(1256, 636)),  # 2560x1440 at 200 %, less a panel
        (QRect(1920, 0, 1440, 900), QSize(1400, 844)),  # a second screen to the right
    ],
)
def test_a_new_window_fits_the_free_area(available: QRect, expected: QSize) -> None:
    assert fit_to_screen(NEW_WINDOW, available) == expected


def test_a_size_already_inside_is_kept() -> None:
    assert fit_to_screen(QSize(900, 600), QRect(0, 0, 1366, 728)) == QSize(900, 600)


def _free_area() -> QRect:
    screen = QApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def test_a_new_window_opens_inside_the_screen(qtbot, library: Library, settings: QSettings) -> None:  # type: ignore[no-untyped-def]
    free = _free_area()
    with unstarted_window(qtbot, library, settings) as win:
        assert win.size() == fit_to_screen(NEW_WINDOW, free)
        assert win.width() <= free.width() - FRAME_ROOM.width()
        assert win.height() <= free.height() - FRAME_ROOM.height()


def test_the_window_can_be_as_small_as_a_laptops_free_area(
    qtbot, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    """What the window's layout needs at least (every dock a new window shows, and the
    Filters) fits 1366x768 less a task bar, so Qt never makes it larger than that screen."""
    laptop = fit_to_screen(NEW_WINDOW, QRect(0, 0, 1366, 728))
    with unstarted_window(qtbot, library, settings) as win:
        win.show()
        win.facet_dock.show()
        win.dock_layout.fit_docks(True)
        qtbot.waitUntil(win.glossary_dock.isVisible)
        need = win.minimumSizeHint()
        assert need.width() <= laptop.width() and need.height() <= laptop.height(), need


def test_a_window_saved_larger_than_the_screen_is_shrunk_to_it(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    free = _free_area()
    saved = QSettings(str(tmp_path / "big.ini"), QSettings.Format.IniFormat)
    with unstarted_window(qtbot, library, saved) as win:
        # Left on a monitor larger than this screen, part of it off the screen's edge.
        win.setGeometry(free.x() + 300, free.y() + 200, free.width() + 900, free.height() + 700)
        assert win.width() > free.width()
        win.dock_layout.save(saved)
    saved.sync()
    with unstarted_window(qtbot, library, saved) as win:
        geo = win.geometry()
        assert geo.width() <= free.width() - FRAME_ROOM.width()
        assert geo.height() <= free.height() - FRAME_ROOM.height()
        assert free.contains(geo)


def test_a_window_saved_smaller_keeps_its_size_and_place(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    free = _free_area()
    saved = QSettings(str(tmp_path / "small.ini"), QSettings.Format.IniFormat)
    with unstarted_window(qtbot, library, saved) as win:
        win.setGeometry(free.x() + 40, free.y() + 30, 700, 500)
        win.dock_layout.save(saved)
    saved.sync()
    with unstarted_window(qtbot, library, saved) as win:
        assert win.geometry() == QRect(free.x() + 40, free.y() + 30, 700, 500)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_stylesheets_images_exist_for_high_density_screens(theme: str) -> None:
    """Each image a stylesheet names is found wherever the app runs from (an absolute path),
    with the ``@2x`` file Qt draws at 150 % and 200 % instead of a blurred enlargement."""
    text = stylesheet_text(paths.resources_dir() / f"{theme}.qss")
    urls = re.findall(r'url\("([^"]+)"\)', text)
    assert urls and "url(icons/" not in text
    for url in urls:
        image = Path(url)
        assert image.is_absolute() and image.is_file(), url
        double = image.with_name(f"{image.stem}@2x{image.suffix}")
        assert double.is_file(), double
        one, two = QImage(str(image)), QImage(str(double))
        assert (two.width(), two.height()) == (2 * one.width(), 2 * one.height())
