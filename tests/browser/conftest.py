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


def open_offline(browser, path: Path, *, width: int = 1100, height: int = 1400):
    """A page showing ``path`` with every network request refused (the report must work offline).
    Returns ``(page, errors)``; ``errors`` collects uncaught page errors, dialogs and any attempted
    network request (a shared report must be self-contained)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    def refuse(route):
        errors.append(f"network request: {route.request.url}")
        route.abort()

    page.route("http://**", refuse)
    page.route("https://**", refuse)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, errors
