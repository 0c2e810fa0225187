"""The class progress view's logic, and the hub command's mistakes (no hub needed)."""

from __future__ import annotations

import json

import pytest

from classroom import hub_progress
from classroom.hub_accounts import ACCOUNT_PREFIX, COURSE_FOLDER, account_name


def write_progress(home_root, name, records) -> None:
    folder = home_root / f"{ACCOUNT_PREFIX}{name}" / COURSE_FOLDER / "progress"
    folder.mkdir(parents=True)
    (folder / "progress.json").write_text(
        records if isinstance(records, str) else json.dumps(records)
    )


def test_the_view_counts_who_solved_and_who_is_stuck(tmp_path):
    write_progress(tmp_path, "ada", {"00.q1": {"status": "correct", "attempts": 2, "hints": 1}})
    write_progress(
        tmp_path,
        "bo",
        {
            "00.q1": {"status": "incorrect", "attempts": 3, "hints": 2},
            "00.q2": {"status": "blank", "attempts": 0, "hints": 0},
        },
    )
    write_progress(tmp_path, "cy", "{ not json")  # a damaged file counts as no progress
    (tmp_path / "someone-else").mkdir()  # not a learner's home
    progress = hub_progress.read_class(tmp_path)
    assert sorted(progress) == ["ada", "bo", "cy"] and progress["cy"] == {}
    rows = {r["exercise"]: r for r in hub_progress.class_summary(progress, ["00.q1", "00.q2"])}
    assert rows["00.q1"]["solved"] == 1 and rows["00.q1"]["solved_by"] == ["ada"]
    assert rows["00.q1"]["stuck"] == [{"learner": "bo", "attempts": 3, "hints": 2}]
    assert rows["00.q2"]["solved"] == 0 and rows["00.q2"]["stuck"] == []  # blank: not stuck
    assert all(r["learners"] == 3 for r in rows.values())
    page = hub_progress.render(list(rows.values()))
    assert "1 of 3" in page and "bo (3, 2)" in page and "<script" not in page


def test_the_view_escapes_what_learners_wrote(tmp_path):
    write_progress(tmp_path, "ada", {"<b>x</b>": {"status": "incorrect", "attempts": 1}})
    rows = hub_progress.class_summary(hub_progress.read_class(tmp_path), [])
    assert "<b>" not in hub_progress.render(rows) and "&lt;b&gt;" in hub_progress.render(rows)


def test_every_course_exercise_is_listed():
    exercises = hub_progress.course_exercises()
    assert {"00.q1", "02.q1", "05.q1"} <= set(exercises)


@pytest.mark.parametrize("name", ["root", "Ada", "a", "ada-b", "../x", "x" * 40])
def test_learner_names_that_could_mislead_are_refused(name):
    if name == "root":
        assert account_name(name) == "course-root"  # a learner named root is never root
        return
    with pytest.raises(ValueError):
        account_name(name)


def test_hub_command_mistakes_are_one_line_messages(capsys, monkeypatch, tmp_path):
    from classroom import class_hub as hub
    from classroom import cli

    assert cli.main(["hub", "--password", "short", "--state", str(tmp_path)]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    monkeypatch.setattr(hub.os, "geteuid", lambda: 1000)
    assert cli.main(["hub", "--state", str(tmp_path)]) == 1
    assert "runs as root" in capsys.readouterr().err


def test_removing_learners_says_what_it_removed_and_fails_when_it_could_not(
    capsys, monkeypatch, tmp_path
):
    import os

    from classroom import cli, hub_accounts

    done = {
        "course-ada": hub_accounts.Removal("course-ada", home="/h/course-ada", processes=2),
        "course-bo": hub_accounts.Removal(
            "course-bo",
            problems=["userdel refused: user course-bo is currently used by process 42"],
        ),
    }
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(hub_accounts, "learner_accounts", lambda root: sorted(done))
    monkeypatch.setattr(hub_accounts, "remove_learner", done.__getitem__)
    assert cli.main(["hub", "--remove-learners", "--home-root", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "removed course-ada: account, home /h/course-ada, 2 process(es) stopped" in out
    assert "could not remove course-bo: userdel refused: user course-bo is currently used" in err
    assert "removed 1 of 2 learner account(s)" in out and "1 could not be removed" in out


def test_a_restart_in_the_same_state_folder_keeps_the_passwords_and_the_token(tmp_path):
    from classroom.class_hub import HubSettings

    first = HubSettings(state=str(tmp_path / "state"))
    first.save()
    again = HubSettings(state=str(tmp_path / "state"))
    assert again.keep_secrets() and (again.password, again.admin_password, again.api_token) == (
        first.password,
        first.admin_password,
        first.api_token,
    )
    chosen = HubSettings(state=str(tmp_path / "state"), password="a-new-one")
    chosen.keep_secrets(password_given=True)
    assert chosen.password == "a-new-one" and chosen.api_token == first.api_token
    assert not HubSettings(state=str(tmp_path / "elsewhere")).keep_secrets()
    assert (tmp_path / "state" / "hub-settings.json").stat().st_mode & 0o077 == 0


def test_the_progress_view_never_counts_an_instructor(tmp_path):
    write_progress(tmp_path, "ada", {"00.q1": {"status": "correct", "attempts": 1}})
    write_progress(tmp_path, "instructor", {})
    assert sorted(hub_progress.read_class(tmp_path, {"instructor"})) == ["ada"]


def test_the_learners_copy_of_the_course_is_readable_by_all_and_named_by_its_content(
    monkeypatch, tmp_path
):
    from classroom import hub_install

    monkeypatch.setattr(hub_install, "LEARNER_ENVS", tmp_path / "opt")
    data = tmp_path / "data"
    data.mkdir(mode=0o500)
    (data / "a.csv").write_text("x\n")
    copy = hub_install.course_copy(data, log=lambda _: None)
    assert (copy / "course" / "__init__.py").is_file() and (copy / "data" / "a.csv").is_file()
    assert sorted(copy.glob("notebooks/*.ipynb")) and (copy / "requirements.lock").is_file()
    assert not list(copy.rglob("__pycache__")) and not list(copy.parent.glob(".course-*"))
    for path in (copy, *copy.rglob("*")):
        runs = path.is_dir() or path.parent.name == "bin"  # (bin/course, the learners' command)
        assert path.stat().st_mode & 0o005 == (0o005 if runs else 0o004), path
    assert (copy / "bin" / "course").read_text().startswith("#!/bin/sh")
    assert hub_install.course_copy(data, log=lambda _: None) == copy  # the same content: reused
    (data / "a.csv").chmod(0o600)
    (data / "a.csv").write_text("y\n")
    assert hub_install.course_copy(data, log=lambda _: None) != copy


def test_old_course_copies_are_pruned_unless_a_process_uses_them(monkeypatch, tmp_path):
    import os
    import subprocess
    import sys

    from classroom import hub_install

    monkeypatch.setattr(hub_install, "LEARNER_ENVS", tmp_path)
    old, used, new, keep = (tmp_path / f"course-{n}" for n in ("old", "used", "new", "keep"))
    for path in (old, used, new, keep):
        path.mkdir()
    for path in (old, used, keep):
        os.utime(path, (0, 0))
    user = subprocess.Popen(
        [sys.executable, "-c", "import sys; print('up', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(used)},
    )
    assert user.stdout.readline() == "up\n"  # (before its exec, the child shows our environment)
    try:
        assert hub_install.prune_copies(keep=keep) == [old]
    finally:
        user.communicate()
    assert used.exists() and new.exists() and keep.exists() and not old.exists()
