"""Download, cache and verify course data files, trying each file's sources in order.

Files live in :func:`course.config.data_dir`. A file that is already there is checked against its
pinned sha256 on first use in each process. A cached file that fails the check is never used: it
is fetched again, and replaced only by bytes that pass.

Each file has an ordered list of sources (:mod:`course.data.registry`): the publisher's own URL
first, then a pinned mirror. Each download goes through a pooch downloader into a temporary file
in the cache folder, is turned into the course's file by the source's processing step if it has
one (:mod:`course.data.transforms`), and must then match the file's one pinned sha256. Only then
is it moved into place, so an interrupted, altered or updated download never leaves a file that
could later pass as valid. When a source fails (no connection, an HTTP error, other bytes), one
line on standard error says so and which source is tried next; when all fail, the error names
every URL with its reason and says what to do, online and offline.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pooch
import requests

from course import config
from course.data.registry import DATASETS, Dataset, Source, get_dataset
from course.data.transforms import TRANSFORMS, TransformError
from course.errors import DataIntegrityError, DataUnavailableError

_verified: dict[tuple[str, int, int], str] = {}

#: What to do when a file cannot be fetched (the last lines of every such error).
OFFLINE_FIX = (
    "Fix, with internet: run `course data fetch` in a terminal (JupyterLab: File > New > "
    "Terminal).\n"
    "Fix, offline: use the data folder of your instructor's offline kit "
    "(`python -m authoring instructors offline-kit`): set the environment variable "
    "{env}=/path/to/kit/data, or copy the file to {path}. Then run `course data verify`."
)


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


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class SourceFailure:
    """Why one source did not give the pinned file; ``mismatch`` when it gave other bytes."""

    source: Source
    reason: str
    mismatch: bool = False

    def line(self) -> str:
        return f"{self.source.kind} {self.source.url}: {self.reason}"


def _reason(error: Exception) -> str:
    """A short, readable cause for a failed download."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} {error.response.reason}".strip()
    if isinstance(error, requests.Timeout):
        return "no answer in time (timed out)"
    if isinstance(error, requests.ConnectionError):
        inner = error.args[0] if error.args else error
        cause = getattr(inner, "reason", None) or inner
        return f"could not connect ({type(cause).__name__}; offline?)"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the download was cut off"
    return f"{type(error).__name__}: {error}"


