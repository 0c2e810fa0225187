"""The FastAPI application factory.

Endpoints: ``POST /v1/score``, ``POST /v1/score/batch``, the TensorFlow-Serving-compatible
``POST /v1/models/credit_risk:predict``, ``GET /health``, ``GET /v1/model``, ``GET /v1/usage``;
OpenAPI docs at ``/docs``. Scoring endpoints require an API key once any key exists.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import itertools
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import msgspec
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from course.credit.numpy_model import RecordError
from course.credit.signature import MODEL_NAME
from course.service import decoding, peers, schemas
from course.service.storage import OPEN_ACCESS, Storage, keep_written

MAX_BODY_BYTES = 2_000_000  # a full batch of 1,000 applicants is about 600 kB
#: Host names that mean this machine (IPv6 as the Host header writes it, in brackets or not).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


class Scorer(Protocol):
    metadata: dict[str, Any]

    def predict_rows(self, rows: Sequence[Sequence]): ...

    @property
    def threshold(self) -> float: ...


#: FastAPI 0.164+ (with Starlette 1.6+) answers 413 to a body over ``max_body_size``, chunked
#: bodies included; older releases (Colab's, pyproject's floor) take the keyword silently and
#: limit nothing, so :class:`BodyLimit` does the same there.
FASTAPI_LIMITS_BODIES = "max_body_size" in inspect.signature(FastAPI.__init__).parameters


class BodyLimit:
    """413 for a request body over ``max_body_size`` bytes, by its Content-Length or, chunked, as
    soon as the bytes read pass it: raised where the endpoint reads the body, so FastAPI answers
    it like any HTTPException (for a FastAPI without ``max_body_size``)."""

    def __init__(self, app: Any, max_body_size: int) -> None:
        self.app, self.max_body_size = app, max_body_size

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        read = int(declared) if declared.isdigit() else 0  # (a declared length counts as read)

        async def limited() -> dict:
            nonlocal read
            if read > self.max_body_size:
                raise HTTPException(413)
            message = await receive()
            if message["type"] == "http.request" and not declared.isdigit():
                read += len(message.get("body", b""))
                if read > self.max_body_size:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited, send)


def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming each bad field. The offending input is not echoed back: it may be NaN (not
    JSON-serialisable, which turned a client error into a 500) or a large body."""
    problems = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        problems.append(
            {
                "field": ".".join(location) or "(body)",
                "problem": item.get("msg", ""),
                "type": item.get("type", ""),
            }
        )
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    return JSONResponse({"detail": summary, "errors": problems}, status_code=422)


