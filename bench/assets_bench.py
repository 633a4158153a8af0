"""Benchmark: import a generated directory of 50,000 assets, then time typical searches.

    /work/main/.venv/bin/python bench/assets_bench.py [--count 50000] [--reps 20] [--only sqlite|postgresql]

Prints import throughput (records/s) and search latency p50/p99 per database: SQLite with FTS5,
PostgreSQL with a GIN index on to_tsvector('simple', ...). The assets are generated
deterministically (seeded) around real Welsh towns; nothing is downloaded. The PostgreSQL run
creates and drops its own database (CYSWLLT_BENCH_POSTGRES_URL, default postgres@127.0.0.1).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from flows.asset_query import parse_query  # noqa: E402
from storage.assets.repository import import_records  # noqa: E402
from storage.assets.search import search_text  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.places import default_gazetteer  # noqa: E402

ADMIN_URL = os.environ.get("CYSWLLT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TOWNS = ["Cardiff", "Swansea", "Newport", "Wrexham", "Bangor", "Llandudno", "Aberystwyth", "Carmarthen",
         "Haverfordwest", "Newtown", "Brecon", "Rhyl", "Bridgend", "Llanelli", "Pontypridd", "Merthyr Tydfil",
         "Caernarfon", "Mold", "Barry", "Neath", "Cardigan", "Tenby", "Abergavenny", "Denbigh", "Holyhead"]
KINDS = [  # (English, Welsh, categories)
    ("Walking Group", "Grŵp Cerdded", "physical_activity green"), ("Community Choir", "Côr Cymunedol", "creative social"),
    ("Sea Swimmers", "Nofwyr Môr", "blue"), ("Community Garden", "Gardd Gymunedol", "green volunteering"),
    ("Men's Shed", "Sied Dynion", "social learning_skills"), ("Coffee Morning", "Bore Coffi", "social older_people"),
    ("Money Advice", "Cyngor Ariannol", "money_advice"), ("Carers' Café", "Caffi Gofalwyr", "carers social"),
    ("Toddler Group", "Cylch Ti a Fi", "children_families"), ("Art Class", "Dosbarth Celf", "creative"),
    ("Chair Yoga", "Ioga Cadair", "physical_activity"), ("Digital Skills", "Sgiliau Digidol", "learning_skills"),
    ("Volunteer Team", "Tîm Gwirfoddoli", "volunteering"), ("Memory Café", "Caffi Cof", "older_people social"),
    ("Knit and Natter", "Gwau a Sgwrs", "creative social"), ("Bike Ride", "Taith Feicio", "physical_activity green"),
]
ADJECTIVES = ["Friendly", "Riverside", "Valley", "Harbour", "Hillside", "Town", "Village", "Park", "Chapel",
              "Library", "Castle", "Station", "Market", "Old", "New", "North", "South", "West", "East"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
QUERIES = [
    "walking group in Wrexham", "oes côr ger Llandudno?", "sea swimming in Swansea", "free yoga in Cardiff",
    "money advice CF10 1AA", "grŵp cerdded ym Mangor", "toddler group for children in Newport on Tuesdays",
    "gardening in Welsh near Aberystwyth", "wheelchair accessible coffee morning in Rhyl", "choir",
    "anything outdoors in Brecon", "men's shed within 5 miles of Carmarthen",
]


def generate(count: int, seed: int = 2026):
    """Deterministic ORUK service records spread around Welsh towns."""
    rng = random.Random(seed)
    gazetteer = default_gazetteer()
    towns = [(name, gazetteer.lookup(name)) for name in TOWNS]
    for number in range(count):
        town, place = towns[rng.randrange(len(towns))]
        en, cy, categories = KINDS[rng.randrange(len(KINDS))]
        adjective = ADJECTIVES[rng.randrange(len(ADJECTIVES))]
        days = sorted(rng.sample(DAYS, rng.randint(1, 2)), key=DAYS.index)
        welsh = rng.random() < 0.4
        yield {
            "id": f"bench-{number}",
            "name": f"{adjective} {town} {en}", "name_cy": f"{cy} {town} {number % 97}",
            "description": f"A {en.lower()} meeting in {town}. Everyone welcome.",
            "description_cy": f"{cy} yn cwrdd yn {town}. Croeso i bawb.",
            "setting": rng.choice(["indoors", "outdoors", "both"]),
            "minimum_age": rng.choice([None, 0, 16, 18, 50]),
            "organization": {"id": f"bench-org-{number % 5000}", "name": f"Bench organisation {number % 5000}"},
            "schedules": [{"id": f"bench-{number}-s", "byday": ",".join(days), "opens_at": "10:00", "closes_at": "12:00"}],
            "languages": [{"id": f"bench-{number}-l1", "code": "en"}] + (
                [{"id": f"bench-{number}-l2", "code": "cy"}] if welsh else []),
            "cost_options": [{"id": f"bench-{number}-c", "amount": rng.choice([0, 0, 1, 2.5, 5])}],
            "attributes": [{"id": f"bench-{number}-a-{c}", "taxonomy_term": {"id": f"cyswllt-{c}", "code": c, "name": c}}
                           for c in categories.split()],
            "service_at_locations": [{"id": f"bench-{number}-sal", "location": {
                "id": f"bench-{number}-loc", "name": f"{town} venue",
                "latitude": round(place.latitude + rng.uniform(-0.15, 0.15), 5),
                "longitude": round(place.longitude + rng.uniform(-0.2, 0.2), 5),
                "addresses": [{"id": f"bench-{number}-ad", "city": town, "postal_code": place.district}],
                "accessibility": [{"id": f"bench-{number}-acc", "wheelchair": rng.random() < 0.6}],
            }}],
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(name: str, url: str, count: int, reps: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    started = time.perf_counter()
    with sessions.begin() as session:
        report = import_records(session, generate(count), source="bench")
    seconds = time.perf_counter() - started
    print(f"{name}: imported {report.imported} assets in {seconds:.1f} s = {report.imported / seconds:,.0f} records/s "
          f"({len(report.rejected)} rejected)")
    if name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    gazetteer = default_gazetteer()
    gazetteer.lookup("CF10 1AA")  # load the postcode table before timing
    timings: dict[str, list[float]] = {q: [] for q in QUERIES}
    counts: dict[str, int] = {}
    with sessions() as session:
        for query in QUERIES:  # warm-up: the first run of each plan
            search_text(session, gazetteer, parse_query(query))
        for _ in range(reps):
            for query in QUERIES:
                parsed = parse_query(query)
                begin = time.perf_counter()
                outcome = search_text(session, gazetteer, parsed)
                timings[query].append((time.perf_counter() - begin) * 1000)
                counts[query] = len(outcome.hits)
    every = [t for values in timings.values() for t in values]
    print(f"{name}: search over {count:,} assets, {len(every)} searches: "
          f"p50 {statistics.median(every):.1f} ms, p99 {percentile(every, 0.99):.1f} ms")
    for query, values in timings.items():
        print(f"    {query!r:55} p50 {statistics.median(values):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
              f"  ({counts[query]} results)")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            run("sqlite", f"sqlite:///{folder}/bench.sqlite3", args.count, args.reps)
    if args.only != "sqlite":
        admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        database = f"cyswllt_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        try:
            run("postgresql", f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}", args.count, args.reps)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
