"""User data: written atomically, and a hand-edited glossary's mistakes cost little.

A kill during a write must leave the old file whole. The glossary writer is exercised in a
subprocess SIGKILLed in the middle of writing (after the temporary file is written, before
the rename), and in-process with the rename failing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefreader.core.atomic import write_text_atomic
from briefreader.core.glossary import Glossary

USER = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF", "Hashd"]

[[actor]]
name = "Badr Organization"
kind = "militia"
aliases = ["Badr"]
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("when", ["before the rename", "while writing"])
def test_kill_during_a_glossary_save_leaves_the_old_file(tmp_path: Path, when: str) -> None:
    user = tmp_path / "glossary.toml"
    user.write_text(USER, "utf-8")
    before = user.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from briefreader.core import glossary as g

        when = {when!r}
        real_write = os.fdopen

        def killing_fdopen(*args, **kwargs):
            handle = real_write(*args, **kwargs)
            if when == "while writing":
                real = handle.write
                def write(text):
                    real(text[: len(text) // 2])
                    handle.flush()
                    os.kill(os.getpid(), signal.SIGKILL)
                handle.write = write
            return handle

        def killing_replace(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        os.fdopen = killing_fdopen
        os.replace = killing_replace
        path = Path(sys.argv[1])
        gl = g.Glossary.load([path])
        gl.add_alias("badr-organization", "Badr Corps")
        gl.save_user(path)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(user)], capture_output=True, timeout=50, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert user.read_bytes() == before
    assert Glossary.load([user]).get("badr-organization") is not None


def test_a_save_that_fails_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "glossary.toml"
    user.write_text(USER, "utf-8")

    def fail(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        write_text_atomic(user, "garbage")
    assert user.read_text("utf-8") == USER
    assert [p.name for p in tmp_path.iterdir()] == ["glossary.toml"]


@pytest.mark.timeout(60)
def test_settings_written_by_the_command_line_survive_a_kill(tmp_path: Path) -> None:
    """``briefreader index`` remembers the corpus folders; a kill mid-write keeps the old."""
    data = tmp_path / "data"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("Title: A\n\nText.\n", "utf-8")
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data))
    run = [sys.executable, "-m", "briefreader", "--data-dir", str(data), "index", str(corpus)]
    subprocess.run(run, capture_output=True, timeout=50, check=True, env=env)
    settings = [p for p in data.iterdir() if p.suffix == ".json"]
    assert settings, "the command line keeps its settings in a JSON file"
    before = {p: p.read_bytes() for p in settings}
    script = (
        "import os, signal, sys\n"
        "os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from briefreader.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.md").write_text("Title: B\n\nText.\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", script, "--data-dir", str(data), "index", str(other)],
        capture_output=True, timeout=50, check=False, env=env,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL
    assert {p: p.read_bytes() for p in settings} == before


def test_hand_edited_glossary_mistakes_are_reported_and_the_rest_works(tmp_path: Path) -> None:
    text = USER + textwrap.dedent(
        """
        [[actor]]
        name = "Kataib Hezbollah"
        aliases = ["KH", "Kata'ib Hizballah"
        kind = "militia"

        [[actor]]
        name = "Asaib Ahl al-Haq"
        kind = "militia"
        aliases = ["AAH"]
        aliases = ["twice"]

        [[actor]]
        name = 42

        [[actor]]
        name = "Quds Force"
        kind = "organisation"
        aliases = ["IRGC-QF"]
        """
    )
    path = tmp_path / "glossary.toml"
    path.write_text(text, "utf-8")
    glossary = Glossary.load([path])
    lines = text.splitlines()
    errors = [p for p in glossary.problems if p.severity == "error"]
    # Each mistake is reported once, with this file and the line of the mistake.
    assert {p.path for p in errors} == {path}
    assert [p.line for p in errors] == [
        lines.index('kind = "militia"', lines.index('name = "Kataib Hezbollah"')) + 1,
        lines.index('aliases = ["twice"]') + 1,
        lines.index("name = 42") + 1,
    ]
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in errors)
    # The entries without mistakes still work, before and after the broken ones.
    assert set(glossary.actors) == {
        "popular-mobilization-forces",
        "badr-organization",
        "quds-force",
    }
    assert glossary.lookup("IRGC-QF") is not None
    assert glossary.lookup("Hashd") is not None
