"""What the standalone app relies on: --smoke, the bundled paths, icons and desktop entry.

The frozen build itself is made and smoke-tested by ``make app`` (CI runs it); these tests
keep its parts honest from the source tree, in seconds.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader import paths

REPO = Path(__file__).resolve().parent.parent.parent
ICONS = REPO / "resources" / "icons"
DESKTOP = REPO / "resources" / "briefreader.desktop"
INSTALL = REPO / "packaging" / "install-linux.sh"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_size(blob: bytes) -> tuple[int, int]:
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert blob[12:16] == b"IHDR"
    width, height = struct.unpack(">II", blob[16:24])
    return width, height


def test_smoke_mode_runs_every_step(tmp_path: Path) -> None:
    env = dict(os.environ, HOME=str(tmp_path))
    env.pop("QT_QPA_PLATFORM", None)  # --smoke must choose offscreen by itself
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("ok ")]
    assert steps == ["resources", "index", "search", "window", "formats"]
    window_line = next(line for line in proc.stdout.splitlines() if " window " in line)
    assert "actor marks" in window_line and "'offscreen'" in window_line
    formats_line = next(line for line in proc.stdout.splitlines() if " formats " in line)
    assert "28 briefs from 4 docx, 4 eml, 4 gz, 4 html, 4 mbox, 4 pdf, 4 rtf" in formats_line
    assert proc.stdout.rstrip().endswith("smoke test passed")
    # It works in a temporary folder and leaves the user's data folder alone.
    assert not any(Path(env["BRIEFREADER_DATA_DIR"]).iterdir())


def test_smoke_mode_reports_a_broken_bundle(tmp_path: Path) -> None:
    """A bundle without its resources fails the smoke test with a message, not a traceback."""
    fake = tmp_path / "bundle"
    shutil.copytree(REPO / "corpus", fake / "corpus")
    (fake / "resources").mkdir()  # empty: no glossary, stylesheets or icons
    code = (
        "import sys; sys._MEIPASS = sys.argv[1]; sys.argv[1:] = ['--smoke'];"
        "from briefreader.cli import main; sys.exit(main())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(fake)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "FAIL resources: missing from" in proc.stdout
    assert "glossary.toml" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_frozen_paths_point_into_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.bundled_glossary() == tmp_path / "resources" / "glossary.toml"
    assert paths.sample_corpus_dir() == tmp_path / "corpus"


def test_source_tree_paths_find_the_real_files() -> None:
    assert paths.bundled_glossary().is_file()
    assert (paths.resources_dir() / "icons" / "briefreader.svg").is_file()
    assert any(paths.sample_corpus_dir().rglob("*.md"))


@pytest.mark.parametrize("size", HICOLOR_SIZES)
def test_hicolor_png_icons_have_their_size(size: int) -> None:
    blob = (ICONS / f"briefreader-{size}.png").read_bytes()
    assert png_size(blob) == (size, size)


def test_windows_ico_holds_png_entries_up_to_256() -> None:
    blob = (ICONS / "briefreader.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", blob[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = []
    for i in range(count):
        w, h, _colours, _r, _planes, _bpp, length, offset = struct.unpack(
            "<BBBBHHII", blob[6 + 16 * i : 22 + 16 * i]
        )
        edge = w or 256
        assert w == h
        assert png_size(blob[offset : offset + length]) == (edge, edge)
        sizes.append(edge)
    assert 16 in sizes and 256 in sizes


def test_macos_icns_chunks_are_consistent() -> None:
    blob = (ICONS / "briefreader.icns").read_bytes()
    assert blob[:4] == b"icns"
    assert struct.unpack(">I", blob[4:8])[0] == len(blob)
    pos, kinds = 8, {}
    while pos < len(blob):
        kind, length = blob[pos : pos + 4], struct.unpack(">I", blob[pos + 4 : pos + 8])[0]
        kinds[kind] = png_size(blob[pos + 8 : pos + length])
        pos += length
    assert pos == len(blob)
    assert kinds == {b"ic07": (128, 128), b"ic08": (256, 256), b"ic09": (512, 512)}


def read_desktop(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign] - keys are case-sensitive
    parser.read_string(path.read_text("utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def test_desktop_entry_is_complete() -> None:
    entry = read_desktop(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "briefreader"
    assert entry["Exec"].split()[0] == "briefreader"
    assert entry["Icon"] == "briefreader"
    assert entry["Terminal"] == "false"
    # List values end with ';' (Desktop Entry Specification); one main category is given.
    assert entry["Categories"].endswith(";") and "Office" in entry["Categories"].split(";")
    # The window reports this name, so the desktop pairs the window with the launcher.
    assert entry["StartupWMClass"] == "briefreader"
    app_source = (REPO / "briefreader" / "ui" / "app.py").read_text("utf-8")
    assert 'setDesktopFileName("briefreader")' in app_source


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux installer")
def test_linux_install_and_uninstall(tmp_path: Path) -> None:
    """Install from a bundle whose path has a space and an ampersand, then remove again."""
    bundle = tmp_path / "apps & tools" / "briefreader"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copytree(REPO / "resources", bundle / "_internal" / "resources")
    exe = bundle / "briefreader"
    exe.write_text("#!/bin/sh\necho briefreader-stub\n")
    exe.chmod(0o755)
    shutil.copy(INSTALL, bundle / "install-linux.sh")
    home = tmp_path / "home"
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "share"))

    subprocess.run([str(bundle / "install-linux.sh")], env=env, check=True, capture_output=True)
    desktop = home / "share" / "applications" / "briefreader.desktop"
    entry = read_desktop(desktop)
    assert entry["Exec"] == f'"{exe}"'
    assert entry["TryExec"] == str(exe)
    for size in HICOLOR_SIZES:
        icon = home / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "briefreader.png"
        assert png_size(icon.read_bytes()) == (size, size)
    link = home / ".local" / "bin" / "briefreader"
    assert link.resolve() == exe.resolve()
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout == (
        "briefreader-stub\n"
    )

    subprocess.run(
        [str(bundle / "install-linux.sh"), "--uninstall"], env=env, check=True, capture_output=True
    )
    assert not desktop.exists() and not link.exists()
    assert not list((home / "share" / "icons").rglob("briefreader.*"))
    assert exe.is_file()  # the app itself is never removed
