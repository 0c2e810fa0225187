"""The service's fast paths give the same answers as the plain ones.

msgspec decides whether a body is valid and pydantic (which writes the docs) explains refusals:
both must accept and refuse the same bodies. The model's one-applicant path must give the batch
path's probabilities and refuse the same rows with the same messages.
"""

from __future__ import annotations

import json
import math
import re

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from course.credit.features import CATEGORIES, FEATURES, INTEGER_FIELDS, NUMERIC, NUMERIC_RANGES
from course.credit.numpy_model import RecordError
from course.service import decoding, schemas
from tests.service_fixture import APPLICANT, synthetic_model


def _numbers(name: str) -> st.SearchStrategy:
    low, high = NUMERIC_RANGES[name]
    edges = [low, high, low - 1, high + 1, float(low), float(high), (low + high) / 2, low + 0.5]
    valid = (
        st.integers(int(low), int(high))
        if name in INTEGER_FIELDS
        else st.floats(low, high) | st.integers(int(low), int(high))
    )
    return st.sampled_from(edges) | valid | st.booleans() | st.none() | st.just(str(low))


def _choices(name: str) -> st.SearchStrategy:
    values = CATEGORIES[name]
    return st.sampled_from(values) | st.sampled_from(["[UNK]", "", values[0].upper(), 1])


valid_row = st.tuples(
    *[
        st.integers(int(NUMERIC_RANGES[n][0]), int(NUMERIC_RANGES[n][1]))
        if n in INTEGER_FIELDS
        else st.floats(*NUMERIC_RANGES[n]) | st.integers(*map(int, NUMERIC_RANGES[n]))
        for n in NUMERIC
    ],
    *[st.sampled_from(CATEGORIES[c]) for c in CATEGORIES],
)
#: A valid applicant with up to two fields pushed to an edge (or past it), maybe one field
#: missing or one too many: where two validators could disagree.
_edges = st.one_of(
    *[st.tuples(st.just(name), _numbers(name)) for name in NUMERIC_RANGES],
    *[st.tuples(st.just(name), _choices(name)) for name in CATEGORIES],
)
near_valid_applicant = st.builds(
    lambda row, edges, change: {
        k: v
        for k, v in {
            **dict(zip(FEATURES, row, strict=True)),
            **dict(edges),
            **({"salary": 1} if change == "extra" else {}),
        }.items()
        if not (change == "drop" and k == "age")
    },
    valid_row,
    st.lists(_edges, max_size=2),
    st.sampled_from(["keep", "keep", "drop", "extra"]),
)


def _decide(raw: bytes, fast: type):
    try:
        return msgspec.structs.astuple(msgspec.json.decode(raw, type=fast))
    except msgspec.ValidationError:
        return None


def _explain(raw: bytes, model):
    try:  # what the service's explanation does: pydantic on the JSON as it parses it
        return model.model_validate(decoding.parse_refused(raw))
    except ValidationError:
        return None


@settings(max_examples=500)
@given(body=near_valid_applicant)
def test_msgspec_and_pydantic_accept_and_refuse_the_same_applicants(body):
    raw = json.dumps(body).encode()
    fast, explained = _decide(raw, decoding.Applicant), _explain(raw, schemas.Applicant)
    assert (fast is None) == (explained is None), body
    if fast is not None:
        assert fast == tuple(getattr(explained, name) for name in FEATURES)


