"""``course lab`` as a learner starts it, in Chromium: the course's own JupyterLab
(course/setup/lab_setup.py), not a bare ``jupyter lab``.

One ``python -m course lab --no-browser --port P --ServerApp.token=T --ServerApp.ip=127.0.0.1``
for the module, in a process group of its own, with a private HOME and private Jupyter folders
(config, data, runtime, Lab settings and workspaces: tests/browser_fixture.py), this environment's
``bin`` taken off ``PATH`` and no ``JUPYTER_PATH``, so that only what ``course lab`` itself sets up
can make the checks pass, and no server of the user's is seen or disturbed. The tests check:

1. the address it prints opens the start page (``/lab/tree/00_start_here.ipynb``);
2. ``/api/kernelspecs`` offers one kernel, ``python3``, "... (AI business course)", running this
   environment's Python;
3. the Lab settings come from the environment's ``overrides.json`` (no news; Markdown opens as a
   rendered page) although the user's settings folder says nothing about them;
4. in the Lab's terminal (*File > New > Terminal*), ``course doctor --no-tf`` runs and reports;
5. a glossary link in a lesson's rendered markdown opens ``glossary.md`` as a Markdown Preview
   scrolled to the term;
6. the kernel the lesson started logs nothing about eavesdropping (CurveZMQ is on);
7. a second ``course lab`` says "already running" with the first one's address and exits.

Run: ``python -m pytest -q -m browser tests/test_lab_browser.py -p no:cacheprovider -o addopts=""``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser_fixture import LabServer, chromium_path, launch_chromium, marked_processes

pytest.importorskip("playwright", reason="playwright (requirements-test.lock) is not installed")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = chromium_path()
LESSON = "01_market_analysis.ipynb"
VIEWPORT = {"width": 1280, "height": 900}
#: A kernelspec in the user's Jupyter data folder, which the course's server must not offer.
OTHER_KERNEL = "another-python"
#: A shell's answer to an unknown command (bash, zsh, dash).
NOT_FOUND = re.compile(r"course: (command )?not found|command not found: course")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (/usr/bin/chromium; "
        "Debian: apt-get install chromium); the browser tests need it",
    ),
]


class CourseLab(LabServer):
    """:class:`LabServer`'s private folders and clean-up, started the learner's way:
    ``python -m course lab``, which runs ``jupyter lab`` as its child (so the whole process group
    is stopped)."""

    def _environment(self, runtime: dict[str, str]) -> dict[str, str]:
        env = super()._environment(runtime)
        home = self.home / "home"
        home.mkdir()
        env["HOME"] = str(home)
        # What these tests check must come from the environment's prefix (written by `course lab`),
        # not from the test's user settings: the test's notification settings go.
        settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
        (
            settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        ).unlink()
        # xterm draws on a canvas; its screen-reader rows are the terminal's text in the DOM.
        terminal = settings / "@jupyterlab" / "terminal-extension" / "plugin.jupyterlab-settings"
        terminal.parent.mkdir(parents=True, exist_ok=True)
        terminal.write_text(json.dumps({"screenReaderMode": True}))
        # A user-level kernel the server must not offer (allowed_kernelspecs).
        other = Path(env["JUPYTER_DATA_DIR"]) / "kernels" / OTHER_KERNEL / "kernel.json"
        other.parent.mkdir(parents=True)
        other.write_text(
            json.dumps(
                {
                    "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Another Python",
                    "language": "python",
                }
            )
        )
        # `course lab` must put this environment's bin on PATH and its Jupyter data on
        # JUPYTER_PATH itself (a learner's shell has not activated the environment).
        scripts = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if p and p != scripts
        )
        for name in (
            "JUPYTER_PATH",
            "JUPYTER_CONFIG_PATH",
            "JUPYTER_PREFER_ENV_PATH",
            "VIRTUAL_ENV",
        ):
            env.pop(name, None)
        return env

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, "-m", "course", "lab", *extra]

    def _start(self, timeout: float) -> bool:
        command = self.command(
            "--no-browser",
            "--port",
            str(self.port),
            f"--ServerApp.token={self.token}",
            "--ServerApp.ip=127.0.0.1",
            "--port-retries=0",
            *(["--allow-root"] if IS_ROOT else []),
        )
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return "already in use" not in self.log.read_text()
            try:
                if self.api("GET", "/api/status").status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"course lab did not answer within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> list[str]:
        """Kernels and terminals shut down, then SIGTERM to the process group (``course lab``
        and its ``jupyter lab``), SIGKILL after 30 s; then :meth:`LabServer.stop`'s check that
        no marked process is left."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.shut_down_sessions()
                for terminal in self.api("GET", "/api/terminals").json():
                    self.api("DELETE", f"/api/terminals/{terminal['name']}")
            except (httpx.HTTPError, ValueError):
                pass
            group = self.process.pid  # (start_new_session: the group's id is its leader's pid)
            try:
                os.killpg(group, signal.SIGTERM)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and any(
                    p.pid != self.process.pid and _in_group(p.pid, group)
                    for p in marked_processes(self.marker)
                ):
                    time.sleep(0.25)
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        return super().stop()


