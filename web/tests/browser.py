"""Playwright driving Debian's Chromium against the live test server.

`page` fails the test on any console error, failed request or request to
another host, and `shot(name)` saves a screenshot under test-artifacts/.
"""

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
requires_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Chromium is not installed (apt-get install chromium); CI always has it"
)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
