"""The registry of course datasets: where each file comes from, its checksum, licence and citation.

Every entry mirrors a row of the course's data sources table. The pinned URLs point at a fixed
commit, so the bytes never change and the sha256 can be checked on every load.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.credit.coding import CORRECTION_CITATION

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
class Dataset:
    """One course data file.

    Attributes
    ----------
    name
        Short key used in code and on the command line (``course data fetch NAME``).
    filename
        Path of the file inside the data cache, with ``/`` separators.
    url
        Pinned public URL (a fixed commit, so the content never changes).
    sha256
        Expected SHA-256 of the file's bytes.
    licence, citation, title
        What learners must be told when they use the data.
    """

    name: str
    filename: str
    url: str
    sha256: str
    licence: str
    citation: str
    title: str


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
            url=_EPOCH_URL,
            sha256="365f2fccd7e946b2edabe1cf5bef48633f538b07fb0153acc41fac9869e3b787",
            licence="CC BY 4.0",
            citation='Epoch AI, "Data on Notable AI Models" (snapshot 2026-01-26), '
            "epoch.ai/data/notable-ai-models",
            title="Notable AI models, 1950-2025",
        ),
        Dataset(
            name="ai_investment",
            filename="owid_private_investment_in_ai.csv",
            url=_OWID_URL,
            sha256="6d8b584cbd6615d8235f1c9e3671f6a166b9a9e4ff11a01bcc3f22db1f87de17",
            licence="CC BY-ND 4.0 (use unmodified, credit the source)",
            citation="Quid via AI Index Report (2025); U.S. Bureau of Labor Statistics (2025), "
            "with major processing by Our World in Data",
            title="Private investment in AI by region, 2013-2024 (constant 2021 US$)",
        ),
        *[
            Dataset(
                name=f"github_ranking_{date}",
                filename=f"github_ranking_ai/github-ranking-{date}.csv",
                url=f"{_RANKING_BASE}github-ranking-{date}.csv",
                sha256=digest,
                licence="MIT",
                citation=_RANKING_CITATION,
                title=f"Top-100 GitHub repositories for 15 AI topics, snapshot {date}",
            )
            for date, digest in _RANKING_SNAPSHOTS.items()
        ],
        Dataset(
            name="german_credit",
            filename="german_credit_g.csv",
            url=_GERMAN_URL,
            sha256="806408f5167cc048919542e67b256a9f691943d925ec87ec948c10ca27f88a05",
            licence="CC BY 4.0",
            citation="Hofmann, H. (1994). Statlog (German Credit Data). "
            "UCI Machine Learning Repository (id 144); codes decoded with the corrected table of "
            + CORRECTION_CITATION,
            title="German credit applicants (1,000 rows, good/bad)",
        ),
        Dataset(
            name="taiwan_credit",
            filename="taiwan_default_of_credit_card_clients.csv",
            url=_TAIWAN_URL,
            sha256="959736ebc535d84d4881eae09f54cd19cc9407a65ad4690d1c98d42f7a2cd6c2",
            licence="CC BY 4.0",
            citation="Yeh, I.-C. (2009). Default of Credit Card Clients. "
            "UCI Machine Learning Repository (id 350)",
            title="Taiwan credit-card clients, default next month (30,000 rows)",
        ),
    ]
}

RANKING_SNAPSHOT_DATES: tuple[str, ...] = tuple(_RANKING_SNAPSHOTS)


def get_dataset(name: str) -> Dataset:
    """Return the registry entry called ``name``, with a helpful error for a typo."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        raise KeyError(f"No course dataset called {name!r}. Known datasets: {known}.") from None
