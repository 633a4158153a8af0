"""Stack floor: the least work a durable turn and a signed webhook need, on this machine.

    python bench/stack_floor.py                         # SQLite and PostgreSQL, about 4 minutes
    python bench/stack_floor.py --db sqlite --turns 2000 --requests 2000 --repeat 3

Not the bot: the ceiling of its stack (CPython, sqlite3 / psycopg, SQLAlchemy Core, Starlette on
uvicorn, httpx), to show whether issue 4's targets (2,000 durable turns/s and 1,000 signed webhooks/s
per process) can be met at all, and what each layer costs. Findings: bench/README-floor.md.
Prints, per database (PostgreSQL: a fresh database, dropped afterwards):
  1. raw DBAPI durable turns (sqlite3 / psycopg, no SQLAlchemy) in one thread: the statements a
     steady-state turn of bot/dispatcher.py makes (SELECT address+person+conversation, INSERT inbox,
     INSERT outbox, UPDATE conversation with its version check, UPDATE address, COMMIT) on the real
     schema (storage.db.upgrade); again with the real SELECT's fact subqueries; on PostgreSQL also
     with the writes and COMMIT in one round trip (pipeline mode; as one CTE statement), without
     waiting for the WAL flush (a diagnostic: not durable), and from several threads;
  2. the same turn through SQLAlchemy Core (storage.db.make_engine, the dispatcher's prebuilt
     statements, one engine.begin() a turn as the dispatcher does; on one connection held), and the
     real dispatcher: the channels bench's script, and the floor's own shape ('menu' from a known person);
  3. the pure-Python part of a real turn without a database (NLU, the screens, keywords, the flows,
     catalog rendering), and that part with the turn's statements on raw DBAPI or on Core: the floor;
  4. HTTP: a minimal Starlette app on uvicorn (uvloop, httptools, no access log) in its own process:
     an empty endpoint; a Twilio-signed form validated with twilio's RequestValidator and one inbox row
     committed with raw DBAPI, answered with empty TwiML; the same plus one outbound POST per message to
     a minimal fake provider (httpx, as python-telegram-bot sends; aiohttp, as twilio's async client
     does). Driven 32 at a time by httpx (as bench/channels_bench.py drives the app) and by bare
     sockets (a generator that costs little), and one at a time (unloaded latency).
Every line notes the CPU each process spent per turn or request (this one, its PostgreSQL backends,
the server, the load generator, the fake provider): the 2 cores are shared by all of them. Turn lines
are the best of --repeat runs. Ends with one table and a turn's time by layer. No pass/fail threshold.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from sqlalchemy import bindparam, select, update  # noqa: E402

from bench.channels_bench import SCRIPT, database, free_port, percentile  # noqa: E402
from bot.bootstrap import build_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.dispatcher import Turn  # noqa: E402
# The turn's own prebuilt Core statements (storage/turn_rows.py, bot/outbox.py).
from bot.outbox import outbox_insert  # noqa: E402
from bot.messages import InboundMessage, clean_text  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from nlu.language import detect_language  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.models import Conversation, Person, PersonAddress  # noqa: E402
from storage.turn_rows import ADDRESS_SEEN, INBOX_INSERT  # noqa: E402
from tests.support.fake_twilio import AUTH_TOKEN, PUBLIC_BASE_URL, TwilioWebhooks  # noqa: E402

APP_NAME = "stack-floor"   # how this benchmark's PostgreSQL connections are found, to count their CPU
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# What a steady-state turn writes, at about the size the real ones are.
STATE = {"step": "home", "offered": ["activities", "referral", "checkin"]}
OPTIONS = [{"value": v, "labels": {"cy": f"Dewis {v}", "en": f"Choice {v}"}} for v in ("1", "2", "3")]
REPLY = ("Beth hoffech chi ei wneud? 1. Dod o hyd i weithgaredd yn agos atoch chi 2. Gofyn am gyfeiriad at "
         "gysylltydd cymunedol 3. Ateb ychydig o gwestiynau am sut rydych chi'n teimlo. Atebwch gyda rhif.")


@dataclass
class Figure:
    """One line of the closing table."""

    section: str
    db: str
    what: str
    rate: float                 # turns or requests per second
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    note: str = ""
    cpu_ms: dict[str, float] = field(default_factory=dict)   # CPU ms a turn or request, by process


FIGURES: list[Figure] = []
REPEAT = 2   # timed runs of each turn figure (--repeat)


def report(figure: Figure) -> None:
    FIGURES.append(figure)
    print(f"  {figure.section} {figure.what}: {figure.rate:,.0f}/s, p50 {figure.p50_ms:.3f} ms, "
          f"p99 {figure.p99_ms:.3f} ms {figure.note}", flush=True)


def postgres_backends(url: str | None) -> list[int]:
    """The PostgreSQL server processes serving this benchmark's connections: their CPU is the turn's too."""
    if url is None or url.startswith("sqlite"):
        return []
    with psycopg.connect(url, autocommit=True) as admin:
        return [pid for (pid,) in admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                                (APP_NAME,))]


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU time of a process so far (Linux /proc; "self" is this one; 0 if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU time that named processes spend between start() and note(); each name's pids are looked for at
    both ends, so that a PostgreSQL backend opened meanwhile counts from its start."""

    def __init__(self, **pids: Callable[[], list]):
        self.pids = pids

    def start(self) -> None:
        self.before = {name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.pids.items()}

    def spent(self, count: int) -> dict[str, float]:
        """CPU ms each of `count` turns or requests, by name, since start()."""
        return {name: sum(cpu_seconds(pid) - self.before[name].get(pid, 0.0) for pid in pids()) / count * 1000
                for name, pids in self.pids.items() if pids() or name != "postgres"}


