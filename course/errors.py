"""Errors the kit raises for problems a learner can fix. Each message says what went wrong and how
to fix it, and is raised from the kit's own code (never from deep inside pandas)."""


class CourseError(Exception):
    """Base class: a problem with a clear message and a fix, not a bug in the kit."""


class DataError(CourseError):
    """A course data file is missing, corrupted or cannot be downloaded."""


class DataIntegrityError(DataError):
    """A data file's bytes do not match the pinned sha256."""


class DataUnavailableError(DataError):
    """A data file is not in the cache and could not be downloaded."""