@settings(max_examples=100)
@given(applicants=st.lists(near_valid_applicant, max_size=3))
def test_msgspec_and_pydantic_agree_on_batches(applicants):
    raw = json.dumps({"applicants": applicants}).encode()
    accepted = _decide(raw, decoding.Batch) is not None
    assert accepted == (_explain(raw, schemas.Batch) is not None)
    raw = json.dumps({"instances": applicants}).encode()
    assert (_decide(raw, decoding.ServingRequest) is not None) == accepted


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (b"\xef\xbb\xbf" + json.dumps(APPLICANT).encode(), "byte order mark"),
        (json.dumps(APPLICANT).encode("utf-16"), "UTF-16"),
        (json.dumps(APPLICANT).encode("utf-32-le"), "UTF-32-LE"),
        (
            json.dumps(APPLICANT).replace("radio/tv", "\ud800").encode("utf-8", "surrogatepass"),
            "invalid UTF-8 \\(byte 0xed",
        ),
        (b"[" * 1000 + b"]" * 1000, "nested too deeply"),
        (b"[" * 100_000, "nested too deeply"),
        (json.dumps(APPLICANT).replace("35", "9" * 5000).encode(), "5,000 digits"),
        (b" \n", "empty"),
    ],
)
def test_the_explanation_reads_json_as_msgspec_does(raw, named):
    # json.loads(bytes) guesses UTF-16 and UTF-32, skips a BOM and lets a UTF-8-encoded
    # surrogate through, all of which msgspec refuses; it raised RecursionError on deep nesting.
    with pytest.raises((msgspec.MsgspecError, UnicodeDecodeError)):
        msgspec.json.decode(raw, type=decoding.Applicant)
    with pytest.raises(ValueError, match=named):
        decoding.parse_refused(raw)
    (problem,) = decoding.applicant_body.explain(raw, msgspec.DecodeError("refused"))
    assert problem["type"] == "json_invalid" and re.search(named, problem["msg"])


def test_a_refusal_pydantic_cannot_explain_still_names_the_path():
    body = json.dumps(APPLICANT).encode()  # valid for pydantic: only msgspec's error is left
    error = msgspec.ValidationError("Expected `int`, got `float` - at `$.age`")
    (problem,) = decoding.applicant_body.explain(body, error)
    assert problem["type"] == "value_error" and "$.age" in problem["msg"]


@settings(max_examples=300)
@given(row=valid_row)
def test_one_applicant_path_gives_the_batch_paths_probability(row):
    model = synthetic_model()
    (one,) = model.predict_rows([row])
    batch = model.predict_rows([row, row])
    from_dict = model.predict_proba([dict(zip(FEATURES, row, strict=True))])
    assert one == pytest.approx(batch[0], rel=1e-12, abs=1e-300)
    assert batch[0] == batch[1] and one == pytest.approx(from_dict[0], rel=1e-12, abs=1e-300)
    assert 0.0 <= one <= 1.0 and math.isfinite(one)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purpose": "yacht"}, "purpose: unknown category 'yacht'"),
        ({"purpose": "[UNK]"}, "purpose: unknown category"),
        ({"purpose": ["radio/tv"]}, "purpose: unknown category"),
        ({"age": "35"}, "age must be a number"),
        ({"duration": True}, "duration must be a number"),
        ({"credit_amount": float("nan")}, "credit_amount must be a finite number"),
        ({"age": np.float64("inf")}, "age must be a finite number"),
    ],
)
def test_bad_rows_get_the_same_message_on_both_paths(change, message):
    model = synthetic_model()
    record = {**APPLICANT, **change}
    row = tuple(record[name] for name in FEATURES)
    for attempt in (
        lambda: model.predict_rows([row]),
        lambda: model.predict_rows([row, row]),
        lambda: model.predict_proba([record]),
    ):
        with pytest.raises(RecordError, match=message.replace("[", r"\[")):
            attempt()


def test_rows_of_the_wrong_length_or_none_are_refused():
    model = synthetic_model()
    row = tuple(APPLICANT[name] for name in FEATURES)
    with pytest.raises(RecordError, match="20 fields in this order"):
        model.predict_rows([row[:-1]])
    with pytest.raises(RecordError, match="no records"):
        model.predict_rows([])


def test_decoded_categories_are_the_models_own_key_objects():
    # A dict lookup that matches by identity skips comparing characters: a third of the
    # category encoding time on a batch. Both sides intern the strings to get there.
    model = synthetic_model()
    applicant = msgspec.json.decode(json.dumps(APPLICANT).encode(), type=decoding.Applicant)
    for name in CATEGORIES:
        value = getattr(applicant, name)
        (key,) = [k for k in model._hot[name] if k == value]
        assert value is key, name