def cpu_note(cpu_ms: dict[str, float]) -> str:
    return "CPU ms each: " + ", ".join(f"{name} {ms:.2f}" for name, ms in cpu_ms.items())


def measure(section: str, db: str, what: str, turns: list[Callable[[int], None]], count: int,
            url: str | None = None, note: str = "", warm_up: int = 200) -> None:
    """Times `count` calls of turn(n), shared by one thread per entry of `turns`, after a warm-up
    (caches, prepared statements), REPEAT times; keeps the fastest (noise only ever slows a floor down).
    Notes the CPU this process and its PostgreSQL backends spent."""
    for turn in turns:
        for n in range(warm_up):
            turn(n)
    meter = CpuMeter(bench=lambda: ["self"], postgres=lambda: postgres_backends(url))
    best = None
    for repeat in range(REPEAT):
        latencies: list[float] = []
        first_n = warm_up + repeat * count

        def run(turn: Callable[[int], None], first: int) -> None:
            mine = []
            for n in range(first_n + first, first_n + count, len(turns)):  # noqa: B023 - joined in this round
                t0 = time.perf_counter()
                turn(n)
                mine.append(time.perf_counter() - t0)
            latencies.extend(mine)  # noqa: B023 - joined in this round

        workers = [threading.Thread(target=run, args=(turn, first)) for first, turn in enumerate(turns)]
        meter.start()
        start = time.perf_counter()
        if len(workers) == 1:
            run(turns[0], 0)   # in this thread: a sqlite3 connection stays in the thread that made it
        else:
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        rate = count / (time.perf_counter() - start)
        if best is None or rate > best[0]:
            best = rate, latencies, meter.spent(count)
    rate, latencies, cpu_ms = best
    add(section, db, what, rate, latencies, cpu_ms, f"(best of {REPEAT}) {note}".strip())


def add(section: str, db: str, what: str, rate: float, latencies: list[float], cpu_ms: dict[str, float],
        note: str = "") -> None:
    report(Figure(section, db, what, rate, percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000,
                  f"({cpu_note(cpu_ms)}) {note}".strip(), cpu_ms))


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def stored_now(postgresql: bool) -> datetime | str:
    """The time now as storage.models.base.UTCDateTime stores it: naive UTC (SQLite: as SQLAlchemy writes it)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now if postgresql else now.isoformat(" ")


# ---------------------------------------------------------------- the schema and the people

def address_of(n: int) -> str:
    return f"+4470{n:08d}"


def prepared_database(url: str, people: int) -> None:
    """The real schema, and `people` people each with an address and a conversation (steady state)."""
    engine = make_engine(url)
    upgrade(engine)
    now = stored_now(postgresql=not url.startswith("sqlite"))
    raw = engine.raw_connection()
    cursor = raw.cursor()
    marker = "?" if url.startswith("sqlite") else "%s"
    for n in range(1, people + 1):
        # Ids from the tables' own sequences, so that the real dispatcher can add people afterwards.
        cursor.execute(f"INSERT INTO person (pseudonym, language, opted_out, created_at) "
                       f"VALUES ({marker}, 'en', false, {marker}) RETURNING id", (uuid.uuid4().hex, now))
        (person_id,) = cursor.fetchone()
        cursor.execute(f"INSERT INTO person_address (person_id, channel, address, created_at) "
                       f"VALUES ({marker}, 'sms', {marker}, {marker})", (person_id, address_of(n), now))
        cursor.execute(f"INSERT INTO conversation (person_id, flow, state, pending_options, paused, updated_at, "
                       f"version) VALUES ({marker}, 'menu', {marker}, '[]', '[]', {marker}, 1)",
                       (person_id, json.dumps(STATE), now))
    raw.commit()
    raw.close()
    engine.dispose()


# ---------------------------------------------------------------- 1. raw DBAPI turns

SELECT_TURN = """
SELECT a.id, a.person_id, a.channel, a.address, a.unreachable_at, a.created_at, a.last_seen_at,
       p.id, p.pseudonym, p.language, p.language_recorded_at, p.opted_out, p.opted_out_at, p.created_at,
       c.id, c.person_id, c.flow, c.state, c.pending_options, c.paused, c.updated_at, c.version
