"""A hand-written corpus of hostile request bodies, sent to every scoring endpoint.

Each body must be answered with a 4xx whose JSON detail names the problem (never a 500, never a
hang), nothing refused is billed, and after the whole corpus the service still scores a valid
applicant correctly. Run against the app in-process and against a real uvicorn process: the
depth at which Python's JSON parser gives up depends on how deep the server's stack already is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from course.service.app import create_app
from course.service.storage import Storage
from tests.service_fixture import APPLICANT, synthetic_model, write_artifact

#: Probabilities away from 0 and 1 (the synthetic model saturates on APPLICANT), so that a
#: wrong field value shows in the score.
VALID = {**APPLICANT, "credit_amount": 12.0, "age": 19}

ENDPOINTS = {  # path: how one applicant's JSON becomes that endpoint's body
    "/v1/score": lambda applicant: applicant,
    "/v1/score/batch": lambda applicant: b'{"applicants": [' + applicant + b"]}",
    "/v1/models/credit_risk:predict": lambda applicant: b'{"instances": [' + applicant + b"]}",
}
PROBABILITY = {  # path: where its answer has the (first) probability of default
    "/v1/score": lambda answer: answer["probability_of_default"],
    "/v1/score/batch": lambda answer: answer["scores"][0]["probability_of_default"],
    "/v1/models/credit_risk:predict": lambda answer: answer["predictions"][0],
}


def applicant(*extra: bytes, **raw: bytes) -> bytes:
    """VALID as JSON bytes, with some fields' values replaced by raw bytes and extra raw members."""
    members = [
        b'"%s": %s' % (name.encode(), raw.get(name, json.dumps(value).encode()))
        for name, value in VALID.items()
    ]
    return b"{" + b", ".join([*members, *extra]) + b"}"


def utf8(wrap) -> str:
    """An endpoint's valid body as text, to encode otherwise."""
    return wrap(applicant()).decode()


DEEP = "nested too deeply"
NOT_UTF8 = "invalid UTF-8"
NOT_AN_OBJECT = "valid dictionary"

