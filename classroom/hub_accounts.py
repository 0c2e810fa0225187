"""The learners' system accounts on a class hub, and everything that goes with them.

A learner ``ada`` is the account ``course-ada`` (so a learner named ``root`` is never root) with
a home only that account can read. Every process the learner's server starts (kernels, the
lesson-04 ``course serve``, terminals) runs in the learner's cgroups (v1 ``memory`` and ``cpu``)
and with ``TMPDIR`` in the learner's home (:data:`TEMP_FOLDER`), so that

- stopping the server stops them all (:func:`stop_processes`: every process in the groups and
  every process of the account, not only the server's own), and empties the temporary folder;
- removing the learner (:func:`remove_learner`) leaves no process, file or group behind, and says
  exactly what it removed and what it could not.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: The learners' user names: short, lower-case, no punctuation that a shell or path could mis-read.
USERNAME_PATTERN = r"^[a-z][a-z0-9]{1,30}$"
ACCOUNT_PREFIX = "course-"
COURSE_FOLDER = "ai-business-course"
#: The learner's temporary folder (``TMPDIR``), in their home: lesson 04's service keeps its usage
#: database (with the API keys) in a ``course-service-*`` folder there, never in the system's.
TEMP_FOLDER = ".tmp"
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
        subprocess.run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                str(home_root / account),
                "--shell",
                "/usr/sbin/nologin",
                "--user-group",
                account,
            ],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(account)
    if Path(entry.pw_dir).parent != home_root.resolve():
        raise RuntimeError(
            f"the account {account} exists with its home at {entry.pw_dir}, not "
            f"under {home_root}: remove it (userdel -r {account}) or use that "
            "home folder"
        )
    os.chmod(entry.pw_dir, 0o700)
    return entry


def learner_accounts(home_root: Path) -> list[str]:
    """The learners' system accounts whose homes are under ``home_root``."""
    root = Path(home_root).resolve()
    return sorted(
        e.pw_name
        for e in pwd.getpwall()
        if e.pw_name.startswith(ACCOUNT_PREFIX) and Path(e.pw_dir).parent == root
    )


def learner_folder(entry: pwd.struct_passwd) -> Path:
    return Path(entry.pw_dir) / COURSE_FOLDER


def temp_folder(entry: pwd.struct_passwd) -> Path:
    """The learner's ``TMPDIR`` (:data:`TEMP_FOLDER`), made (mode 0700, theirs) if missing."""
    folder = Path(entry.pw_dir) / TEMP_FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()  # (never follow what a learner put there)
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chown(folder, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    return folder


def clear_temp(entry: pwd.struct_passwd) -> None:
    """Remove the learner's temporary folder (done once none of their processes is left)."""
    folder = Path(entry.pw_dir) / TEMP_FOLDER
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)  # (never follows links inside)


def cgroup_paths(account: str, root: Path = CGROUP_ROOT) -> dict[str, Path]:
    return {kind: root / kind / CGROUP_NAME / account for kind in ("memory", "cpu")}


def cgroups_available(root: Path = CGROUP_ROOT) -> bool:
    """cgroup v1 ``memory`` and ``cpu`` hierarchies that this process may write to."""
    return all(os.access(root / kind, os.W_OK) for kind in ("memory", "cpu"))


def make_cgroups(
    account: str, mem_limit: int, cpu_limit: float, root: Path = CGROUP_ROOT
) -> dict[str, Path]:
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


def remove_cgroups(account: str, root: Path = CGROUP_ROOT, tries: int = 50) -> list[Path]:
    """Remove the learner's groups once their processes are gone (EBUSY for a moment after);
    returns the groups still there."""
    left = []
    for path in cgroup_paths(account, root).values():
        for _ in range(tries):
            try:
                path.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.1)
        if path.exists():
            left.append(path)
    for parent in {path.parent for path in cgroup_paths(account, root).values()}:
        try:
            parent.rmdir()  # (the class's group, once its last learner's is gone)
        except OSError:
            pass  # (other learners' groups are still in it, or it is gone)
    return left