FROM person_address a JOIN person p ON p.id = a.person_id LEFT JOIN conversation c ON c.person_id = a.person_id
WHERE a.channel = :channel AND a.address = :address"""
INSERT_INBOX = """
INSERT INTO inbound_message (channel, provider_id, address, person_id, text, choice, status, received_at)
VALUES (:channel, :provider_id, :address, :person_id, :text, NULL, 'processed', :now)"""
INSERT_OUTBOX = """
INSERT INTO outbound_message (person_id, channel, address, body, options, language, status, idempotency_key,
                              ignore_opt_out, created_at, not_before, attempts)
VALUES (:person_id, :channel, :address, :body, :options, 'en', 'queued', NULL, false, :now, :now, 0) RETURNING id"""
UPDATE_CONVERSATION = """
UPDATE conversation SET flow = 'menu', state = :state, pending_options = :options, paused = '[]', updated_at = :now,
                        version = :old_version + 1
WHERE id = :conversation_id AND version = :old_version"""
UPDATE_ADDRESS = "UPDATE person_address SET unreachable_at = NULL, last_seen_at = :now WHERE id = :address_id"
# The writes as one statement. A redelivered message breaks the inbox's UNIQUE constraint and a stale
# version divides by zero: either error aborts the transaction, so the COMMIT queued behind it rolls back.
WRITES_CTE = """
WITH inbox AS (INSERT INTO inbound_message (channel, provider_id, address, person_id, text, choice, status,
                                            received_at)
               VALUES (:channel, :provider_id, :address, :person_id, :text, NULL, 'processed', :now) RETURNING id),
     outbox AS (""" + INSERT_OUTBOX + """),
     moved AS (""" + UPDATE_CONVERSATION + """ RETURNING id),
     seen AS (""" + UPDATE_ADDRESS + """)
SELECT (SELECT id FROM inbox), (SELECT id FROM outbox), 1 / (SELECT count(*) FROM moved)"""
VERSION_GUARD = "WITH moved AS (" + UPDATE_CONVERSATION + " RETURNING id) SELECT 1 / count(*) FROM moved"


def for_driver(sql: str, postgresql: bool) -> str:
    """:name placeholders as the driver wants them (sqlite3 takes them as they are)."""
    if not postgresql:
        return sql
    return re.sub(r":(\w+)", r"%(\1)s", sql)


def raw_connection(url: str):
    """A bare psycopg or sqlite3 connection, set up as storage/db.py sets up SQLAlchemy's."""
    if not url.startswith("sqlite"):
        return psycopg.connect(url, application_name=APP_NAME)
    # Python's default transactions: BEGIN before the first write, as with SQLAlchemy's pysqlite dialect.
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


