"""The registry of course datasets: where each file comes from, its checksum, licence and citation.

Every entry mirrors a row of the course's data sources table (``shared/data/SOURCES.md``) and
lists its sources in the order the fetch tries them: the publisher's own URL first, then a pinned
mirror (a fixed commit, so its bytes never change). Every source is checked against the same
sha256, of the final file, so whichever one answers, the course gets the same bytes.

The publishers and what their URL gives:

=======================  ===============================================  =====================
file                     publisher (licence)                              processing
=======================  ===============================================  =====================
Epoch AI notable models  Epoch AI, live CSV (CC BY 4.0)                   none
AI investment            Our World in Data grapher CSV, data by Quid via  none
                         the AI Index (CC BY-ND 4.0: use unmodified)
GitHub ranking (x7)      yuxiaopeng/Github-Ranking-AI (MIT); the pinned   none (one source)
                         commit *is* the publisher's own file
German credit            UCI Machine Learning Repository, id 144          ``uci_german_zip``
                         (CC BY 4.0): a zip with space-separated coded    (:mod:`course.data.
                         ``german.data``                                  transforms`)
Taiwan credit            UCI, id 350 (CC BY 4.0): a zip holding an        mirror only
                         ``.xls``; no package in ``requirements.lock``
                         reads ``.xls`` (``xlrd`` would be needed), so
                         the publisher's URL is credited, not fetched
=======================  ===============================================  =====================

Epoch AI and Our World in Data update their files in place: once the live file differs from the
course's snapshot it fails the sha256 and the fetch says so in one line and uses the mirror. The
course never accepts different data silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.credit.coding import CORRECTION_CITATION

#: Publishers' own URLs (tried first).
EPOCH_PUBLISHER_URL = "https://epoch.ai/data/notable_ai_models.csv"
OWID_PUBLISHER_URL = (
    "https://ourworldindata.org/grapher/private-investment-in-artificial-intelligence.csv"
    "?v=1&csvType=full&useColumnShortNames=false"
)
UCI_GERMAN_URL = "https://archive.ics.uci.edu/static/public/144/statlog+german+credit+data.zip"
#: Credited, not fetched: a zip holding an .xls that no locked package reads.
UCI_TAIWAN_URL = "https://archive.ics.uci.edu/static/public/350/default+of+credit+card+clients.zip"

_EPOCH_URL = (
    "https://raw.githubusercontent.com/mxschons/sobe-2025-data-repository/"
    "6e8fd472308cd958cbbf50ca4339b7b3da6f6815/data/external/epoch-ai/notable-ai-models.csv"
)
_OWID_URL = (
    "https://raw.githubusercontent.com/bshiribaiev/invest-dashboard/"
    "4b42dc1bb0dc01019410807705a1bbd582f6c30f/data.csv"
)
_RANKING_BASE = (
    "https://raw.githubusercontent.com/yuxiaopeng/Github-Ranking-AI/"
    "54292a9c35e721d3025c055db541e9cfd6603be7/Data/"
)
_GERMAN_URL = (
    "https://raw.githubusercontent.com/stevenchen521/cs5487_course_porject/"
    "d53038dd7ef0cddc50c248f2aee6221cefe2e2a7/credit-g.csv"
)
_TAIWAN_URL = (
    "https://raw.githubusercontent.com/freillat/MLOps_CCproject/"
    "6b71bbc62985cab732fe7bedb2e09533a2f1febf/default_of_credit_card_clients.csv"
)


@dataclass(frozen=True)
class Source:
    """One place a data file can be fetched from.

    Attributes
    ----------
    url
        What to download.
    kind
        ``"publisher"`` (the data's own publisher) or ``"mirror"`` (a pinned copy elsewhere).
    transform
        Name of the processing step in :data:`course.data.transforms.TRANSFORMS` that turns the
        download into the course's file, or ``None`` when the download *is* the file.
    """

    url: str
    kind: str
    transform: str | None = None


@dataclass(frozen=True)
class Dataset:
    """One course data file.

    Attributes
    ----------
    name
        Short key used in code and on the command line (``course data fetch NAME``).
    filename
        Path of the file inside the data cache, with ``/`` separators.
    sources
        Where to fetch it, in order (publisher first, then the pinned mirror); each download,
        after its processing step, must have :attr:`sha256`.
    sha256
        Expected SHA-256 of the file's bytes.
    licence, citation, title
        What learners must be told when they use the data.
    publisher
        The publisher's page or file, for credit (also when it is not a fetch source).
    """

    name: str
    filename: str
    sources: tuple[Source, ...]
    sha256: str
    licence: str
    citation: str
    title: str
    publisher: str = ""

    @property
    def mirror(self) -> Source | None:
        """The pinned mirror among the sources, if there is one."""
        return next((s for s in self.sources if s.kind == "mirror"), None)


_RANKING_SNAPSHOTS = {
    "2025-03-04": "c8889bb2b18ee72abfb97558540d0e70431196d0e2384869d65240603d469e37",
    "2025-06-01": "1d027452fbbdae58ea7abb87f42efd962b24fc04a94045687aee7ec64b674194",
    "2025-09-01": "2ca5cab7a8a5b46720acb1a0ead2f56fd5d563a6e59ee207a5ec916f2c5d69d2",
    "2025-12-01": "1788c3fa1a7c8f897adaedc9927536e96b4c8fa4d5d03df7dcf2b1e4961c4384",
    "2026-03-01": "8858a0433c9a8e12c5b17ef856883750e43ad471eec671d284e5eeb7c2828c49",
    "2026-06-01": "ff06cc0f8e312b5fe1d61a38075ab15df94e95555c2d2d98c86cf10f5a9c8068",
    "2026-08-22": "94ed7735209e86c7f082ac3d6fd559e65b944ea50da067183777e3c19c490df7",
}
_RANKING_CITATION = (
    "yuxiaopeng, Github-Ranking-AI: daily ranking of AI repositories on GitHub "
    "(commit 54292a9), github.com/yuxiaopeng/Github-Ranking-AI"
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            name="epoch_models",
            filename="epoch_notable_ai_models.csv",
            sources=(Source(EPOCH_PUBLISHER_URL, "publisher"), Source(_EPOCH_URL, "mirror")),
            sha256="365f2fccd7e946b2edabe1cf5bef48633f538b07fb0153acc41fac9869e3b787",
            licence="CC BY 4.0",
            citation='Epoch AI, "Data on Notable AI Models" (snapshot 2026-01-26), '
            "epoch.ai/data/notable-ai-models",
            title="Notable AI models, 1950-2025",
            publisher="https://epoch.ai/data/notable-ai-models",
        ),
        Dataset(
            name="ai_investment",
            filename="owid_private_investment_in_ai.csv",
            sources=(Source(OWID_PUBLISHER_URL, "publisher"), Source(_OWID_URL, "mirror")),
            sha256="6d8b584cbd6615d8235f1c9e3671f6a166b9a9e4ff11a01bcc3f22db1f87de17",
            licence="CC BY-ND 4.0 (use unmodified, credit the source)",
            citation="Quid via AI Index Report (2025); U.S. Bureau of Labor Statistics (2025), "
            "with major processing by Our World in Data",
            title="Private investment in AI by region, 2013-2024 (constant 2021 US$)",
            publisher=OWID_PUBLISHER_URL.split(".csv")[0],
        ),
        *[
            Dataset(
                name=f"github_ranking_{date}",
                filename=f"github_ranking_ai/github-ranking-{date}.csv",
                sources=(Source(f"{_RANKING_BASE}github-ranking-{date}.csv", "publisher"),),
                sha256=digest,
                licence="MIT",
                citation=_RANKING_CITATION,
                title=f"Top-100 GitHub repositories for 15 AI topics, snapshot {date}",
                publisher="https://github.com/yuxiaopeng/Github-Ranking-AI",
            )
            for date, digest in _RANKING_SNAPSHOTS.items()
        ],
        Dataset(
            name="german_credit",
            filename="german_credit_g.csv",
            sources=(
                Source(UCI_GERMAN_URL, "publisher", transform="uci_german_zip"),
                Source(_GERMAN_URL, "mirror"),
            ),
            sha256="806408f5167cc048919542e67b256a9f691943d925ec87ec948c10ca27f88a05",
            licence="CC BY 4.0",
            citation="Hofmann, H. (1994). Statlog (German Credit Data). "
            "UCI Machine Learning Repository (id 144); codes decoded with the corrected table of "
            + CORRECTION_CITATION,
            title="German credit applicants (1,000 rows, good/bad)",
            publisher="https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data",
        ),
        Dataset(
            name="taiwan_credit",
            filename="taiwan_default_of_credit_card_clients.csv",
            sources=(Source(_TAIWAN_URL, "mirror"),),
            sha256="959736ebc535d84d4881eae09f54cd19cc9407a65ad4690d1c98d42f7a2cd6c2",
            licence="CC BY 4.0",
            citation="Yeh, I.-C. (2009). Default of Credit Card Clients. "
            "UCI Machine Learning Repository (id 350)",
            title="Taiwan credit-card clients, default next month (30,000 rows)",
            publisher=UCI_TAIWAN_URL,
        ),
    ]
}

RANKING_SNAPSHOT_DATES: tuple[str, ...] = tuple(_RANKING_SNAPSHOTS)

#: Names that stand for several datasets (a lesson's data column may use them).
GROUPS: dict[str, tuple[str, ...]] = {
    "github_ranking": tuple(f"github_ranking_{date}" for date in _RANKING_SNAPSHOTS),
}


def expand(names) -> list[str]:
    """Dataset names with every group name replaced by its members, in order, without repeats."""
    out: list[str] = []
    for name in names:
        for member in GROUPS.get(name, (name,)):
            get_dataset(member)
            if member not in out:
                out.append(member)
    return out


def get_dataset(name: str) -> Dataset:
    """Return the registry entry called ``name``, with a helpful error for a typo."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        raise KeyError(f"No course dataset called {name!r}. Known datasets: {known}.") from None
