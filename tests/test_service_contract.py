"""The service's contract: the OpenAPI schema says what the service does (the key, the 401,
whole numbers as JSON Schema counts them), and open access answers only this machine's names.

Schemathesis checks the schema against the running service in ``tests/test_service_fuzz.py``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from course.credit.signature import SIGNATURE
from course.service.app import LOCAL_HOSTS, create_app
from course.service.server import open_hosts
from tests.service_fixture import (
    APPLICANT,
    storage,  # noqa: F401  (a fixture)
    synthetic_model,
)

SCORING = ("/v1/score", "/v1/score/batch", "/v1/models/credit_risk:predict")


def client_for(storage, host: str = "localhost", **options) -> TestClient:
    return TestClient(create_app(synthetic_model(), storage, **options), base_url=f"http://{host}")


def test_the_schema_declares_the_key_and_the_401(storage):
    schema = client_for(storage).get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {
        **schemes["ApiKeyHeader"],
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    assert schemes["BearerKey"]["scheme"] == "bearer"
    for path in (*SCORING, "/v1/usage"):
        operation = next(iter(schema["paths"][path].values()))
        assert {} in operation["security"], path  # open while no key exists
        assert {"ApiKeyHeader": []} in operation["security"], path
        assert "401" in operation["responses"], path
    for path in ("/health", "/v1/model"):  # these never ask for a key
        assert "security" not in schema["paths"][path]["get"], path


def test_integer_fields_are_integers_in_the_schema_and_take_whole_floats(storage):
    schema = client_for(storage).get("/openapi.json").json()
    field = schema["components"]["schemas"]["Applicant"]["properties"]["existing_credits"]
    assert field["type"] == "integer" and (field["minimum"], field["maximum"]) == (
        1,
        4,
    )  # band codes
    client = client_for(storage)
    as_int = client.post("/v1/score", json=APPLICANT).json()["probability_of_default"]
    as_float = client.post("/v1/score", json={**APPLICANT, "existing_credits": 1.0}).json()
    assert as_float["probability_of_default"] == as_int  # 1.0 is the integer 1
    refused = client.post("/v1/score", json={**APPLICANT, "existing_credits": 1.5})
    assert refused.status_code == 422 and "existing_credits" in refused.json()["detail"]


@pytest.mark.parametrize("host", ["attacker.example", "127.0.0.1.nip.io", "192.168.1.5"])
def test_open_access_refuses_other_host_names(storage, host):
    # DNS rebinding: a web page whose name resolves to 127.0.0.1 sends its own name as Host.
    client = client_for(storage, host)
    for path in SCORING[:1]:
        answer = client.post(path, json=APPLICANT)
        assert answer.status_code == 400 and "host" in answer.text.lower()
    assert client.get("/v1/usage").status_code == 400
    assert client_for(storage).get("/v1/usage").json()["usage"] == []  # nothing was scored


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "localhost:8000"])
def test_open_access_serves_this_machines_names(storage, host):
    # (sent as the Host header: Starlette's test client before 0.39 cannot parse "[::1]" in a URL)
    response = client_for(storage).post("/v1/score", json=APPLICANT, headers={"host": host})
    assert response.status_code == 200


def test_once_a_key_exists_the_key_protects_and_any_host_is_served(storage):
    key = storage.create_key("lender-a")
    client = client_for(storage, "course.example.org")
    assert client.post("/v1/score", json=APPLICANT).status_code == 401  # not 400: the key decides
    answer = client.post("/v1/score", json=APPLICANT, headers={"X-API-Key": key})
    assert answer.status_code == 200


def test_behind_a_hub_proxy_or_on_every_interface_any_host_is_served(storage):
    assert open_hosts("127.0.0.1", "") == LOCAL_HOSTS
    assert open_hosts("10.0.0.7", "") == (*LOCAL_HOSTS, "10.0.0.7")  # the address bound
    assert open_hosts("127.0.0.1", "/user/ada/proxy/8000") is None  # the proxy needs a login
    assert open_hosts("0.0.0.0", "") is None
    client = client_for(storage, "hub.example.org", open_hosts=None)
    assert client.post("/v1/score", json=APPLICANT).status_code == 200


def test_the_docs_pages_need_no_network_and_work_behind_a_proxy(storage):
    import re

    client = client_for(storage)
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert not re.search(r"https?://", html), f"{page} loads something from the internet"
        links = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)
        assert links and all(not link.startswith("/") for link in links), links  # relative
        for link in links:
            assert client.get(f"/{link}").status_code == 200, link
    assert client.get("/openapi.json").json()["servers"] == [{"url": "."}]  # "Try it out" too
    behind_hub = client_for(storage, open_hosts=None, root_path="/user/ada/proxy/8000")
    assert behind_hub.get("/openapi.json").json()["servers"] == [{"url": "/user/ada/proxy/8000"}]


def test_tf_servings_row_form_is_served_and_its_other_forms_are_refused_as_documented(storage):
    """course/service/tf_serving.py claims TF Serving's row format only (issue 27, section 3):
    each documented form it does not implement gets a 4xx, never a wrong answer."""
    client = client_for(storage)
    path = "/v1/models/credit_risk:predict"
    rows = client.post(path, json={"instances": [APPLICANT, APPLICANT]})
    assert rows.status_code == 200 and len(rows.json()["predictions"]) == 2
    assert set(rows.json()) == {"predictions"}
    columns = {name: [value] for name, value in APPLICANT.items()}
    for body in (
        {"inputs": columns},
        {"inputs": [APPLICANT]},
        {"signature_name": SIGNATURE, "instances": [APPLICANT]},
    ):
        refused = client.post(path, json=body)
        assert refused.status_code == 422 and refused.json()["detail"], body
    for method, route in (
        ("post", "/v1/models/credit_risk/versions/1:predict"),
        ("get", "/v1/models/credit_risk"),
        ("get", "/v1/models/credit_risk/metadata"),
        ("get", "/v1/models/credit_risk/versions/1"),
    ):
        answer = getattr(client, method)(
            route, **({"json": {"instances": [APPLICANT]}} if method == "post" else {})
        )
        assert answer.status_code == 404 and answer.json() == {"detail": "Not Found"}, route


def test_a_refused_host_is_answered_in_the_apis_json_error_form(storage):
    refused = client_for(storage, host="attacker.example").get("/health")
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/json"
    assert "Invalid host header" in refused.json()["detail"]


def test_bodies_over_the_limit_get_413_with_or_without_fastapis_own_limit(storage, monkeypatch):
    """FastAPI before 0.164 (pyproject's floor, Colab's 0.141) ignores ``max_body_size``: the
    service's own BodyLimit answers 413 there, by Content-Length or once chunks pass the limit."""
    from course.service import app as app_module

    for native in (True, False):
        if native and not app_module.FASTAPI_LIMITS_BODIES:
            continue  # (this FastAPI has no limit of its own: the fallback is tested below)
        monkeypatch.setattr(app_module, "FASTAPI_LIMITS_BODIES", native)
        client = client_for(storage, max_body_bytes=1_000)
        declared = client.post(
            "/v1/score",
            content=b'{"x": "' + b"a" * 2_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        chunked = client.post(
            "/v1/score",
            content=iter([b"a" * 600] * 3),
            headers={"content-type": "application/json"},
        )
        assert (declared.status_code, chunked.status_code) == (413, 413), native
        assert "Too Large" in declared.text and "Too Large" in chunked.text
        assert client.post("/v1/score", json=APPLICANT).status_code == 200  # (under the limit)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("[::1]:8000", "[::1]"),
        ("[::1]", "[::1]"),
        ("::1", "::1"),
        ("LocalHost:8000", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("evil.example:80", "evil.example"),
        ("", ""),
    ],
)
def test_the_host_header_is_read_without_its_port(header, name):
    from course.service.app import host_name

    assert host_name(header) == name
