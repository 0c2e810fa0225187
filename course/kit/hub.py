"""A class on one server: JupyterHub for a workshop, started by ``python kit.py hub``.

- **Proxy**: ``configurable-http-proxy``, pinned by ``classroom/hub/package-lock.json`` and
  installed into the project with ``npm ci``.
- **Log-in**: one shared class password for the learners (8+ characters), a separate admin
  password (32+ characters) for the instructor's account; user names are checked against
  :data:`~course.kit.hub_spawner.USERNAME_PATTERN`.
- **Servers**: :class:`~course.kit.hub_spawner.CourseSpawner` (a system account, a private home
  with the student notebooks, memory and CPU limits enforced by cgroups), opening lesson 00.
- **Services**: the idle culler (``jupyterhub-idle-culler``) and the class progress view
  (:mod:`course.kit.hub_progress`).
- **State**: the hub's SQLite database, cookie secret, settings and log in one folder the
  instructor chooses.

The learners' servers need a Python they can run: the course's own ``.venv`` when its Python is
readable by other accounts, else one made from a system Python under ``/opt/ai-business-course``
(once per machine and lock version).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.config import REPO_ROOT, RUNTIME_ENV, SUPPORTED_PYTHONS, lock_file
from course.errors import CourseError

HUB_FOLDER = REPO_ROOT / "classroom" / "hub"
CONFIG_FILE = HUB_FOLDER / "jupyterhub_config.py"
PROXY = HUB_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
#: Where the learners' environment is made when the course's own Python is private (module docs).
LEARNER_ENVS = Path("/opt/ai-business-course")
SETTINGS_ENV = "COURSE_HUB_SETTINGS"
IDLE_TIMEOUT = 3600


def default_limits() -> tuple[int, float]:
    """Per-learner memory (bytes) and CPU limits: the same as the Kubernetes values, derived from
    the measured budget by :func:`course.kit.resources.pod_resources` (the server plus the two
    heaviest kernels, at most Binder's 2 GiB; one CPU per single-threaded kernel)."""
    from course.kit.resources import load_budget, pod_resources

    resources = pod_resources(load_budget())
    return resources.memory_limit_mib * 2**20, float(resources.cpu_limit)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class HubSettings:
    """Everything the hub's configuration file needs; saved in the state folder (mode 0600)."""

    state: str
    port: int = 8000
    ip: str = "127.0.0.1"
    home_root: str = "/home"
    data_dir: str = ""
    learner_env: str = ""
    admin: str = "instructor"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    api_token: str = field(default_factory=lambda: secrets.token_hex(32))
    mem_limit: int = field(default_factory=lambda: default_limits()[0])
    cpu_limit: float = field(default_factory=lambda: default_limits()[1])
    idle_timeout: int = IDLE_TIMEOUT
    hub_port: int = field(default_factory=free_port)
    proxy_api_port: int = field(default_factory=free_port)
    progress_port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/"

    def save(self) -> Path:
        folder = Path(self.state)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        path = folder / "hub-settings.json"
        path.touch(mode=0o600)
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> HubSettings:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def configure(c, settings: HubSettings) -> None:
    """Fill JupyterHub's config object ``c`` from ``settings`` (``classroom/hub/
    jupyterhub_config.py`` calls this; settings after the call override it)."""
    from course.kit.hub_spawner import USERNAME_PATTERN, CourseSpawner

    state = Path(settings.state)
    c.JupyterHub.ip, c.JupyterHub.port = settings.ip, settings.port
    c.JupyterHub.hub_ip, c.JupyterHub.hub_port = "127.0.0.1", settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = [str(PROXY)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = settings.password
    c.SharedPasswordAuthenticator.admin_password = settings.admin_password
    c.Authenticator.admin_users = {settings.admin}
    c.Authenticator.username_pattern = USERNAME_PATTERN
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = CourseSpawner
    c.Spawner.cmd = [str(Path(settings.learner_env) / "bin" / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab/tree/00_start_here.ipynb"
    # (each learner's lesson-04 service answers only its own account: course/service/peers.py)
    c.Spawner.environment = {**RUNTIME_ENV, "JUPYTERHUB_ACTIVITY_INTERVAL": "60",
                             "COURSE_SERVICE_SAME_ACCOUNT": "1",
                             "PYTHONPATH": str(REPO_ROOT)}  # (this checkout's course package)
    c.Spawner.start_timeout, c.Spawner.http_timeout = 180, 120
    c.CourseSpawner.home_root = settings.home_root
    c.CourseSpawner.data_dir = settings.data_dir
    c.CourseSpawner.mem_limit_bytes = settings.mem_limit
    c.CourseSpawner.cpu_limit_cpus = settings.cpu_limit
    c.JupyterHub.last_activity_interval = 60
    python = sys.executable
    c.JupyterHub.services = [
        {"name": "idle-culler",
         "command": [python, "-m", "jupyterhub_idle_culler", f"--timeout={settings.idle_timeout}"]},
        {"name": "progress", "url": f"http://127.0.0.1:{settings.progress_port}",
         "command": [python, "-m", "course.kit.hub_progress", "--home-root", settings.home_root,
                     "--admins", settings.admin],
         "oauth_no_confirm": True, "display": True},
        {"name": "course-kit", "api_token": settings.api_token},
    ]  # fmt: skip
    c.JupyterHub.load_roles = [
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
        {"name": "course-kit", "services": ["course-kit"], "scopes": ["admin:users", "admin:servers",
                                                                     "tokens", "access:servers"]},
        {"name": "progress-readers", "users": [settings.admin],
         "scopes": ["access:services!service=progress"]},
    ]  # fmt: skip


def runnable_by_others(python: Path) -> bool:
    """Whether an unprivileged account (``nobody``) can run ``python`` with its own standard
    library (a Python whose home it cannot read may start with another Python's library)."""
    if os.geteuid() != 0:
        return True  # (not root: the servers run as this same account)
    probe = ["-c", "import sys, json; print(sys.base_prefix)"]
    try:
        mine = subprocess.run([str(python), *probe], capture_output=True, text=True, timeout=30)
        theirs = subprocess.run([str(python), *probe], user="nobody", capture_output=True,
                                text=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return theirs.returncode == 0 and theirs.stdout == mine.stdout


def system_python() -> Path | None:
    """A supported Python of the system that other accounts can run (newest first)."""
    for major, minor in reversed(SUPPORTED_PYTHONS):
        for folder in ("/usr/bin", "/usr/local/bin"):
            candidate = Path(folder) / f"python{major}.{minor}"
            if candidate.exists() and runnable_by_others(candidate):
                return candidate
    return None


def learner_environment(log=print) -> Path:
    """The virtual environment the learners' servers run in (module docs); made when needed.

    Made from the locks alone (the course itself is put on the servers' ``PYTHONPATH``, see
    :func:`configure`), so one environment serves every checkout with the same locks: it lives
    in :data:`LEARNER_ENVS`, named after the locks' digest, and is made once per machine."""
    import hashlib

    here = Path(sys.prefix)
    if runnable_by_others(here / "bin" / "python"):
        return here
    locks = [lock_file(), lock_file("hub")]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in locks)).hexdigest()
    target = LEARNER_ENVS / f"learners-{digest[:12]}"
    stamp = target / ".course-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return target
    python = system_python()
    if python is None:
        raise CourseError("The learners' servers need a Python that every account can run "
                          f"(this one, under {sys.base_prefix}, is private). Install python3 "
                          "from the system's packages, then run this again.")  # fmt: skip
    log(f"[hub] making the learners' environment {target} from {python} (about 2 minutes, once)")
    old = os.umask(0o022)
    try:
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([str(python), "-m", "venv", str(target)], check=True)
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet",
               "--disable-pip-version-check"]  # fmt: skip
        subprocess.run([*pip, *[a for p in locks for a in ("-r", str(p))]], check=True)
    finally:
        os.umask(old)
    stamp.write_text(digest)
    return target


def ensure_proxy(log=print) -> Path:
    """``configurable-http-proxy`` at the version ``classroom/hub/package-lock.json`` pins."""
    if not PROXY.exists():
        if not shutil.which("npm"):
            raise CourseError("The hub's proxy needs Node.js and npm: install them (for example "
                             "`apt install nodejs npm`), then run this again.")  # fmt: skip
        log("[hub] installing configurable-http-proxy from classroom/hub/package-lock.json")
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=HUB_FOLDER,
                       check=True)  # fmt: skip
    return PROXY


def ensure_shared_models(log=print) -> None:
    """Lesson 06's trained models, made once for the whole class (learners cannot write to the
    repository's artifacts folder, where lesson 06 reads them)."""
    from course.scale import grids

    if not all((grids.folder() / name).exists() for name in grids.MODEL_FILES):
        log("[hub] training lesson 06's models once for the class (about 30 s)")
        subprocess.run([sys.executable, "-m", "course.scale.grids", "--models-only"], check=True,
                       capture_output=True)  # fmt: skip


def prepare(settings: HubSettings, log=print) -> Path:
    """Everything the hub needs before it starts; returns the saved settings' path."""
    if os.geteuid() != 0:
        raise CourseError("The class hub creates one system account per learner, so it runs as "
                         "root (for example `sudo python3 kit.py hub`).")  # fmt: skip
    if shutil.which("useradd") is None:
        raise CourseError("The class hub needs `useradd` (Linux) to create the learners' accounts.")
    ensure_proxy(log)
    settings.learner_env = settings.learner_env or str(learner_environment(log))
    ensure_shared_models(log)
    if not settings.data_dir:
        from course.config import data_dir

        settings.data_dir = str(data_dir())
    return settings.save()


def hub_command(settings_path: Path) -> tuple[list[str], dict]:
    """The command and environment that start JupyterHub with ``settings_path``."""
    env = {**os.environ, SETTINGS_ENV: str(settings_path),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)], env


def welcome(settings: HubSettings) -> str:
    return "\n".join([
        f"The class hub: {settings.url}",
        f"  learners: any name ({'a-z, 0-9'}), class password {settings.password}",
        f"  instructor: {settings.admin}, password {settings.admin_password}",
        f"  class progress: {settings.url}services/progress/",
        f"  state (database, settings, log): {settings.state}",
    ])  # fmt: skip


def run(settings: HubSettings) -> int:
    """Prepare, then run the hub in the foreground until Ctrl+C (it stops every server)."""
    path = prepare(settings)
    command, env = hub_command(path)
    print(welcome(settings), flush=True)
    process = subprocess.Popen(command, cwd=settings.state, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return process.wait()  # (the hub got the Ctrl+C too and cleans up)
