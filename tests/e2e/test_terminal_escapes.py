"""Control characters from briefs, file names, the glossary and notes never reach the
terminal raw: a title holding ``ESC ]0;…BEL`` would retitle the terminal, ``ESC [2J`` clear
it. Every command's output (``python -m briefreader ...``) shows them escaped; JSON output
escapes them too and still reads back as the same text."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ESC_TITLE = "Drone strike \x1b]0;owned\x07 \x1b[2J\x9b31m report"
FILE = "evil\x1b[31m.md"
BRIEF = f"""Title: {ESC_TITLE}
Date: 2020-01-03
Source: Wire \x1b[5m
Tags: iraq\x1b[8m

A drone \x1b[2J strike near Baghdad hit Evilcorp\x9b2J trucks.

Comment: Evilcorp will answer \x1b]8;;http://evil.example\x07here\x1b]8;;\x07.
"""
GLOSSARY = """
[[actor]]
name = "Evilcorp \\u001b[2J"
kind = "organisation"
aliases = ["Evilcorp"]
description = "Trucks \\u009b31m"
"""
# Raw C0 but tab and newline, DEL and C1: what a terminal would obey.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(data: Path, glossary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", *args, "--glossary", str(glossary)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(data folder, glossary, corpus): the hostile brief indexed, noted, saved, starred."""
    root = tmp_path_factory.mktemp("escapes")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / FILE).write_text(BRIEF, "utf-8")
    glossary = root / "glossary.toml"
    glossary.write_text(GLOSSARY, "utf-8")
    data = root / "data"
    out = run(data, glossary, "index", str(corpus))
    assert not RAW.search(out.stdout + out.stderr), out.stdout
    run(data, glossary, "note", "add", FILE, "bell\x07 and \x1b[2J note")
    run(data, glossary, "saved", "add", "drones\x1b[2J", "drone")
    run(data, glossary, "star", FILE)
    return data, glossary, corpus


COMMANDS = [
    ("search", "drone"),
    ("show", FILE),
    ("glossary",),
    ("notes",),
    ("saved",),
    ("star",),
    ("actor", "Evilcorp"),
    ("export", "drone", "--format", "csv"),
    ("export", "drone", "--format", "md"),
    ("export", "--starred", "--format", "json"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:1] + c[2:]))
def test_no_command_prints_a_raw_control_character(
    setup: tuple[Path, Path, Path], command: tuple[str, ...]
) -> None:
    data, glossary, _corpus = setup
    out = run(data, glossary, *command)
    assert out.stdout.strip()
    assert not RAW.search(out.stdout), repr(RAW.search(out.stdout))
    assert not RAW.search(out.stderr), out.stderr


def test_search_and_show_escape_what_they_print(setup: tuple[Path, Path, Path]) -> None:
    data, glossary, corpus = setup
    out = run(data, glossary, "search", "drone").stdout
    assert "Drone strike \\x1b]0;owned\\x07 \\x1b[2J\\x9b31m report" in out
    assert "evil\\x1b[31m.md" in out
    assert "[drone]" in out or "[Drone]" in out  # the hit marks still come through
    out = run(data, glossary, "show", FILE).stdout
    assert out.startswith("Drone strike \\x1b]0;owned\\x07")
    assert "\\x1b]8;;http://evil.example\\x07here" in out
    out = run(data, glossary, "actors", str(corpus / FILE)).stdout
    assert "Evilcorp" in out and not RAW.search(out)


def test_json_output_escapes_controls_and_reads_back(setup: tuple[Path, Path, Path]) -> None:
    data, glossary, _corpus = setup
    out = run(data, glossary, "search", "drone", "--json").stdout
    assert not RAW.search(out)
    hit = json.loads(out)["hits"][0]
    assert hit["title"] == ESC_TITLE and hit["id"] == FILE
    out = run(data, glossary, "show", FILE, "--json").stdout
    assert not RAW.search(out)
    assert "\x9b2J" in json.loads(out)["article"]


def test_the_command_line_prints_only_through_say() -> None:
    """A new ``print`` of a title would bring the raw terminal back: the command line's
    modules print through :func:`briefreader.core.safetext.say` alone."""
    import ast

    import briefreader

    package = Path(briefreader.__file__).parent / "cli"
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 2, f"the command line's modules are not in {package}"
    for path in modules:
        name = path.name
        tree = ast.parse(path.read_text("utf-8"))
        bare = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ]
        assert bare == [], f"{name}: print() at lines {bare}; use safetext.say"
