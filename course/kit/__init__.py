"""The machinery that runs the course, kept apart from the lessons' topics.

``build`` (solutions -> student notebooks), ``execute`` (runs a notebook in a fresh kernel),
``budget`` (time and memory of every notebook), ``doctor`` (checks a learner's set-up), ``pins``
(the lock and the environment files generated from it) and ``cli`` (the ``course`` command).
Lessons never import from here; the lesson topics (``course.market``, ``course.credit`` ...) sit
at the top of the package. ``course.config`` (where things live on disk) and ``course.errors``
stay at the top too: the lessons' data and model code use them, and the kit builds on them, so
moving them here would make the kit both above and below the lessons.
"""
