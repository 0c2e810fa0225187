"""Request and response bodies. Every field is typed, categorical fields are enums of the values
the model knows, numbers have ranges, and unknown fields are rejected, so a malformed request
is a 422 that names the field before the model ever sees it.

These pydantic models write the OpenAPI docs and explain refused bodies; their msgspec twins in
:mod:`course.service.decoding`, built from the same tables, decide (about 9x faster)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from course.credit.features import CATEGORIES, DESCRIPTIONS, INTEGER_FIELDS, NUMERIC_RANGES

MAX_BATCH = 1000
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

#: Each categorical field accepts exactly the values the model knows (an enum in the OpenAPI docs).
_CHOICES = {name: Literal[tuple(values)] for name, values in CATEGORIES.items()}


def _numeric_field(name: str, low: float, high: float):
    """A number in range; the integer fields take any whole number, ``2`` or ``2.0``, as JSON
    Schema's ``integer`` does (the docs say ``integer``)."""
    if name not in INTEGER_FIELDS:
        return (Annotated[float, Field(ge=low, le=high, description=DESCRIPTIONS[name])], ...)
    return (
        Annotated[
            float,
            Field(
                ge=low,
                le=high,
                multiple_of=1,
                description=DESCRIPTIONS[name],
                json_schema_extra={"type": "integer"},
            ),
        ],
        ...,
    )


Applicant = create_model(
    "Applicant",
    __config__=STRICT,
    __doc__="One credit application: the 20 attributes of the German credit data.",
    **{name: _numeric_field(name, low, high) for name, (low, high) in NUMERIC_RANGES.items()},
    **{
        name: (Annotated[choice, Field(description=DESCRIPTIONS[name])], ...)
        for name, choice in _CHOICES.items()
    },
)


class Batch(BaseModel):
    model_config = STRICT
    applicants: Annotated[list[Applicant], Field(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]


class ServingRequest(BaseModel):
    """TensorFlow Serving's REST 'row' format, so clients can switch to TF Serving unchanged."""

    model_config = STRICT
    instances: Annotated[list[Applicant], Field(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]


class Score(BaseModel):
    probability_of_default: float
    decision: str = Field(description="'approve' or 'reject' at the cost-optimal threshold")


class ScoreResponse(Score):
    threshold: float
    model_version: str
    request_id: str


class BatchResponse(BaseModel):
    scores: list[Score]
    threshold: float
    model_version: str
    request_id: str


class Health(BaseModel):
    status: str = Field(description="'ok' while the service answers")
    model_version: str
    instance: str = Field(
        description="random per service process: who started it can tell it apart"
    )


class ServingResponse(BaseModel):
    predictions: list[float]


class ModelInfo(BaseModel):
    """The model card: the fields below, and whatever else the card holds."""

    model_config = ConfigDict(extra="allow")
    model_version: str = Field(description="name/version, as every scoring answer carries it")
    threshold: float = Field(description="P(default) at or above which the decision is 'reject'")
    name: str
    version: int


class UsageRow(BaseModel):
    key_id: str
    day: str = Field(description="UTC day, YYYY-MM-DD")
    requests: int
    rows: int = Field(description="applicants scored")
    mean_latency_ms: float


class Usage(BaseModel):
    usage: list[UsageRow]


class FieldError(BaseModel):
    field: str = Field(description="where in the body, e.g. applicants.0.age; '(body)' for all")
    problem: str
    type: str = Field(description="pydantic's error type, e.g. missing, extra_forbidden")


class ErrorBody(BaseModel):
    """Every error answer (4xx): what is wrong, and for a refused body the fields at fault (at
    most 20, then one entry counting the rest)."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)
