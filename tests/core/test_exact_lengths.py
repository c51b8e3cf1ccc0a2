"""Section lengths for BM25: exact from the term files (Whoosh keeps them in a byte), so a
brief scores as it does on the team archive, which counts its words exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.search.ranking import TEXT_FIELDS
from briefreader.core.search.words import analysed_terms

REPO = Path(__file__).resolve().parents[2]


def test_each_section_length_is_its_count_of_index_words(tmp_path: Path) -> None:
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    (tmp_path / "corpus" / "long.md").write_text(
        "# A long one\n\n" + "Militia commanders met in Baghdad again today. " * 300
        + "\n\nComment: " + "The Hashd keeps its weapons. " * 77 + "\n",
        "utf-8",
    )  # fmt: skip
    lib = Library([tmp_path / "corpus"], tmp_path / "data", Glossary.load([]))
    try:
        lib.update()
        lib.search("militia")
        index = lib.local.index
        terms = index.evaluator().terms
        searcher = index.searcher()
        checked = 0
        for field in TEXT_FIELDS:
            lengths = terms.field_lengths(field)
            for docnum in range(searcher.doc_count_all()):
                text = str(searcher.stored_fields(docnum).get(field) or "")
                assert lengths[docnum] == len(list(analysed_terms(text))), (field, docnum)
                checked += 1
        assert checked >= 3 * 33
        ids = [searcher.stored_fields(d)["id"] for d in range(searcher.doc_count_all())]
        long_doc = ids.index("long.md")
        actors = terms.field_lengths("actors")
        for docnum in range(searcher.doc_count_all()):
            named = str(searcher.stored_fields(docnum).get("actors") or "")
            assert actors[docnum] == len([a for a in named.split(",") if a])
        # 1,500 article words (again is a stop word): Whoosh's byte says 1,536.
        assert terms.field_lengths("article")[long_doc] == 1500
    finally:
        lib.close()
