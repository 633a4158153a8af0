"""Render the report from a synthetic data set and screenshot it in headless Chromium, in Welsh and English.

    .venv/bin/python scripts/report_screenshot.py --out /tmp/report-shots      # writes report-{cy,en}.html/.png

Needs Chromium (Debian: `apt-get install -y chromium`). The browser runs with no network, sync or
component updates, and a new empty profile each time. Look at the PNGs: the first screen should show
the summary with its reliable-change table; the change panels should have "better" on the right.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic_events import events, load  # noqa: E402
from bot.catalog import Catalog  # noqa: E402
from bot.report.builder import as_html, compute  # noqa: E402
from storage.dataset.catalogue import load_catalogue  # noqa: E402
from storage.dataset.period import Period  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402

PERIOD = Period.of_days(date(2025, 4, 1), date(2026, 3, 31))
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("Chromium not found: install it (Debian: apt-get install -y chromium)")


def screenshot(browser: str, page: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cyswllt-chromium-") as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={png}", page.resolve().as_uri()],
                       check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not png.exists() or png.stat().st_size == 0:
        raise SystemExit(f"Chromium made no screenshot of {page}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--height", type=int, default=2400, help="pixels of the page to capture")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="cyswllt-report-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'report.sqlite3'}")
        upgrade(engine)
        load(engine, events(args.people, args.events))
        figures = compute(engine, PERIOD, load_catalogue())
        engine.dispose()
    now = datetime.now(timezone.utc)
    for lang in ("cy", "en"):
        page = args.out / f"report-{lang}.html"
        page.write_text(as_html(figures, Catalog.load(), load_catalogue(), (lang,), "Cyswllt", now), encoding="utf-8")
        png = args.out / f"report-{lang}.png"
        screenshot(browser, page, png, 1100, args.height)
        print(f"{lang}: {page} -> {png} ({png.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
