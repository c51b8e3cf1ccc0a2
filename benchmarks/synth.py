"""Deterministic synthetic brief corpora, so indexing and search can be timed at any scale.

Real briefs cannot be shipped with benchmarks, and a corpus that is too regular (every word
equally likely, one actor per brief) hides the costs that matter: a long-tailed vocabulary
swells the index, popular actors make some queries expensive, and odd comment markers or
Markdown exercise the parser. This module imitates those properties cheaply. Everything is
drawn from one ``random.Random(seed)``, so the same seed writes byte-identical files.

Usage::

    python benchmarks/synth.py OUT_DIR --count 10000 [--seed 1] [--glossary resources/glossary.toml]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GLOSSARY = REPO_ROOT / "resources" / "glossary.toml"

#: Most files written into one folder; a month with more briefs is split into numbered parts.
MAX_PER_FOLDER = 100

PSEUDO_WORDS = 20_000
ZIPF_EXPONENT = 1.07
ACTOR_EXPONENT = 1.0
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)


def _split(words: str) -> list[str]:
    return words.split()


# The commonest English words, in rough frequency order; they take the top Zipf ranks.
FUNCTION_WORDS = _split("""
the of and to in a that is for on with as was by he it said at from his an be has have are
not this which but they its were had their will who been also would more or after one about
over two against new than all she there we into other some can her if could when while so
between these those such under since during through what them only most any because before
both up out no our may should very then now just where how many well each further without
three however last first own including still year years did do made make says told added
even much within across least being around among despite amid already again back these
""")

# Frequent content words of the genre, spread through the upper ranks among pseudo-words.
CONTENT_WORDS = _split("""
government minister president official officials military forces security country region
state foreign policy talks deal sanctions nuclear oil economy election parliament leader
leaders people war attack attacks troops groups group militia militias regime support
council national international agreement relations week month today meeting visit report
media news agency statement spokesman commander forces border province city capital
power political politics economic influence regional army guard navy missile missiles drone
drones strike strikes protests protesters crisis plot threat threats enemy enemies allies
ally pressure officials interior defense defence ministry cabinet prime supreme judiciary
court prison prisoners rights human journalists television reported according claimed
warned accused denied announced called urged stressed rejected vowed insisted confirmed
Western American Iranian Iraqi Syrian Lebanese Saudi Turkish Russian European Israeli
Tehran Baghdad Damascus Beirut Riyadh Washington Moscow Ankara Kabul Doha Sanaa Erbil
Gulf Strait Hormuz Kurdish Shiite Sunni clerics cleric religious revolution revolutionary
hardliners reformists conservatives moderates ballot vote votes candidates campaign
budget currency inflation exports imports trade companies investment banks bank
negotiations diplomats diplomatic embassy ambassador envoy delegation summit ceasefire
fighters operation operations intelligence network networks smuggling weapons arms
control forces elite units unit commanders fight battle offensive withdrawal presence
future past recent previous several major key senior former current top local
public private social historic strategic significant serious growing increasing
likely possible clear important difficult particular certain united joint common
""")

NUMBER_WORDS = _split("""
2 3 4 5 10 12 15 20 30 40 50 100 200 500 1,000 2,000 percent million billion dollars
""")

SYLLABLE_ONSETS = _split("b c d f g h j k l m n p r s t v w z br ch cl dr gr kh pl sh st th tr")
SYLLABLE_VOWELS = _split("a e i o u a e i o ai ea ou")
SYLLABLE_CODAS = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "st", "rk"]

TITLE_VERBS = _split("""
Warns Says Calls-for Rejects Meets Visits Denies Urges Criticizes Praises Threatens Signals
Dismisses Defends Demands Accuses Backs Slams Welcomes Questions
""")

SOURCES = [
    "Tasnim News Agency",
    "IRNA",
    "Fars News Agency",
    "Al-Monitor",
    "Press TV",
    "Asharq Al-Awsat",
    "Rudaw",
    "Mehr News Agency",
]

TAGS = _split("""
Iran Iraq Syria Lebanon Yemen Israel Saudi-Arabia Turkey Russia United-States Europe Gulf
militias sanctions nuclear-deal oil economy elections IRGC proxies diplomacy protests
human-rights military missiles drones terrorism Kurds Shiites energy cyber
""")

# Used when no glossary can be read: (name, aliases), roughly the cast of the sample corpus.
BUILTIN_ACTORS: list[tuple[str, list[str]]] = [
    ("Ali Khamenei", ["Khamenei", "Supreme Leader"]),
    ("Hassan Rouhani", ["Rouhani"]),
    ("Ebrahim Raisi", ["Raisi"]),
    ("Mohammad Javad Zarif", ["Zarif", "Javad Zarif"]),
    ("Qassem Suleimani", ["Suleimani", "Soleimani", "Qassem Soleimani"]),
    ("Ali Shamkhani", ["Shamkhani"]),
    ("Hossein Salami", ["Salami"]),
    ("Esmail Qaani", ["Qaani", "Ghaani"]),
    ("Islamic Revolutionary Guard Corps", ["IRGC", "Revolutionary Guards", "Guards"]),
    ("Quds Force", ["IRGC-QF"]),
    ("Popular Mobilization Forces", ["PMF", "P.M.F.", "Hashd al-Shaabi"]),
    ("Hezbollah", ["Hizbullah", "Hizballah"]),
    ("Hassan Nasrallah", ["Nasrallah"]),
    ("Kataib Hezbollah", ["Kata'ib Hizballah", "KH"]),
    ("Asaib Ahl al-Haq", ["AAH", "Asa'ib Ahl al-Haq"]),
    ("Badr Organization", ["Badr"]),
    ("Hadi al-Amiri", ["Amiri"]),
    ("Muqtada al-Sadr", ["Sadr", "Moqtada al-Sadr"]),
    ("Ali al-Sistani", ["Sistani", "Grand Ayatollah Sistani"]),
    ("Haider al-Abadi", ["Abadi"]),
    ("Mustafa al-Kadhimi", ["Kadhimi"]),
    ("Adel Abdul Mahdi", ["Abdul Mahdi"]),
    ("Nouri al-Maliki", ["Maliki"]),
    ("Abu Mahdi al-Muhandis", ["Muhandis"]),
    ("Bashar al-Assad", ["Assad"]),
    ("Houthis", ["Ansar Allah", "Houthi movement"]),
    ("Hamas", []),
    ("Islamic State", ["ISIS", "ISIL", "Daesh"]),
    ("Emmanuel Macron", ["Macron"]),
    ("Donald Trump", ["Trump"]),
    ("Joe Biden", ["Biden"]),
    ("Benjamin Netanyahu", ["Netanyahu"]),
    ("Mohammed bin Salman", ["MBS", "bin Salman"]),
    ("Recep Tayyip Erdogan", ["Erdogan"]),
    ("Vladimir Putin", ["Putin"]),
    ("Abbas Araghchi", ["Araghchi"]),
    ("Mohammad Bagher Ghalibaf", ["Ghalibaf", "Qalibaf"]),
    ("Ali Larijani", ["Larijani"]),
    ("Mahmoud Ahmadinejad", ["Ahmadinejad"]),
    ("Masoud Barzani", ["Barzani"]),
    ("Mohammad Bagheri", ["Bagheri"]),
    ("Amir Ali Hajizadeh", ["Hajizadeh"]),
]

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def _cumulative(n: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n, ready for ``random.choices(cum_weights=...)``."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def _pseudo_word(rng: random.Random, syllables: int) -> str:
    parts = []
    for _ in range(syllables):
        parts.append(rng.choice(SYLLABLE_ONSETS))
        parts.append(rng.choice(SYLLABLE_VOWELS))
    parts.append(rng.choice(SYLLABLE_CODAS))
    return "".join(parts)


def build_vocabulary(rng: random.Random, size: int = PSEUDO_WORDS) -> list[str]:
    """Real words at the top ranks, then ``size`` pseudo-words that lengthen down the tail."""
    vocab: list[str] = list(dict.fromkeys(FUNCTION_WORDS))
    seen = set(vocab)
    content = [w for w in dict.fromkeys(CONTENT_WORDS + NUMBER_WORDS) if w not in seen]
    seen.update(content)
    # Content word i lands near rank len(FUNCTION_WORDS) + 8*i, pseudo-words fill the gaps.
    pseudo_made = 0
    next_content = 0
    while pseudo_made < size or next_content < len(content):
        rank = len(vocab)
        if next_content < len(content) and rank >= len(FUNCTION_WORDS) + 8 * next_content:
            vocab.append(content[next_content])
            next_content += 1
            continue
        # Short words are frequent, long ones rare, as in real text.
        syllables = 1 + min(3, int(rng.expovariate(1.0) + rank / 6000))
        word = _pseudo_word(rng, syllables)
        if word in seen:
            continue
        seen.add(word)
        vocab.append(word)
        pseudo_made += 1
    return vocab


def load_actors(glossary: Path | None) -> list[tuple[str, list[str]]]:
    """(name, aliases) per ``[[actor]]`` of a glossary TOML; the built-in cast if unreadable."""
    if glossary is None:
        return list(BUILTIN_ACTORS)
    try:
        with open(glossary, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return list(BUILTIN_ACTORS)
    actors: list[tuple[str, list[str]]] = []
    for entry in data.get("actor", []) if isinstance(data.get("actor"), list) else []:
        if not isinstance(entry, dict):
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        raw_aliases = entry.get("aliases", [])
        aliases = [a for a in raw_aliases if isinstance(a, str) and a.strip()]
        actors.append((name.strip(), aliases))
    return actors or list(BUILTIN_ACTORS)


def _slug(text: str, words: int = 6) -> str:
    slug = _SLUG_RE.sub("-", text.lower()).strip("-")
    return "-".join(slug.split("-")[:words]) or "brief"


class _Writer:
    """Holds the precomputed tables so that each brief costs a few ``choices`` calls."""

    def __init__(self, rng: random.Random, actors: list[tuple[str, list[str]]]) -> None:
        self.rng = rng
        self.vocab = build_vocabulary(rng)
        self.cum = _cumulative(len(self.vocab), ZIPF_EXPONENT)
        # Title words skip the function words so titles read like headlines.
        self.title_vocab = self.vocab[len(FUNCTION_WORDS) :]
        self.title_cum = _cumulative(len(self.title_vocab), ZIPF_EXPONENT)
        order = list(range(len(actors)))
        rng.shuffle(order)
        self.actors = [actors[i] for i in order]
        self.actor_cum = _cumulative(len(self.actors), ACTOR_EXPONENT)
        self.actor_idx = list(range(len(self.actors)))
        # A hyphenated "X-backed" wants the shortest form of the actor's names.
        self.short = [min([n, *a], key=len) for n, a in self.actors]
        self.source_cum = _cumulative(len(SOURCES), 1.2)
        self.tag_cum = _cumulative(len(TAGS), 0.8)

    # -- pieces ------------------------------------------------------------------------------

    def mention(self, actor: int) -> str:
        rng = self.rng
        name, aliases = self.actors[actor]
        r = rng.random()
        if r < 0.05:
            return self.short[actor].replace(" ", "-") + "-backed"
        text = name if not aliases or rng.random() < 0.55 else rng.choice(aliases)
        if r > 0.92:
            text += "’s" if r > 0.94 else "'s"
        return text

    def words(self, n: int, focus: Sequence[int]) -> list[str]:
        """``n`` Zipf-drawn words with actor mentions at about one per 40-60 words."""
        rng = self.rng
        words = rng.choices(self.vocab, cum_weights=self.cum, k=n)
        mentions = max(1, round(n / rng.uniform(40, 60)))
        others = rng.choices(self.actor_idx, cum_weights=self.actor_cum, k=mentions)
        for i in range(mentions):
            actor = rng.choice(focus) if rng.random() < 0.65 else others[i]
            words[rng.randrange(n)] = self.mention(actor)
        return words

    def paragraphs(self, words: list[str], markdown: bool) -> list[str]:
        """Cut ``words`` into sentences of 8-30 words and paragraphs of 3-8 sentences."""
        rng = self.rng
        paras: list[str] = []
        sentences: list[str] = []
        target = rng.randint(3, 8)
        pos, n = 0, len(words)
        while pos < n:
            length = int(rng.triangular(8, 31, 15))
            chunk = words[pos : pos + length]
            pos += length
            if pos < n and n - pos < 8:  # no runt sentence at the end
                chunk += words[pos:]
                pos = n
            if len(chunk) > 11:
                k = rng.randrange(3, len(chunk) - 3)
                chunk[k] += ","
            if markdown and rng.random() < 0.02:
                k = rng.randrange(0, len(chunk) - 3)
                chunk[k] = "**" + chunk[k]
                chunk[k + 2] += "**"
            first = chunk[0]
            chunk[0] = first[:1].upper() + first[1:]
            body = " ".join(chunk).rstrip(",")
            r = rng.random()
            if r < 0.06:
                speaker = self.short[rng.choice(self.actor_idx[:20])]
                sentence = f"“{body},” {speaker} said."
            elif r < 0.08:
                sentence = body + "?"
            else:
                sentence = body + "."
            sentences.append(sentence)
            if len(sentences) >= target:
                paras.append(" ".join(sentences))
                sentences = []
                target = rng.randint(3, 8)
        if sentences:
            if paras and len(sentences) < 3:
                paras[-1] += " " + " ".join(sentences)
            else:
                paras.append(" ".join(sentences))
        return paras

    def title(self, focus: int) -> str:
        rng = self.rng
        words = rng.choices(self.title_vocab, cum_weights=self.title_cum, k=rng.randint(3, 7))
        verb = rng.choice(TITLE_VERBS).replace("-", " ")
        subject = self.short[focus] if rng.random() < 0.6 else self.actors[focus][0]
        rest = " ".join(w[:1].upper() + w[1:] for w in words)
        return f"{subject} {verb} {rest}"

    def tags(self) -> list[str]:
        rng = self.rng
        want = rng.choice((1, 2, 2, 3, 3, 4))
        chosen: list[str] = []
        while len(chosen) < want:
            tag = rng.choices(TAGS, cum_weights=self.tag_cum)[0]
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    # -- a whole brief -----------------------------------------------------------------------

    def brief(self, date: dt.date, markdown: bool) -> tuple[str, str]:
        """(title, file text) of one brief."""
        rng = self.rng
        focus = rng.choices(self.actor_idx, cum_weights=self.actor_cum, k=rng.randint(1, 3))
        title = self.title(focus[0])

        # 1,450 leaves room for a list, so no article passes 1,500 words.
        n_article = min(1450, max(300, int(rng.lognormvariate(6.47, 0.33))))
        paras = self.paragraphs(self.words(n_article, focus), markdown)
        if markdown and len(paras) > 2:
            r = rng.random()
            if r < 0.06:  # a bulleted list after the first paragraph
                items = [
                    rng.choices(self.vocab, cum_weights=self.cum, k=rng.randint(4, 10))
                    for _ in range(rng.randint(3, 5))
                ]
                paras.insert(
                    1, "\n".join(f"- {w[0][:1].upper()}{w[0][1:]} {' '.join(w[1:])}" for w in items)
                )
            elif r < 0.12:  # a quoted paragraph
                k = rng.randrange(1, len(paras))
                paras[k] = "> " + paras[k]

        if rng.random() < 0.92:
            n_comment = min(400, max(80, int(rng.lognormvariate(5.2, 0.45))))
            comment = self.paragraphs(self.words(n_comment, focus), markdown)
            r = rng.random()
            if markdown and r < 0.03:
                comment[0] = "**Comment:** " + comment[0]
            elif markdown and r < 0.05:
                comment.insert(0, "## Comment")
            else:
                comment[0] = "Comment: " + comment[0]
            paras.extend(comment)

        body = "\n\n".join(paras)
        if not markdown:
            # Plain files come from copy and paste: a trailing newline or not, as it happens.
            return title, body + ("\n" if rng.random() < 0.5 else "")
        source = rng.choices(SOURCES, cum_weights=self.source_cum)[0]
        header = (
            f"Title: {title}\nDate: {date.isoformat()}\nSource: {source}\n"
            f"Tags: {', '.join(self.tags())}\n\n"
        )
        return title, header + body + "\n"


def generate(out_dir: Path, count: int, seed: int = 1, glossary: Path | None = None) -> list[Path]:
    """Write ``count`` briefs under ``out_dir`` (year/month folders) and return their paths.

    The same ``seed`` and glossary always produce byte-identical files. ``glossary=None`` or a
    glossary that cannot be read uses the built-in list of actors.
    """
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    writer = _Writer(rng, load_actors(glossary))

    span = (LAST_DAY - FIRST_DAY).days
    start = FIRST_DAY.toordinal()
    dates = [dt.date.fromordinal(start + rng.randint(0, span)) for _ in range(count)]
    per_month: dict[tuple[int, int], int] = {}
    for d in dates:
        per_month[d.year, d.month] = per_month.get((d.year, d.month), 0) + 1
    seen_in_month: dict[tuple[int, int], int] = {}
    made_dirs: set[Path] = set()
    paths: list[Path] = []

    for i, date in enumerate(dates):
        key = (date.year, date.month)
        nth = seen_in_month.get(key, 0)
        seen_in_month[key] = nth + 1
        folder = out_dir / f"{date.year:04d}" / f"{date.month:02d}"
        if per_month[key] > MAX_PER_FOLDER:
            folder = folder / f"part{nth // MAX_PER_FOLDER + 1:02d}"
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)

        markdown = rng.random() < 0.8
        title, text = writer.brief(date, markdown)
        # The index suffix keeps names unique; plain files carry their date in the name.
        stem = f"{_slug(title)}-{i:06d}"
        name = f"{stem}.md" if markdown else f"{date.isoformat()}_{stem}.txt"
        path = folder / name
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: generate a corpus and print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the corpus into")
    parser.add_argument("--count", type=int, required=True, help="number of briefs")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--glossary",
        type=Path,
        default=DEFAULT_GLOSSARY,
        help="glossary TOML with [[actor]] tables (default: resources/glossary.toml; "
        "built-in actors if missing)",
    )
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be zero or more")

    actors = load_actors(args.glossary)
    origin = "built-in" if actors == BUILTIN_ACTORS else str(args.glossary)
    began = time.perf_counter()
    paths = generate(args.out_dir, args.count, args.seed, args.glossary)
    seconds = time.perf_counter() - began
    total = sum(p.stat().st_size for p in paths)
    print(
        f"{len(paths)} files, {total / 1e6:.1f} MB in {args.out_dir} "
        f"({seconds:.1f} s, seed {args.seed}, {len(actors)} actors from {origin})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