def _in_group(pid: int, group: int) -> bool:
    try:
        return os.getpgid(pid) == group
    except OSError:
        return False


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab():
    from course.config import runtime_env

    server = CourseLab(NOTEBOOKS, runtime_env())
    try:
        server.start(timeout=60)
        yield server
    finally:
        log = server.log_text()
        left = server.stop()
        if left:
            print(log)
    assert not left, f"processes left behind by course lab and its kernels (killed): {left}"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, CHROMIUM)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- helpers ----------------------------------------------------------------------------------


def wait_for(check, timeout: float, what: str, interval: float = 0.25):
    """``check()``'s first truthy value within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def glossary_target() -> str:
    """The lesson's glossary link whose term lies deepest in glossary.md (the preview must scroll
    to show it)."""
    glossary = (NOTEBOOKS / "glossary.md").read_text(encoding="utf-8")
    anchors = {m.group(1): m.start() for m in re.finditer(r'<a id="([^"]+)"></a>', glossary)}
    cells = json.loads((NOTEBOOKS / LESSON).read_text(encoding="utf-8"))["cells"]
    markdown = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    linked = set(re.findall(r"\]\(glossary\.md#([\w-]+)\)", markdown))
    assert linked, f"{LESSON} links no glossary term"
    missing = linked - anchors.keys()
    assert not missing, f"{LESSON} links terms glossary.md has no anchor for: {sorted(missing)}"
    return max(linked, key=anchors.__getitem__)


def open_menu(page, *labels: str) -> None:
    """Click through JupyterLab's main menu: ``open_menu(page, "File", "New", "Terminal")``."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=labels[0]).first.click()
    for depth, label in enumerate(labels[1:], start=1):
        item = page.locator(".lm-Menu").nth(depth - 1).locator(".lm-Menu-itemLabel")
        item = item.get_by_text(label, exact=True).first
        if depth < len(labels) - 1:
            item.hover()
        else:
            item.click()


def terminal_text(page) -> str:
    """What the active terminal shows: xterm draws on a canvas, so its screen-reader rows
    (``screenReaderMode``, set in the test's user settings), or its DOM renderer's rows."""
    return page.evaluate("""() => {
        const term = [...document.querySelectorAll('#jp-main-dock-panel .jp-Terminal')]
            .find(t => t.offsetParent !== null);
        if (!term) return '';
        const rows = term.querySelector('.xterm-accessibility-tree, .xterm-rows');
        const text = rows ? [...rows.children].map(row => row.textContent).join('\\n') : '';
        return text.replace(/[\\s\\u00a0]+$/, '');
    }""")


# --- the tests --------------------------------------------------------------------------------


def test_printed_address_opens_the_start_page(lab):
    def address():
        urls = re.findall(rf"http://127\.0\.0\.1:{lab.port}/\S*", lab.log_text())
        return [u for u in urls if "token=" in u] and urls

    urls = wait_for(address, 10, "course lab to print its address")
    assert any("/lab/tree/00_start_here.ipynb" in u for u in urls), (
        f"course lab printed no address of the start page: {urls}\n{lab.log_text()[-3000:]}"
    )