class RawTurn:
    """A durable turn on a bare DBAPI connection: the statements the dispatcher makes, and no more."""

    def __init__(self, url: str, people: int, select: str | None = None, select_params: Callable = dict):
        """`select`: driver SQL reading the same first 22 columns as SELECT_TURN (default: that one)."""
        self.postgresql = not url.startswith("sqlite")
        self.people = people
        # FOR UPDATE as the dispatcher's: one person's turns wait for each other (SQLite has one writer anyway).
        self.select = select or for_driver(SELECT_TURN + (" FOR UPDATE OF a" if self.postgresql else ""),
                                           self.postgresql)
        self.select_params = select_params
        self.json = Jsonb if self.postgresql else json.dumps
        self.connection = raw_connection(url)
        self.sql = {name: for_driver(sql, self.postgresql) for name, sql in (
            ("inbox", INSERT_INBOX + " ON CONFLICT (channel, provider_id) DO NOTHING RETURNING id"),
            ("inbox_plain", INSERT_INBOX), ("outbox", INSERT_OUTBOX), ("conversation", UPDATE_CONVERSATION),
            ("address", UPDATE_ADDRESS), ("writes", WRITES_CTE), ("guard", VERSION_GUARD))}

    def close(self) -> None:
        self.connection.close()

    def _read(self, n: int) -> dict:
        """The turn's one SELECT, and the values its writes need."""
        address = address_of(n % self.people + 1)
        now = stored_now(self.postgresql)
        row = self.connection.execute(self.select, self.select_params({"channel": "sms", "address": address}),
                                      ).fetchone()
        if isinstance(row[17], str):
            json.loads(row[17])   # the state, as the flow reads it (psycopg has decoded the JSONB already)
        return {"channel": "sms", "address": address, "provider_id": f"SM{uuid.uuid4().hex}", "person_id": row[1],
                "text": "menu", "now": now, "body": REPLY, "options": self.json(OPTIONS), "state": self.json(STATE),
                "conversation_id": row[14], "old_version": row[21], "address_id": row[0]}

    def turn(self, n: int) -> None:
        """One statement, one round trip, as the dispatcher does."""
        values = self._read(n)
        run = self.connection.execute
        if run(self.sql["inbox"], values).fetchone() is None:
            raise RuntimeError("a fresh provider id was taken for a duplicate")
        run(self.sql["outbox"], values).fetchone()
        if run(self.sql["conversation"], values).rowcount != 1:
            raise RuntimeError("the conversation moved on")
        run(self.sql["address"], values)
        self.connection.commit()

    def pipelined_turn(self, n: int) -> None:
        """PostgreSQL: the SELECT, then every write and the COMMIT in one round trip."""
        values = self._read(n)
        run = self.connection.execute
        with self.connection.pipeline():
            run(self.sql["inbox_plain"], values)
            outbox = run(self.sql["outbox"], values)
            run(self.sql["guard"], values)
            run(self.sql["address"], values)
            self.connection.commit()
        outbox.fetchone()

    def cte_turn(self, n: int) -> None:
        """PostgreSQL: the SELECT, then the writes as one statement, with the COMMIT in the same round trip."""
        values = self._read(n)
        with self.connection.pipeline():
            writes = self.connection.execute(self.sql["writes"], values)
            self.connection.commit()
        writes.fetchone()


def real_select(url: str):
    """The dispatcher's own turn SELECT (every person fact a subquery) as driver SQL, and its parameters."""
    app = real_app(url)
    compiled = app.dispatcher.turn_query().compile(dialect=app.engine.dialect)
    # IN (...) written out; "now" (what holds the person's replies back) is fixed: it only has to be a time.
    expanded = compiled.construct_expanded_state({"channel": "", "address": "", "now": now_utc()})
    app.close()
    fixed = dict(expanded.parameters)
    if expanded.positiontup is None:          # psycopg: named parameters
        return expanded.statement, lambda values: {**fixed, **values}
    order = expanded.positiontup
    return expanded.statement, lambda values: [values[name] if name in values else fixed[name] for name in order]


def bench_raw(kind: str, url: str, people: int, turns: int, threads: int) -> None:
    raw = RawTurn(url, people)
    measure("1 raw", kind, "turn, a round trip a statement", [raw.turn], turns, url)
    if raw.postgresql:
        measure("1 raw", kind, "turn, writes+COMMIT pipelined", [raw.pipelined_turn], turns, url, "(2 round trips)")
        measure("1 raw", kind, "turn, writes as one CTE", [raw.cte_turn], turns, url, "(2 round trips)")
        # Diagnostic only (a commit no longer waits for the WAL to reach the disk): what that wait costs.
        raw.connection.execute("SET synchronous_commit = off")
        measure("1 raw", kind, "turn, synchronous_commit off (NOT durable)", [raw.turn], turns, url)
    raw.close()
    if kind == "postgresql":
        # As the web app runs turns (TURNS_AT_ONCE): commits waiting together share the WAL flush.
        many = [RawTurn(url, people) for _ in range(threads)]
        measure("1 raw", kind, f"turn, {threads} threads, a connection each", [r.turn for r in many], turns, url)
        for raw in many:
            raw.close()
    select, params = real_select(url)
    raw = RawTurn(url, people, select, params)
    measure("1 raw", kind, "turn, real SELECT with fact subqueries", [raw.turn], turns, url)
    raw.close()


# ---------------------------------------------------------------- 2. SQLAlchemy Core, and the real dispatcher

def bench_engine(url: str):
    """storage.db.make_engine's engine, its PostgreSQL connections named so that their CPU can be counted."""
    if url.startswith("sqlite"):
        return make_engine(url)
    return make_engine(url, connect_args={"application_name": APP_NAME})