def create_app(
    model: Scorer,
    storage: Storage,
    *,
    root_path: str = "",
    max_body_bytes: int = MAX_BODY_BYTES,
    instance: str | None = None,
    open_hosts: Sequence[str] | None = LOCAL_HOSTS,
) -> FastAPI:
    """Build the service around a loaded model and a storage handle.

    Usage rows are written every :data:`~course.service.storage.WRITE_EVERY` seconds while it
    runs, and at shutdown. ``/health`` answers
    with ``instance`` (random when not given), so whoever started the service can tell it from
    any other. While no key exists, only requests whose Host header is one of ``open_hosts``
    are served (None: any host; see :class:`LocalHostsWhileOpen`)."""
    version = f"{model.metadata.get('name', MODEL_NAME)}/{model.metadata.get('version', 1)}"
    # The API's version in the schema: PEP 440, as generated clients' package versions must be.
    api_version = str(model.metadata.get("version", 1))
    instance = instance or secrets.token_hex(16)  # an identity, not a secret
    threshold = model.threshold

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # Start-up objects (FastAPI, pydantic, NumPy) live as long as the process: moving them
        # out of the garbage collector's sight makes every later collection shorter.
        gc.collect()
        gc.freeze()
        writer = asyncio.create_task(keep_written(storage))
        try:
            yield
        finally:
            writer.cancel()
            storage.close()  # writes the buffered usage rows: a graceful stop loses none

    # Behind jupyter-server-proxy the path prefix (``root_path``) is stripped before requests
    # reach the app; only the schema's ``servers`` need it, so "Try it out" calls the proxy. With
    # no prefix, "." (relative to the schema's own address) works directly and behind a proxy.
    app = FastAPI(
        title="Credit risk scoring API",
        version=api_version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # (offline_docs serves them)
        servers=[{"url": root_path or "."}],
        **({"max_body_size": max_body_bytes} if FASTAPI_LIMITS_BODIES else {}),
        description="Scores credit applicants with the course's reference model. "
        "A teaching service: not for decisions about real people.",
    )
    app.add_exception_handler(RequestValidationError, validation_error)
    if not FASTAPI_LIMITS_BODIES:
        app.add_middleware(BodyLimit, max_body_size=max_body_bytes)
    offline_docs(app)
    if open_hosts is not None:
        app.add_middleware(LocalHostsWhileOpen, storage=storage, hosts=open_hosts)
    if peers.required():  # on a class hub: no other learner's code may call it
        app.add_middleware(peers.SameAccountOnly)
    app.add_middleware(HeadAsGet)

    async def caller(request: Request) -> str:
        """The key id of the caller; ``OPEN_ACCESS`` (a name no key may take) while no key exists.

        Called directly rather than through ``Depends``: FastAPI's dependency machinery cost
        more per request than scoring. Key hashes are held in memory by :class:`Storage`."""
        if not storage.has_keys():
            return OPEN_ACCESS
        key = presented_key(request)
        if not key:
            raise HTTPException(
                401,
                "Missing API key: send it in the X-API-Key header.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        key_id = storage.key_id_for(key)
        if key_id is None:
            raise HTTPException(401, "Invalid API key.", headers={"WWW-Authenticate": "Bearer"})
        return key_id

    # Request ids: unique, not secret. A random prefix and a counter per key (os.urandom per
    # request was a system call that cost a fifth of scoring itself): a key's ids count its own
    # requests only, never other keys'.
    counters: dict[str, tuple[str, Iterator[int]]] = {}

    def request_id_for(key_id: str) -> str:
        entry = counters.get(key_id)
        if entry is None:
            entry = counters[key_id] = (secrets.token_hex(8), itertools.count(1))
        return f"{entry[0]}{next(entry[1]):016x}"  # next() on a count is atomic

    async def score(
        request: Request, body: decoding.JsonBody, endpoint: str
    ) -> tuple[list[float], str]:
        """Check the caller's key, read the applicants, score them and log one usage row."""
        key_id = await caller(request)  # before reading the body: no work for strangers
        applicants = await body.applicants(request)
        request_id = request_id_for(key_id)
        start = time.perf_counter()
        try:
            probabilities = model.predict_rows(decoding.rows(applicants))
        except RecordError as error:
            raise HTTPException(422, str(error)) from None
        latency = (time.perf_counter() - start) * 1000
        storage.record(key_id, endpoint, len(applicants), latency, version, request_id)
        return probabilities.tolist(), request_id

    def decisions(probabilities: list[float]) -> list[str]:
        """Reject at or above the cost-optimal threshold, else approve."""
        return ["reject" if p >= threshold else "approve" for p in probabilities]

    def stamped(content: dict, request_id: str) -> Response:
        """A scoring answer with the threshold, model version and request id it was made with."""
        return json_response(
            {**content, "threshold": threshold, "model_version": version, "request_id": request_id}
        )

    # The scoring endpoints read their bodies with msgspec (see course.service.decoding) and
    # answer with pre-encoded JSON, so FastAPI neither re-validates nor re-encodes; the docs
    # still show both schemas (openapi_extra for the body, response_model for the answer).
    @app.post(
        "/v1/score",
        response_model=schemas.ScoreResponse,
        openapi_extra=decoding.applicant_body.openapi_extra(),
    )
    async def score_one(request: Request):
        (p,), request_id = await score(request, decoding.applicant_body, "score")
        return stamped({"probability_of_default": p, "decision": decisions([p])[0]}, request_id)

    @app.post(
        "/v1/score/batch",
        response_model=schemas.BatchResponse,
        openapi_extra=decoding.batch_body.openapi_extra(),
    )
    async def score_batch(request: Request):
        probabilities, request_id = await score(request, decoding.batch_body, "batch")
        return stamped(
            {
                "scores": [
                    {"probability_of_default": p, "decision": d}
                    for p, d in zip(probabilities, decisions(probabilities), strict=True)
                ]
            },
            request_id,
        )

    @app.post(
        f"/v1/models/{MODEL_NAME}:predict",
        response_model=schemas.ServingResponse,
        openapi_extra=decoding.serving_body.openapi_extra(),
    )
    async def tf_serving_predict(request: Request):
        probabilities, _ = await score(request, decoding.serving_body, "tf-serving")
        return json_response({"predictions": probabilities})

    @app.post("/v1/noop", include_in_schema=False)
    async def noop(request: Request):
        """Same key check, body, decoding and validation as /v1/score, no model and no log: the
        benchmark's yardstick."""
        await caller(request)
        await decoding.applicant_body(request)
        return json_response({"ok": True})

    @app.get("/health", response_model=schemas.Health)
    async def health():
        return {"status": "ok", "model_version": version, "instance": instance}

    @app.get("/v1/model", response_model=schemas.ModelInfo)
    async def model_info():
        return {"model_version": version, "threshold": threshold, **model.metadata}

    @app.get(
        "/v1/usage",
        response_model=schemas.Usage,
        openapi_extra=decoding.keyed_operation(("400", "401")),
    )
    async def usage(request: Request):
        """Requests and rows per key and UTC day: every row while the service is open (no key
        exists yet), then only the calling key's own."""
        if not storage.has_keys():
            return {"usage": storage.usage_by_key_and_day()}
        return {"usage": storage.usage_by_key_and_day(await caller(request))}

    decoding.document_bodies(app)
    return app


def presented_key(request: Request) -> str:
    """The API key the request carries (X-API-Key, or Authorization: Bearer), "" for none; a
    400 when it carries several that disagree, or the X-API-Key header twice: which one would
    be billed must never be the service's guess."""
    headers = request.headers
    keys, auths = headers.getlist("x-api-key"), headers.getlist("authorization")
    bearers = [a[7:].strip() for a in auths if a[:7].lower() == "bearer "]
    if len(keys) > 1 or len(auths) > 1 or (keys and bearers and keys[0] != bearers[0]):
        raise HTTPException(
            400,
            "Send one API key, once: this request carries several (X-API-Key "
            "twice, or X-API-Key and a different Authorization: Bearer).",
        )
    return (keys[0] if keys else "") or (bearers[0] if bearers else "")


class HeadAsGet:
    """ASGI middleware: ``HEAD`` answered as ``GET`` without the body, on every GET route (the
    docs, the schema, /health, /v1/model, /v1/usage), as HTTP requires."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class LocalHostsWhileOpen:
    """While no key exists, serve only requests addressed to this machine by name.

    Open access on 127.0.0.1 is reachable from any web page a learner visits through DNS
    rebinding (a site whose name is made to resolve to 127.0.0.1): the browser then sends that
    site's name as the Host header. Such requests are refused (400, as Starlette's
    ``TrustedHostMiddleware`` would, with the API's JSON error); once keys exist, the key is what
    protects the service, and any Host is served. Behind JupyterHub or Binder the service is
    reached through jupyter-server-proxy, which requires the learner's login and forwards the
    hub's own Host: there ``create_app`` is given ``open_hosts=None``."""

    def __init__(self, app, storage: Storage, hosts: Sequence[str]):
        self.app, self.storage, self.hosts = app, storage, {h.lower() for h in hosts}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan" or self.storage.has_keys():
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or ()).get(b"host", b"").decode("latin-1")
        if host_name(host) in self.hosts:
            await self.app(scope, receive, send)
        else:  # (the API's errors are JSON, {"detail": ...}, as documented)
            await JSONResponse({"detail": HOST_REFUSED}, status_code=400)(scope, receive, send)


