"""Download, cache and verify course data files.

Files live in :func:`course.config.data_dir`. A file that is already there is checked against its
pinned sha256 on first use in each process and is never silently replaced: a mismatch is an error
that names the file and the fix. Downloads go through :mod:`pooch`, which writes to a temporary
file in the cache folder and moves it into place only after the hash matched, so an interrupted or
corrupted download never leaves a file that could later pass as valid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pooch
import requests

from course import config
from course.data.registry import DATASETS, Dataset, get_dataset
from course.errors import DataIntegrityError, DataUnavailableError

_verified: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, remembered per (path, size, mtime) so repeated loads stay fast."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _verified[key] = digest.hexdigest()
    return _verified[key]


def local_path(dataset: Dataset, folder: Path | None = None) -> Path:
    """Where ``dataset`` lives in the cache (whether or not it is there yet)."""
    return (folder or config.data_dir()) / Path(*dataset.filename.split("/"))


def _integrity_error(dataset: Dataset, path: Path, actual: str) -> DataIntegrityError:
    return DataIntegrityError(
        f"The data file {path} is corrupted or not the pinned version.\n"
        f"  expected sha256: {dataset.sha256}\n"
        f"  actual sha256:   {actual}\n"
        f"Fix: run `course data fetch --force {dataset.name}` in a terminal to download it "
        "again (or delete the file and re-run this cell)."
    )


def _unavailable_error(dataset: Dataset, path: Path, reason: str) -> DataUnavailableError:
    return DataUnavailableError(
        f"The data file {dataset.filename} is not in the cache ({path.parent}) and could not be "
        f"downloaded from {dataset.url}\n  reason: {reason}\n"
        "Fix, with internet: run `course data fetch` in a terminal.\n"
        "Fix, offline: copy the course data folder from someone who has it (or from a USB stick "
        f"at a workshop) and point the kit at it with the environment variable "
        f"{config.DATA_DIR_ENV}=/path/to/data, or copy the file to {path}. "
        "Then run `course data verify`."
    )


def fetch_dataset(
    dataset: Dataset,
    *,
    force: bool = False,
    progressbar: bool = True,
    folder: Path | None = None,
    downloader: Callable | None = None,
) -> Path:
    """Return the verified local path of ``dataset``, downloading it if it is not cached.

    Parameters
    ----------
    dataset
        The registry entry.
    force
        Delete a cached copy first and download again (the fix for a corrupted file).
    progressbar
        Show pooch's download progress bar.
    folder
        Cache folder; defaults to :func:`course.config.data_dir`.
    downloader
        A pooch downloader (tests pass one that fails on purpose).

    Raises
    ------
    DataIntegrityError
        The cached or downloaded bytes do not match the pinned sha256.
    DataUnavailableError
        The file is not cached and the download failed (no network, HTTP error, read-only cache).
    """
    path = local_path(dataset, folder)
    if path.exists() and force:
        path.unlink()
    if path.exists():
        actual = file_sha256(path)
        if actual != dataset.sha256:
            raise _integrity_error(dataset, path, actual)
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pooch.retrieve(
            dataset.url,
            known_hash=f"sha256:{dataset.sha256}",
            fname=path.name,
            path=path.parent,
            progressbar=progressbar,
            downloader=downloader or pooch.HTTPDownloader(progressbar=progressbar, timeout=60),
        )
    except ValueError as error:  # pooch: the downloaded file's hash did not match
        if "hash" not in str(error).lower():
            raise
        raise DataIntegrityError(
            f"The download of {dataset.filename} from {dataset.url} did not match its pinned "
            f"sha256 ({dataset.sha256}); nothing was saved. The source may have changed or the "
            "download was altered on the way. Try `course data fetch` again; if it keeps "
            "failing, report it to the course maintainers."
        ) from None
    except (requests.RequestException, OSError) as error:
        raise _unavailable_error(dataset, path, f"{type(error).__name__}: {error}") from None
    return path


def fetch(name: str, **kwargs) -> Path:
    """Return the verified local path of the dataset called ``name`` (see :func:`fetch_dataset`)."""
    return fetch_dataset(get_dataset(name), **kwargs)


@dataclass(frozen=True)
class FileStatus:
    """The state of one dataset in the cache: ``ok``, ``missing`` or ``corrupted``."""

    dataset: Dataset
    path: Path
    state: str

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def verify_all(folder: Path | None = None) -> list[FileStatus]:
    """Check every registered file in the cache without downloading anything."""
    statuses = []
    for dataset in DATASETS.values():
        path = local_path(dataset, folder)
        if not path.exists():
            state = "missing"
        elif file_sha256(path) != dataset.sha256:
            state = "corrupted"
        else:
            state = "ok"
        statuses.append(FileStatus(dataset, path, state))
    return statuses
