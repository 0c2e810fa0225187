"""Publisher first, pinned mirror second, one sha256 for both; the publisher's format processed.

The publishers' files cannot be downloaded here (no internet): each processing step is tested on
a publisher-format file rebuilt from the course's verified copy, served by a local HTTP server.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from course.config import data_dir
from course.data import DATASETS, fetch_dataset, get_dataset
from course.data.transforms import TRANSFORMS, TransformError, decode_german_data
from course.data.transforms import german_credit_from_uci_zip as from_zip
from course.errors import DataError, DataIntegrityError, DataUnavailableError
from tests.data_fixture import german_data_from_credit_g, serve_routes, uci_german_zip

GERMAN = get_dataset("german_credit")
EPOCH = get_dataset("epoch_models")


def _bytes(dataset) -> bytes:
    return (data_dir() / dataset.filename).read_bytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _local(dataset, base: str, *paths: str):
    """``dataset`` with its sources pointed at ``base`` + path, keeping kinds and processing."""
    return replace(
        dataset,
        sources=tuple(
            replace(source, url=base + path)
            for source, path in zip(dataset.sources, paths, strict=True)
        ),
    )


def test_every_file_tries_its_publisher_first_and_a_pinned_mirror_second():
    for dataset in DATASETS.values():
        kinds = [s.kind for s in dataset.sources]
        assert kinds in (["publisher", "mirror"], ["publisher"], ["mirror"]), dataset.name
        assert all(s.url.startswith("https://") for s in dataset.sources)
        assert all(s.transform is None or s.transform in TRANSFORMS for s in dataset.sources)
        if dataset.mirror:
            assert len(re.findall(r"/[0-9a-f]{40}/", dataset.mirror.url)) == 1  # a fixed commit
        assert dataset.publisher.startswith("https://")
    publishers = {
        d.name: d.sources[0].url for d in DATASETS.values() if d.sources[0].kind == "publisher"
    }
    assert publishers["epoch_models"] == "https://epoch.ai/data/notable_ai_models.csv"
    assert publishers["ai_investment"].startswith("https://ourworldindata.org/grapher/")
    assert publishers["german_credit"].startswith("https://archive.ics.uci.edu/static/public/144/")
    assert GERMAN.sources[0].transform == "uci_german_zip"
    # the ranking repository is its own publisher; Taiwan's .xls has no reader in the lock
    assert publishers["github_ranking_2026-08-22"].startswith(
        "https://raw.githubusercontent.com/yuxiaopeng/"
    )
    assert [s.kind for s in get_dataset("taiwan_credit").sources] == ["mirror"]
    assert "archive.ics.uci.edu" in get_dataset("taiwan_credit").publisher


def test_uci_german_archive_is_decoded_to_the_exact_course_file():
    course_file = _bytes(GERMAN)
    german_data = german_data_from_credit_g(course_file)
    assert german_data.count(b"\n") == 1000 and german_data.startswith(
        b"A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1\n"
    )
    assert _sha(from_zip(uci_german_zip(german_data))) == GERMAN.sha256
    # line-end and spacing variations of the publisher's text decode to the same bytes
    loose = german_data.replace(b"\n", b" \r\n").replace(b"A11 6 ", b"A11  6 ", 1)
    assert _sha(decode_german_data(loose.decode())) == GERMAN.sha256


@pytest.mark.parametrize(
    "archive, problem",
    [
        (b"not a zip at all", "not the expected zip archive"),
        (uci_german_zip(b"A11 6 A34\n").replace(b"german.data", b"german.date"), "no german.data"),
        (uci_german_zip(b"A11 6 A34\n"), "has 3 fields, not 21"),
        (
            uci_german_zip(
                b"A19 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1\n"
            ),
            "checking_status has the unexpected value 'A19'",
        ),
        (
            uci_german_zip(
                b"A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 3\n"
            ),
            "class has the unexpected value '3'",
        ),
    ],
)
def test_a_changed_publisher_format_is_an_error_not_a_guess(archive, problem):
    with pytest.raises(TransformError, match=re.escape(problem)):
        from_zip(archive)


def test_publisher_archive_served_is_processed_and_the_mirror_never_asked(tmp_path):
    logged: list[str] = []
    archive = uci_german_zip(german_data_from_credit_g(_bytes(GERMAN)))
    with serve_routes({"/uci.zip": (200, archive), "/mirror.csv": (200, _bytes(GERMAN))}) as (
        base,
        hits,
    ):
        dataset = _local(GERMAN, base, "/uci.zip", "/mirror.csv")
        path = fetch_dataset(dataset, folder=tmp_path, progressbar=False, log=logged.append)
    assert path.read_bytes() == _bytes(GERMAN) and hits == ["/uci.zip"] and logged == []
    assert _leftovers(tmp_path) == [path]


@pytest.mark.parametrize(
    "publisher, why",
    [
        ((404, b"gone"), "HTTP 404"),
        # Epoch AI updated its live file since the course's snapshot: other bytes, other sha256
        ((200, _bytes(EPOCH) + b'"New model",Lab,2026-02-01\n'), "differs from the pinned version"),
    ],
)
def test_failing_publisher_falls_back_to_the_mirror_and_says_so(tmp_path, publisher, why):
    logged: list[str] = []
    with serve_routes({"/live.csv": publisher, "/mirror.csv": (200, _bytes(EPOCH))}) as (
        base,
        hits,
    ):
        dataset = _local(EPOCH, base, "/live.csv", "/mirror.csv")
        path = fetch_dataset(dataset, folder=tmp_path, progressbar=False, log=logged.append)
    assert hits == ["/live.csv", "/mirror.csv"]
    assert path.read_bytes() == _bytes(EPOCH) and _leftovers(tmp_path) == [path]
    assert len(logged) == 1 and "\n" not in logged[0]
    assert why in logged[0] and f"publisher {base}/live.csv" in logged[0]
    assert f"falling back to the mirror {base}/mirror.csv" in logged[0]


def test_both_sources_failing_names_both_urls_and_what_to_do(tmp_path):
    logged: list[str] = []
    with serve_routes({"/mirror.csv": (200, b"Model\nsomething else\n")}) as (base, _):
        dataset = _local(EPOCH, base, "/live.csv", "/mirror.csv")
        with pytest.raises(DataUnavailableError) as info:
            fetch_dataset(dataset, folder=tmp_path, progressbar=False, log=logged.append)
    message = str(info.value)
    assert f"1. publisher {base}/live.csv: HTTP 404" in message
    assert f"2. mirror {base}/mirror.csv: its file differs from the pinned version" in message
    assert "run `course data fetch`" in message and "offline kit" in message
    assert "COURSE_DATA_DIR" in message and "course data verify" in message
    assert _leftovers(tmp_path) == [] and len(logged) == 1


def test_only_wrong_bytes_everywhere_is_an_integrity_error(tmp_path):
    with (
        serve_routes({"/a": (200, b"x"), "/b": (200, b"y")}) as (base, _),
        pytest.raises(DataIntegrityError, match="could not be downloaded from any of its 2"),
    ):
        fetch_dataset(
            _local(EPOCH, base, "/a", "/b"),
            folder=tmp_path,
            progressbar=False,
            log=lambda line: None,
        )
    assert _leftovers(tmp_path) == []


def test_corrupted_cached_file_is_fetched_again_not_used(tmp_path):
    logged: list[str] = []
    cached = tmp_path / EPOCH.filename
    cached.write_bytes(_bytes(EPOCH)[:-10] + b"XXXXXXXXXX")
    with serve_routes({"/live.csv": (200, _bytes(EPOCH))}) as (base, hits):
        dataset = _local(EPOCH, base, "/live.csv", "/mirror.csv")
        assert (
            fetch_dataset(dataset, folder=tmp_path, progressbar=False, log=logged.append) == cached
        )
    assert cached.read_bytes() == _bytes(EPOCH) and hits == ["/live.csv"]
    assert len(logged) == 1 and "does not match its pinned sha256" in logged[0]
    assert "not used; fetching it again" in logged[0]


def test_corrupted_cached_file_that_cannot_be_fetched_again_is_still_not_used(tmp_path):
    cached = tmp_path / EPOCH.filename
    cached.write_bytes(b"corrupted")
    with serve_routes({}) as (base, _):
        dataset = _local(EPOCH, base, "/live.csv", "/mirror.csv")
        with pytest.raises(DataIntegrityError) as info:
            fetch_dataset(dataset, folder=tmp_path, progressbar=False, log=lambda line: None)
    message = str(info.value)
    assert "is not used" in message and _sha(b"corrupted") in message and EPOCH.sha256 in message
    assert f"{base}/live.csv: HTTP 404" in message and f"{base}/mirror.csv: HTTP 404" in message
    assert cached.read_bytes() == b"corrupted" and _leftovers(tmp_path) == [cached]


def test_force_replaces_a_valid_file_only_with_verified_bytes(tmp_path):
    path = tmp_path / EPOCH.filename
    path.write_bytes(_bytes(EPOCH))
    with serve_routes({"/live.csv": (200, b"other")}) as (base, _):
        dataset = _local(EPOCH, base, "/live.csv", "/mirror.csv")
        with pytest.raises(DataError):
            fetch_dataset(
                dataset, folder=tmp_path, force=True, progressbar=False, log=lambda _: None
            )
    assert path.read_bytes() == _bytes(EPOCH)  # the valid copy survives a failed forced fetch
