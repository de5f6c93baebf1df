"""Background syncs never redraw a question under a rep who has started answering, on a flaky
network: the app in a real Chromium at 360×740, opened through a fault-injecting proxy
(tests/support/fault_proxy.py) that delays, fails and drops sync requests and responses, while
syncs are started as fast as a phone could start them ("online", the app becoming visible, and
"Sync now") between choosing an option and "Check answer", over many questions."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.fault_proxy import FaultProxy
from tests.support.mail import EMAIL, FEEDBACK, VIEWPORT, import_demo_accounts, sign_in
from tests.support.paths import DEMO_LIBRARY
from tests.support.server import LiveServer, run_recap

QUESTIONS = 15  # a day of the rep's, with their own daily limit raised for the test
PICK_FIRST = "Choose an answer first."
# Every 40 ms the page hears `online` and `visibilitychange` (visible): each starts a sync, as a
# phone on a train going in and out of coverage and a rep switching apps would.
STORM = """() => {
    window.__storm = setInterval(() => {
        window.dispatchEvent(new Event("online"));
        document.dispatchEvent(new Event("visibilitychange"));
    }, 40);
}"""


def many_a_day(tmp_path: Path) -> Path:
    """The demo library and accounts, with the rep's campaign and the rep allowed 15 a day."""
    library = tmp_path / "content"
    shutil.copytree(DEMO_LIBRARY, library)
    campaign = library / "campaigns" / "value-selling-foundations.yaml"
    campaign.write_text(campaign.read_text().replace("daily_cap: 3", f"daily_cap: {QUESTIONS}"))
    db_path = tmp_path / "live" / "recap.db"
    for args in (("content", "publish", "--create", str(library)), ("settings", "set", "daily-limit", str(QUESTIONS), "--person", EMAIL)):
        if args[0] == "settings":
            import_demo_accounts(db_path)
        result = run_recap(*args, db_path=db_path)
        assert result.returncode == 0, result.stdout + result.stderr
    return db_path


@pytest.fixture
def flaky(tmp_path: Path) -> Iterator[tuple[LiveServer, FaultProxy]]:
    server = LiveServer(many_a_day(tmp_path))
    proxy = FaultProxy(server.url, seed=12)
    yield server, proxy
    proxy.stop()
    server.stop()


def test_a_chosen_option_survives_background_syncs_on_a_flaky_network(flaky: tuple[LiveServer, FaultProxy], browser: Any) -> None:
    server, proxy = flaky
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/Amsterdam", reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(proxy.url + "/")
    sign_in(page, server.db_path, EMAIL)
    main = page.get_by_role("main")
    # The plan (the rep's limit of 15) arrives with the first pull that gets through.
    expect(main.get_by_role("heading", name=f"Question 1 of {QUESTIONS}")).to_be_visible(timeout=60_000)
    page.evaluate(STORM)
    page.evaluate("""() => { window.__draws = []; new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) if (n.nodeType === 1 && n.matches('section.card')) window.__draws.push(n.querySelector('h2')?.textContent + ' ' + performance.now().toFixed(0)); }).observe(document.getElementById('app'), {childList: true}); }""")
    sync_now = page.get_by_role("banner").get_by_role("button", name="Sync now")
    pace = random.Random(7)
    lost: list[int] = []
    for number in range(1, QUESTIONS + 1):
        expect(main.get_by_role("heading", name=f"Question {number} of {QUESTIONS}")).to_be_visible(timeout=20_000)
        radios = main.get_by_role("radio")
        radios.nth(pace.randrange(radios.count())).click()
        page.wait_for_timeout(pace.uniform(50, 600))  # long enough for syncs to finish meanwhile
        if number % 3 == 0 and sync_now.is_visible():
            sync_now.click()  # the rep taps "Sync now" with an option chosen
            page.wait_for_timeout(pace.uniform(50, 300))
        main.get_by_role("button", name="Check answer").click()
        verdict = main.get_by_role("status").filter(has_text=FEEDBACK).or_(main.get_by_text(PICK_FIRST))
        expect(verdict).to_be_visible(timeout=10_000)
        if main.get_by_text(PICK_FIRST).is_visible():
            lost.append(number)
            main.get_by_role("radio").first.click()
            main.get_by_role("button", name="Check answer").click()
            expect(main.get_by_role("status").filter(has_text=FEEDBACK)).to_be_visible(timeout=10_000)
        main.get_by_role("button", name="Next").click()
    page.evaluate("() => clearInterval(window.__storm)")
    print(page.evaluate("() => window.__draws"))
    print(f"fault proxy: {dict(proxy.counts)}; selections lost in {len(lost)} of {QUESTIONS} answers: {lost}")
    assert lost == [], f"the chosen option was lost before 'Check answer' in answers {lost}"
    expect(main.get_by_role("heading", name=re.compile("Done for today"))).to_be_visible(timeout=20_000)
    # The faults happened, and every answer still reached the server exactly once.
    assert proxy.counts["drop_response"] > 0 and proxy.counts["fail"] > 0 and proxy.counts["drop_request"] > 0
    expect(page.get_by_text("All synced")).to_be_visible(timeout=60_000)
    exported = run_recap("users", "export", EMAIL, "--out", str(server.db_path.parent / "rep.json"), db_path=server.db_path)
    assert f"{QUESTIONS} answers" in exported.stdout, exported.stdout
    assert errors == []
    context.close()
