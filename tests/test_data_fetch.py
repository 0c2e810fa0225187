"""The data cache: verification, clear errors, and downloads that never leave a bad file."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from course.data import (
    DATASETS,
    Source,
    fetch,
    fetch_dataset,
    get_dataset,
    load_epoch_models,
    verify_all,
)
from course.errors import DataIntegrityError, DataUnavailableError
from tests.data_fixture import offline_env
from tests.http_fixture import closed_port_url, serve

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "data" / "SOURCES.md"
BODY = b"year,value\n2024,1\n" * 1000
TOY = replace(
    get_dataset("ai_investment"),
    name="toy",
    filename="sub/toy.csv",
    sha256=hashlib.sha256(BODY).hexdigest(),
)


def _at(url: str):
    """The toy dataset with one source, ``url``."""
    return replace(TOY, sources=(Source(url, "publisher"),))


@pytest.fixture
def offline(monkeypatch):
    """Every download from outside goes to a closed local port, as on a machine without internet."""
    import os

    for key, value in offline_env({}, closed_port_url()).items():
        monkeypatch.setitem(os.environ, key, value)


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.skipif(not SOURCES.exists(), reason="needs the shared data SOURCES.md")
def test_registry_matches_the_published_sources_table():
    text = SOURCES.read_text()
    digests = set(re.findall(r"\b[0-9a-f]{64}\b", text))
    assert {d.sha256 for d in DATASETS.values()} == digests
    for dataset in DATASETS.values():
        assert Path(dataset.filename).name in text
        pinned = dataset.mirror or dataset.sources[0]  # the ranking repository is its own mirror
        assert (
            pinned.url.startswith("https://") and len(re.findall(r"[0-9a-f]{40}", pinned.url)) == 1
        )
        if dataset.name.startswith("github_ranking_"):
            assert pinned.url.rsplit("/", 3)[0] in text
        else:
            assert pinned.url in text


def test_every_cached_file_verifies():
    statuses = verify_all()
    assert len(statuses) == len(DATASETS) == 11
    assert all(s.ok for s in statuses), [s for s in statuses if not s.ok]


def test_corrupted_cache_file_offline_is_an_error_that_names_file_hashes_and_fix(
    data_copy, offline
):
    path = data_copy / "epoch_notable_ai_models.csv"
    path.write_bytes(path.read_bytes()[:-10] + b"XXXXXXXXXX")
    before = path.read_bytes()
    with pytest.raises(DataIntegrityError) as info:
        load_epoch_models()
    message = str(info.value)
    assert str(path) in message
    assert get_dataset("epoch_models").sha256 in message
    assert hashlib.sha256(before).hexdigest() in message
    assert "is not used" in message and "run `course data fetch`" in message
    assert all(source.url in message for source in get_dataset("epoch_models").sources)
    assert path.read_bytes() == before  # not replaced by anything unverified


def test_no_network_and_no_cache_gives_offline_instructions(tmp_path):
    offline = _at(closed_port_url())
    with pytest.raises(DataUnavailableError) as info:
        fetch_dataset(offline, folder=tmp_path, progressbar=False)
    message = str(info.value)
    assert "sub/toy.csv" in message and offline.sources[0].url in message
    assert "could not connect" in message
    assert "COURSE_DATA_DIR" in message and "course data verify" in message
    assert _leftovers(tmp_path) == []


def test_interrupted_download_leaves_nothing_that_could_pass_later(tmp_path):
    with serve(BODY, truncate_at=len(BODY) // 2) as url:
        with pytest.raises((DataUnavailableError, DataIntegrityError)):
            fetch_dataset(_at(url), folder=tmp_path, progressbar=False)
    assert _leftovers(tmp_path) == []


def test_download_with_wrong_bytes_is_rejected_and_not_saved(tmp_path):
    with serve(BODY.replace(b"2024", b"2025")) as url:
        with pytest.raises(DataIntegrityError, match="differs from the pinned version"):
            fetch_dataset(_at(url), folder=tmp_path, progressbar=False)
    assert _leftovers(tmp_path) == []


def test_download_then_cache_hit_then_forced_refresh(tmp_path):
    with serve(BODY) as url:
        path = fetch_dataset(_at(url), folder=tmp_path, progressbar=False)
        assert path == tmp_path / "sub" / "toy.csv" and path.read_bytes() == BODY
    # The server is gone: a cached, valid file needs no network.
    assert fetch_dataset(_at(closed_port_url()), folder=tmp_path) == path
    path.write_bytes(b"corrupted")
    with serve(BODY) as url:
        fetch_dataset(_at(url), folder=tmp_path, progressbar=False)  # re-fetched, no --force
    assert path.read_bytes() == BODY
    with serve(BODY) as url:
        fetch_dataset(_at(url), folder=tmp_path, force=True, progressbar=False)
    assert path.read_bytes() == BODY and _leftovers(tmp_path) == [path]


def test_unknown_dataset_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="epoch_models"):
        fetch("epoch_model")


def _cli(*args, env_data: Path | None = None):
    import os

    env = offline_env(dict(os.environ), closed_port_url())
    if env_data:
        env["COURSE_DATA_DIR"] = str(env_data)
    return subprocess.run(
        [sys.executable, "-m", "course", *args], capture_output=True, text=True, env=env
    )


def test_cli_data_verify_and_list(data_copy):
    done = _cli("data", "verify", env_data=data_copy)
    assert done.returncode == 0 and "All 11 files match" in done.stdout
    (data_copy / "german_credit_g.csv").write_text("broken")
    (data_copy / "owid_private_investment_in_ai.csv").unlink()
    done = _cli("data", "verify", env_data=data_copy)
    assert done.returncode == 1
    assert "CORRUPTED german_credit" in done.stdout and "MISSING   ai_investment" in done.stdout
    listing = _cli("data", "list", env_data=data_copy)
    assert listing.returncode == 0 and "ai_investment" in listing.stdout
    assert "not cached" in listing.stdout


def test_cli_fetch_of_corrupted_file_without_network_fails_clearly(data_copy):
    (data_copy / "german_credit_g.csv").write_text("broken")
    done = _cli("data", "fetch", "german_credit", env_data=data_copy)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        "DAMAGED german_credit_g.csv (german_credit), needed by lessons 03, 04, 05" in done.stderr
    )
    assert all(
        f". {s.kind} {s.url}: could not connect" in done.stderr
        for s in get_dataset("german_credit").sources
    )
    assert "run `course data fetch` again" in done.stderr
    assert (data_copy / "german_credit_g.csv").read_text() == "broken"