def _try_source(dataset: Dataset, source: Source, path: Path, downloader: Callable) -> None:
    """Download ``source``, process it, check the sha256 and move it to ``path``.

    Raises
    ------
    SourceFailed
        With the reason; the cache folder is left as it was.
    OSError
        The cache folder cannot be written (not the source's fault).
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by the with below)
        dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    part = Path(handle.name)
    try:
        with handle:
            try:
                downloader(source.url, handle, None)
            except (requests.RequestException, OSError) as error:
                raise SourceFailed(SourceFailure(source, _reason(error))) from None
        data = part.read_bytes()
        if source.transform:
            try:
                data = TRANSFORMS[source.transform](data)
            except TransformError as error:
                raise SourceFailed(
                    SourceFailure(source, f"its file could not be processed ({error})")
                ) from None
            part.write_bytes(data)
        part.chmod(0o644)  # public data; the temporary file was private
        actual = hashlib.sha256(data).hexdigest()
        if actual != dataset.sha256:
            raise SourceFailed(
                SourceFailure(
                    source,
                    f"its file differs from the pinned version (sha256 {actual[:12]}..., "
                    "expected " + dataset.sha256[:12] + "...; updated since the course's snapshot, "
                    "or altered on the way)",
                    mismatch=True,
                )
            )
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


class SourceFailed(Exception):
    """One source failed; carries the :class:`SourceFailure`."""

    def __init__(self, failure: SourceFailure):
        super().__init__(failure.line())
        self.failure = failure


def _all_failed(
    dataset: Dataset, path: Path, failures: list[SourceFailure], cached: str | None
) -> DataUnavailableError | DataIntegrityError:
    """The error when no source gave the file; it carries ``failures`` and ``cached_sha256``."""
    tried = "\n".join(f"  {i}. {f.line()}" for i, f in enumerate(failures, start=1))
    fix = OFFLINE_FIX.format(env=config.DATA_DIR_ENV, path=path)
    if cached is not None:
        error = DataIntegrityError(
            f"The data file {path} is corrupted or not the pinned version, so it is not used.\n"
            f"  expected sha256: {dataset.sha256}\n  actual sha256:   {cached}\n"
            f"Fetching it again failed from every source:\n{tried}\n{fix}"
        )
    else:
        kind = DataIntegrityError if all(f.mismatch for f in failures) else DataUnavailableError
        error = kind(
            f"The data file {dataset.filename} is not in the cache ({path.parent}) and "
            f"could not be downloaded from any of its {len(failures)} source(s):\n"
            f"{tried}\n{fix}"
        )
    error.failures, error.cached_sha256 = failures, cached
    return error


def fetch_dataset(
    dataset: Dataset,
    *,
    force: bool = False,
    progressbar: bool = True,
    folder: Path | None = None,
    downloader: Callable | None = None,
    log: Callable[[str], None] = _say,
) -> Path:
    """Return the verified local path of ``dataset``, downloading it if needed.

    Parameters
    ----------
    dataset
        The registry entry.
    force
        Download again even if a valid copy is cached (it is replaced only by verified bytes).
    progressbar
        Show pooch's download progress bar.
    folder
        Cache folder; defaults to :func:`course.config.data_dir`.
    downloader
        A pooch downloader, called as ``downloader(url, file_object, None)``.
    log
        Receives the one-line notices (a corrupted cache, a source that failed); default stderr.

    Raises
    ------
    DataIntegrityError
        The cached copy is corrupted and could not be fetched again, or every source gave bytes
        that differ from the pinned sha256 (nothing is saved).
    DataUnavailableError
        The file is not cached and no source could be downloaded (no network, HTTP errors), or
        the cache folder cannot be written.
    """
    path = local_path(dataset, folder)
    cached = None
    if path.exists():
        cached = file_sha256(path)
        if cached == dataset.sha256 and not force:
            return path
        if cached != dataset.sha256:
            log(
                f"[course data] {dataset.filename}: the cached copy does not match its pinned "
                f"sha256 (it is {cached[:12]}...), so it is not used; fetching it again."
            )
        else:
            cached = None
    downloader = downloader or pooch.HTTPDownloader(progressbar=progressbar, timeout=60)
    failures: list[SourceFailure] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for position, source in enumerate(dataset.sources):
            try:
                _try_source(dataset, source, path, downloader)
                return path
            except SourceFailed as failed:
                failures.append(failed.failure)
                following = dataset.sources[position + 1 :]
                if following:
                    log(
                        f"[course data] {dataset.filename}: the {failed.failure.line()}; falling "
                        f"back to the {following[0].kind} {following[0].url}"
                    )
    except OSError as error:  # the cache folder, not a source
        raise DataUnavailableError(
            f"Cannot write the data file {path} ({type(error).__name__}: {error}).\n"
            f"Fix: set the environment variable {config.DATA_DIR_ENV} to a folder you can write "
            "(or one that already holds the verified files), then run `course data fetch`."
        ) from None
    raise _all_failed(dataset, path, failures, cached)


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


def file_status(dataset: Dataset, folder: Path | None = None) -> FileStatus:
    """Check one registered file in the cache without downloading anything."""
    path = local_path(dataset, folder)
    if not path.exists():
        state = "missing"
    elif file_sha256(path) != dataset.sha256:
        state = "corrupted"
    else:
        state = "ok"
    return FileStatus(dataset, path, state)


def verify_all(folder: Path | None = None) -> list[FileStatus]:
    """Check every registered file in the cache without downloading anything."""
    return [file_status(dataset, folder) for dataset in DATASETS.values()]
