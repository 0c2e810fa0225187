"""A class on one server: JupyterHub for a workshop, started by ``python kit.py hub``.

- **Proxy**: ``configurable-http-proxy``, pinned by ``classroom/hub/package-lock.json`` and
  installed into the project with ``npm ci``.
- **Log-in**: one shared class password for the learners (8+ characters), a separate admin
  password (32+ characters) for the instructor's account; user names are checked against
  :data:`~classroom.hub_spawner.USERNAME_PATTERN`.
- **Servers**: :class:`~classroom.hub_spawner.CourseSpawner` (a system account, a private home
  with the student notebooks, memory and CPU limits enforced by cgroups), opening lesson 00.
- **Services**: the idle culler (``jupyterhub-idle-culler``) and the class progress view
  (:mod:`classroom.hub_progress`).
- **State**: the hub's SQLite database, cookie secret, settings and log in one folder the
  instructor chooses.

The learners' servers never read the instructor's checkout (often a private home): they run an
environment made from a system Python and a root-owned copy of the course and its data, both
under ``/opt/ai-business-course`` (:mod:`classroom.hub_install`).

Restarting with the same state folder keeps the class password, the instructor's password and the
API token; everything the hub and the learners' servers print goes to the terminal and to
``hub.log`` in the state folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.config import REPO_ROOT, RUNTIME_ENV
from course.errors import CourseError
from course.setup.lab_setup import launch_config_dir

HUB_FOLDER = REPO_ROOT / "classroom" / "hub"
CONFIG_FILE = HUB_FOLDER / "jupyterhub_config.py"
PROXY = HUB_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
SETTINGS_ENV = "COURSE_HUB_SETTINGS"
SETTINGS_FILE = "hub-settings.json"
LOG_FILE = "hub.log"
#: What a restart with the same state folder keeps (the README promises it).
KEPT = ("password", "admin_password", "api_token")
IDLE_TIMEOUT = 3600


def default_limits() -> tuple[int, float]:
    """Per-learner memory (bytes) and CPU limits: the same as the Kubernetes values, derived from
    the measured budget by :func:`classroom.resources.pod_resources` (the server plus the two
    heaviest kernels, at most Binder's 2 GiB; one CPU per single-threaded kernel)."""
    from classroom.resources import load_budget, pod_resources

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
    course_dir: str = ""
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
        path = folder / SETTINGS_FILE
        path.touch(mode=0o600)
        os.chmod(path, 0o600)
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> HubSettings:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))

    def keep_secrets(self, password_given: bool = False) -> bool:
        """Take the passwords and the API token of the last session in the same state folder
        (the class password only if none was given); returns whether there was one."""
        path = Path(self.state) / SETTINGS_FILE
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        for name in KEPT:
            if isinstance(before.get(name), str) and not (name == "password" and password_given):
                setattr(self, name, before[name])
        return True


def landing_page(handler) -> str:
    """Where the hub sends someone who logs in: the instructors to the admin page (they have no
    server, see :mod:`classroom.hub_spawner`), learners to their own server (JupyterHub's
    default, "")."""
    user = handler.current_user
    return handler.hub.base_url + "admin" if user is not None and user.admin else ""