#: (name, the body given how an endpoint wraps one applicant, what the detail must say)
CORPUS: list[tuple[str, Callable[[Callable[[bytes], bytes]], bytes], str]] = [
    # nesting: Python's parser recursed until RecursionError, a 500
    ("arrays 1,000 deep", lambda wrap: b"[" * 1000, DEEP),
    ("arrays 1,000 deep, closed", lambda wrap: b"[" * 1000 + b"]" * 1000, DEEP),
    ("arrays 100,000 deep", lambda wrap: b"[" * 100_000, DEEP),
    ("objects 1,000 deep", lambda wrap: b'{"a":' * 1000 + b"1" + b"}" * 1000, DEEP),
    ("objects 100,000 deep", lambda wrap: b'{"a":' * 100_000 + b"1" + b"}" * 100_000, DEEP),
    ("arrays 1,000 deep for an applicant", lambda wrap: wrap(b"[" * 1000 + b"]" * 1000), DEEP),
    (
        "arrays 1,000 deep for a field",
        lambda wrap: wrap(applicant(age=b"[" * 1000 + b"]" * 1000)),
        DEEP,
    ),
    # the service's own limit (decoding.MAX_NESTING = 100 levels), the same on every Python
    ("arrays 97 deep for an applicant", lambda wrap: wrap(b"[" * 97 + b"]" * 97), NOT_AN_OBJECT),
    ("arrays 101 deep for an applicant", lambda wrap: wrap(b"[" * 101 + b"]" * 101), DEEP),
    (
        "brackets inside a string do not nest",
        lambda wrap: wrap(applicant(purpose=b'"' + b"[" * 500 + b'"')),
        "purpose",
    ),
    # encodings: msgspec raised UnicodeDecodeError, which was not caught (a 500)
    ("invalid UTF-8 in a value", lambda wrap: wrap(applicant(purpose=b'"\xff"')), NOT_UTF8),
    ("invalid UTF-8 in a key", lambda wrap: wrap(applicant(b'"\xff": 1')), NOT_UTF8),
    ("invalid UTF-8 in a bare key", lambda wrap: b'{"\xff": 1}', NOT_UTF8),
    ("invalid UTF-8 in a bare value", lambda wrap: b'{"purpose": "\xff"}', NOT_UTF8),
    ("truncated UTF-8 sequence", lambda wrap: wrap(applicant(purpose=b'"radio\xc3"')), NOT_UTF8),
    (
        "overlong UTF-8 for '/'",
        lambda wrap: wrap(applicant(purpose=b'"radio\xc0\xaftv"')),
        NOT_UTF8,
    ),
    (
        "a surrogate encoded in UTF-8",
        lambda wrap: wrap(applicant(purpose=b'"\xed\xa0\x80"')),
        NOT_UTF8,
    ),
    ("UTF-8 byte order mark", lambda wrap: b"\xef\xbb\xbf" + wrap(applicant()), "byte order mark"),
    ("UTF-16 with a byte order mark", lambda wrap: utf8(wrap).encode("utf-16"), "UTF-16"),
    ("UTF-16-LE without one", lambda wrap: utf8(wrap).encode("utf-16-le"), "UTF-16-LE"),
    ("UTF-16-BE without one", lambda wrap: utf8(wrap).encode("utf-16-be"), "UTF-16-BE"),
    ("UTF-32", lambda wrap: utf8(wrap).encode("utf-32"), "UTF-32"),
    (
        "lone surrogate escape in a value",
        lambda wrap: wrap(applicant(purpose=rb'"\ud800"')),
        "purpose: .*unicode string",
    ),
    (
        "lone surrogate escape in a key",
        lambda wrap: wrap(applicant(rb'"\ud800": 1')),
        "unicode string",
    ),
    # NUL bytes
    (
        "raw NUL inside a string",
        lambda wrap: wrap(applicant(purpose=b'"radio\x00tv"')),
        "Invalid control character",
    ),
    (
        "escaped NUL inside a string",
        lambda wrap: wrap(applicant(purpose=rb'"radio\u0000tv"')),
        "purpose: .*'radio/tv'",
    ),
    ("raw NUL after the JSON", lambda wrap: wrap(applicant()) + b"\x00", "Extra data"),
    ("raw NUL before the JSON", lambda wrap: b"\x00" + wrap(applicant()), "NUL bytes"),
    ("raw NUL between members", lambda wrap: wrap(applicant(age=b"\x0019")), "Expecting value"),
    # numbers
    (
        "1e999 for an integer field",
        lambda wrap: wrap(applicant(existing_credits=b"1e999")),
        "existing_credits: .*finite",
    ),
    (
        "2.5 for an integer field",
        lambda wrap: wrap(applicant(existing_credits=b"2.5")),
        "existing_credits: .*multiple of 1",
    ),
    (
        "30 digits for an integer field",
        lambda wrap: wrap(applicant(existing_credits=b"123456789012345678901234567890")),
        "existing_credits: .*less than or equal to 4",
    ),
    (
        "5,000 digits for an integer field",
        lambda wrap: wrap(applicant(existing_credits=b"9" * 5000)),
        "5,000 digits",
    ),
    (
        "-5,000 digits for a number field",
        lambda wrap: wrap(applicant(age=b"-" + b"9" * 5000)),
        "5,000 digits",
    ),
    (
        "1e999 for a number field",
        lambda wrap: wrap(applicant(credit_amount=b"1e999")),
        "credit_amount: .*finite",
    ),
    (
        "-1e999 for a number field",
        lambda wrap: wrap(applicant(credit_amount=b"-1e999")),
        "credit_amount: .*finite",
    ),
    (
        "-0 below a field's range",
        lambda wrap: wrap(applicant(age=b"-0")),
        "age: .*greater than or equal to 18",
    ),
    (
        "-1.0 for an integer field",
        lambda wrap: wrap(applicant(num_dependents=b"-1.0")),
        "num_dependents: .*greater than or equal to 1",
    ),
    (
        "a band code above its bands",
        lambda wrap: wrap(applicant(num_dependents=b"3")),
        "num_dependents: .*less than or equal to 2",
    ),
    # duplicate keys are accepted, last wins (test below), but every value must be valid
    (
        "duplicate key, first value invalid",
        lambda wrap: wrap(applicant(age=b'"x", "age": 19')),
        "age",
    ),
    (
        "duplicate key, last value invalid",
        lambda wrap: wrap(applicant(age=b'19, "age": "x"')),
        "age",
    ),
    # not an object
    ("[]", lambda wrap: b"[]", NOT_AN_OBJECT),
    ('"x"', lambda wrap: b'"x"', NOT_AN_OBJECT),
    ("1", lambda wrap: b"1", NOT_AN_OBJECT),
    ("null", lambda wrap: b"null", NOT_AN_OBJECT),
    ("true", lambda wrap: b"true", NOT_AN_OBJECT),
    ("an applicant that is a number", lambda wrap: wrap(b"1"), NOT_AN_OBJECT),
    ("empty body", lambda wrap: b"", "the body is empty"),
    ("blank body", lambda wrap: b" \r\n\t", "the body is empty"),
    # truncated
    (
        "truncated in a string",
        lambda wrap: wrap(applicant()).rpartition(b'"yes"')[0] + b'"ye',
        "Unterminated string",
    ),
    (
        "truncated after a member",
        lambda wrap: wrap(applicant()).rsplit(b",", 1)[0] + b",",
        "Expecting property name",
    ),
    ("truncated after a colon", lambda wrap: b'{"applicants":', "Expecting value"),
]


