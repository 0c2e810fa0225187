"""The course's JupyterLab, configured once per environment: one kernel, quiet, links that land.

Every place a learner opens the course (``kit.py lab`` on a laptop, Binder, the class hub) runs
JupyterLab from an environment that holds the course; this module writes three small files into
that environment's prefix (``sys.prefix``), so they apply there and nowhere else:

- ``share/jupyter/kernels/python3/kernel.json``: the kernel the notebooks select (their metadata
  names ``python3``), running this environment's Python, shown as *Python 3.x (AI business
  course)*. It replaces the generic spec ipykernel ships in the same place. With
  :func:`lab_environment`'s ``JUPYTER_PATH`` a user-level ``python3`` kernel of another Python
  cannot shadow it, and the server offers no other kernel (``allowed_kernelspecs``), so a learner
  cannot pick a wrong one.
- ``etc/jupyter/jupyter_server_config.json`` (merged into what the file already holds): the
  server's side of that (allowed kernels), and CurveZMQ transport encryption between the server
  and its kernels (without it every kernel logs that its traffic is "susceptible to
  eavesdropping"). Not a file in ``jupyter_server_config.d/``: the server reads only
  ``jpserver_extensions`` from those.
- ``share/jupyter/lab/settings/overrides.json``: no news prompt over the first screen, and
  Markdown files open as rendered pages, so a glossary link lands on its term.
- ``etc/jupyter/course-lab/jupyter_server_config.json`` (not on Windows), read only by the servers
  ``course lab`` starts (:func:`lab_environment`'s ``JUPYTER_CONFIG_PATH``): the Lab terminal's
  shell is not a login shell, as when ``jupyter lab`` runs in a terminal. When the server's output
  is not a terminal (a log file, a desktop launcher), jupyter_server_terminals starts
  ``$SHELL -l``, whose ``/etc/profile`` resets ``PATH`` (``course: command not found``).

``python -m course.setup.lab_setup`` writes them (``kit.py`` set-up, Binder's ``postBuild`` and the
hub's learner environment run it); writing is idempotent.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

#: The kernel name the notebooks' metadata selects (``build --check`` keeps it so).
KERNEL_NAME = "python3"
#: What an earlier kit.py registered per user; one of these shadows nothing but shows a second,
#: possibly foreign, kernel in every Jupyter of that user, so set-up removes it.
LEGACY_KERNEL = "ai-business-course"
DISPLAY_SUFFIX = "(AI business course)"
CONFIG_NAME = "jupyter_server_config.json"
START_PAGE = "00_start_here.ipynb"

SERVER_CONFIG = {
    "KernelSpecManager": {"allowed_kernelspecs": [KERNEL_NAME]},
    "KernelManager": {"transport_encryption": "auto"},
}
LAUNCH_CONFIG = {
    "ServerApp": {
        "terminado_settings": {"shell_command": ["/bin/sh", "-c", 'exec "${SHELL:-/bin/sh}"']}
    }
}
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
}


def display_name(version: tuple[int, int] = tuple(sys.version_info[:2])) -> str:
    """``Python 3.12 (AI business course)``: what the Launcher and the kernel picker show."""
    return f"Python {version[0]}.{version[1]} {DISPLAY_SUFFIX}"


def kernel_spec(executable: str = sys.executable) -> dict:
    """The kernelspec of this environment's Python (ipykernel's own, renamed and made explicit)."""
    return {
        "argv": [executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display_name(),
        "language": "python",
        "metadata": {"debugger": True, "supported_encryption": ["curve"]},
        "kernel_protocol_version": "5.5",
    }


def jupyter_data_dir(prefix: Path | str = sys.prefix) -> Path:
    """Where an environment keeps its kernels and JupyterLab's application settings."""
    return Path(prefix) / "share" / "jupyter"


def launch_config_dir(prefix: Path | str = sys.prefix) -> Path:
    """Config that only ``course lab``'s servers read (not Binder's or the hub's)."""
    return Path(prefix) / "etc" / "jupyter" / "course-lab"


def _write_json(path: Path, value: dict) -> bool:
    """Write ``value`` to ``path`` unless it already holds it; True when the file changed."""
    text = json.dumps(value, indent=1, sort_keys=True) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _merged(path: Path, value: dict) -> dict:
    """``value``'s settings over those ``path`` already holds (other sections and keys kept)."""
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    current = current if isinstance(current, dict) else {}
    return {
        **current,
        **{
            section: {**(current.get(section) or {}), **values} for section, values in value.items()
        },
    }