def learner_pids(account: str, root: Path = CGROUP_ROOT) -> set[int]:
    """Every process in the learner's groups, and every process the account runs."""
    pids: set[int] = set()
    for path in cgroup_paths(account, root).values():
        try:
            pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
        except OSError:
            pass
    try:
        uid = pwd.getpwnam(account).pw_uid
    except KeyError:
        return pids
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue  # (gone meanwhile)
            uids = next(
                (line.split()[1:] for line in status.splitlines() if line.startswith("Uid:")), []
            )
            if str(uid) in uids:
                pids.add(int(entry.name))
    return pids - {os.getpid()}


def stop_processes(account: str, grace: float = 5.0, rounds: int = 20) -> int:
    """Stop every process of the learner (:func:`learner_pids`): SIGTERM, ``grace`` seconds to
    finish (lesson 04's service writes its last usage rows), then SIGKILL, until none is left.

    Returns
    -------
    int
        How many processes were stopped.

    Raises
    ------
    RuntimeError
        Naming the processes still there after ``rounds`` rounds of SIGKILL.
    """
    stopped: set[int] = set()
    first = learner_pids(account)
    for pid in first:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while first and time.monotonic() < deadline and learner_pids(account) & first:
        time.sleep(0.1)
    stopped |= first
    for _ in range(rounds):
        left = learner_pids(account)
        if not left:
            return len(stopped)
        for pid in left:
            _signal(pid, signal.SIGKILL)
        stopped |= left
        time.sleep(0.1)
    left = learner_pids(account)
    if left:
        raise RuntimeError(f"{account}'s processes {sorted(left)} did not stop")
    return len(stopped)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stray_temp_files(uid: int, folder: Path | None = None) -> list[Path]:
    """What the account left in the system's temporary folder (for example lesson 04's
    ``course-service-*`` folders from before ``TMPDIR`` was the learner's)."""
    folder = Path(folder or tempfile.gettempdir())
    found = []
    for path in folder.iterdir():
        try:
            if path.lstat().st_uid == uid:
                found.append(path)
        except OSError:
            continue
    return sorted(found)


@dataclass
class Removal:
    """What :func:`remove_learner` did for one account, and what it could not do."""

    account: str
    home: str = ""
    processes: int = 0
    temp_files: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.problems:
            return f"could not remove {self.account}: " + "; ".join(self.problems)
        return (
            f"removed {self.account}: account, home {self.home}, {self.processes} "
            f"process(es) stopped, {self.temp_files} temporary file(s) removed"
        )


def remove_learner(account: str) -> Removal:
    """Delete a learner's processes, temporary files, account, home and groups (after a
    workshop, or a test); every step is checked and what failed is in the result."""
    if not account.startswith(ACCOUNT_PREFIX):
        raise ValueError(f"{account!r} is not a learner account")
    done = Removal(account)
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        done.problems.append("no such account")
        return done
    done.home = entry.pw_dir
    try:
        done.processes = stop_processes(account)
    except RuntimeError as error:
        done.problems.append(str(error))
    for path in stray_temp_files(entry.pw_uid):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        done.temp_files += 1
    removed = subprocess.run(["userdel", "--remove", account], capture_output=True, text=True)
    still = [name for name in (account,) if _exists(name)]
    if still:
        why = (removed.stderr.strip().splitlines() or [f"exit status {removed.returncode}"])[-1]
        done.problems.append(f"userdel refused: {why}")
    if not still and Path(entry.pw_dir).exists():  # (userdel leaves a home it does not own)
        shutil.rmtree(entry.pw_dir, ignore_errors=True)
        if Path(entry.pw_dir).exists():
            done.problems.append(f"its home {entry.pw_dir} is still there")
    for path in remove_cgroups(account):
        done.problems.append(f"its cgroup {path} is still there")
    return done


def _exists(account: str) -> bool:
    try:
        pwd.getpwnam(account)
    except KeyError:
        return False
    return True
