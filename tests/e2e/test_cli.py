"""The real entry point (``python -m briefreader``) in a temporary data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader import paths


def run(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the bundled corpus indexed once for the whole module."""
    folder = tmp_path_factory.mktemp("e2e-data")
    out = run(folder, "index", "--json")
    report = json.loads(out.stdout)
    assert report["indexed"] >= 25
    assert report["skipped"] == []
    return folder


def test_version(tmp_path: Path) -> None:
    out = run(tmp_path, "--version")
    assert out.stdout.startswith("briefreader ")


def test_index_summary_and_incremental(data: Path) -> None:
    out = run(data, "index")
    assert "0 new, 0 changed, 0 removed, 0 skipped" in out.stdout


def test_search_foreign_plot_finds_the_seed_with_the_phrase_marked(data: Path) -> None:
    out = run(data, "search", "foreign plot", "--json")
    res = json.loads(out.stdout)
    top = res["hits"][0]
    assert "shamkhani" in top["id"]
    snip = top["snippet"]
    marked = [snip["text"][a:b].lower() for a, b in snip["highlights"]]
    assert "foreign" in marked and "plot" in marked
    assert '<b class="hit">foreign</b>' in snip["html"].lower()
    assert top["date"] == "2017-11-24"
    assert {"id", "name", "kind"} <= set(top["actors"][0])


def test_search_options(data: Path) -> None:
    out = run(data, "search", "Iraq", "--sort", "newest", "--limit", "5", "--json")
    res = json.loads(out.stdout)
    dates = [h["date"] for h in res["hits"] if h["date"]]
    assert len(res["hits"]) == 5 and dates == sorted(dates, reverse=True)
    out = run(
        data, "search", "Iraq", "--actor", "PMF", "--since", "2019", "--until", "2020", "--json"
    )
    res = json.loads(out.stdout)
    assert res["hits"]
    for hit in res["hits"]:
        assert "2019-01-01" <= hit["date"] <= "2020-12-31"
        assert "popular-mobilization-forces" in [a["id"] for a in hit["actors"]]


def test_search_human_output_and_no_results(data: Path) -> None:
    out = run(data, "search", "foreign", "plot")
    assert "Shamkhani" in out.stdout
    out = run(data, "search", "zzzqqqxxx")
    assert "No briefs match" in out.stdout


def test_show_json(data: Path) -> None:
    out = run(data, "show", "2017-11-24_shamkhani-foreign-plot.txt", "--json")
    brief = json.loads(out.stdout)
    assert brief["comment"].startswith("Shamkhani did not identify")
    assert "Comment:" not in brief["article"]
    assert brief["mentions"]


def test_actors_on_the_seed_have_exact_offsets(seed_path: Path, tmp_path: Path) -> None:
    out = run(tmp_path, "actors", str(seed_path), "--json")
    rows = json.loads(out.stdout)
    text = seed_path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    assert rows
    for r in rows:
        assert text[r["start"] : r["end"]] == r["text"]
        assert r["section"] in ("article", "comment")
    names = {r["actor"] for r in rows}
    for expected in (
        "Ali Shamkhani",
        "Popular Mobilization Forces",
        "Islamic Revolutionary Guard Corps",
    ):
        assert expected in names, names
    pmf = [r for r in rows if r["actor"] == "Popular Mobilization Forces"]
    assert {"P.M.F.", "PMF", "Popular Mobilization Forces"} <= {r["text"] for r in pmf}


def test_every_glossary_actor_of_the_seed_is_found(seed_path: Path, tmp_path: Path) -> None:
    """Each alias of the bundled glossary that occurs in the seed as a whole word is reported."""
    import re

    from briefreader.core.glossary import Glossary

    g = Glossary.load([paths.bundled_glossary()])
    text = seed_path.read_text("utf-8")
    rows = json.loads(run(tmp_path, "actors", str(seed_path), "--json").stdout)
    found = {r["actor_id"] for r in rows}
    for actor in g.actors.values():
        for name in actor.names:
            if re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
                assert actor.id in found, f"{name} ({actor.id}) is in the seed but not reported"


