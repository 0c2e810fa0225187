"""Reading request bodies: decided fast by msgspec, explained clearly by pydantic.

A batch of 1,000 applicants is about 600 kB of JSON. Parsing it with ``json.loads`` and then
validating 20,000 fields with pydantic cost about 9 microseconds per applicant, more than
scoring it; msgspec parses and validates straight from the bytes in about 1 microsecond.
So msgspec decides whether a body is valid, and on the rare invalid body pydantic, which
also writes the OpenAPI docs, explains every problem in the 422 (FastAPI's usual format).

Both schemas are built here from the same tables (:mod:`course.credit.features`), and a
property test proves they accept and refuse the same bodies.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from course.credit.features import CATEGORIES, FEATURES, INTEGER_FIELDS, NUMERIC_RANGES
from course.service import schemas


def _number(name: str, low: float, high: float) -> Any:
    """A field's type: a float in range; a whole number for the integer fields (JSON Schema
    counts ``2.0`` as an integer, and a client's pandas column may well send it so)."""
    whole = {"multiple_of": 1} if name in INTEGER_FIELDS else {}
    return Annotated[float, msgspec.Meta(ge=low, le=high, **whole)]


def _applicant_struct() -> type[msgspec.Struct]:
    numbers = [(name, _number(name, low, high)) for name, (low, high) in NUMERIC_RANGES.items()]
    # msgspec returns the Literal's own string objects; interned, they are the model's keys too
    choices = [(name, Literal[tuple(map(sys.intern, values))]) for name, values in CATEGORIES.items()]
    fields = numbers + choices
    assert [name for name, _ in fields] == FEATURES  # so astuple() gives FEATURES order
    return msgspec.defstruct("Applicant", fields, forbid_unknown_fields=True, gc=False)


Applicant = _applicant_struct()
_Applicants = Annotated[list[Applicant], msgspec.Meta(min_length=1, max_length=schemas.MAX_BATCH)]
Batch = msgspec.defstruct("Batch", [("applicants", _Applicants)], forbid_unknown_fields=True)
ServingRequest = msgspec.defstruct("ServingRequest", [("instances", _Applicants)],
                                   forbid_unknown_fields=True)  # fmt: skip


def rows(applicants: Sequence[msgspec.Struct]) -> list[tuple]:
    """Decoded applicants as tuples of values in ``FEATURES`` order: what the model takes."""
    return list(map(msgspec.structs.astuple, applicants))


#: What a client can get wrong, as shown at /docs for every scoring endpoint.
ERRORS = {"401": "A key is required (once any key exists) and this one is missing or unknown.",
          "413": "The body is larger than the service accepts.",
          "415": "The body is not sent as 'Content-Type: application/json'.",
          "422": "The JSON is malformed, or a field is missing, unknown, of the wrong type or out "
                 "of range; 'errors' names each field."}  # fmt: skip


#: How a key is sent (OpenAPI security schemes), and the rule for every operation that checks
#: one: the X-API-Key header or a bearer token, or nothing at all while the service is open.
SECURITY_SCHEMES = {
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                     "description": "An API key from `course keys create NAME`. Required once any "
                                    "key exists; while none does, the service is open."},
    "BearerKey": {"type": "http", "scheme": "bearer",
                  "description": "The same API key, as 'Authorization: Bearer <key>'."},
}  # fmt: skip
KEY_OR_OPEN = [{"ApiKeyHeader": []}, {"BearerKey": []}, {}]


def keyed_operation(codes: Sequence[str] = tuple(ERRORS)) -> dict:
    """``openapi_extra`` for an operation that checks the caller's key: the security rule and
    the error answers it can give."""
    return {"security": KEY_OR_OPEN,
            "responses": {code: {"description": ERRORS[code]} for code in codes}}  # fmt: skip


