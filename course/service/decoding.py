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

import asyncio
import json
import re
import sys
import weakref
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect

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
    choices = [
        (name, Literal[tuple(map(sys.intern, values))]) for name, values in CATEGORIES.items()
    ]
    fields = numbers + choices
    assert [name for name, _ in fields] == FEATURES  # so astuple() gives FEATURES order
    return msgspec.defstruct("Applicant", fields, forbid_unknown_fields=True, gc=False)


Applicant = _applicant_struct()
_Applicants = Annotated[list[Applicant], msgspec.Meta(min_length=1, max_length=schemas.MAX_BATCH)]
Batch = msgspec.defstruct("Batch", [("applicants", _Applicants)], forbid_unknown_fields=True)
ServingRequest = msgspec.defstruct(
    "ServingRequest", [("instances", _Applicants)], forbid_unknown_fields=True
)


def rows(applicants: Sequence[msgspec.Struct]) -> list[tuple]:
    """Decoded applicants as tuples of values in ``FEATURES`` order: what the model takes."""
    return list(map(msgspec.structs.astuple, applicants))


#: What a client can get wrong, as shown at /docs for every scoring endpoint.
ERRORS = {
    "400": "The request carries several API keys that disagree (or one header twice), "
    "or the client closed the connection before the whole body arrived.",
    "401": "A key is required (once any key exists) and this one is missing or unknown.",
    "413": "The body is larger than the service accepts.",
    "415": "The body is not sent as 'Content-Type: application/json'.",
    "422": "The JSON is malformed, or a field is missing, unknown, of the wrong type or out "
    "of range; 'errors' names each field.",
}


#: How a key is sent (OpenAPI security schemes), and the rule for every operation that checks
#: one: the X-API-Key header or a bearer token, or nothing at all while the service is open.
SECURITY_SCHEMES = {
    "ApiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API key from `course keys create NAME`. Required once any "
        "key exists; while none does, the service is open.",
    },
    "BearerKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same API key, as 'Authorization: Bearer <key>'.",
    },
}
KEY_OR_OPEN = [{"ApiKeyHeader": []}, {"BearerKey": []}, {}]


