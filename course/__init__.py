"""From open-source AI to a business: the helper package behind the course notebooks.

Importing ``course`` is cheap on purpose: it never imports TensorFlow, matplotlib or FastAPI.
Each submodule imports what it needs when it is used (``course.data``, ``course.exercises``,
``course.plots`` ...).
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow settings that must be in place before TF is first imported anywhere in this process
# (see MEASURED-FACTS: C++ log lines break nbval; thread counts cost nothing on Binder's quota).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
_os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