class CoreTurn:
    """The same turn through SQLAlchemy Core: the dispatcher's prebuilt statements, no ORM."""

    def __init__(self, url: str, people: int):
        self.engine = bench_engine(url)
        self.people = people
        postgresql = self.engine.dialect.name == "postgresql"
        self.inbox, self.outbox, self.address = INBOX_INSERT[postgresql], outbox_insert(postgresql, False), ADDRESS_SEEN
        a, p, c = PersonAddress.__table__, Person.__table__, Conversation.__table__
        # The conversation's UPDATE as the ORM's version_id_col issues it: SET the columns given,
        # WHERE the id and the version read.
        self.conversation = update(c).where(c.c.id == bindparam("row_id"), c.c.version == bindparam("old_version"))
        # The dispatcher's turn SELECT without its fact subqueries (bench_core also runs it with them).
        self.select = (
            select(a, p, c).join(p, p.c.id == a.c.person_id).outerjoin(c, c.c.person_id == a.c.person_id)
            .where(a.c.channel == bindparam("channel"), a.c.address == bindparam("address")).with_for_update(of=a))

    def turn(self, n: int) -> None:
        # One engine.begin() a turn, as the dispatcher's sessions.begin(): a pool checkout (and on
        # PostgreSQL the pre-ping make_engine asks for) every turn.
        with self.engine.begin() as connection:
            self._statements(connection, n)

    def turn_on(self, connection) -> Callable[[int], None]:
        """Turns on one connection held throughout: no pool checkout, no pre-ping."""
        def turn(n: int) -> None:
            with connection.begin():
                self._statements(connection, n)
        return turn

    def _statements(self, connection, n: int) -> None:
        address, now = address_of(n % self.people + 1), now_utc()
        row = connection.execute(self.select, {"channel": "sms", "address": address, "now": now}).first()
        connection.execute(self.inbox, {
            "channel": "sms", "provider_id": f"SM{uuid.uuid4().hex}", "address": address, "person_id": row[1],
            "text": "menu", "choice": None, "status": "processed", "received_at": now}).scalar()
        connection.execute(self.outbox, {
            "person_id": row[1], "channel": "sms", "address": address, "body": REPLY, "options": OPTIONS,
            "language": "en", "status": "queued", "idempotency_key": None, "ignore_opt_out": False,
            "created_at": now, "not_before": now, "attempts": 0, "priority": 0}).scalar()
        moved = connection.execute(self.conversation, {
            "flow": "menu", "state": STATE, "pending_options": OPTIONS, "paused": [], "updated_at": now,
            "version": row[21] + 1, "row_id": row[14], "old_version": row[21]})
        if moved.rowcount != 1:
            raise RuntimeError("the conversation moved on")
        connection.execute(self.address, {"row_id": row[0], "now": now})

    def close(self) -> None:
        self.engine.dispose()


def real_app(url: str):
    settings = load_settings(environ={})
    settings.database.url = url
    return build_app(settings, clock=SystemClock(), engine=bench_engine(url))


def bench_core(kind: str, url: str, people: int, turns: int) -> None:
    core = CoreTurn(url, people)
    measure("2 core", kind, "turn, SQLAlchemy Core", [core.turn], turns, url)
    with core.engine.connect() as held:
        measure("2 core", kind, "turn, Core on one connection held", [core.turn_on(held)], turns, url)
    app = real_app(url)
    core.select = app.dispatcher.turn_query()   # an ORM select, run on the Core connection: rows, not objects
    measure("2 core", kind, "turn, Core, real SELECT with fact subqueries", [core.turn], turns, url)
    core.close()

    def handle(address: str, words: str) -> None:
        app.dispatcher.handle(InboundMessage("sms", address, words, uuid.uuid4().hex))

    def script_turn(n: int) -> None:   # new people, each saying the channels bench's script
        handle(f"+4471{n // len(SCRIPT):08d}", SCRIPT[n % len(SCRIPT)])

    measure("2 core", kind, "turn, the real dispatcher", [script_turn], turns // 2, url,
            "(the channels bench's script: 1 turn in 10 a new person, some with 2 replies)")
    # The floor's shape: a known person asks for the menu (one SELECT, inbox, one outbox row, two UPDATEs).
    for n in range(people):
        handle(f"+4472{n:08d}", "Hello")
        handle(f"+4472{n:08d}", "2")   # English
    measure("2 core", kind, STEADY, [lambda n: handle(f"+4472{n % people:08d}", "menu")], turns // 2, url,
            "('menu' from a known person: the floor lines' statements)")
    with app.engine.connect() as connection:
        failed = connection.exec_driver_sql("SELECT count(*) FROM inbound_message WHERE status = 'failed'").scalar()
    if failed:
        raise SystemExit(f"the real dispatcher failed {failed} turns: its figures would be wrong")
    app.close()


# ---------------------------------------------------------------- 3. the pure-Python part of a turn