def configure(prefix: Path | str = sys.prefix, executable: str = sys.executable) -> list[Path]:
    """Write the kernel, server and Lab settings into the environment at ``prefix``.

    Returns
    -------
    list of Path
        The files that changed (empty when everything was already in place).
    """
    data = jupyter_data_dir(prefix)
    server = Path(prefix) / "etc" / "jupyter" / CONFIG_NAME
    files = {
        data / "kernels" / KERNEL_NAME / "kernel.json": kernel_spec(executable),
        server: _merged(server, SERVER_CONFIG),
        data / "lab" / "settings" / "overrides.json": LAB_OVERRIDES,
    }
    if os.name != "nt":
        files[launch_config_dir(prefix) / CONFIG_NAME] = LAUNCH_CONFIG
    return [path for path, value in files.items() if _write_json(path, value)]


def remove_legacy_kernel(user_data_dir: Path | None = None) -> Path | None:
    """Remove the per-user ``ai-business-course`` kernel an earlier kit.py registered (only if
    its display name says it is the course's); returns its folder when one was removed."""
    import shutil

    if user_data_dir is None:
        from jupyter_core.paths import jupyter_data_dir as user_dir

        user_data_dir = Path(user_dir())
    folder = user_data_dir / "kernels" / LEGACY_KERNEL
    try:
        spec = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not str(spec.get("display_name", "")).endswith(DISPLAY_SUFFIX):
        return None
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def lab_environment(
    base: dict[str, str] | None = None,
    prefix: Path | str = sys.prefix,
    executable: str = sys.executable,
) -> dict[str, str]:
    """The environment the course's JupyterLab runs in: this environment's ``bin`` first on
    ``PATH`` (so ``course doctor`` works in the Lab's terminal), its Jupyter data first on
    ``JUPYTER_PATH`` (so its kernel wins over a user-level one of another Python) and
    :func:`launch_config_dir` first on ``JUPYTER_CONFIG_PATH``."""
    env = dict(os.environ if base is None else base)
    scripts = str(Path(executable).parent)
    env["PATH"] = os.pathsep.join(
        [scripts, *[p for p in env.get("PATH", "").split(os.pathsep) if p and p != scripts]]
    )
    data = str(jupyter_data_dir(prefix))
    env["JUPYTER_PATH"] = os.pathsep.join(
        [data, *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != data]]
    )
    config = str(launch_config_dir(prefix))
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [
            config,
            *[p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p and p != config],
        ]
    )
    return env


def running_server(root: Path) -> dict | None:
    """A JupyterLab already serving ``root`` for this user (its runtime file names a live
    process), or None."""
    from jupyter_server.serverapp import list_running_servers

    for info in list_running_servers():
        if Path(info.get("root_dir", "")).resolve() == root.resolve():
            return info
    return None


def launch(extra: list[str], root: Path | None = None, start_page: str = START_PAGE) -> int:
    """``course lab``: configure this environment, then open JupyterLab on the student notebooks
    at the start page (the address it prints opens that page), with ``extra`` passed on to
    ``jupyter lab``; when one already serves this course, say where instead of starting a
    second on another port."""
    import subprocess
    import webbrowser

    from course.config import REPO_ROOT, runtime_env

    root = REPO_ROOT / "notebooks" if root is None else root
    configure()
    remove_legacy_kernel()
    chosen = {option.split("=")[0] for option in extra}
    if not chosen & {"--port", "--ServerApp.port", "--ip", "--ServerApp.ip"}:
        info = running_server(root)
        if info is not None:
            url = f"{info['url'].rstrip('/')}/lab/tree/{start_page}?token={info.get('token', '')}"
            print(
                f"[lab] JupyterLab for this course is already running (process {info['pid']}): "
                f"{url}\n[lab] Opening it; to start a second one, pass --port."
            )
            if "--no-browser" not in chosen:
                webbrowser.open(url)
            return 0
    env = {**lab_environment(), **runtime_env()}
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{start_page}",
        *extra,
    ]
    return subprocess.call(command, env=env, cwd=root)


def main() -> int:
    changed = configure()
    removed = remove_legacy_kernel()
    for path in changed:
        print(f"[lab] wrote {path}")
    if removed:
        print(f"[lab] removed an earlier per-user course kernel: {removed}")
    print(f"[lab] JupyterLab of {sys.prefix} is set up for the course (kernel: {display_name()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
