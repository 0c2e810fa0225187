"""A real API fuzzer against the real service: schemathesis, every check, a fixed seed.

Run against ``course serve`` on 127.0.0.1 as a learner starts it: first open (no key exists),
then with a key required and sent. Schemathesis generates valid and invalid requests from the
OpenAPI schema and fails on any 5xx, any answer its schema does not document, a valid request
refused or an invalid one accepted. It cannot find what the schema cannot describe (invalid
UTF-8, JSON nested a thousand levels): the hand-written corpus in test_service_hostile.py does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from course.service.background import BackgroundService

EXAMPLES = 400  # per operation and phase; about 2,700 requests per run (seed fixed: the same ones)
SEED = 20261201


def schemathesis(url: str, *headers: str) -> tuple[int, str]:
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES),
        "--generation-database",
        "none",
        "--no-color",
        "--workers",
        "1",
        *[arg for header in headers for arg in ("-H", header)],
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def generated(output: str) -> int:
    """The number of test cases schemathesis reports (0 when the summary is missing)."""
    found = re.search(r"(\d+) generated, (\d+) passed", output)
    return int(found.group(1)) if found and found.group(1) == found.group(2) else 0


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    started = BackgroundService.start(port=0, db=tmp_path_factory.mktemp("fuzz") / "usage.sqlite")
    yield started
    assert started.stop()


def test_schemathesis_finds_nothing_while_open(service):
    code, output = schemathesis(service.url)
    assert code == 0, output[-6000:]
    assert generated(output) > 1000, output[-2000:]  # the fuzzer really ran
    assert service.process.poll() is None


def test_schemathesis_finds_nothing_with_a_key(service):
    key = service.create_key("fuzzer")
    code, output = schemathesis(service.url, f"X-API-Key: {key}")
    assert code == 0, output[-6000:]
    assert generated(output) > 1000, output[-2000:]
    assert service.process.poll() is None