class CpuTurn:
    """A real turn's work with no database: NLU, screens, keywords, flows, rendering the replies."""

    def __init__(self, app):
        self.dispatcher, self.catalog = app.dispatcher, app.catalog
        self.person = self.conversation = None
        self.turns = 0   # its own count: one person says the whole script, whichever turns a thread is given

    def turn(self, n: int) -> None:
        dispatcher, now, words = self.dispatcher, now_utc(), SCRIPT[self.turns % len(SCRIPT)]
        is_new = self.turns % len(SCRIPT) == 0
        self.turns += 1
        if is_new:
            self.person = Person(id=n + 1, pseudonym=uuid.uuid4().hex, opted_out=False, created_at=now)
            self.conversation = Conversation(id=n + 1, person_id=n + 1, flow="language", state={}, pending_options=[],
                                             paused=[], updated_at=now, version=1)
        person = self.person
        text = clean_text(words)
        parse = dispatcher.nlu.parse(text, person.language or detect_language(text) or dispatcher.default_language)
        turn = Turn(None, person, self.conversation, InboundMessage("sms", address_of(n), words, str(n)), text, parse,
                    now, n, facts=dispatcher.person_facts.read(None, None, person))
        dispatcher.decide(turn, is_new)
        for out in turn.outgoing:   # as bot.outbox.queue_message renders them and keeps the options offered
            self.catalog.render(out.reply, out.language or person.language or "cy+en")
            if out.reply.options:
                self.conversation.pending_options = [
                    {"value": o.value, "labels": self.catalog.labels(o.label, **o.params)} for o in out.reply.options]
        json.dumps(self.conversation.state), json.dumps(self.conversation.pending_options)


def bench_python(url: str, turns: int) -> None:
    app = real_app(url)
    measure("3 python", "-", "turn, no database (NLU, screens, flows, rendering)", [CpuTurn(app).turn], turns)
    app.close()


def bench_floor(kind: str, url: str, people: int, turns: int, threads: int) -> None:
    """The least a real turn could cost: its pure-Python part, then its statements on raw DBAPI or Core."""
    app = real_app(url)

    def both(python: CpuTurn, durable: Callable[[int], None]) -> Callable[[int], None]:
        def turn(n: int) -> None:
            python.turn(n)
            durable(n)
        return turn

    for threads_now in (1, threads) if kind == "postgresql" else (1,):
        raws = [RawTurn(url, people) for _ in range(threads_now)]
        cores = CoreTurn(url, people)
        measure("3 floor", kind, f"turn, Python + raw DBAPI, {threads_now} thread(s)",
                [both(CpuTurn(app), raw.turn) for raw in raws], turns, url)
        measure("3 floor", kind, f"turn, Python + SQLAlchemy Core, {threads_now} thread(s)",
                [both(CpuTurn(app), cores.turn) for _ in range(threads_now)], turns, url)
        for raw in raws:
            raw.close()
        cores.close()
    app.close()


# ---------------------------------------------------------------- 4. HTTP: the web app at its least