def test_only_the_course_kernel_is_offered(lab):
    specs = lab.api("GET", "/api/kernelspecs").json()
    # (The user's data folder holds OTHER_KERNEL: a server with no allowed_kernelspecs offers it.)
    assert set(specs["kernelspecs"]) == {"python3"}, list(specs["kernelspecs"])
    assert specs["default"] == "python3"
    spec = specs["kernelspecs"]["python3"]["spec"]
    assert spec["display_name"].endswith("(AI business course)"), spec["display_name"]
    python = Path(spec["argv"][0])
    assert python.is_absolute() and python.exists(), spec["argv"]
    # This environment's Python, by its path in the environment (resolving the venv's symlink
    # would also match the base Python of every other venv).
    assert python.parent == Path(sys.executable).parent, (spec["argv"], sys.executable)
    assert Path(sys.prefix) in python.parents, (spec["argv"], sys.prefix)


def composite(answer: dict) -> dict:
    """A plugin's settings as JupyterLab applies them: the schema's defaults (into which the
    server merged the environment's ``overrides.json``), then the user's settings."""
    properties = answer["schema"].get("properties", {})
    return {key: value.get("default") for key, value in properties.items()} | answer["settings"]


def test_lab_settings_come_from_the_environment(lab):
    base = "/lab/api/settings/@jupyterlab"
    notification = lab.api("GET", f"{base}/apputils-extension:notification").json()
    assert not notification["settings"], "the test's user settings must not set these"
    settings = composite(notification)
    assert settings["fetchNews"] == "false", settings
    assert settings["checkForUpdates"] is False, settings
    docmanager = composite(lab.api("GET", f"{base}/docmanager-extension:plugin").json())
    assert docmanager["defaultViewers"].get("markdown") == "Markdown Preview", docmanager


def test_course_doctor_runs_in_the_lab_terminal(lab, page):
    page.goto(lab.lab_url("00_start_here.ipynb"))
    page.locator(".jp-Notebook").first.wait_for(timeout=30_000)
    open_menu(page, "File", "New", "Terminal")
    term = page.locator("#jp-main-dock-panel .jp-Terminal .xterm").first
    term.wait_for(timeout=20_000)
    wait_for(lambda: terminal_text(page).strip(), 20, "the shell's prompt")
    term.click()
    page.keyboard.type("course doctor --no-tf")
    page.keyboard.press("Enter")
    try:
        text = wait_for(
            lambda: (
                (t := terminal_text(page))
                and (re.search(r"\d+ checks: \d+ failed", t) or NOT_FOUND.search(t))
                and t
            ),
            45,
            "course doctor's report",
        )
    except AssertionError as error:
        raise AssertionError(f"{error}; the terminal shows:\n{terminal_text(page)}") from None
    assert not NOT_FOUND.search(text), f"the Lab terminal cannot run `course`:\n{text}"
    assert "jupyter kernel" in text and re.search(r"\d+ checks: \d+ failed", text), text


