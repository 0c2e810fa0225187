"""``course doctor``: every check passes here and fails (with a fix) on a broken set-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from course.setup import doctor


def test_python():
    for supported in [(3, 11, 7), (3, 12, 1), (3, 13, 0)]:
        assert doctor.check_python(supported).status == "ok", supported
    for unsupported in [(3, 10, 14), (3, 14, 0)]:
        broken = doctor.check_python(unsupported)
        assert broken.status == "fail" and "3.13" in broken.fix, unsupported
        assert "3.11, 3.12, 3.13" in broken.detail


@pytest.mark.pinned
def test_packages_against_the_lock():
    assert doctor.check_packages().status == "ok"
    versions = {"numpy": "2.4.6", "pandas": "3.1.1"}
    broken = doctor.check_packages(versions, installed=lambda n: {"numpy": "1.26.4"}.get(n))
    assert broken.status == "fail"
    assert "numpy 1.26.4 (want 2.4.6)" in broken.detail and "pandas missing" in broken.detail
    assert "kit.py" in broken.fix


def test_kernel_pointing_at_another_python(tmp_path, monkeypatch):
    assert doctor.check_kernel().status == "ok"
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    "/opt/other/bin/python",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "Other",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    broken = doctor.check_kernel()
    assert broken.status == "warn" and "/opt/other/bin/python" in broken.detail


def test_widgets_extension(tmp_path):
    assert doctor.check_widgets().status == "ok"
    assert doctor.check_widgets([str(tmp_path)]).status == "fail"


def test_data(data_copy):
    assert doctor.check_data(data_copy).status == "ok"
    (data_copy / "german_credit_g.csv").write_text("x")
    (data_copy / "owid_private_investment_in_ai.csv").unlink()
    broken = doctor.check_data(data_copy)
    assert broken.status == "fail"
    assert "corrupted: german_credit" in broken.detail and "missing: ai_investment" in broken.detail
    assert broken.fix == "`course data fetch --force german_credit`"


def test_memory():
    assert doctor.check_memory(8 * 1024**3).status == "ok"
    assert doctor.check_memory(1 * 1024**3).status == "warn"
    assert doctor.available_memory() > 0


def test_folders(tmp_path, data_copy):
    assert doctor.check_folders(data_copy, tmp_path / "progress").status == "ok"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    broken = doctor.check_folders(data_copy, blocker / "progress")
    assert broken.status == "fail" and "not writable" in broken.detail


def test_tensorflow_import_failure_is_reported(tmp_path):
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\necho 'ModuleNotFoundError: No module named tensorflow' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    broken = doctor.check_tensorflow(str(fake))
    assert broken.status == "fail" and "No module named tensorflow" in broken.detail


@pytest.mark.pinned
def test_cli_exit_status_follows_the_checks(data_copy):
    env = {**os.environ, "COURSE_DATA_DIR": str(data_copy)}
    ok = subprocess.run(
        [sys.executable, "-m", "course", "doctor", "--no-tf"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "0 failed" in ok.stdout
    (data_copy / "german_credit_g.csv").write_text("x")
    broken = subprocess.run(
        [sys.executable, "-m", "course", "doctor", "--no-tf"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 1
    assert "[FAIL] data" in broken.stdout and "fix: `course data fetch --force" in broken.stdout
