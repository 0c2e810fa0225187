"""From open-source AI to a business: the helper package behind the course notebooks.

Importing ``course`` is cheap on purpose: it never imports TensorFlow, matplotlib or FastAPI.
Each submodule imports what it needs when it is used (``course.data``, ``course.exercises``,
``course.plots`` ...).
"""

import os as _os

__version__ = "0.1.0"

# Thread and logging settings must be in place before NumPy, scikit-learn or TensorFlow load their
# thread pools in this process (see course.config.RUNTIME_ENV for why).
from course.config import RUNTIME_ENV as _RUNTIME_ENV  # noqa: E402

for _name, _value in _RUNTIME_ENV.items():
    _os.environ.setdefault(_name, _value)


def _show_tables_in_course_style() -> None:
    """In a notebook, every DataFrame a lesson shows uses the course's table style
    (:mod:`course.tables`). Nothing happens outside IPython, and pandas is not imported."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "display_formatter"):
        from course.tables import register

        register(shell)


_show_tables_in_course_style()