def serve_floor(url: str, port: int, provider: str | None, outbound_client: str) -> None:
    """The least a signed webhook needs: Starlette on uvicorn, one inbox row, empty TwiML (its own process)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    connection = raw_connection(url)
    postgresql = not url.startswith("sqlite")
    store = for_driver(INSERT_INBOX + " ON CONFLICT (channel, provider_id) DO NOTHING RETURNING id", postgresql)
    # httpx: one pooled AsyncClient, as python-telegram-bot's HTTPXRequest sends; aiohttp: one
    # ClientSession, as twilio's AsyncTwilioHttpClient sends (made on the server's loop, at first use).
    outbound = httpx.AsyncClient(base_url=provider) if provider and outbound_client == "httpx" else None
    sessions = []

    async def send(to: str) -> None:
        form = {"To": to, "From": "+447700900000", "Body": REPLY}
        if outbound is not None:
            (await outbound.post("/Messages.json", data=form)).raise_for_status()
            return
        import aiohttp
        if not sessions:
            sessions.append(aiohttp.ClientSession(provider))
        async with sessions[0].post("/Messages.json", data=form) as sent:
            sent.raise_for_status()
            await sent.read()

    async def empty(request) -> Response:
        await request.body()
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def twilio_sms(request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        if not validator.validate(PUBLIC_BASE_URL + request.url.path, form, request.headers.get("X-Twilio-Signature")):
            return Response("forbidden", status_code=403)
        # Committed before the 2xx, on the event loop's own thread: the least a durable inbox can do.
        connection.execute(store, {"channel": "sms", "provider_id": form["MessageSid"], "address": form["From"],
                                   "person_id": None, "text": form["Body"], "now": stored_now(postgresql)}).fetchone()
        connection.commit()
        if provider:
            await send(form["From"])
        return Response(EMPTY_TWIML, media_type="text/xml")

    app = Starlette(routes=[Route("/empty", empty, methods=["POST"]),
                            Route("/twilio/sms", twilio_sms, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", access_log=False,
                log_level="warning", lifespan="off")


def serve_provider(port: int) -> None:
    """A fake provider that reads the request and answers as Twilio would, doing nothing else (its own process)."""
    import uvicorn

    async def accept(scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"sid": "SM0", "status": "queued"}'})

    uvicorn.run(accept, host="127.0.0.1", port=port, loop="uvloop", http="httptools", access_log=False,
                log_level="warning", lifespan="off")


@contextmanager
def process(*args: str):
    """This script in another role (a server on a free port), stopped afterwards; yields (process, url)."""
    port = free_port()
    child = subprocess.Popen([sys.executable, __file__, *args, "--port", str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url)
            break
        except httpx.TransportError:
            if child.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{args[0]} did not start") from None
            time.sleep(0.05)
    try:
        yield child, url
    finally:
        child.terminate()
        child.wait(timeout=30)


def signed_requests(count: int) -> list[tuple[bytes, dict]]:
    """Twilio webhooks signed beforehand, so that signing is not the load generator's work."""
    from urllib.parse import urlencode

    webhooks = TwilioWebhooks()
    requests = []
    for n in range(count):
        form = webhooks.sms(address_of(n % 1000), "menu", sid=f"SM{uuid.uuid4().hex}")
        headers = {**webhooks.sign("/twilio/sms", form), "Content-Type": "application/x-www-form-urlencoded"}
        requests.append((urlencode(form).encode(), headers))
    return requests


async def httpx_load(url: str, path: str, requests: list[tuple[bytes, dict]],
                     concurrency: int) -> tuple[float, list[float]]:
    """Posts every request, `concurrency` at a time, as bench/channels_bench.py drives the real app."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    pending = iter(requests)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for content, headers in pending:
                t0 = time.perf_counter()
                response = await client.post(path, content=content, headers=headers)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(requests) / (time.perf_counter() - start), latencies


async def socket_load(url: str, path: str, requests: list[tuple[bytes, dict]],
                      concurrency: int) -> tuple[float, list[float]]:
    """The same posts from bare keep-alive sockets: a generator that costs little, to see the server's ceiling."""
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    pending = iter([f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(content)}\r\n".encode()
                    + "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode() + b"\r\n" + content
                    for content, headers in requests])

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for request in pending:
            t0 = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            if status.split()[1] != b"200":
                raise SystemExit(f"{path} answered {status.decode().strip()}")
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(requests) / (time.perf_counter() - start), latencies


GENERATORS = {"httpx": httpx_load, "sockets": socket_load}


def drive(kind: str, what: str, servers: dict, path: str, count: int, concurrency: int, generator: str,
          url: str | None = None) -> None:
    """Warm up, then load the server; notes the CPU each process (and the server's PostgreSQL backend) spent."""
    import uvloop

    load, base = GENERATORS[generator], servers["url"]
    uvloop.run(load(base, path, signed_requests(200), concurrency))
    requests = signed_requests(count)
    meter = CpuMeter(server=lambda: [servers["server"].pid], generator=lambda: ["self"],
                     postgres=lambda: postgres_backends(url),
                     **({"provider": lambda: [servers["provider"].pid]} if "provider" in servers else {}))
    meter.start()
    rate, latencies = uvloop.run(load(base, path, requests, concurrency))
    add("4 http", kind, f"{what}; {generator}, {concurrency} at a time", rate, latencies, meter.spent(count))


