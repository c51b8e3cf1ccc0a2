"""Generate the hostile-file corpus in a temporary folder (nothing big is committed).

Each entry says what briefreader must do with the file: read it, read it with a warning
(something was guessed), or skip it with a one-line reason. Tests import this module; it
writes files only when :func:`make` is called.
"""

from __future__ import annotations

import os
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

READ = "read"
WARNING = "warning"
SKIPPED = "skipped"

TEXT = (
    "Title: {title}\nDate: 2019-03-12\nSource: Rudaw\n\n"
    "Hadi al-Amiri said on Tuesday that the caf\u00e9 talks would go on.\n\n"
    "Comment: A na\u00efve reading would miss the point.\n"
)


@dataclass(frozen=True)
class Expect:
    """What the library must report for one file (``reason`` is a substring, lower case)."""

    outcome: str
    reason: str = ""


def _brief(title: str) -> str:
    return TEXT.format(title=title)


def _binary(rng: random.Random) -> bytes:
    """Something like a zipped office document: a header, then compressed noise."""
    noise = bytes(rng.getrandbits(8) for _ in range(20000))
    return b"PK\x03\x04\x14\x00\x06\x00" + zlib.compress(noise) + noise[:4000]


def make(root: Path, *, big: bool = True) -> dict[str, Expect]:
    """Write the hostile corpus under ``root``; map each brief id to its expected outcome.

    ``big=False`` leaves out the 50 MB and 2 MB files for quicker tests.
    """
    rng = random.Random(6)
    root.mkdir(parents=True, exist_ok=True)
    out: dict[str, Expect] = {}

    def put(name: str, data: bytes | str, expect: Expect) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        out[name] = expect
        return path

    # Good briefs around the bad ones: they must all still load.
    for i in range(3):
        put(f"good/2019-03-1{i}_good-{i}.md", _brief(f"Good brief number {i}"), Expect(READ))

    put("empty.md", b"", Expect(SKIPPED, "empty"))
    put("blank-lines.md", "\n\n   \n\t\n", Expect(SKIPPED, "empty"))
    put("binary-renamed.md", _binary(rng), Expect(SKIPPED, "binary"))
    put("png-renamed.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64, Expect(SKIPPED, "binary"))
    put(
        "nul-bytes.md",
        _brief("A brief with stray NUL bytes").replace("Tuesday", "Tues\x00day\x00")
        + "The talks went on for hours and nothing was agreed in the end. " * 10,
        Expect(WARNING, "nul"),
    )
    put(
        "cp1252.md",
        _brief("Windows \u2019quotes\u2019 and caf\u00e9").encode("cp1252"),
        Expect(WARNING, "cp1252"),
    )
    text16 = _brief("A UTF-16 brief \u2014 with a dash")
    put("utf16-le-bom.md", b"\xff\xfe" + text16.encode("utf-16-le"), Expect(WARNING, "utf-16"))
    put("utf16-be-bom.md", b"\xfe\xff" + text16.encode("utf-16-be"), Expect(WARNING, "utf-16"))
    put("utf16-le-nobom.md", text16.encode("utf-16-le"), Expect(WARNING, "no byte order mark"))
    put("utf16-be-nobom.md", text16.encode("utf-16-be"), Expect(WARNING, "no byte order mark"))
    good = _brief("Invalid UTF-8 in the middle").encode("utf-8")
    middle = len(good) // 2
    put(
        "bad-utf8-middle.md",
        good[:middle] + b"\xff\xfe\x80" + good[middle:],
        Expect(WARNING, "invalid utf-8"),
    )
    put(
        "date-feb-30.md",
        _brief("Impossible date").replace("2019-03-12", "2017-02-30"),
        Expect(WARNING, "does not exist"),
    )
    put(
        "date-zero.md",
        _brief("Zero date").replace("2019-03-12", "0000-00-00"),
        Expect(WARNING, "does not exist"),
    )
    put(
        "date-99999.md",
        _brief("Five-digit year").replace("2019-03-12", "99999"),
        Expect(WARNING, "could not read the date"),
    )
    put("nested-quotes.md", "Title: Deep quotes\n\n" + ">" * 10000 + " deep\n", Expect(READ))
    put(
        "nested-lists.md",
        "Title: Deep lists\n\n" + "".join("  " * i + "- level\n" for i in range(2000)),
        Expect(READ),
    )
    put("brackets.md", "Title: Brackets\n\n" + "![" * 20000 + "\n", Expect(READ))
    put(
        "comment-markers.md",
        "Title: Many comments\n\nThe article.\n\n" + "Comment: again.\n\n" * 5000,
        Expect(READ),
    )
    put("with spaces in name.md", _brief("Spaces in the name"), Expect(READ))
    put(
        "\u00fcn\u00efc\u00f8d\u00e9 \u2014 \u0645\u0648\u062c\u0632.md",
        _brief("Unicode name"),
        Expect(READ),
    )
    put("new\nline.md", _brief("Newline in the name"), Expect(READ))
    locked = put("locked.md", _brief("Unreadable permissions"), Expect(SKIPPED, "permission"))
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything: the file is simply read
        out["locked.md"] = Expect(READ)
    put("loop/inside.md", _brief("Inside a folder with a link loop"), Expect(READ))
    (root / "loop" / "back").symlink_to("..", target_is_directory=True)
    # The link leads back to a folder already read: said once, never walked again.
    out["loop/back"] = Expect(SKIPPED, "the same folder as")
    if big:
        # 2 MB on one line, and a 50 MB brief (over the 20 MB limit: skipped unread).
        put(
            "one-line-2mb.md",
            "Title: One long line\n\n" + "word " * (2 * 1024 * 1024 // 5),
            Expect(READ),
        )
        with (root / "huge-50mb.md").open("wb") as fh:
            chunk = ("A line of a very long brief about Badr and the PMF.\n" * 20000).encode()
            while fh.tell() < 50 * 1024 * 1024:
                fh.write(chunk)
        out["huge-50mb.md"] = Expect(SKIPPED, "too large")
    return out


def restore(root: Path) -> None:
    """Give back permissions so that pytest can clean the folder up."""
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
