"""A push carries every format the local index reads: a digest's items and an email's
message arrive in the team archive as briefs of their own, with the same ids."""

from __future__ import annotations

import sys
from pathlib import Path

from briefreader.core.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import formats_kit as kit


def test_a_digest_and_an_email_are_pushed_as_their_briefs(archive_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "2019-03-12_roundup.txt").write_text(kit.ROUNDUP_DATED, "utf-8")
    kit.make_eml(corpus)
    local = Library.open([corpus], data_dir=tmp_path / "local")
    local.update(bulk=False)
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "arc")
    try:
        report = arc.update()
        everything = local.search("")
        # The email's article is the round-up's first item: one result locally, with its
        # other place (the archive does not fold copies yet: both are its results).
        assert report.added == everything.total + everything.folded == 4
        assert everything.folded == 1
        for query in ("Qandil", "technocrats", "Amiri"):
            ours = sorted(i for h in local.search(query).hits for i in (h.id, *h.copies))
            theirs = sorted(h.id for h in arc.search(query).hits)
            assert ours == theirs and ours, query
        assert [h.id for h in arc.search("Qandil").hits] == ["2019-03-12_roundup.txt#3"]
        again = arc.update()
        assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    finally:
        arc.close()
        local.close()
