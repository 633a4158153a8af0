"""The web app (Starlette): each configured channel's webhooks (bot/channels/), /healthz, /metrics.

A webhook is answered 2xx only after the message is committed to the inbox (a redelivery
is recognised by its provider id and answered 2xx without being handled again), and 503
when the database cannot take it, so the provider tries again and nothing is lost.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.bootstrap import App
from bot.channels import registry
from bot.channels.base import Unavailable
from bot.channels.plugin import Channel
from bot.delivery_status import record_status
from bot.dispatcher import Handled
from bot.health import DatabaseProbe, scheduler_state
from bot.messages import InboundMessage
from bot.metrics import INBOUND, TURN_SECONDS, exposition
from bot.operations import read_snapshot
from bot.scheduler import Scheduler
from bot.send_limits import routes_from_settings
from bot.sender import Sender
from storage.db import one_writer

log = logging.getLogger(__name__)

TURNS_AT_ONCE = 4      # below SQLAlchemy's default pool of 5, leaving one for the sender
# SQLite writes one transaction at a time (the App's write lock): a second turn thread would only
# wait at the lock, and the sender's record of a reply would wait behind every turn queued there
# (p99 at 16 clients 0.6-0.7 of four threads in three of four pairs, bench/README.md).
TURNS_AT_ONCE_SQLITE = 1


class WebApp:
    """Holds the parts the routes need; `starlette` is the ASGI app to serve."""

    def __init__(self, app: App, run_sender: bool = True, telegram_polling: bool = False,
                 run_scheduler: bool = False):
        self.app = app
        # Only one scheduler runs at a time across processes: it waits for the lock (bot/scheduler_lock.py).
        self.scheduler = Scheduler(app) if run_scheduler else None
        self.database_probe = DatabaseProbe(app.engine)
        # The configured channels (bot/channels/registry.py), each mounting its own routes.
        self.channels: dict[str, Channel] = {
            spec.name: spec.build(app.settings, self, polling=telegram_polling)
            for spec in registry.configured(app.settings)}
        if telegram_polling and "telegram" not in self.channels:
            raise ValueError("--telegram-polling needs CYSWLLT_TELEGRAM_TOKEN")
        # Turns at once: more than the database pool holds only queue for connections (with
        # PostgreSQL the benchmark showed 1 s tails at 32 concurrent webhooks, none at 8).
        self._turn_threads: ThreadPoolExecutor | None = None
        self.sender = Sender(app.sessions, app.clock, app.settings, routes_from_settings(app.settings, self.channels),
                             write_lock=app.write_lock) if run_sender and self.channels else None
        for said in dict.fromkeys(w for name in self.channels
                                  for w in registry.spec(name).warnings(app.settings, polling=telegram_polling)):
            log.warning(said)
        self._stop = asyncio.Event()
        self._background: list[asyncio.Task] = []
        # While our sender runs, a turn's replies are committed claimed and handed straight to it.
        self._hand_over = False
        self.starlette = Starlette(
            routes=[
                *(route for channel in self.channels.values() for route in channel.routes()),
                Route("/healthz", self.healthz, methods=["GET"]),
                Route("/healthz/live", self.live, methods=["GET"]),
                Route("/metrics", self.metrics, methods=["GET"]),
            ],
            lifespan=self.lifespan,
        )

    # ------------------------------------------------------------ lifecycle

    @contextlib.asynccontextmanager
    async def lifespan(self, _starlette):
        self._stop = asyncio.Event()
        turns_at_once = TURNS_AT_ONCE_SQLITE if one_writer(self.app.engine) else TURNS_AT_ONCE
        self._turn_threads = ThreadPoolExecutor(turns_at_once, thread_name_prefix="turn")
        # Train or load the embedded NLU now, not inside the first message's transaction.
        nlu = self.app.dispatcher.nlu
        for backend in (nlu, getattr(nlu, "fallback", None)):
            if hasattr(backend, "warm_up"):
                await asyncio.to_thread(backend.warm_up)
        for channel in self.channels.values():
            await channel.start()
        if self.sender:
            self._background.append(asyncio.create_task(self.sender.run(self._stop)))
            self._hand_over = True
        for channel in self.channels.values():
            self._background.extend(asyncio.create_task(work) for work in channel.background(self._stop))
        if self.scheduler:
            self.app.scheduler = self.scheduler
            await self.scheduler.start()
        try:
            yield
        finally:
            self._hand_over = False
            if self.scheduler:
                await self.scheduler.shutdown()
            self._stop.set()
            if self.sender:
                self.sender.wake()
            await asyncio.gather(*self._background, return_exceptions=True)
            self._background.clear()
            # Every turn handed over finishes (a transaction is not interrupted half way).
            await asyncio.to_thread(self._turn_threads.shutdown, wait=True)
            for channel in self.channels.values():
                await channel.stop()

    # ------------------------------------------------------------ the inbox

    async def handle(self, message: InboundMessage) -> Handled:
        """Commit one inbound message through the dispatcher; Unavailable if it cannot be."""
        started = time.perf_counter()
        try:
            handled = await self._in_turn_thread(self._dispatch, message)
        except Exception as exc:  # noqa: BLE001 - the dispatcher keeps failed turns; this is the DB
            log.warning("inbound %s %s not committed: %s", message.channel, message.provider_id, exc)
            INBOUND.labels(message.channel, "unavailable").inc()
            raise Unavailable(str(exc)) from exc
        TURN_SECONDS.labels(message.channel).observe(time.perf_counter() - started)
        INBOUND.labels(message.channel, "duplicate" if handled.duplicate else
                       "failed" if handled.failed else "handled").inc()
        if self.sender:
            if handled.behind:
                self.sender.take_behind(handled.handed)
            elif handled.handed:
                self.sender.take(handled.handed)
            if len(handled.outbound_ids) > sum(len(m.row_ids) for m in handled.handed):
                self.sender.wake()   # rows only the claim will find (to others, or behind earlier ones)
        return handled

    def _dispatch(self, message: InboundMessage) -> Handled:
        return self.app.dispatcher.handle(message, hand_over=self._hand_over)

    async def _in_turn_thread(self, function, *args):
        """A blocking call (a database transaction) in one of the turn threads."""
        return await asyncio.get_running_loop().run_in_executor(self._turn_threads, function, *args)

    async def store_status(self, channel: str, provider_id: str, status: str, error_code: str | None,
                           address: str | None) -> None:
        """Store a provider's delivery status (a channel's status callback); Unavailable if it cannot be."""
        def store() -> None:
            with self.app.write_lock, self.app.sessions.begin() as session:
                record_status(session, channel, provider_id, status, error_code, self.app.clock.now(), address=address)

        try:
            await self._in_turn_thread(store)
        except Exception as exc:  # noqa: BLE001 - the database: the provider will call again
            raise Unavailable(str(exc)) from exc

    # ------------------------------------------------------------ routes

    async def live(self, request: Request) -> Response:
        """Liveness: the process answers. No database, so it stays cheap under any load."""
        return JSONResponse({"ok": True})

    async def healthz(self, request: Request) -> Response:
        """Readiness: the database answers (a probe reused for a moment, bot/health.py), and the rest."""
        report: dict = {"database": await self.database_probe.state()}
        nlu = self.app.dispatcher.nlu
        report["nlu"] = {"backend": self.app.settings.nlu.backend, "class": type(nlu).__name__}
        if hasattr(nlu, "health"):
            try:
                report["nlu"]["state"] = nlu.health()
            except Exception as exc:  # noqa: BLE001
                report["nlu"]["state"] = f"error: {exc}"
        report["scheduler"] = scheduler_state(getattr(self.app, "scheduler", None))
        report["sender"] = "off" if self.sender is None else ("running" if self.sender.running else "stopped")
        report["channels"] = list(self.channels)
        if report["database"] == "ok" and self.sender is not None:
            with contextlib.suppress(Exception):
                report["outbox_waiting"] = await run_in_threadpool(self.sender.queue_depth)
        ok = report["database"] == "ok"
        return JSONResponse({"ok": ok, **report}, status_code=200 if ok else 503)

    async def metrics(self, request: Request) -> Response:
        """Prometheus text: this process's (or every worker's) counters, and the database gauges."""
        def read():
            return read_snapshot(self.app.engine, self.app.clock.now())

        body, content_type = await run_in_threadpool(exposition, read)
        return Response(body, media_type=content_type)


def create_web_app(app: App, run_sender: bool = True, telegram_polling: bool = False,
                   run_scheduler: bool = False) -> WebApp:
    return WebApp(app, run_sender=run_sender, telegram_polling=telegram_polling, run_scheduler=run_scheduler)