def keyed_operation(codes: Sequence[str] = tuple(ERRORS)) -> dict:
    """``openapi_extra`` for an operation that checks the caller's key: the security rule and
    the error answers it can give."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {
        "security": KEY_OR_OPEN,
        "responses": {code: {"description": ERRORS[code], "content": error} for code in codes},
    }


#: Refused bodies up to this size are explained on the event loop (well under a millisecond).
EXPLAIN_INLINE_BYTES = 64 * 1024
_EXPLAINING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> semaphore


def _explaining() -> asyncio.Semaphore:
    """Two explanations at a time per event loop (a semaphore belongs to one loop)."""
    return _EXPLAINING.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(2))


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
        return {
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            **keyed_operation(),
        }

    async def applicants(self, request: Request) -> list:
        """The decoded applicants of the body, as a list."""
        body = await self(request)
        return getattr(body, self.field) if self.field else [body]

    async def __call__(self, request: Request) -> Any:
        kind = request.headers.get("content-type", "")
        if kind.split(";")[0].strip().lower() != "application/json":
            raise HTTPException(
                415,
                f"Send the body as JSON with 'Content-Type: application/json' "
                f"(got {kind or 'no content type'!r}).",
            )
        try:
            body = await request.body()
        except ClientDisconnect:  # nobody to answer; said in one line, not a logged traceback
            raise HTTPException(
                400, "The client closed the connection before sending the whole body."
            ) from None
        try:
            return self.decoder.decode(body)
        # msgspec raises UnicodeDecodeError, not a MsgspecError, for invalid UTF-8 in a string.
        # An except clause costs nothing until it catches: a valid body pays for none of this.
        except (msgspec.MsgspecError, UnicodeDecodeError) as error:
            if len(body) < EXPLAIN_INLINE_BYTES:
                raise RequestValidationError(self.explain(body, error)) from None
            # A large refused body takes a few tenths of a second to explain: in a thread, two at
            # a time, so that the event loop goes on answering everyone else meanwhile.
            async with _explaining():
                problems = await asyncio.to_thread(self.explain, body, error)
            raise RequestValidationError(problems) from None

    def explain(self, body: bytes, error: Exception) -> list[dict]:
        """The problems with a refused body, as pydantic reports them (FastAPI's 422 format):
        at most :data:`MAX_ERRORS`, then one entry counting the rest (:func:`capped`)."""
        try:
            data = parse_refused(body)
        except ValueError as bad_json:  # JSONDecodeError is a ValueError
            return [
                {
                    "type": "json_invalid",
                    "loc": ("body",),
                    "input": None,
                    "msg": f"JSON decode error: {bad_json}",
                }
            ]
        problems = capped(self.model, data, self.field)
        if problems:
            return problems
        # Both schemas come from one table and are tested to agree; if they ever did not, the
        # body is still refused, with msgspec's own message (a path such as $.applicants[0].age).
        return [{"type": "value_error", "loc": ("body",), "msg": str(error), "input": None}]


#: The most problems a refusal lists; the rest are counted in one last entry. A 2 MB object of
#: 206,000 unknown keys was explained by 206,010 errors, a 17.6 MB answer, before this cap.
MAX_ERRORS = 20
_FEATURE_SET = frozenset(FEATURES)
#: The longest field name a refusal repeats (a key may be as long as the body).
MAX_NAME = 64


def _name(part: Any) -> Any:
    """A location's part as the answer repeats it: shortened, and a lone surrogate (which no
    UTF-8 answer can carry) written as its escape."""
    if isinstance(part, int):
        return part
    text = str(part)
    text = text if len(text) <= MAX_NAME else text[:MAX_NAME] + "..."
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _unicode(key: str) -> bool:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unknown(data: Any, allowed: frozenset[str], where: tuple) -> tuple[list[dict], int, Any]:
    """The first unknown keys of an object (as pydantic's ``extra_forbidden`` errors), how many
    there are, and the object without them (so pydantic never sees an absurd number of keys)."""
    if not isinstance(data, dict):
        return [], 0, data
    extra = [key for key in data if key not in allowed]
    errors = [
        {
            "type": "extra_forbidden",
            "loc": (*where, _name(key)),
            "input": None,
            "msg": "Extra inputs are not permitted",
        }
        if _unicode(key)
        else {
            "type": "string_unicode",
            "loc": (*where, _name(key)),
            "input": None,
            "msg": "Input should be a valid unicode string",
        }
        for key in extra[:MAX_ERRORS]
    ]
    return errors, len(extra), {k: v for k, v in data.items() if k in allowed} if extra else data


def _validated(model: type[BaseModel], data: Any, where: tuple) -> list[dict]:
    try:
        model.model_validate(data)
    except ValidationError as invalid:
        return [
            {**e, "loc": (*where, *map(_name, e["loc"])), "input": None}
            for e in invalid.errors(include_url=False)[:MAX_ERRORS]
        ]
    return []


def capped(model: type[BaseModel], data: Any, field: str | None) -> list[dict]:
    """pydantic's errors for ``data`` as ``model``, at a bounded cost and size.

    Unknown keys are counted here, never handed to pydantic; the applicants of a list are checked
    one by one, and checking stops once :data:`MAX_ERRORS` problems are found. The answer lists at
    most that many, then one ``more_errors`` entry saying how many more were found."""
    from course.service.schemas import Applicant

    found: list[dict] = []
    more, stopped = 0, False

    def add(errors: list[dict], count: int | None = None) -> None:
        nonlocal more
        room = MAX_ERRORS - len(found)
        found.extend(errors[:room])
        more += max(0, (len(errors) if count is None else count) - room)

    errors, count, data = _unknown(data, frozenset(model.model_fields), ("body",))
    add(errors, count)
    items = data.get(field) if field and isinstance(data, dict) else None
    if not field or not isinstance(items, list) or not items:  # pydantic: one error at most
        add(_validated(model, data, ("body",)))
    elif len(items) > schemas.MAX_BATCH:
        add(
            [
                {
                    "type": "too_long",
                    "loc": ("body", field),
                    "input": None,
                    "msg": (
                        f"List should have at most {schemas.MAX_BATCH} items, not {len(items):,}"
                    ),
                }
            ]
        )
    else:
        for number, item in enumerate(items):
            if len(found) >= MAX_ERRORS:
                stopped = number < len(items)
                break
            where = ("body", field, number)
            errors, count, item = _unknown(item, _FEATURE_SET, where)
            add(errors, count)
            add(_validated(Applicant, item, where))
    if more or stopped:
        after = " in the applicants checked; the rest were not checked" if stopped else ""
        found.append(
            {
                "type": "more_errors",
                "loc": ("body",),
                "input": None,
                "msg": f"{more:,} more problem(s) not listed{after} (at most {MAX_ERRORS} "
                "are listed)",
            }
        )
    return found


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
        raise ValueError(
            f"the body begins like {encoding.upper()} text (NUL bytes or a byte "
            "order mark), not UTF-8: send JSON encoded as UTF-8"
        )
    try:
        text = body.decode("utf-8")  # strict: no surrogates, no overlong forms
    except UnicodeDecodeError as bad:
        raise ValueError(
            f"invalid UTF-8 (byte 0x{body[bad.start]:02x} at position {bad.start}): "
            "send JSON encoded as UTF-8"
        ) from None
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
    return ValueError(
        f"nested too deeply (more than {MAX_NESTING} levels; a valid body nests "
        "three at most: an object, its list of applicants, each an object)"
    )


def _integer(digits: str) -> int:
    """``int`` for JSON's integers, with a client's message for one too long to convert (CPython's
    own suggests calling ``sys.set_int_max_str_digits``)."""
    try:
        return int(digits)
    except ValueError:
        raise ValueError(
            f"a number with {len(digits.lstrip('-')):,} digits is far outside every field's range"
        ) from None


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
            for model in (*(body.model for body in bodies), schemas.ErrorBody):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(schema.pop("$defs", {}))
                components[model.__name__] = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