def configure(c, settings: HubSettings) -> None:
    """Fill JupyterHub's config object ``c`` from ``settings`` (``classroom/hub/
    jupyterhub_config.py`` calls this; settings after the call override it)."""
    from classroom.hub_spawner import USERNAME_PATTERN, CourseSpawner

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
    c.JupyterHub.default_url = landing_page
    learners = Path(settings.learner_env) / "bin"
    c.Spawner.cmd = [str(learners / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab/tree/00_start_here.ipynb"
    # (each learner's lesson-04 service answers only its own account: course/service/peers.py)
    c.Spawner.environment = {
        **RUNTIME_ENV,
        "JUPYTERHUB_ACTIVITY_INTERVAL": "60",
        "COURSE_SERVICE_SAME_ACCOUNT": "1",
        "PATH": f"{learners}:{settings.course_dir}/bin:/usr/bin:/bin",
        # (the terminal's non-login shell: Debian's /etc/profile resets PATH)
        "JUPYTER_CONFIG_PATH": str(launch_config_dir(settings.learner_env)),
        "PYTHONPATH": settings.course_dir,
    }  # (root's copy, never the checkout)
    c.Spawner.start_timeout, c.Spawner.http_timeout = 180, 120
    c.CourseSpawner.home_root = settings.home_root
    c.CourseSpawner.course_dir = settings.course_dir
    c.CourseSpawner.data_dir = str(Path(settings.course_dir) / "data")
    c.CourseSpawner.mem_limit_bytes = settings.mem_limit
    c.CourseSpawner.cpu_limit_cpus = settings.cpu_limit
    c.JupyterHub.last_activity_interval = 60
    python = sys.executable
    c.JupyterHub.services = [
        {
            "name": "idle-culler",
            "command": [
                python,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={settings.idle_timeout}",
            ],
        },
        {
            "name": "progress",
            "url": f"http://127.0.0.1:{settings.progress_port}",
            "command": [
                python,
                "-m",
                "classroom.hub_progress",
                "--home-root",
                settings.home_root,
                "--admins",
                settings.admin,
            ],
            "environment": {"PYTHONPATH": str(REPO_ROOT)},  # (the classroom package: the checkout)
            "oauth_no_confirm": True,
            "display": True,
        },
        {"name": "course-kit", "api_token": settings.api_token},
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "idle-culler",
            "services": ["idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        },
        {
            "name": "course-kit",
            "services": ["course-kit"],
            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
        },
        {
            "name": "progress-readers",
            "users": [settings.admin],
            "scopes": ["access:services!service=progress"],
        },
    ]


def ensure_proxy(log=print) -> Path:
    """``configurable-http-proxy`` at the version ``classroom/hub/package-lock.json`` pins."""
    if not PROXY.exists():
        if not shutil.which("npm"):
            raise CourseError(
                "The hub's proxy needs Node.js and npm: install them (for example "
                "`apt install nodejs npm`), then run this again."
            )
        log("[hub] installing configurable-http-proxy from classroom/hub/package-lock.json")
        subprocess.run(
            ["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=HUB_FOLDER, check=True
        )
    return PROXY


def ensure_shared_models(log=print) -> None:
    """Lesson 06's trained models, made once for the whole class (learners cannot write to the
    repository's artifacts folder, where lesson 06 reads them)."""
    from course.build_once import build_once
    from course.scale import grids

    # The notebooks' own lock (grids.ensure_cache): a learner's lesson 06 never trains them twice.
    build_once(
        grids.model_paths(),
        grids.build_lock(),
        [sys.executable, "-m", "course", "extension", "build", "--models-only"],
        timeout=1800,
        error="Training lesson 06's models for the class failed",
        announce=lambda: log("[hub] training lesson 06's models once for the class (about 30 s)"),
    )


def prepare(settings: HubSettings, log=print) -> Path:
    """Everything the hub needs before it starts; returns the saved settings' path."""
    if os.geteuid() != 0:
        raise CourseError(
            "The class hub creates one system account per learner, so it runs as "
            "root (for example `sudo python3 kit.py hub`)."
        )
    if shutil.which("useradd") is None:
        raise CourseError("The class hub needs `useradd` (Linux) to create the learners' accounts.")
    from classroom.hub_install import course_copy, learner_environment

    ensure_proxy(log)
    settings.learner_env = settings.learner_env or str(learner_environment(log))
    ensure_shared_models(log)
    if not settings.data_dir:
        from course.config import data_dir

        settings.data_dir = str(data_dir())
    settings.course_dir = str(course_copy(Path(settings.data_dir), log=log))
    return settings.save()


def hub_command(settings_path: Path) -> tuple[list[str], dict]:
    """The command and environment that start JupyterHub with ``settings_path``."""
    env = {
        **os.environ,
        SETTINGS_ENV: str(settings_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # (the hub imports this package, never installed: it runs from the checkout)
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)], env


def welcome(settings: HubSettings) -> str:
    return "\n".join(
        [
            f"The class hub: {settings.url}",
            f"  learners: any name ({'a-z, 0-9'}), class password {settings.password}",
            f"  instructor: {settings.admin}, password {settings.admin_password}",
            f"  class progress: {settings.url}services/progress/",
            f"  state (database, settings, log): {settings.state}",
            f"  log: {Path(settings.state) / LOG_FILE}",
        ]
    )


def run(settings: HubSettings) -> int:
    """Prepare, then run the hub in the foreground until Ctrl+C or SIGTERM (it stops every
    learner's server, and everything each started); what it prints goes to the terminal and to
    the state folder's log."""
    path = prepare(settings)
    command, env = hub_command(path)
    log_path = Path(settings.state) / LOG_FILE
    log_path.touch(mode=0o600)
    with log_path.open("ab") as log:
        print(welcome(settings), flush=True)  # (the passwords: on the terminal, not in the log)
        # Ctrl+C reaches the hub itself (same process group); SIGTERM is passed on to it. Either
        # way the hub stops every server, and this keeps logging until it has finished. (A
        # handler, not SIG_IGN: an ignored SIGINT, as in `hub &` from a script, would be
        # inherited by the hub's services, and the hub waits 30 s for each to stop.)
        signal.signal(signal.SIGINT, lambda *_: None)
        process = subprocess.Popen(
            command, cwd=settings.state, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        signal.signal(signal.SIGTERM, lambda *_: process.send_signal(signal.SIGTERM))
        out = sys.stdout.buffer
        for line in iter(process.stdout.readline, b""):
            log.write(line)
            log.flush()
            try:
                out.write(line)
                out.flush()
            except OSError:
                pass  # (a closed terminal: the log still gets it)
        return process.wait()
