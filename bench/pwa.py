"""The installable app's weight and speed, in headless Chromium against a real server.

usage: python bench/pwa.py [--runs N] [--answers N]

1. Builds the app (`npm run build` in pwa/).
2. shell_gzip_bytes: every JS and CSS file that dist/index.html references (what the study
   screen loads), each gzipped (level 9), summed. Budget: 60 KB (61,440 bytes).
3. offline_first_question_ms: a persistent Chromium profile signs in (as rep@example.com, with
   the code the server writes to its mail folder) and loads the app online once (the service
   worker installs, the library is downloaded); then, offline, the median of
   N times from `page.goto` to the first question's heading being visible (wall clock, as the
   test driver sees it: includes the service worker answering, the app opening IndexedDB,
   planning today's queue and drawing the question).
4. answer_write_ms: the mean time of one `app.store.recordAnswer(answer, mutationId)` in the
   page (the app exposes itself as `window.recap`): ONE IndexedDB transaction with durability
   "strict" that writes the answer and its outbox entry and recomputes the question's
   provisional progress. M answers over the library's questions, timed together in the page;
   no rendering. Figures, not verdicts: nothing here asserts on time.

The last line is `bench pwa: shell_gzip_bytes=N offline_first_question_ms=N answer_write_ms=N`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.server import LiveServer, run_recap

ROOT = Path(__file__).resolve().parent.parent
PWA = ROOT / "pwa"
CONTENT = ROOT / "content"
ACCOUNTS = ROOT / "server" / "demo" / "accounts.csv"
EMAIL = "rep@example.com"
CODE = re.compile(r"sign-in code is (\d{6})")
BUDGET_BYTES = 60 * 1024
MORNING = dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.UTC)  # the demo campaigns start on 2026-12-07
QUESTION = re.compile(r"Question \d+ of \d+")
def build() -> None:
    subprocess.run(["npm", "run", "build"], cwd=PWA, check=True, stdout=subprocess.DEVNULL)


def shell_gzip_bytes() -> dict[str, int]:
    """Gzipped size of each JS/CSS file dist/index.html references."""
    html = (PWA / "dist" / "index.html").read_text()
    files = re.findall(r'(?:src|href)="/([^"]+\.(?:js|css))"', html)
    return {name: len(gzip.compress((PWA / "dist" / name).read_bytes(), compresslevel=9)) for name in files}


def start_server(workdir: Path) -> LiveServer:
    """`recap serve --port 0` on a temporary database with the demo library and accounts."""
    db = workdir / "recap.db"
    for args in (("content", "publish", "--create", str(CONTENT)), ("users", "import", str(ACCOUNTS))):
        result = run_recap(*args, db_path=db)
        if result.returncode != 0:
            sys.exit(f"recap {' '.join(args[:2])} failed:\n{result.stdout}{result.stderr}")
    return LiveServer(db)


RECORD_ANSWERS = """async (count) => {
    const store = window.recap.store;
    const content = await store.content();
    const ids = content.snapshot.questions.map((q) => q.id);
    const day = window.recap.today();
    const start = performance.now();
    for (let i = 0; i < count; i++) {
        const at = new Date(Date.now() + i).toISOString();
        await store.recordAnswer(
            {id: crypto.randomUUID(), question_id: ids[i % ids.length], content_version: content.version,
             choice: [1], correct: i % 3 !== 0, answered_at: at, local_day: day, duration_ms: 4000},
            crypto.randomUUID(),
        );
    }
    return performance.now() - start;
}"""


def first_question(page: Page, url: str) -> float:
    """Milliseconds from page.goto to the first question's heading being visible."""
    start = time.perf_counter()
    page.goto(url)
    expect(page.get_by_role("heading", name=QUESTION)).to_be_visible(timeout=20_000)
    return (time.perf_counter() - start) * 1000


def emailed_code(mail: Path, seen: int) -> str:
    """The code in the newest .eml the server writes once more than `seen` exist (docs/auth.md)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        files = sorted(mail.glob("*.eml"))
        if len(files) > seen:
            found = CODE.search(files[-1].read_text())
            if found:
                return found.group(1)
        time.sleep(0.05)
    sys.exit(f"no sign-in code was written to {mail}")


def measure(url: str, mail: Path, profile: Path, runs: int, answers: int) -> tuple[float, float]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_path(),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 360, "height": 740},
            locale="en-GB",
            timezone_id="Europe/Amsterdam",
        )
        context.clock.install(time=MORNING)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url + "/")
        seen = len(list(mail.glob("*.eml")))
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_role("button", name="Email me a code").click()
        page.get_by_label("Sign-in code").fill(emailed_code(mail, seen))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Ready to work offline")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name=QUESTION)).to_be_visible(timeout=20_000)

        context.set_offline(True)
        times = [first_question(page, url + "/") for _ in range(runs)]

        # Timed from here (wall clock), not with the page's clock, which Playwright controls.
        start = time.perf_counter()
        page.evaluate(RECORD_ANSWERS, answers)
        per_answer = (time.perf_counter() - start) * 1000 / answers
        context.close()
    return statistics.median(times), per_answer


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="offline navigations to time (default 10)")
    parser.add_argument("--answers", type=int, default=200, help="answers to record (default 200)")
    args = parser.parse_args()

    build()
    sizes = shell_gzip_bytes()
    total = sum(sizes.values())
    for name, size in sizes.items():
        print(f"  {name}: {size} bytes gzip")
    verdict = "met" if total <= BUDGET_BYTES else "NOT met"
    print(f"study shell: {total} bytes gzip of a {BUDGET_BYTES} byte budget: {verdict}")

    with tempfile.TemporaryDirectory(prefix="recap-bench-pwa-") as tmp:
        server = start_server(Path(tmp))
        try:
            offline_ms, write_ms = measure(server.url, server.db_path.parent / "mail", Path(tmp) / "profile", args.runs, args.answers)
        finally:
            server.stop()
    print(f"offline navigation to the first question: median of {args.runs}: {offline_ms:.0f} ms")
    print(f"answer write (IndexedDB, one strict transaction each): mean of {args.answers}: {write_ms:.2f} ms")
    print(
        f"bench pwa: shell_gzip_bytes={total} offline_first_question_ms={offline_ms:.0f} answer_write_ms={write_ms:.2f}"
    )


if __name__ == "__main__":
    main()
