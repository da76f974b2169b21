"""
The dashboard in a real browser: Playwright driving Debian's Chromium over a dashboard served by
uvicorn. `scripts/browser-test` installs both and runs this; elsewhere it is skipped with why.
With PATCHVET_SCREENSHOTS=DIR it also saves each page, light and dark, into DIR.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from patchvet.ledger import open_ledger
from patchvet.policy import Policy
from tests.web.conftest import HOSTILE
from tests.web.test_overrides import assessment_of
from tests.web.test_serve import github, recorded, serve  # noqa: F401 - the fixtures

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip


@pytest.fixture
def browser() -> Any:
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="playwright is not installed (scripts/browser-test installs it)",
    )
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (scripts/browser-test installs Debian's chromium)")
    with sync_api.sync_playwright() as driver:
        opened = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield opened
        opened.close()


def _shoot(page: Any, name: str) -> None:
    target = os.environ.get("PATCHVET_SCREENSHOTS")
    if target:
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_maintainer_walks_the_dashboard(browser: Any, client: Any, keys: Any, filled: str) -> None:
    base = str(client.base_url).rstrip("/")
    ledger = open_ledger(filled)
    try:  # one contribution whose agent-likelihood finding carries its signals
        ledger.record(assessment_of(7, False, 0.93, "2026-01-30T09:00:00+00:00"), "demo", Policy())
        explained = ledger.execute("SELECT id FROM contributions WHERE title = 'Change 7'")
        explained_row = explained.fetchone()[0]
    finally:
        ledger.close()
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1200, "height": 900})
        page = context.new_page()
        assert page.goto(f"{base}/").status == 403
        page.goto(f"{base}/login?token={keys.token}")
        assert page.url == f"{base}/"
        assert page.locator("td a", has_text="pwned").inner_text().startswith("Fix <script>")
        _shoot(page, f"queue-{scheme}")
        page.fill('input[name="q"]', "generated")
        page.click('button:has-text("Filter")')
        assert "1 contribution " in page.content()
        page.click('td a:has-text("Add generated parser")')
        assert re.search(r"/contribution/\d+$", page.url)
        _shoot(page, f"contribution-{scheme}")
        if scheme == "light":
            form = page.locator("form", has=page.locator('input[value^="agent-fingerprint/"]'))
            form = form.filter(has=page.locator('input[name="kind"][value="wrong"]'))
            form.locator('input[name="reason"]').fill("she wrote it herself")
            form.locator('button:has-text("Mark wrong")').click()
            assert "she wrote it herself" in page.content()
        page.click('a[href^="/person/"]')
        assert "marked finding agent-fingerprint/" in page.content()
        _shoot(page, f"contributor-{scheme}")
        page.goto(f"{base}/contribution/{explained_row}")
        assert "bullet_share" in page.content() and "Human work: mark wrong" in page.content()
        _shoot(page, f"explained-{scheme}")
        page.goto(f"{base}/project?name=demo")
        page.wait_for_selector("figure.drawn canvas")
        assert page.locator("figure.drawn").count() == 3  # uPlot drew all three
        assert page.locator("figure.drawn .u-legend").first.inner_text().strip() != ""
        _shoot(page, f"project-{scheme}")
        page.click('button:has-text("Log out")')
        assert page.goto(f"{base}/").status == 403
        context.close()
    ledger = open_ledger(filled)
    try:
        assert ledger.execute("SELECT COUNT(*) FROM corrections").fetchone()[0] == 1
        titles = [row[0] for row in ledger.execute("SELECT title FROM contributions").fetchall()]
    finally:
        ledger.close()
    assert HOSTILE in titles


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_github_login_in_the_browser_and_a_reader_cannot_override(
    browser: Any,
    github: Any,  # noqa: F811 - the fixture imported above
    serve: Any,  # noqa: F811
    recorded: str,  # noqa: F811
) -> None:
    """`patchvet serve`: the browser walks GitHub's OAuth redirects (the double's) both ways."""
    base = serve().url
    github.state.oauth_user = ("maint-max", 501)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    assert page.goto(f"{base}/").status == 403
    page.goto(f"{base}/login")
    assert page.url == f"{base}/" and "maint-max" in page.content()
    page.fill('input[name="q"]', "generated")
    page.click('button:has-text("Filter")')
    page.click('td a:has-text("Add generated parser")')
    form = page.locator("form", has=page.locator('input[name="target"][value="verdict"]'))
    form = form.filter(has=page.locator('input[name="kind"][value="wrong"]'))
    form.locator('input[name="reason"]').fill("a person wrote this")
    form.locator('button:has-text("Mark wrong")').click()
    page.click('a[href^="/person/"]')
    assert "maint-max marked the verdict" in page.content()
    page.click('button:has-text("Log out")')
    context.close()
    github.state.oauth_user = ("reader-rita", 601)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.click('td a:has-text("Add generated parser")')
    assert "overriding needs write access" in page.content()
    assert page.locator('button:has-text("Mark wrong")').count() == 0
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    refused = context.request.post(page.url + "/correct", form={
        "target": "verdict", "reason": "mine", "csrf": csrf or ""})  # fmt: skip
    assert refused.status == 403 and "Nothing was recorded" in refused.text()
    context.close()
    ledger = open_ledger(recorded)
    try:
        by = [row[0] for row in ledger.execute("SELECT by_whom FROM corrections").fetchall()]
    finally:
        ledger.close()
    assert by == ["maint-max"]