def _check_corpus(post: Callable[[str, bytes], httpx.Response]) -> list[str]:
    """Every problem with the answers to the corpus (empty: all well)."""
    problems = []
    for path, wrap in ENDPOINTS.items():
        for name, make, named in CORPUS:
            response = post(path, make(wrap))
            where = f"{path} {name}: {response.status_code}"
            if not 400 <= response.status_code < 500:
                problems.append(f"{where} {response.text[:200]}")
                continue
            try:
                detail = response.json()["detail"]
            except (ValueError, KeyError):
                problems.append(f"{where} answer is not JSON with a detail: {response.text[:200]}")
                continue
            if not re.search(named, detail):
                problems.append(f"{where} detail does not say {named!r}: {detail[:300]}")
    return problems


def _still_scores(post: Callable[[str, bytes], httpx.Response]) -> None:
    expected = synthetic_model().predict_proba([VALID])[0]
    assert 0.01 < expected < 0.99  # a score that shows a wrong input
    for path, wrap in ENDPOINTS.items():
        answer = post(path, wrap(applicant()))
        assert answer.status_code == 200, (path, answer.text)
        assert PROBABILITY[path](answer.json()) == pytest.approx(expected), path


JSON = {"content-type": "application/json"}


def test_hostile_bodies_are_4xx_naming_the_problem_in_process(tmp_path):
    storage = Storage(tmp_path / "usage.sqlite")
    try:
        client = TestClient(
            create_app(synthetic_model(), storage),
            base_url="http://localhost",
            raise_server_exceptions=False,
        )

        def post(path: str, body: bytes) -> httpx.Response:
            return client.post(path, content=body, headers=JSON)

        assert _check_corpus(post) == []
        assert storage.count_rows() == 0  # nothing refused is billed
        _still_scores(post)
        assert storage.count_rows() == 3
    finally:
        storage.close()


def test_hostile_bodies_are_4xx_naming_the_problem_in_a_real_server(tmp_path, monkeypatch):
    from course.service.background import BackgroundService

    write_artifact(tmp_path)
    monkeypatch.setenv("COURSE_ARTIFACTS_DIR", str(tmp_path))
    service = BackgroundService.start(port=0, db=tmp_path / "usage.sqlite", timeout=30)
    try:
        with httpx.Client(base_url=service.url, timeout=10) as session:

            def post(path: str, body: bytes) -> httpx.Response:
                return session.post(path, content=body, headers=JSON)

            assert _check_corpus(post) == []
            _still_scores(post)
            usage = session.get("/v1/usage").json()["usage"]
            assert sum(day["requests"] for day in usage) == 3  # nothing refused is billed
        assert service.process.poll() is None  # still serving
    finally:
        assert service.stop()


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_duplicate_keys_are_accepted_and_the_last_value_wins(tmp_path, path):
    # As msgspec and json.loads both read them. Refusing would need a check on every valid body.
    storage = Storage(tmp_path / "usage.sqlite")
    try:
        client = TestClient(create_app(synthetic_model(), storage), base_url="http://localhost")
        body = ENDPOINTS[path](applicant(age=b'60, "age": 19'))
        probability = PROBABILITY[path](client.post(path, content=body, headers=JSON).json())
        model = synthetic_model()
        assert probability == pytest.approx(model.predict_proba([VALID])[0])  # age 19
        assert probability != pytest.approx(model.predict_proba([{**VALID, "age": 60}])[0])
    finally:
        storage.close()


def test_another_spelling_of_a_whole_number_is_that_number(tmp_path):
    storage = Storage(tmp_path / "usage.sqlite")
    try:
        client = TestClient(create_app(synthetic_model(), storage), base_url="http://localhost")
        answer = client.post("/v1/score", content=applicant(num_dependents=b"0.2e1"), headers=JSON)
        expected = synthetic_model().predict_proba([{**VALID, "num_dependents": 2}])[0]
        assert answer.json()["probability_of_default"] == pytest.approx(expected)
    finally:
        storage.close()
