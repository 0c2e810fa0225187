"""The FastAPI application factory.

Endpoints: ``POST /v1/score``, ``POST /v1/score/batch``, the TensorFlow-Serving-compatible
``POST /v1/models/credit_risk:predict``, ``GET /health``, ``GET /v1/model``, ``GET /v1/usage``;
OpenAPI docs at ``/docs``. Scoring endpoints require an API key once any key exists.
"""

from __future__ import annotations

import time
import uuid
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from course.credit.numpy_model import RecordError
from course.service import schemas
from course.service.storage import Storage

MAX_BODY_BYTES = 2_000_000  # a full batch of 1,000 applicants is about 600 kB


class Scorer(Protocol):
    metadata: dict[str, Any]

    def predict_proba(self, records: list[dict]): ...

    @property
    def threshold(self) -> float: ...


async def require_json(request: Request) -> None:
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, f"Send the body as JSON with 'Content-Type: application/json' "
                                 f"(got {kind or 'no content type'!r}).")  # fmt: skip


def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming each bad field. The offending input is not echoed back: it may be NaN (not
    JSON-serialisable, which turned a client error into a 500) or a large body."""
    problems = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        problems.append({"field": ".".join(location) or "(body)", "problem": item.get("msg", ""),
                         "type": item.get("type", "")})  # fmt: skip
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    return JSONResponse({"detail": summary, "errors": problems}, status_code=422)


def create_app(model: Scorer, storage: Storage, *, root_path: str = "",
               max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:  # fmt: skip
    """Build the service around a loaded model and a storage handle."""
    version = f"{model.metadata.get('name', 'credit_risk')}/{model.metadata.get('version', 1)}"
    threshold = model.threshold
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        storage.close()  # writes the buffered usage rows: a graceful stop loses none

    app = FastAPI(title="Credit risk scoring API", version=version, root_path=root_path,
                  lifespan=lifespan,
                  max_body_size=max_body_bytes,  # Starlette answers 413, chunked bodies included
                  description="Scores credit applicants with the course's reference model. "
                              "A teaching service: not for decisions about real people.")  # fmt: skip
    app.add_exception_handler(RequestValidationError, validation_error)

    async def caller(request: Request) -> str:
        """The key id of the caller; open access (``anonymous``) while no key exists.

        ``async`` on purpose, like every dependency here: FastAPI runs plain ``def`` dependencies
        in a thread pool, and that hop cost more than scoring itself (SQLite reads take ~5 us)."""
        if storage.key_count() == 0:
            return "anonymous"
        key = request.headers.get("x-api-key") or ""
        auth = request.headers.get("authorization", "")
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if not key:
            raise HTTPException(401, "Missing API key: send it in the X-API-Key header.",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        key_id = storage.key_id_for(key)
        if key_id is None:
            raise HTTPException(401, "Invalid API key.", headers={"WWW-Authenticate": "Bearer"})
        return key_id

    def score(records: list[dict], key_id: str, endpoint: str) -> tuple[list[float], str]:
        request_id = uuid.uuid4().hex
        start = time.perf_counter()
        try:
            probabilities = model.predict_proba(records)
        except RecordError as error:
            raise HTTPException(422, str(error)) from None
        latency = (time.perf_counter() - start) * 1000
        storage.record(key_id, endpoint, len(records), latency, version, request_id)
        return [float(p) for p in probabilities], request_id

    def decision(p: float) -> str:
        return "reject" if p >= threshold else "approve"

    json_only = [Depends(require_json)]

    @app.post("/v1/score", response_model=schemas.ScoreResponse, dependencies=json_only)
    async def score_one(applicant: schemas.Applicant, key_id: str = Depends(caller)):  # type: ignore[valid-type]
        (p,), request_id = score([schemas.applicant_record(applicant)], key_id, "score")
        # A JSONResponse skips FastAPI's re-validation of our own output; response_model still
        # documents it, and tests check the bodies against the schema.
        return JSONResponse({"probability_of_default": p, "decision": decision(p),
                             "threshold": threshold, "model_version": version,
                             "request_id": request_id})  # fmt: skip

    @app.post("/v1/score/batch", response_model=schemas.BatchResponse, dependencies=json_only)
    async def score_batch(batch: schemas.Batch, key_id: str = Depends(caller)):
        records = [schemas.applicant_record(a) for a in batch.applicants]
        probabilities, request_id = score(records, key_id, "batch")
        return JSONResponse({"scores": [{"probability_of_default": p, "decision": decision(p)}
                                        for p in probabilities],
                             "threshold": threshold, "model_version": version,
                             "request_id": request_id})  # fmt: skip

    @app.post("/v1/models/credit_risk:predict", response_model=schemas.ServingResponse,
              dependencies=json_only)  # fmt: skip
    async def tf_serving_predict(body: schemas.ServingRequest, key_id: str = Depends(caller)):
        records = [schemas.applicant_record(a) for a in body.instances]
        probabilities, _ = score(records, key_id, "tf-serving")
        return JSONResponse({"predictions": probabilities})

    @app.post("/v1/noop", include_in_schema=False, dependencies=json_only)
    async def noop(applicant: schemas.Applicant):  # type: ignore[valid-type]
        """Same body and validation as /v1/score, no model and no log: the benchmark's yardstick."""
        return {"ok": True}

    @app.get("/health")
    async def health():
        return {"status": "ok", "model_version": version}

    @app.get("/v1/model")
    async def model_info():
        return {"model_version": version, "threshold": threshold, **model.metadata}

    @app.get("/v1/usage")
    async def usage(key_id: str = Depends(caller)):
        rows = storage.usage_by_key_and_day(None if key_id == "anonymous" else key_id)
        return {"usage": rows}

    return app
