"""How the class hub starts each learner's server: a real system account each, a private home
with its own copy of the student notebooks, and memory and CPU limits that are enforced.

JupyterHub's :class:`~jupyterhub.spawner.LocalProcessSpawner` runs each server as the system user
of the same name and does not enforce ``mem_limit``/``cpu_limit``. :class:`CourseSpawner` adds:

- the account ``course-<name>`` (so a learner named ``root`` is never root), created on first
  start with a home that only that account can read (``useradd -m`` makes homes 0755);
- ``~/ai-business-course/``: the student notebooks, copied once (a learner's work is never
  overwritten), with that learner's own model artifacts (a copy of the instructor's, so lesson 04
  starts without lesson 03) and progress file; the verified data is shared, read-only;
- a cgroup (v1: ``memory`` and ``cpu``) per learner that the server, its kernels and the lesson-04
  service all live in: the kernel that goes over is killed, the server and the hub survive.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Float, Integer, Unicode

from course.config import REPO_ROOT

#: The learners' user names: short, lower-case, no punctuation that a shell or path could mis-read.
USERNAME_PATTERN = r"^[a-z][a-z0-9]{1,30}$"
ACCOUNT_PREFIX = "course-"
COURSE_FOLDER = "ai-business-course"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_NAME = "course-hub"


def account_name(username: str) -> str:
    """The system account of hub user ``username`` (which the hub has already checked against
    :data:`USERNAME_PATTERN`)."""
    if not re.match(USERNAME_PATTERN, username):
        raise ValueError(f"{username!r} is not a learner name the class hub accepts")
    return ACCOUNT_PREFIX + username


def ensure_account(account: str, home_root: Path) -> pwd.struct_passwd:
    """The system account ``account``, created (no login shell, no password) if it is missing,
    with a home only it can read."""
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        home_root = home_root.resolve()
        home_root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["useradd", "--create-home", "--home-dir", str(home_root / account),
                        "--shell", "/usr/sbin/nologin", "--user-group", account],
                       check=True, capture_output=True)  # fmt: skip
        entry = pwd.getpwnam(account)
    if Path(entry.pw_dir).parent != home_root.resolve():
        raise RuntimeError(f"the account {account} exists with its home at {entry.pw_dir}, not "
                           f"under {home_root}: remove it (userdel -r {account}) or use that "
                           "home folder")  # fmt: skip
    os.chmod(entry.pw_dir, 0o700)
    return entry


def learner_accounts(home_root: Path) -> list[str]:
    """The learners' system accounts whose homes are under ``home_root``."""
    root = Path(home_root).resolve()
    return sorted(e.pw_name for e in pwd.getpwall()
                  if e.pw_name.startswith(ACCOUNT_PREFIX) and Path(e.pw_dir).parent == root)


def remove_account(account: str) -> None:
    """Delete a learner's account and home (after a workshop, or a test)."""
    if not account.startswith(ACCOUNT_PREFIX):
        raise ValueError(f"{account!r} is not a learner account")
    subprocess.run(["userdel", "--remove", account], check=False, capture_output=True)


def learner_folder(entry: pwd.struct_passwd) -> Path:
    return Path(entry.pw_dir) / COURSE_FOLDER


def copy_course(entry: pwd.struct_passwd, notebooks: Path = REPO_ROOT / "notebooks") -> Path:
    """Copy the student notebooks into the learner's course folder, leaving any notebook already
    there (the learner's work) untouched; returns the folder."""
    folder = learner_folder(entry)
    for sub in (folder, folder / "artifacts", folder / "progress"):
        sub.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(notebooks.glob("*.ipynb")):
        target = folder / notebook.name
        if not target.exists():
            shutil.copyfile(notebook, target)
    model = REPO_ROOT / "artifacts"  # lesson 03's model, built once by the instructor: lesson 04
    if model.is_dir() and not any((folder / "artifacts").iterdir()):  # then starts at once
        shutil.copytree(model, folder / "artifacts", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("usage.sqlite*"))  # (never its keys)
    for path in (folder, *folder.rglob("*")):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return folder


def cgroup_paths(account: str, root: Path = CGROUP_ROOT) -> dict[str, Path]:
    return {kind: root / kind / CGROUP_NAME / account for kind in ("memory", "cpu")}


def cgroups_available(root: Path = CGROUP_ROOT) -> bool:
    """cgroup v1 ``memory`` and ``cpu`` hierarchies that this process may write to."""
    return all(os.access(root / kind, os.W_OK) for kind in ("memory", "cpu"))


def make_cgroups(account: str, mem_limit: int, cpu_limit: float,
                 root: Path = CGROUP_ROOT) -> dict[str, Path]:  # fmt: skip
    """Create (or update) the learner's groups: ``mem_limit`` bytes (swap included where the
    kernel accounts it) and ``cpu_limit`` CPUs of quota."""
    paths = cgroup_paths(account, root)
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    (paths["memory"] / "memory.limit_in_bytes").write_text(str(mem_limit))
    swap = paths["memory"] / "memory.memsw.limit_in_bytes"
    if swap.exists():
        try:
            swap.write_text(str(mem_limit))
        except OSError:
            pass  # (swap accounting off: the memory limit alone applies)
    period = 100_000
    (paths["cpu"] / "cpu.cfs_period_us").write_text(str(period))
    (paths["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cpu_limit * period)))
    return paths


def remove_cgroups(account: str, root: Path = CGROUP_ROOT, tries: int = 20) -> None:
    """Remove the learner's groups once their processes are gone (EBUSY for a moment after)."""
    for path in cgroup_paths(account, root).values():
        for _ in range(tries):
            try:
                path.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.1)


class CourseSpawner(LocalProcessSpawner):
    """A learner's server as ``course-<name>``, in their own folder and limits (module docs)."""

    home_root = Unicode("/home", config=True, help="Where the learners' homes are created.")
    data_dir = Unicode("", config=True, help="The verified course data (read-only for learners).")
    mem_limit_bytes = Integer(0, config=True, help="Memory limit per learner (0: none).")
    cpu_limit_cpus = Float(0.0, config=True, help="CPU quota per learner (0: none).")

    @property
    def account(self) -> str:
        return account_name(self.user.name)

    def make_preexec_fn(self, name):
        setuid = set_user_setuid(self.account)
        groups = ([p / "cgroup.procs" for p in cgroup_paths(self.account).values()]
                  if self.mem_limit_bytes and cgroups_available() else [])  # fmt: skip

        def preexec() -> None:
            for procs in groups:  # join the learner's groups while still root, then drop to them
                procs.write_text(str(os.getpid()))
            setuid()

        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(self.account)
        folder = learner_folder(entry)
        env.update(USER=self.account, HOME=entry.pw_dir, SHELL="/bin/sh",
                   COURSE_ARTIFACTS_DIR=str(folder / "artifacts"),
                   COURSE_PROGRESS_DIR=str(folder / "progress"))  # fmt: skip
        if self.data_dir:
            env["COURSE_DATA_DIR"] = self.data_dir
        return env

    async def start(self):
        entry = ensure_account(self.account, Path(self.home_root))
        copy_course(entry)
        if self.mem_limit_bytes and cgroups_available():
            make_cgroups(self.account, self.mem_limit_bytes, self.cpu_limit_cpus or 1.0)
        elif self.mem_limit_bytes:
            self.log.warning("cgroups are not writable here: %s's limits are not enforced",
                             self.user.name)  # fmt: skip
        self.notebook_dir = str(learner_folder(entry))
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        if self.mem_limit_bytes and cgroups_available():
            remove_cgroups(self.account)