def bench_http(kind: str, url: str, requests: int, unloaded: int, concurrency: int) -> None:
    with process("--serve-floor", url) as (server, base):
        servers = {"server": server, "url": base}
        if kind == "sqlite":   # no database here: once is enough
            for generator in GENERATORS:
                drive("-", "empty endpoint", servers, "/empty", requests, concurrency, generator)
        for generator in GENERATORS:
            drive(kind, "signed webhook + inbox commit", servers, "/twilio/sms", requests, concurrency, generator, url)
        drive(kind, "signed webhook + inbox commit, unloaded", servers, "/twilio/sms", unloaded, 1, "httpx", url)
    with process("--serve-provider") as (provider, provider_url):
        for client in ("httpx", "aiohttp"):
            serving = process("--serve-floor", url, "--provider", provider_url, "--outbound-client", client)
            with serving as (server, base):
                servers = {"server": server, "url": base, "provider": provider}
                drive(kind, f"signed webhook + inbox commit + 1 outbound POST ({client})", servers, "/twilio/sms",
                      requests // 5, concurrency, "sockets", url)


# ---------------------------------------------------------------- the table

def print_table() -> None:
    print("\n| section | db | what | per s | p50 ms | p99 ms | note |\n|---|---|---|---:|---:|---:|---|")
    for f in FIGURES:
        print(f"| {f.section} | {f.db} | {f.what} | {f.rate:,.0f} | {f.p50_ms:.2f} | {f.p99_ms:.2f} | {f.note} |")
    print_layers()


THREADS_1 = "turn, Python + %s, 1 thread(s)"
STEADY = "turn, the real dispatcher, steady state"


def cpu_of(db: str, what: str, process: str = "bench") -> float:
    """CPU ms a turn that `process` spent in the figure so named, or nan if it was skipped."""
    return next((f.cpu_ms.get(process, 0.0) for f in FIGURES if f.db == db and f.what == what), float("nan"))


def print_layers() -> None:
    """Where a real turn's time goes, in this process's CPU (steadier than wall time on a shared machine).
    Measured together, the Python and the database parts cost more than apart (the caches hold less of
    each), so the floor lines are used, not sums."""
    python = cpu_of("-", "turn, no database (NLU, screens, flows, rendering)")
    print("\nA steady-state turn's CPU in this process by layer (ms a turn; share of the real dispatcher's), "
          "and the most turns/s one process could do at that CPU a turn (the GIL runs one thread at a time):")
    for kind in ("sqlite", "postgresql"):
        raw, floor_raw = cpu_of(kind, "turn, a round trip a statement"), cpu_of(kind, THREADS_1 % "raw DBAPI")
        floor_core, real = cpu_of(kind, THREADS_1 % "SQLAlchemy Core"), cpu_of(kind, STEADY)
        if real != real:   # nan: not measured
            continue
        layers = {"pure-Python turn + raw DBAPI (together)": floor_raw,
                  "SQLAlchemy Core on top": floor_core - floor_raw,
                  "the rest (the ORM, the dispatcher's own work)": real - floor_core}
        print(f"  {kind}: the real dispatcher {real:.2f} = " + " + ".join(
            f"{name} {ms:.2f} ({ms / real:.0%})" for name, ms in layers.items())
            + f"; apart: raw DBAPI {raw:.2f}, pure-Python turn {python:.2f}")
        print(f"    one process at most: real {1000 / real:,.0f}/s, floor with Core {1000 / floor_core:,.0f}/s, "
              f"floor with raw DBAPI {1000 / floor_raw:,.0f}/s"
              + (f" (PostgreSQL's own CPU a turn, on the same 2 cores: real {cpu_of(kind, STEADY, 'postgres'):.2f}, "
                 f"floor {cpu_of(kind, THREADS_1 % 'raw DBAPI', 'postgres'):.2f})" if kind == "postgresql" else ""))


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, default=1000, help="people in the database before the turns")
    parser.add_argument("--turns", type=int, default=3000, help="timed turns a line (the real dispatcher: half)")
    parser.add_argument("--requests", type=int, default=5000, help="webhooks a loaded HTTP line")
    parser.add_argument("--unloaded", type=int, default=1000, help="webhooks one at a time")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timed runs of each turn figure (the best kept)")
    parser.add_argument("--threads", type=int, default=4, help="PostgreSQL: turns from this many threads too")
    parser.add_argument("--skip", action="append", default=[], choices=("raw", "core", "python", "http"))
    # The roles this script plays in its own subprocesses.
    parser.add_argument("--serve-floor", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--serve-provider", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--provider", help=argparse.SUPPRESS)
    parser.add_argument("--outbound-client", choices=("httpx", "aiohttp"), default="httpx", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        return serve_floor(args.serve_floor, args.port, args.provider, args.outbound_client)
    if args.serve_provider:
        return serve_provider(args.port)

    REPEAT = args.repeat
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        print(f"== {kind}", flush=True)
        with database(kind) as url:
            prepared_database(url, args.people)
            if "raw" not in args.skip:
                bench_raw(kind, url, args.people, args.turns, args.threads)
            if "core" not in args.skip:
                bench_core(kind, url, args.people, args.turns)
            if "python" not in args.skip:
                if kind == "sqlite" or args.db == "postgresql":   # no database: once is enough
                    bench_python(url, args.turns)
                bench_floor(kind, url, args.people, args.turns, args.threads)
            if "http" not in args.skip:
                bench_http(kind, url, args.requests, args.unloaded, args.concurrency)
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_table()


if __name__ == "__main__":
    main()
