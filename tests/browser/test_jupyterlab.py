"""JupyterLab smoke test: open a workbench notebook, run it, change a widget, see the figure change."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from gopherlab.reports.bundled import notebook_file

from conftest import screenshot_path
from lab_session import open_and_run_all

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(notebook_file("allocation_hotspots"), root / "allocation_hotspots.ipynb")
    token = secrets.token_hex(16)
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               JUPYTER_DATA_DIR=os.environ.get("JUPYTER_DATA_DIR", str(tmp_path / "data")))
    settings = tmp_path / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp_path / 'ws'}"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"jupyter lab did not start:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_notebook_runs_and_widget_updates_figure(browser, lab, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_and_run_all(page, base, token, "allocation_hotspots.ipynb")
        # the explorer (last cell) shows its widgets and a live flame graph of the default sample type
        page.wait_for_selector(".widget-dropdown select", timeout=120_000)
        title_js = """() => [...document.querySelectorAll('.widget-output .js-plotly-plot')]
                       .map(d => d.layout && d.layout.title && d.layout.title.text).filter(Boolean)"""
        page.wait_for_function(f"() => ({title_js})().some(t => t.includes('alloc_space call tree'))", timeout=120_000)
        assert page.locator(".jp-RenderedPlotly.js-plotly-plot .main-svg").count() >= 3  # report figures
        page.select_option(".widget-dropdown select >> nth=0", "alloc_objects")
        page.wait_for_function(f"() => ({title_js})().some(t => t.includes('alloc_objects call tree'))",
                               timeout=60_000)
        stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
        assert stderr == 0
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count() == 0
        assert not errors, errors
        page.locator(".widget-output .js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("jupyterlab", tmp_path)))
    finally:
        page.close()
