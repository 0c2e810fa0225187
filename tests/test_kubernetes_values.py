"""The Zero to JupyterHub values (``classroom/kubernetes/``): valid for chart 4.4.0, resources
that agree with the measured budget, a notebook-copying hook that works, and the documented
commands (image build, TF Serving) the same as the code's."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess

import pytest
import yaml

from classroom import resources
from course import config

FOLDER = config.REPO_ROOT / "classroom" / "kubernetes"
#: The chart's own schema, from the workplace's shared folder beside the repository (not copied
#: into the project: the chart's licence and version live with it there).
SCHEMA = config.REPO_ROOT.parent / "shared" / "z2jh" / "values.schema.yaml"


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((FOLDER / "values.yaml").read_text(encoding="utf-8"))


def _without_required(schema):
    """The schema less its ``required`` lists. Helm validates the chart's defaults merged with
    this file, and the defaults supply every required key (``hub.baseUrl``, ``proxy``, ...);
    a class's values file is only the part that differs. Everything it does set is still
    checked: names (``additionalProperties: false``), types and allowed values."""
    if isinstance(schema, dict):
        return {k: _without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_required(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def validator():
    import jsonschema

    if not SCHEMA.exists():
        pytest.skip(
            f"the chart's values schema is not at {SCHEMA} (the workplace's shared "
            "folder beside the repository): nothing to validate against"
        )
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["singleuser"]["properties"]["memory"]  # the schema it should be
    return jsonschema.Draft7Validator(_without_required(schema))


def test_the_values_are_valid_for_chart_4_4_0(values, validator):
    problems = [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(values)
    ]
    assert problems == []
    assert "version 4.4.0" in (FOLDER / "values.yaml").read_text().splitlines()[0]


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("singleuser", "memmory"), {"limit": "1G"}),  # a misspelt key
        (("singleuser", "cpu", "limit"), "1"),  # a string where the chart takes a number
        (("cull", "timeout"), 3600.5),  # not an integer
        (("singleuser", "image", "tags"), "v1"),
    ],
)
def test_the_validation_refuses_what_the_chart_would(values, validator, path, bad):
    broken = copy.deepcopy(values)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    assert list(validator.iter_errors(broken)), f"{'.'.join(path)} = {bad!r} was accepted"


def test_the_resources_are_the_measured_budgets(values):
    measured = resources.pod_resources(resources.load_budget())
    single = values["singleuser"]
    assert {"memory": single["memory"], "cpu": single["cpu"]} == measured.values()
    # the arithmetic the README states is the function's own, line for line
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    for line in measured.arithmetic:
        assert line in readme
    flat = " ".join(readme.split())
    for memory, cpus in ((16, 4), (32, 8), (64, 16)):
        learners = resources.learners_per_node(measured, memory, cpus)
        assert f"{memory} GiB and {cpus} CPUs: {learners}" in flat
    comment = (FOLDER / "values.yaml").read_text(encoding="utf-8")
    for figure in (measured.memory_guarantee_mib, measured.memory_limit_mib):
        assert f"-> {figure} MiB" in comment


def test_pod_resources_follow_the_budget_they_are_given():
    budget = {
        "seconds": {"notebooks/a.ipynb": 30.0, "notebooks/b.ipynb": 90.0},
        "peak_rss_mb": {
            "notebooks/a.ipynb": 300,
            "notebooks/b.ipynb": 200,
            "notebooks/04_model_service.ipynb": 250,
        },
    }
    light = resources.pod_resources(budget)
    # 133 + 300 = 433 -> 448; two heaviest: 300 and 250 + the service's 60 = 310
    assert (light.memory_guarantee_mib, light.memory_limit_mib) == (448, 768)
    assert (light.cpu_guarantee, light.cpu_limit) == (0.75, 1.0)  # 90 / 120 = 0.75
    heavy = resources.pod_resources({**budget, "peak_rss_mb": {"a": 1500, "b": 1400}})
    assert heavy.memory_limit_mib == resources.BINDER_LIMIT_MIB  # never above Binder's
    assert heavy.values()["memory"] == {"guarantee": "1664M", "limit": "2048M"}


def test_kernels_get_the_course_runtime_and_the_data_in_the_image(values):
    env = values["singleuser"]["extraEnv"]
    assert {k: env[k] for k in config.RUNTIME_ENV} == config.RUNTIME_ENV  # as binder/start
    appendix = (FOLDER / "image-appendix.dockerfile").read_text(encoding="utf-8")
    assert f"ENV {config.DATA_DIR_ENV}={env[config.DATA_DIR_ENV]}\n" in appendix
    assert "course doctor --no-tf" in appendix.split(f"ENV {config.DATA_DIR_ENV}")[1]
    home = values["singleuser"]["storage"]["homeMountPath"]
    assert not env[config.DATA_DIR_ENV].startswith(home)  # the home volume would hide it
    start = values["singleuser"]["defaultUrl"]
    assert start == "/lab/tree/notebooks/00_start_here.ipynb"
    assert (config.REPO_ROOT / start.removeprefix("/lab/tree/")).exists()


def test_the_class_password_comes_from_a_secret(values):
    hub = values["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    refs = {name: spec["valueFrom"]["secretKeyRef"] for name, spec in hub["extraEnv"].items()}
    assert set(refs) == {"CLASS_PASSWORD", "CLASS_ADMIN_PASSWORD"}
    code = hub["extraConfig"]["classPasswords"]
    compile(code, "extraConfig", "exec")
    for name in refs:
        assert f'os.environ["{name}"]' in code
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    assert all(f"--from-literal={ref['key']}=" in readme for ref in refs.values())
    assert all(f"create secret generic {ref['name']}" in readme for ref in refs.values())
    assert values["cull"]["enabled"] and values["cull"]["timeout"] > 300  # above activity reports
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]


def test_the_post_start_hook_copies_the_notebooks_and_keeps_the_learners_edits(values, tmp_path):
    """The hook, run for real with the repository standing in for the image's /srv/course."""
    sh, flag, script = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    script = script.replace("/srv/course", str(config.REPO_ROOT))
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}

    def run() -> None:
        subprocess.run([shutil.which(sh), flag, script], env=env, check=True, timeout=30)

    run()
    notebooks = sorted(p.name for p in (config.REPO_ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (home / "notebooks").glob("*.ipynb")) == notebooks
    assert (home / "instructors" / "glossary.md").exists()  # the notebooks' links resolve
    assert not (home / "solutions").exists()
    edited = home / "notebooks" / notebooks[0]
    edited.write_text("the learner's own work")
    (home / "notebooks" / notebooks[1]).unlink()
    run()  # the next start, perhaps with a new image
    assert edited.read_text() == "the learner's own work"
    assert (home / "notebooks" / notebooks[1]).exists()  # a missing one comes back


def test_the_documented_commands_are_the_codes_own():
    from course.service import tf_serving

    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    base = "$PWD/artifacts/credit_risk"
    assert " ".join(tf_serving.docker_command(base)) in readme
    assert " ".join(tf_serving.model_server_command(base)) in readme
    builds = [line for line in readme.splitlines() if line.startswith("jupyter-repo2docker")]
    assert len(builds) == 2 and any("--push" in line for line in builds)
    for line in builds:
        for option in (
            "--no-run",
            "--user-id 1000",
            "--user-name jovyan",
            "--target-repo-dir /srv/course",
        ):
            assert option in line
    assert readme.count('--appendix "$(cat classroom/kubernetes/image-appendix.dockerfile)"') == 2
    assert "--version 4.4.0" in readme


def test_the_tf_serving_body_holds_exactly_the_signatures_inputs():
    import numpy as np

    from course.credit.features import FEATURES
    from course.service import tf_serving
    from tests.service_fixture import APPLICANT

    row = {**APPLICANT, "duration": np.int64(12), "age": np.float64(35.0), "id": 7, "default": 1}
    body = tf_serving.request_body([row])
    assert list(body["instances"][0]) == FEATURES  # the id and the label left out
    assert type(body["instances"][0]["duration"]) is int  # JSON-ready, not NumPy
    assert tf_serving.columns(body)["age"] == [35.0]
    assert set(tf_serving.expected_signature()) == set(FEATURES)
    with pytest.raises(ValueError, match="applicant 0 lacks age"):
        tf_serving.request_body([{k: v for k, v in APPLICANT.items() if k != "age"}])
    with pytest.raises(ValueError, match="no applicants"):
        tf_serving.request_body([])
