"""The code's three audiences stay apart: the learners' package (``course``), the authors' tools
(``authoring``) and the class hub (``classroom``).

- No import cycle anywhere (an import inside a function counts: it runs too).
- ``course`` imports neither of the others, and nothing a learner's environment lacks: each
  package it imports is in the standard library or pinned in ``requirements.lock``.
- ``classroom`` imports only what the hub's environment has (the learners' lock and
  ``requirements-hub.lock``); ``authoring`` only what some lock of the project pins.
- What a learner installs (the wheel pip builds, Binder's ``pip install -e .``, the hub's copy
  of the course) carries ``course`` alone.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import pytest

from course.config import REPO_ROOT

PACKAGES = ("course", "authoring", "classroom")
#: Imported only where the course runs on Google Colab (``google.colab``, inside a check).
ONLY_ON_COLAB = {"google"}


def modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            if (
                "__pycache__" in parts
                or "node_modules" in parts
                or parts[:2] == ("classroom", "hub")
            ):
                continue
            found[".".join(parts).removesuffix(".__init__")] = path
    return found


def imported_names(path: Path) -> set[str]:
    """The dotted names ``path`` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the project's modules it imports (a package's own ``__init__`` left out)."""
    known = modules()
    graph = defaultdict(set)
    for name, path in known.items():
        for target in imported_names(path):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                on_stack.discard(member)
                component.append(member)
            on_stack.discard(node)
            if component:
                found.append(sorted([node, *component]))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_planted_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_learners_package_imports_neither_authors_nor_classroom_code():
    graph = import_graph()
    crossing = sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        if a.split(".")[0] == "course"
        for b in targets
        if b.split(".")[0] != "course"
    )
    assert crossing == []


def locked(*locks: str) -> set[str]:
    """The normalised names of the distributions ``locks`` pin."""
    names = set()
    for lock in locks:
        for line in (REPO_ROOT / lock).read_text(encoding="utf-8").splitlines():
            if match := re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", line):
                names.add(re.sub(r"[-_.]+", "-", match[1]).lower())
    return names


def third_party(package: str) -> dict[str, set[str]]:
    """Top-level module names ``package`` imports that are neither the standard library nor the
    project's own -> the modules importing each."""
    found = defaultdict(set)
    for name, path in modules().items():
        if name.split(".")[0] != package:
            continue
        for target in imported_names(path):
            top = target.split(".")[0]
            if top not in sys.stdlib_module_names and top not in PACKAGES and top != "__future__":
                found[top].add(name)
    return found


def unpinned(package: str, *locks: str) -> dict[str, set[str]]:
    """The imports of ``package`` no distribution in ``locks`` provides."""
    provides = metadata.packages_distributions()
    pinned = locked(*locks)

    def distributions(top: str) -> set[str]:  # (one not installed here: nbgrader, its own env)
        return {re.sub(r"[-_.]+", "-", d).lower() for d in provides.get(top, [top])}

    return {
        top: users
        for top, users in third_party(package).items()
        if top not in ONLY_ON_COLAB and not distributions(top) & pinned
    }


def test_the_learners_package_imports_only_what_the_learners_lock_installs():
    assert third_party("course"), "the scan found no import at all"
    assert unpinned("course", "requirements.lock") == {}


def test_the_hubs_code_imports_only_what_the_hubs_environment_has():
    assert "jupyterhub" in third_party("classroom")
    assert unpinned("classroom", "requirements.lock", "requirements-hub.lock") == {}


def test_the_authors_tools_import_only_pinned_packages():
    locks = (
        "requirements.lock",
        "requirements-test.lock",
        "requirements-hub.lock",
        "requirements-nbgrader.lock",
        "requirements-site.lock",
    )
    assert unpinned("authoring", *locks) == {}


def test_an_import_outside_the_lock_is_caught(monkeypatch):
    """The check above can fail: nbgrader (the instructors' lock) is not a learner's."""
    assert "nbgrader" in third_party("authoring")
    assert "nbgrader" in unpinned("authoring", "requirements.lock")


def test_a_learners_wheel_carries_the_course_alone(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO_ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"course"}


def test_the_hub_gives_its_learners_the_course_alone():
    from classroom.hub_install import COURSE_PARTS

    assert "course" in COURSE_PARTS
    assert not {"authoring", "classroom"} & {part.split("/")[0] for part in COURSE_PARTS}


@pytest.mark.parametrize("package", ["authoring", "classroom"])
def test_the_learners_environment_does_not_install_the_other_parts(package):
    """Binder's ``pip install -e .`` and ``kit.py setup`` map ``course`` alone: ``authoring``
    and ``classroom`` import only from a checkout's folder, never from site-packages."""
    code = f"import importlib.util, os; os.chdir('/'); print(importlib.util.find_spec({package!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert done.stdout.strip() == "None"