def host_name(header: str) -> str:
    """The name in a Host header, without its port: ``[::1]:8000`` is ``[::1]``, ``localhost:8000``
    is ``localhost``, a bare ``::1`` stays. (Parsed here: Starlette's TrustedHostMiddleware before
    0.39, which pyproject's range allows, read ``[::1]`` as ``[`` and refused it.)"""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.index("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


HOST_REFUSED = (
    "Invalid host header: while no API key exists, this service answers only requests "
    "addressed to localhost or 127.0.0.1 (course keys create NAME makes a key)."
)


DOCS_ASSETS = "docs-assets"


def offline_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` with their scripts and styles served by the service
    itself from the fastapi-offline package (pinned): FastAPI's own pages load them from a CDN,
    which a workshop room without internet cannot reach. Every URL on the pages is relative, so
    they work at ``http://127.0.0.1:8000/docs`` and behind a proxy (``.../proxy/8000/docs``)."""
    from pathlib import Path

    import fastapi_offline
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(f"/{DOCS_ASSETS}", StaticFiles(directory=assets), name=DOCS_ASSETS)
    title = f"{app.title} - docs"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui():
        return get_swagger_ui_html(
            openapi_url="openapi.json",
            title=title,
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc():
        return get_redoc_html(
            openapi_url="openapi.json",
            title=title,
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


def json_response(content: Any) -> Response:
    """JSON encoded by msgspec (several times faster than the standard library for a batch)."""
    return Response(msgspec.json.encode(content), media_type="application/json")
