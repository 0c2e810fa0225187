"""Lesson 04: the credit model as a small, metered web API (FastAPI + uvicorn).

- :mod:`course.service.schemas`: request and response bodies (pydantic)
- :mod:`course.service.storage`: the SQLite usage log and hashed API keys
- :mod:`course.service.app`: :func:`create_app`, the application factory
- :mod:`course.service.decoding`: request bodies read by msgspec, refusals explained by pydantic
- :mod:`course.service.server`: ``course serve`` (uvicorn; ``--workers N``, processes sharing
  one usage log), the model backends, Binder proxy URLs
- :mod:`course.service.background`: the service in a notebook's background, a load test
- :mod:`course.service.protocol`: connection limits, timeouts, the class hub's account check
- :mod:`course.service.peers`: which account is at the other end of a connection (class hub)
- :mod:`course.service.tf_serving`: the SavedModel under TensorFlow Serving (command, requests)
- :mod:`course.service.latency`: timing the model's three prediction paths
- :mod:`course.service.crash`: what a ``kill -9`` under load loses from the usage log

By default the service runs the NumPy artifact and never imports TensorFlow.
"""
