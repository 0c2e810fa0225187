"""Per-learner memory and CPU for a hub, derived from the measured budgets.

``instructors/budget.json`` holds each notebook's run time and its kernel's peak resident memory
as ``python -m authoring instructors build --measure`` measured them. With the servers' own
memory measured on this stack (``MEASURED-FACTS.md``: JupyterHub on this stack),
:func:`pod_resources` gives the memory and CPU guarantee and limit of one learner's server; the
Kubernetes values file
(``classroom/kubernetes/values.yaml``) states them and ``tests/test_kubernetes_values.py`` checks
that they agree. ``python -m classroom resources`` prints the arithmetic the README quotes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course import config

BUDGET_FILE = config.REPO_ROOT / "instructors" / "budget.json"
#: Resident memory of an idle ``jupyterhub-singleuser`` server (JupyterLab), in MiB, measured
#: on this stack (2026-12-01): a learner's server holds it beside every kernel.
SERVER_MIB = 133
#: Lesson 04's web service (NumPy backend, its own process beside the kernel), in MiB.
SERVICE_MIB = 60
SERVICE_NOTEBOOK = "04_model_service.ipynb"
#: Memory is granted in steps of this many MiB (the figures are measured, not exact).
STEP_MIB = 64
#: mybinder.org's memory limit per session, in MiB: the limit here never exceeds it, so a
#: notebook that runs on Binder runs on the hub, and the reverse.
BINDER_LIMIT_MIB = 2048
#: On a node full of learners all running the heaviest lesson at once, each must still finish it
#: within this many times the course's time budget per notebook.
CROWDED_SLOWDOWN = 2.0
CPU_STEP = 0.05


@dataclass(frozen=True)
class PodResources:
    """One learner's server: what Kubernetes reserves for it and what it may use at most.

    Attributes
    ----------
    memory_guarantee_mib, memory_limit_mib
        Memory reserved for the pod, and the most it may use (the kernel is OOM-killed above).
    cpu_guarantee, cpu_limit
        CPUs reserved, and the most the pod may use (a quota: beyond it, it is slowed).
    arithmetic
        How each figure follows from the measured numbers, one line each.
    """

    memory_guarantee_mib: int
    memory_limit_mib: int
    cpu_guarantee: float
    cpu_limit: float
    arithmetic: tuple[str, ...]

    def values(self) -> dict[str, dict[str, Any]]:
        """``singleuser.memory`` and ``singleuser.cpu`` as the Zero to JupyterHub chart takes
        them (JupyterHub reads ``M`` as MiB: its byte sizes count K, M, G in powers of 1024)."""
        return {
            "memory": {
                "guarantee": f"{self.memory_guarantee_mib}M",
                "limit": f"{self.memory_limit_mib}M",
            },
            "cpu": {"guarantee": self.cpu_guarantee, "limit": self.cpu_limit},
        }


def load_budget(path: Path | None = None) -> dict[str, Any]:
    """The measured budget (``instructors/budget.json`` unless ``path`` is given)."""
    return json.loads(Path(path or BUDGET_FILE).read_text(encoding="utf-8"))


def _round_up(value: float, step: float) -> float:
    return math.ceil(round(value / step, 9)) * step


def pod_resources(budget: dict[str, Any]) -> PodResources:
    """The memory and CPU of one learner's server, from a measured budget.

    - Memory guarantee: the server plus the heaviest notebook's kernel (with lesson 04's service
      counted beside its kernel), rounded up to 64 MiB: one learner running any lesson fits in
      what is reserved.
    - Memory limit: the server plus the two heaviest kernels at once (a learner who leaves one
      lesson running and opens the next, or runs a lesson beside its solution), rounded up to
      64 MiB, and never above Binder's 2 GiB.
    - CPU limit: the most threads one kernel runs (the course's runtime environment sets every
      thread count), since a kernel cannot use more CPUs than it has threads.
    - CPU guarantee: enough that the heaviest notebook, run by every learner of a full node at
      the same moment, still finishes within twice the course's 60 s budget.

    Parameters
    ----------
    budget
        ``instructors/budget.json`` as :func:`load_budget` reads it.

    Returns
    -------
    PodResources
        The four figures and the arithmetic behind each.
    """
    from authoring.budget import MAX_SECONDS

    kernels = {
        name: mib + (SERVICE_MIB if name.endswith(SERVICE_NOTEBOOK) else 0)
        for name, mib in budget["peak_rss_mb"].items()
    }
    ranked = sorted(kernels.items(), key=lambda item: (-item[1], item[0]))
    (first, first_mib), (second, second_mib) = ranked[0], ranked[1]
    one = SERVER_MIB + first_mib
    guarantee = int(_round_up(one, STEP_MIB))
    two = SERVER_MIB + first_mib + second_mib
    limit = int(min(_round_up(two, STEP_MIB), BINDER_LIMIT_MIB))
    threads = max(int(config.RUNTIME_ENV[name]) for name in config.THREAD_VARIABLES)
    slowest, seconds = max(budget["seconds"].items(), key=lambda item: (item[1], item[0]))
    share = seconds / (CROWDED_SLOWDOWN * MAX_SECONDS)
    cpu_guarantee = round(_round_up(share, CPU_STEP), 2)
    arithmetic = (
        f"memory guarantee = server {SERVER_MIB} MiB + heaviest kernel {first_mib} MiB ({first})"
        f" = {one} MiB, rounded up to {STEP_MIB} MiB: {guarantee} MiB",
        f"memory limit = server {SERVER_MIB} MiB + two heaviest kernels {first_mib} + "
        f"{second_mib} MiB ({first}, {second}) = {two} MiB, rounded up to {STEP_MIB} MiB "
        f"(at most Binder's {BINDER_LIMIT_MIB}): {limit} MiB",
        f"cpu limit = threads per kernel (the course's runtime environment): {threads} CPU",
        f"cpu guarantee = heaviest run {seconds} s ({slowest}) / ({CROWDED_SLOWDOWN:g} x "
        f"{MAX_SECONDS:g} s budget) = {share:.3f}, rounded up to {CPU_STEP}: {cpu_guarantee} CPU",
    )
    return PodResources(guarantee, limit, cpu_guarantee, float(threads), arithmetic)


def learners_per_node(
    resources: PodResources,
    memory_gib: float,
    cpus: float,
    reserved_mib: int = 1024,
    reserved_cpu: float = 0.5,
) -> int:
    """How many learners' servers a node schedules: by the guarantees, after what the node
    keeps for Kubernetes itself (``reserved_*``; the hub and proxy pods count among learners')."""
    by_memory = (memory_gib * 1024 - reserved_mib) // resources.memory_guarantee_mib
    by_cpu = math.floor(round((cpus - reserved_cpu) / resources.cpu_guarantee, 9))
    return int(max(0, min(by_memory, by_cpu)))


def main() -> None:
    """Print the figures and their arithmetic (the README quotes this output)."""
    resources = pod_resources(load_budget())
    for line in resources.arithmetic:
        print(line)
