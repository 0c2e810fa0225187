"""How the class hub starts and stops each learner's server: a real system account each, a
private home with its own copy of the student notebooks, and memory and CPU limits that are
enforced.

JupyterHub's :class:`~jupyterhub.spawner.LocalProcessSpawner` runs each server as the system user
of the same name, does not enforce ``mem_limit``/``cpu_limit`` and, when it stops a server, stops
that one process only. :class:`CourseSpawner` adds:

- the account ``course-<name>`` (:mod:`classroom.hub_accounts`), created on first start with a
  home that only that account can read (``useradd -m`` makes homes 0755);
- ``~/ai-business-course/``: the student notebooks, copied once (a learner's work is never
  overwritten), with that learner's own model artifacts (a copy of the instructor's, so lesson 04
  starts without lesson 03) and progress file; the verified data is shared, read-only;
- a cgroup (v1: ``memory`` and ``cpu``) per learner that the server, its kernels and the lesson-04
  service all live in: the kernel that goes over is killed, the server and the hub survive;
- on stop (the admin page's "Stop Server", the idle culler, the hub's own shutdown): every process
  of the learner stopped, not only the server (a lesson-04 service outlived it before), and the
  learner's temporary folder emptied;
- no server for the instructors (the hub's admins): their page is ``/hub/admin``, and a server
  would make them a learner on the progress page.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Float, Integer, Unicode

from classroom.hub_accounts import (
    TEMP_FOLDER,
    USERNAME_PATTERN,  # noqa: F401
    account_name,
    cgroup_paths,
    cgroups_available,
    clear_temp,
    ensure_account,
    learner_folder,
    make_cgroups,
    remove_cgroups,
    stop_processes,
    temp_folder,
)
from course.config import REPO_ROOT

ADMIN_HAS_NO_SERVER = (
    "The instructor account has no server of its own (it would count as a "
    "learner): the class is at /hub/admin, its progress at "
    "/services/progress/. Log in with a learner name to try a lesson."
)


def _private_folder(path: Path, made: list[Path]) -> None:
    """Make ``path`` a real folder (a link a learner put there is removed, never followed)."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    if not path.exists():
        path.mkdir()
        made.append(path)


def copy_course(
    entry: pwd.struct_passwd,
    notebooks: Path = REPO_ROOT / "notebooks",
    artifacts: Path = REPO_ROOT / "artifacts",
) -> Path:
    """Copy the student notebooks (and the glossary their links open) into the learner's course
    folder, leaving any file already there (the learner's work) untouched; returns the folder.
    Only what this call made is given to the learner, and never through a link (a learner's link
    could point anywhere)."""
    folder = learner_folder(entry)
    made: list[Path] = []
    for sub in (folder, folder / "artifacts", folder / "progress"):
        _private_folder(sub, made)
    pages = [*sorted(notebooks.glob("*.ipynb")), notebooks / "glossary.md"]
    for notebook in (page for page in pages if page.is_file()):
        target = folder / notebook.name
        if not target.exists() and not target.is_symlink():
            shutil.copyfile(notebook, target)
            made.append(target)
    if artifacts.is_dir() and not any((folder / "artifacts").iterdir()):  # lesson 03's model,
        shutil.copytree(
            artifacts,
            folder / "artifacts",
            dirs_exist_ok=True,  # built once by the
            ignore=shutil.ignore_patterns("usage.sqlite*"),
        )  # instructor (never keys)
        made.extend((folder / "artifacts").rglob("*"))
    for path in made:
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    return folder


class CourseSpawner(LocalProcessSpawner):
    """A learner's server as ``course-<name>``, in their own folder and limits (module docs)."""

    home_root = Unicode("/home", config=True, help="Where the learners' homes are created.")
    data_dir = Unicode("", config=True, help="The verified course data (read-only for learners).")
    course_dir = Unicode("", config=True, help="The learners' copy of the course (notebooks).")
    mem_limit_bytes = Integer(0, config=True, help="Memory limit per learner (0: none).")
    cpu_limit_cpus = Float(0.0, config=True, help="CPU quota per learner (0: none).")

    @property
    def account(self) -> str:
        return account_name(self.user.name)

    def make_preexec_fn(self, name):
        setuid = set_user_setuid(self.account)
        groups = (
            [p / "cgroup.procs" for p in cgroup_paths(self.account).values()]
            if self.mem_limit_bytes and cgroups_available()
            else []
        )

        def preexec() -> None:
            for procs in groups:  # join the learner's groups while still root, then drop to them
                procs.write_text(str(os.getpid()))
            setuid()

        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(self.account)
        folder = learner_folder(entry)
        env.update(
            USER=self.account,
            HOME=entry.pw_dir,
            SHELL="/bin/sh",
            TMPDIR=str(Path(entry.pw_dir) / TEMP_FOLDER),
            COURSE_ARTIFACTS_DIR=str(folder / "artifacts"),
            COURSE_PROGRESS_DIR=str(folder / "progress"),
        )
        if self.data_dir:
            env["COURSE_DATA_DIR"] = self.data_dir
        return env

    async def start(self):
        if self.user.admin:
            raise RuntimeError(ADMIN_HAS_NO_SERVER)
        entry = ensure_account(self.account, Path(self.home_root))
        # (what a hub killed without its clean-up left, a service still on its port for one)
        left = await asyncio.to_thread(stop_processes, self.account)
        if left:
            self.log.warning("stopped %d process(es) of %s left from before", left, self.user.name)
        course = Path(self.course_dir) if self.course_dir else REPO_ROOT
        copy_course(entry, course / "notebooks")
        temp_folder(entry)
        if self.mem_limit_bytes and cgroups_available():
            make_cgroups(self.account, self.mem_limit_bytes, self.cpu_limit_cpus or 1.0)
        elif self.mem_limit_bytes:
            self.log.warning(
                "cgroups are not writable here: %s's limits are not enforced", self.user.name
            )
        self.notebook_dir = str(learner_folder(entry))
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        await asyncio.to_thread(self.stop_the_rest)

    def stop_the_rest(self) -> None:
        """Stop every process the server left (kernels, lesson 04's service), empty the
        learner's temporary folder and remove their groups."""
        try:
            entry = pwd.getpwnam(self.account)
        except (KeyError, ValueError):
            return  # (an instructor, or an account already removed)
        stopped = stop_processes(self.account)
        if stopped:
            self.log.info("stopped %d process(es) %s's server left", stopped, self.user.name)
        clear_temp(entry)
        if self.mem_limit_bytes and cgroups_available():
            for path in remove_cgroups(self.account):
                self.log.warning("could not remove the cgroup %s", path)
