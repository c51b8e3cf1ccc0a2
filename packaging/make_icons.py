"""Render resources/icons/briefreader.svg to the PNG, ICO and ICNS files the platforms want,
and draw the stylesheets' small images (the drop-down arrow, at 1x and @2x for high-density
screens: Qt picks the ``@2x`` file itself).

Run by hand after editing the SVG (``python packaging/make_icons.py``); the outputs are
committed so that a build needs no image tools. Qt draws; the ICO and ICNS containers are
simple enough (a directory of PNG blobs) to write here without another dependency.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor,
    QGuiApplication,
    QImage,
    QImageWriter,
    QPainter,
    QPolygonF,
)
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
# The freedesktop hicolor theme sizes; 256 also goes into the Windows .ico.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: The drop-down arrow of the stylesheets' combo boxes, one a theme (the placeholder text's
#: grey of each), 10x6 px at 1x.
ARROWS = {"light": "#6b737b", "dark": "#a0a8b0"}
ARROW_SIZE = (10, 6)


def render(svg: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    svg.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def write_ico(images: dict[int, QImage], target: Path) -> None:
    """An ICO whose entries are PNG-compressed (Windows Vista and later read these)."""
    sizes = sorted(images)
    blobs = [png_bytes(images[s]) for s in sizes]
    header = (0).to_bytes(2, "little") + (1).to_bytes(2, "little") + len(sizes).to_bytes(2, "little")
    offset = 6 + 16 * len(sizes)
    entries = b""
    for size, blob in zip(sizes, blobs, strict=True):
        edge = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += bytes([edge, edge, 0, 0]) + (1).to_bytes(2, "little") + (32).to_bytes(2, "little")
        entries += len(blob).to_bytes(4, "little") + offset.to_bytes(4, "little")
        offset += len(blob)
    target.write_bytes(header + entries + b"".join(blobs))


def write_icns(images: dict[int, QImage], target: Path) -> None:
    """An ICNS of PNG chunks: ic07 (128), ic08 (256), ic09 (512), ic10 (512@2x = 1024)."""
    kinds = {128: b"ic07", 256: b"ic08", 512: b"ic09"}
    chunks = b""
    for size, kind in kinds.items():
        blob = png_bytes(images[size])
        chunks += kind + (len(blob) + 8).to_bytes(4, "big") + blob
    target.write_bytes(b"icns" + (len(chunks) + 8).to_bytes(4, "big") + chunks)


def arrow(colour: str, scale: int) -> QImage:
    """A filled downward triangle, drawn at ``scale`` times its size (not scaled up after)."""
    w, h = ARROW_SIZE
    image = QImage(w * scale, h * scale, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.scale(scale, scale)
    painter.drawPolygon(QPolygonF([QPointF(0.5, 0.5), QPointF(w - 0.5, 0.5), QPointF(w / 2, h)]))
    painter.end()
    return image


def write_arrows() -> None:
    for theme, colour in ARROWS.items():
        for scale, suffix in ((1, ""), (2, "@2x")):
            arrow(colour, scale).save(str(ICONS / f"combo-arrow-{theme}{suffix}.png"), "PNG")


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    write_arrows()
    svg = QSvgRenderer(str(ICONS / "briefreader.svg"))
    if not svg.isValid():
        print("briefreader.svg does not parse", file=sys.stderr)
        return 1
    images = {size: render(svg, size) for size in PNG_SIZES}
    for size, image in images.items():
        writer = QImageWriter(str(ICONS / f"briefreader-{size}.png"), b"png")
        if not writer.write(image):
            print(writer.errorString(), file=sys.stderr)
            return 1
    write_ico({s: images[s] for s in ICO_SIZES}, ICONS / "briefreader.ico")
    write_icns(images, ICONS / "briefreader.icns")
    del app
    print(f"wrote {len(images)} PNGs, briefreader.ico and briefreader.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