class JsonBody:
    """Reads, checks and decodes the body of a POST as ``fast_type``; a bad body raises the 4xx
    that FastAPI would (415 for a non-JSON content type, 422 naming each bad field).

    ``explain_with`` is the pydantic model of the same body (the one the docs show), ``field``
    the body's list of applicants (none: the body is one applicant)."""

    def __init__(self, fast_type: type, explain_with: type[BaseModel], field: str | None = None):
        self.decoder = msgspec.json.Decoder(fast_type)
        self.model = explain_with
        self.field = field

    def openapi_extra(self) -> dict:
        """``openapi_extra`` for the route: this body's pydantic schema as the request body at
        /docs (FastAPI does not see the body, which msgspec reads), and the error answers."""
        schema = {"$ref": f"#/components/schemas/{self.model.__name__}"}
        return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                **keyed_operation()}  # fmt: skip

    async def applicants(self, request: Request) -> list:
        """The decoded applicants of the body, as a list."""
        body = await self(request)
        return getattr(body, self.field) if self.field else [body]

    async def __call__(self, request: Request) -> Any:
        kind = request.headers.get("content-type", "")
        if kind.split(";")[0].strip().lower() != "application/json":
            raise HTTPException(415, f"Send the body as JSON with 'Content-Type: application/json' "
                                     f"(got {kind or 'no content type'!r}).")  # fmt: skip
        body = await request.body()
        try:
            return self.decoder.decode(body)
        # msgspec raises UnicodeDecodeError, not a MsgspecError, for invalid UTF-8 in a string.
        # An except clause costs nothing until it catches: a valid body pays for none of this.
        except (msgspec.MsgspecError, UnicodeDecodeError) as error:
            raise RequestValidationError(self.explain(body, error)) from None

    def explain(self, body: bytes, error: Exception) -> list[dict]:
        """Every problem with a refused body, as pydantic reports it (FastAPI's 422 format)."""
        try:
            data = parse_refused(body)
        except ValueError as bad_json:  # JSONDecodeError is a ValueError
            return [{"type": "json_invalid", "loc": ("body",), "input": None,
                     "msg": f"JSON decode error: {bad_json}"}]  # fmt: skip
        try:
            self.model.model_validate(data)
        except ValidationError as invalid:
            return [{**e, "loc": ("body", *e["loc"])} for e in invalid.errors(include_url=False)]
        # Both schemas come from one table and are tested to agree; if they ever did not, the
        # body is still refused, with msgspec's own message (a path such as $.applicants[0].age).
        return [{"type": "value_error", "loc": ("body",), "msg": str(error), "input": None}]


def parse_refused(body: bytes) -> Any:
    """The JSON value of a body msgspec refused, read as msgspec reads JSON, for pydantic to
    explain; a ValueError naming the problem when the body is not JSON at all.

    Stricter than ``json.loads(body)``, which would guess UTF-16 or UTF-32, skip a byte order mark
    and let an encoded surrogate through (msgspec refuses all three), and which raised
    RecursionError (a 500) on JSON nested about a thousand levels deep."""
    if not body.strip():
        raise ValueError("the body is empty: send one JSON object")
    encoding = json.detect_encoding(body)  # what json.loads(bytes) would have guessed
    if encoding == "utf-8-sig":
        raise ValueError("the body starts with a byte order mark (BOM): send UTF-8 without one")
    if encoding != "utf-8":
        raise ValueError(f"the body begins like {encoding.upper()} text (NUL bytes or a byte "
                         "order mark), not UTF-8: send JSON encoded as UTF-8")  # fmt: skip
    try:
        text = body.decode("utf-8")  # strict: no surrogates, no overlong forms
    except UnicodeDecodeError as bad:
        raise ValueError(f"invalid UTF-8 (byte 0x{body[bad.start]:02x} at position {bad.start}): "
                         "send JSON encoded as UTF-8") from None  # fmt: skip
    if _nesting_exceeds(body, MAX_NESTING):
        raise _too_deep()
    try:
        return json.loads(text, parse_int=_integer)
    except RecursionError:  # (json's C parser counts nesting against Python's recursion limit)
        raise _too_deep() from None


#: Deeper JSON is refused before it is parsed. The service's own limit, so that the answer does
#: not depend on the Python version (3.11's json gives up near 1,000 levels, 3.13's does not).
MAX_NESTING = 100
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # a whole string, or one bracket


def _nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (stops as soon as they do)."""
    depth = 0
    for token in _TOKENS.finditer(body):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif first in (b"]", b"}"):
            depth -= 1
    return False


def _too_deep() -> ValueError:
    return ValueError(f"nested too deeply (more than {MAX_NESTING} levels; a valid body nests "
                      "three at most: an object, its list of applicants, each an object)")


def _integer(digits: str) -> int:
    """``int`` for JSON's integers, with a client's message for one too long to convert (CPython's
    own suggests calling ``sys.set_int_max_str_digits``)."""
    try:
        return int(digits)
    except ValueError:
        raise ValueError(f"a number with {len(digits.lstrip('-')):,} digits is far outside every "
                         "field's range") from None  # fmt: skip


applicant_body = JsonBody(Applicant, schemas.Applicant)
batch_body = JsonBody(Batch, schemas.Batch, "applicants")
serving_body = JsonBody(ServingRequest, schemas.ServingRequest, "instances")
BODIES = (applicant_body, batch_body, serving_body)


def document_bodies(app: FastAPI, bodies: Sequence[JsonBody] = BODIES) -> None:
    """Add the bodies' pydantic models (and the models they nest) and the key's security schemes
    to the app's OpenAPI components, where the operations refer to them."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            components = generate().setdefault("components", {})
            components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
            components = components.setdefault("schemas", {})
            for model in (body.model for body in bodies):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(schema.pop("$defs", {}))
                components[model.__name__] = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