def test_glossary_json_has_counts(data: Path) -> None:
    out = run(data, "glossary", "--json")
    actors = json.loads(out.stdout)
    by_id = {a["id"]: a for a in actors}
    assert by_id["popular-mobilization-forces"]["briefs"] >= 10
    assert "P.M.F." in by_id["popular-mobilization-forces"]["aliases"]


def test_extra_glossary_is_merged(data: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[actor]]\nname = "Popular Mobilization Forces"\naliases = ["Hashdies"]\n', "utf-8"
    )
    out = run(data, "--glossary", str(extra), "glossary", "--json")
    pmf = next(a for a in json.loads(out.stdout) if a["id"] == "popular-mobilization-forces")
    assert "Hashdies" in pmf["aliases"] and "P.M.F." in pmf["aliases"]


def test_errors_are_one_line_on_stderr(tmp_path: Path) -> None:
    run(tmp_path, "index")
    out = run(tmp_path, "show", "no/such/brief.md", check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == "briefreader: no/such/brief.md: no such brief in the library"
    out = run(tmp_path, "index", str(tmp_path / "missing"), check=False)
    assert out.returncode == 1 and "not found" in out.stderr
    out = run(
        tmp_path,
        "show",
        "/etc/hostname" if Path("/etc/hostname").is_file() else __file__,
        check=False,
    )
    assert out.returncode == 1 and "not a brief" in out.stderr and out.stdout == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search", "x", "--since", "last tuesday"], "not a date: 'last tuesday'"),
        (["search", "x", "--until", "2019-13"], "not a date: '2019-13'"),
        (["search", "x", "--limit", "-3"], "must be at least 1, not -3"),
        (["search", "x", "--limit", "many"], "not a whole number: 'many'"),
        (["search", ""], "the query is empty"),
        (["search", "  "], "the query is empty"),
    ],
)
def test_usage_errors_exit_2_with_the_commands_usage(
    tmp_path: Path, args: list[str], says: str
) -> None:
    out = run(tmp_path, *args, check=False)
    assert out.returncode == 2
    assert out.stderr.startswith("usage: briefreader search ")
    assert "briefreader search: error: " in out.stderr and says in out.stderr
    assert out.stdout == ""


def test_window_usage_errors_exit_2_before_any_window(tmp_path: Path) -> None:
    out = run(tmp_path, "--screenshot", str(tmp_path / "no" / "such" / "x.png"), check=False)
    assert out.returncode == 2 and "--screenshot: no such folder" in out.stderr
    assert not (tmp_path / "no").exists()
    out = run(tmp_path, str(tmp_path / "nothing-here"), check=False)
    assert out.returncode == 2 and "no such folder or file" in out.stderr
    out = run(tmp_path, __file__, check=False)
    assert out.returncode == 2 and "not a brief" in out.stderr


def test_a_closed_pipe_ends_quietly(data: Path) -> None:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line, as `| head -0` would
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "briefreader", "search", "Iraq"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert proc.stderr == b""  # was "briefreader: Broken pipe"
    assert proc.returncode == 0


def test_the_readmes_example_id_is_in_the_sample_corpus(data: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    example = readme.split("A brief's id is its path relative to its corpus folder")[1]
    brief_id = example.split("`")[1]
    out = run(data, "show", brief_id, "--json")
    assert json.loads(out.stdout)["id"] == brief_id


def test_broken_glossary_is_reported_with_file_and_line(tmp_path: Path, seed_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[actor]]\nname = "X"\naliases = [\n', "utf-8")
    out = run(tmp_path, "--glossary", str(bad), "actors", str(seed_path), "--json")
    assert str(bad) in out.stderr
    assert json.loads(out.stdout)  # the bundled glossary still works


def test_data_dir_option(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("Title: A\n\nBasra port reopened.\n", "utf-8")
    run(tmp_path, "--data-dir", str(target), "index", str(corpus))
    assert (target / "indexes").is_dir()
    out = run(tmp_path, "search", "--data-dir", str(target), "Basra", "--json")
    assert json.loads(out.stdout)["hits"][0]["id"] == "a.md"
