"""A glossary of tens of thousands of real names, for measuring the matcher at scale.

Built from the Phoenix/CAMEO actor dictionaries and the OFAC SDN list kept beside the
project in ``../shared/data`` (see that folder's README). Those files are never copied into
the repository; when they are absent, :func:`data_dir` returns None and callers skip.

Names in both sources are written in capitals; they are turned into title case here, since
an all-capitals alias would be matched case-sensitively as an acronym.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from briefreader.core.glossary import Actor, lookup_key, slugify

CAMEO_FILES = (
    ("Phoenix.Countries.actors.txt", "person"),
    ("Phoenix.MilNonState.actors.txt", "militia"),
    ("Phoenix.International.actors.txt", "organisation"),
)
_PAREN = re.compile(r"\(([^)]*)\)")
_OFAC_EMPTY = "-0-"


def data_dir() -> Path | None:
    """``../shared/data`` relative to the repository, or None when it is not there."""
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    return path if path.is_dir() else None


def title_case(name: str) -> str:
    """Capitals to title case, each hyphen part too: ABDUL AL-ATTIYAH -> Abdul Al-Attiyah."""
    words = []
    for word in name.split():
        parts = [p[:1].upper() + p[1:].lower() for p in word.split("-")]
        words.append("-".join(parts))
    return " ".join(words)


def _cameo_name(token: str) -> tuple[str, list[str]]:
    """A CAMEO phrase (``ADEN_ABYAN_ISLAMIC_ARMY_(AAIA)_``) -> (name, acronyms in brackets)."""
    acronyms = [a.strip() for a in _PAREN.findall(token) if a.strip()]
    text = _PAREN.sub(" ", token).replace("_", " ")
    return title_case(" ".join(text.split())), acronyms


def read_cameo(path: Path, kind: str) -> Iterator[tuple[str, str, list[str]]]:
    """(name, kind, aliases) per entry of a CAMEO .actors file.

    Entry lines start in column 0; ``+`` lines are synonyms of the entry above; indented
    ``[CODE date]`` lines and ``#`` comments carry no names.
    """
    name: str | None = None
    aliases: list[str] = []
    entry_kind = kind
    with path.open(encoding="latin-1") as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].rstrip()
            if not line or line[0] in " \t":
                continue
            phrase = line.split("[", 1)[0].strip()
            if line.startswith("+"):
                if name is None:
                    continue
                # A few lines hold two synonyms glued with "+"; read both.
                for part in phrase.split("+"):
                    alias, extra = _cameo_name(part)
                    aliases.extend([alias, *extra])
                continue
            if name is not None:
                yield name, entry_kind, aliases
            name, extra = _cameo_name(phrase.split("+", 1)[0])
            aliases = list(extra)
            codes = re.findall(r"\[([A-Z]{3})\]", line)
            # A bare three-letter code ("AFGHANISTAN_ [AFG]") marks a country.
            entry_kind = "state" if codes and kind == "person" else kind
    if name is not None:
        yield name, entry_kind, aliases


def _ofac_name(raw: str, individual: bool) -> str:
    """OFAC's "SURNAME, Given" for individuals -> "Given Surname", title-cased."""
    raw = raw.strip()
    if individual and "," in raw:
        surname, given = raw.split(",", 1)
        raw = f"{given.strip()} {surname.strip()}"
    return title_case(raw)


def read_ofac(folder: Path) -> Iterator[tuple[str, str, list[str]]]:
    """(name, kind, aliases) per SDN entry, aliases from alt.csv."""
    kinds: dict[str, str] = {}
    names: dict[str, str] = {}
    with (folder / "sdn.csv").open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 3 or not row[0].strip().isdigit():
                continue
            sdn_type = row[2].strip()
            individual = sdn_type == "individual"
            kinds[row[0].strip()] = (
                "person" if individual else "organisation" if sdn_type == _OFAC_EMPTY else "other"
            )
            names[row[0].strip()] = _ofac_name(row[1], individual)
    alts: dict[str, list[str]] = {}
    alt_path = folder / "alt.csv"
    if alt_path.is_file():
        with alt_path.open(encoding="latin-1", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) < 4 or row[3].strip() in ("", _OFAC_EMPTY):
                    continue
                ent = row[0].strip()
                alts.setdefault(ent, []).append(_ofac_name(row[3], kinds.get(ent) == "person"))
    for ent, name in names.items():
        yield name, kinds[ent], alts.get(ent, [])


def load_actors(folder: Path | None = None) -> list[Actor]:
    """Every CAMEO and OFAC actor as an Actor, names deduplicated, one-letter names dropped.

    A name or alias already taken (by lookup form) by an earlier actor is left out, as the
    glossary would do.
    """
    folder = folder or data_dir()
    if folder is None:
        raise FileNotFoundError("../shared/data is not there")
    sources: list[Iterator[tuple[str, str, list[str]]]] = []
    for filename, kind in CAMEO_FILES:
        path = folder / "cameo_actors" / filename
        if path.is_file():
            sources.append(read_cameo(path, kind))
    if (folder / "ofac_sdn" / "sdn.csv").is_file():
        sources.append(read_ofac(folder / "ofac_sdn"))
    taken: set[str] = set()
    actors: dict[str, Actor] = {}
    for source in sources:
        for name, kind, aliases in source:
            actor_id = slugify(name)
            if not actor_id or actor_id in actors:
                continue
            kept: list[str] = []
            for candidate in (name, *aliases):
                key = lookup_key(candidate)
                if sum(c.isalnum() for c in key) < 2 or key in taken:
                    continue
                taken.add(key)
                kept.append(candidate)
            if not kept or kept[0] != name:
                continue
            actors[actor_id] = Actor(actor_id, name, kind, tuple(kept[1:]))
    return list(actors.values())


def entries(actors: list[Actor]) -> list[tuple[str, str, bool]]:
    """Matcher entries (alias, actor id, case sensitive) for ``actors``."""
    from briefreader.core.match import is_case_sensitive_alias

    return [(n, a.id, is_case_sensitive_alias(n, a.match_case)) for a in actors for n in a.names]


if __name__ == "__main__":
    if data_dir() is None:
        print("../shared/data not found: nothing to load", file=sys.stderr)
        raise SystemExit(0)
    loaded = load_actors()
    total = sum(len(a.names) for a in loaded)
    print(f"{len(loaded)} actors, {total} names and aliases")
    for actor in loaded[:: max(1, len(loaded) // 10)]:
        print(f"  {actor.id}: {actor.name} ({actor.kind}) {list(actor.aliases)[:3]}")