def test_glossary_link_opens_the_preview_at_its_term(lab, page):
    anchor = glossary_target()
    page.goto(lab.lab_url(LESSON))
    link = page.locator(
        f'.jp-Notebook .jp-MarkdownOutput a[href*="glossary.md"][href$="#{anchor}"]'
    )
    link.first.wait_for(timeout=30_000)
    link.first.click()

    def landed():
        # JupyterLab renders an element's id as data-jupyter-id (no clashes between documents);
        # the preview scrolls inside the nearest scrollable ancestor of the term.
        return page.evaluate(
            """(anchor) => {
            const tab = document.querySelector(
                '#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel');
            const shown = selector => [...document.querySelectorAll(
                '#jp-main-dock-panel ' + selector)].find(v => v.offsetParent !== null);
            const viewer = shown('.jp-MarkdownViewer'), editor = shown('.jp-FileEditor');
            const quoted = CSS.escape(anchor);
            const found = viewer && viewer.querySelector(
                `[id="${quoted}"], [data-jupyter-id="${quoted}"]`);
            const state = {tab: tab && tab.innerText, viewer: !!viewer, editor: !!editor,
                           found: !!found};
            if (!found) return state;
            let box = found.parentElement;
            while (box !== viewer && box.scrollHeight <= box.clientHeight + 1)
                box = box.parentElement;
            const r = found.getBoundingClientRect(), v = box.getBoundingClientRect();
            // The term's heading, right after its (empty) anchor: what the learner reads.
            const next = (found.closest('p') || found).nextElementSibling;
            const h = next ? next.getBoundingClientRect() : r;
            return {...state, top: r.top, bottom: r.bottom, viewTop: v.top,
                    viewBottom: Math.min(v.bottom, window.innerHeight), scrolled: box.scrollTop,
                    heading: next ? next.innerText : null, headingTop: h.top,
                    headingBottom: h.bottom};
        }""",
            anchor,
        )

    def in_view():
        state = landed()
        top, bottom = state.get("viewTop", 0) - 2, state.get("viewBottom", 0) + 2
        ok = (
            state["found"]
            and top <= state["top"]
            and state["bottom"] <= bottom
            and top <= state["headingTop"]
            and state["headingBottom"] <= bottom
            and state["scrolled"] > 0
        )
        return ok and state

    try:
        state = wait_for(in_view, 20, f"glossary.md's term #{anchor} in view")
    except AssertionError as error:
        raise AssertionError(f"{error}: {landed()}") from None
    assert state["tab"] == "glossary.md" and not state["editor"], state
    glossary = (NOTEBOOKS / "glossary.md").read_text(encoding="utf-8")
    term = re.search(rf'<a id="{anchor}"></a>\s*### (.+)', glossary).group(1).strip()
    assert term in (state["heading"] or ""), (term, state)
    assert len(page.context.pages) == 1, "the link opened a browser tab, not a Lab tab"


def test_kernel_traffic_is_encrypted(lab):
    """The lesson's kernel (or, run alone, one started here) logged no eavesdropping warning."""
    if not lab.api("GET", "/api/kernels").json():
        lab.api("POST", "/api/kernels", json={"name": "python3"})
    wait_for(
        lambda: any(k["execution_state"] == "idle" for k in lab.api("GET", "/api/kernels").json()),
        60,
        "an idle kernel",
    )
    log = lab.log_text()
    assert "Kernel started" in log, log[-3000:]
    assert "eavesdropping" not in log.lower(), log[-3000:]
    # The server gave each kernel CurveZMQ keys (in its connection file).
    runtime = Path(lab.env["JUPYTER_RUNTIME_DIR"])
    for kernel in lab.api("GET", "/api/kernels").json():
        info = json.loads((runtime / f"kernel-{kernel['id']}.json").read_text())
        assert info.get("curve_publickey") and info.get("curve_secretkey"), sorted(info)


def test_second_launch_points_to_the_first(lab):
    servers = sorted(Path(lab.env["JUPYTER_RUNTIME_DIR"]).glob("jpserver-*.json"))
    started = time.monotonic()
    second = subprocess.Popen(
        lab.command("--no-browser"),
        cwd=ROOT,
        env=lab.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = second.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(second.pid, signal.SIGKILL)
        output, _ = second.communicate()
        raise AssertionError(f"a second course lab did not exit within 30 s:\n{output}") from None
    finally:
        try:  # (anything it started, whatever happened)
            os.killpg(second.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    elapsed = time.monotonic() - started
    assert second.returncode == 0, output
    assert "already running" in output, output
    assert f"http://127.0.0.1:{lab.port}/lab/tree/00_start_here.ipynb?token={lab.token}" in output
    assert elapsed < 15, f"took {elapsed:.1f} s"
    assert sorted(Path(lab.env["JUPYTER_RUNTIME_DIR"]).glob("jpserver-*.json")) == servers
