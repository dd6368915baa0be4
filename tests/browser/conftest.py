"""Headless Chromium (Debian's package, never a downloaded browser) driven by Playwright."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))  # evil_profile


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"{CHROMIUM} missing (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords and not os.path.exists(CHROMIUM):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                               "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory):
    from gopherlab.report import run_all

    out = tmp_path_factory.mktemp("reports")
    results = run_all(out)
    bad = [r for r in results if not r.ok]
    assert not bad, [(r.kind, r.error) for r in bad]
    return out


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """docs/screenshots/<name>.png when GOPHERLAB_UPDATE_SCREENSHOTS=1, else a temp file."""
    if os.environ.get("GOPHERLAB_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / f"{name}.png"
    return tmp_path / f"{name}.png"


#: URL schemes a self-contained report may load: the file itself and inline data.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def open_offline(browser, path: Path, *, width: int = 1100, height: int = 1400):
    """A page showing ``path`` that records every request it makes (a shared report must be
    self-contained). Returns ``(page, errors)``; ``errors`` collects uncaught page errors, console
    errors, dialogs and every request whose URL scheme is not local (:data:`LOCAL_SCHEMES`).

    ``page.on("request")`` sees every request, including what a ``file://`` page asks of the
    network (a ``page.route`` handler does not); non-local requests are also refused, so a test
    never depends on the network being up."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)

    def on_request(req):
        if not req.url.startswith(LOCAL_SCHEMES):
            errors.append(f"network request: {req.url}")

    page.on("request", on_request)
    page.route(lambda url: not url.startswith(LOCAL_SCHEMES), lambda route: route.abort())
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, errors
