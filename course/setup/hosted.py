"""Where the course runs (a laptop, Binder, the class hub, or Google Colab and Kaggle) and where
it is published from. Imports nothing of the course but its configuration, so the lessons' map,
the setup cell (:mod:`course.setup.colab`) and the lesson-04 service can all ask.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from course.config import REPO_ROOT

PYPROJECT = REPO_ROOT / "pyproject.toml"
#: Set (to anything) in the tests only: the setup cell and :func:`hosted` act as on Colab.
PRETEND_ENV = "COURSE_PRETEND_COLAB"
#: Environment variables Colab's runtime sets (``COLAB_RELEASE_TAG`` is in every Colab VM).
COLAB_VARIABLES = ("COLAB_RELEASE_TAG", "COLAB_BACKEND_VERSION")
#: Kaggle's kernels set this (``Interactive`` or ``Batch``).
KAGGLE_VARIABLE = "KAGGLE_KERNEL_RUN_TYPE"

#: Set by :func:`setup`: the repository and branch the course was installed from
#: (owner/name@branch).
PUBLISHED_ENV = "COURSE_PUBLISHED"


def hosted(
    environ: Mapping[str, str] | None = None, modules: Iterable[str] | None = None
) -> str | None:
    """``"Kaggle"``, ``"Colab"`` or ``None`` (anywhere else: a laptop, Binder, the class hub).

    Kaggle first (its image is built from Colab's, so it may carry Colab's package too). Colab:
    its kernel has imported ``google.colab`` before any cell runs, and its VM sets
    ``COLAB_RELEASE_TAG``. ``COURSE_PRETEND_COLAB`` (tests only) counts as Colab.
    """
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if KAGGLE_VARIABLE in environ:
        return "Kaggle"
    if "google.colab" in modules or any(v in environ for v in (*COLAB_VARIABLES, PRETEND_ENV)):
        return "Colab"
    return None


def on_real_colab(environ: Mapping[str, str] | None = None) -> bool:
    """True in a real Colab runtime (a process of it: the kernel, or a service it started); never
    under ``COURSE_PRETEND_COLAB``."""
    environ = os.environ if environ is None else environ
    return KAGGLE_VARIABLE not in environ and any(v in environ for v in COLAB_VARIABLES)


def proxied_url(port: int, path: str = "/") -> str | None:
    """On Colab, the address at which the learner's browser reaches ``port`` of the runtime
    (Colab's own port proxy, ``google.colab.kernel.proxyPort``); elsewhere ``None``. The
    notebook itself always reaches a service on loopback: it runs in the same machine."""
    if "google.colab" not in sys.modules:
        return None
    from google.colab.output import eval_js  # type: ignore[import-not-found]

    return eval_js(f"google.colab.kernel.proxyPort({int(port)})").rstrip("/") + path


def published(pyproject: Path | None = None) -> tuple[str | None, str]:
    """``(owner/name or None, branch)``: from ``pyproject.toml``'s ``[tool.course]`` in a
    checkout; in an installed course (Colab), from what the setup cell installed it from."""
    pyproject = pyproject or PYPROJECT
    if pyproject.exists():
        import tomllib

        table = (
            tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("course", {})
        )
        return (table.get("repository") or None), (table.get("branch") or "main")
    value = os.environ.get(PUBLISHED_ENV, "")
    if "@" in value:
        repository, branch = value.split("@", 1)
        return repository, branch
    return None, "main"
