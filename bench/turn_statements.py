"""In process, no HTTP: the side-by-side bench's script through Dispatcher.handle, with the statements
each turn runs and the CPU a turn. Load-independent where it counts (statements); CPU is this process's.

    .venv/bin/python bench/turn_statements.py [--app DIR] [--people 100] [--db URL] [--sql] [--profile FILE]

As `serve` runs a turn: `hand_over=True`, and each reply marked sent before the person's next turn
(the sender's record, not counted), so the outbox's busy check and claim run as they do there.
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import os
import sys
import tempfile
import time
import uuid

SCRIPT = ["hi", "2", "CHECKIN", "yes", "7", "about 8", "6", "3"]   # ../shared/peer-bench/turn_load_cyswllt.py


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", default=".", help="a Cyswllt checkout (default: this one)")
    ap.add_argument("--people", type=int, default=100)
    ap.add_argument("--db", default=None, help="a database URL (default: a new SQLite file)")
    ap.add_argument("--sql", action="store_true", help="print the statements of the first person's turns")
    ap.add_argument("--profile", default=None, help="write a cProfile of the measured turns here")
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.app))
    os.chdir(a.app)
    os.environ.update({"CYSWLLT_DATABASE_URL": a.db or f"sqlite:///{tempfile.mkdtemp()}/turns.sqlite3",
                       "CYSWLLT_CHECKINS_QUESTIONNAIRES": '["ons4"]'})
    from sqlalchemy import event, text

    from bot.bootstrap import build_app
    from bot.messages import InboundMessage
    from bot.settings import load_settings

    app = build_app(load_settings())
    counts, current, shown = collections.Counter(), [None], collections.defaultdict(list)

    @event.listens_for(app.engine, "before_cursor_execute")
    def count(conn, cursor, statement, params, context, executemany):
        counts[current[0]] += 1
        if a.sql and current[0] is not None and current[0][0] == 0:
            shown[current[0][1]].append(" ".join(statement.split())[:140])

    def person(n: int, key: int) -> None:
        for i, words in enumerate(SCRIPT):
            current[0] = (key, i)
            handled = app.dispatcher.handle(InboundMessage("sms", f"+4477{n:08d}", words, uuid.uuid4().hex),
                                            hand_over=True)
            current[0] = None
            assert not handled.failed, (n, words)
            if handled.outbound_ids:
                with app.engine.begin() as db:
                    db.execute(text("UPDATE outbound_message SET status = 'sent' WHERE id IN (%s)"
                                    % ",".join(str(i) for i in handled.outbound_ids)))

    for n in range(5):
        person(900_000 + n, -1)   # warm up: caches, the NLU's models
    profile = cProfile.Profile() if a.profile else None
    if profile:
        profile.enable()
    started = time.process_time()
    for n in range(a.people):
        person(n, n)
    cpu = time.process_time() - started
    if profile:
        profile.disable()
        profile.dump_stats(a.profile)
    per_turn = [sum(counts[(p, i)] for p in range(a.people)) / a.people for i in range(len(SCRIPT))]
    print(f"CPU a turn {cpu / (a.people * len(SCRIPT)) * 1000:.3f} ms; statements a turn "
          f"{', '.join(f'{s:g}' for s in per_turn)} (total {sum(per_turn):g})")
    for i, statements in sorted(shown.items()):
        print(f"{SCRIPT[i]!r}:", *statements, sep="\n    ")


if __name__ == "__main__":
    main()
