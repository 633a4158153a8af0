"""The web app (Starlette): Telegram and Twilio webhooks, Twilio status callbacks, /healthz.

A webhook is answered 2xx only after the message is committed to the inbox (a redelivery
is recognised by its provider id and answered 2xx without being handled again), and 503
when the database cannot take it, so the provider tries again and nothing is lost.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.bootstrap import App
from bot.channels.base import Unavailable
from bot.channels.telegram import SECRET_HEADER, TelegramChannel, secret_matches
from bot.channels.twilio_sms import EMPTY_TWIML, TwilioChannel, inbound as twilio_inbound
from bot.delivery_status import record_status
from bot.dispatcher import Handled
from bot.health import DatabaseProbe, scheduler_state
from bot.messages import InboundMessage
from bot.metrics import INBOUND, STATUS_CALLBACKS, TURN_SECONDS, exposition
from bot.operations import read_snapshot
from bot.scheduler import Scheduler
from bot.sender import Sender, routes_from_settings

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000   # no provider sends more; anything bigger is not from one
TURNS_AT_ONCE = 4      # below SQLAlchemy's default pool of 5, leaving one for the sender


@dataclass
class Channels:
    """The channels this deployment has settings for."""

    telegram: TelegramChannel | None
    sms: TwilioChannel | None


def configured_channels(app: App, handle) -> Channels:
    settings = app.settings
    telegram = TelegramChannel(settings, handle) if settings.telegram.token else None
    twilio = settings.twilio
    sms = TwilioChannel(settings) if twilio.account_sid or twilio.auth_token else None
    return Channels(telegram, sms)


class _TooLarge(Exception):
    """A request body over MAX_BODY: 413."""


class WebApp:
    """Holds the parts the routes need; `starlette` is the ASGI app to serve."""

    def __init__(self, app: App, run_sender: bool = True, telegram_polling: bool = False,
                 run_scheduler: bool = False):
        self.app = app
        # Only one scheduler runs at a time across processes: it waits for the lock (bot/scheduler_lock.py).
        self.scheduler = Scheduler(app) if run_scheduler else None
        self.database_probe = DatabaseProbe(app.engine)
        self.channels = configured_channels(app, self.handle)
        if telegram_polling and self.channels.telegram is None:
            raise ValueError("--telegram-polling needs CYSWLLT_TELEGRAM_TOKEN")
        transports = {}
        if self.channels.telegram:
            transports["telegram"] = self.channels.telegram
        if self.channels.sms:
            transports["sms"] = self.channels.sms
        # Turns at once: more than the database pool holds only queue for connections (with
        # PostgreSQL the benchmark showed 1 s tails at 32 concurrent webhooks, none at 8).
        self._turn_threads: ThreadPoolExecutor | None = None
        # SQLite has one writer at a time; threads that wait for it in SQLite's busy handler
        # back off in sleeps of up to 100 ms (1 s tails). Taking turns on a lock in this process
        # instead costs nothing: the GIL serialises the work anyway. Measured (bench/README.md):
        # without it p99 tripled and turns/s fell by a quarter to a half.
        self.write_lock = threading.Lock() if app.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        self.sender = Sender(app.sessions, app.clock, app.settings, routes_from_settings(app.settings, transports),
                             write_lock=self.write_lock) if run_sender and transports else None
        self.telegram_polling = telegram_polling
        if self.channels.sms and not app.settings.public.base_url:
            log.warning("CYSWLLT_PUBLIC_BASE_URL is not set: every Twilio webhook will be refused (403), "
                        "because its signature is checked against that URL")
        if self.channels.telegram and not self.channels.telegram.secret and not telegram_polling:
            log.warning("CYSWLLT_TELEGRAM_SECRET is not set: every Telegram webhook will be refused (403)")
        self._stop = asyncio.Event()
        self._background: list[asyncio.Task] = []
        # While our sender runs, a turn's replies are committed claimed and handed straight to it.
        self._hand_over = False
        self.starlette = Starlette(
            routes=[
                Route("/telegram/webhook", self.telegram_webhook, methods=["POST"]),
                Route("/twilio/sms", self.twilio_sms, methods=["POST"]),
                Route("/twilio/status", self.twilio_status, methods=["POST"]),
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
        self._turn_threads = ThreadPoolExecutor(TURNS_AT_ONCE, thread_name_prefix="turn")
        # Train or load the embedded NLU now, not inside the first message's transaction.
        nlu = self.app.dispatcher.nlu
        for backend in (nlu, getattr(nlu, "fallback", None)):
            if hasattr(backend, "warm_up"):
                await asyncio.to_thread(backend.warm_up)
        if self.channels.telegram:
            await self.channels.telegram.start()
        if self.channels.sms:
            await self.channels.sms.start()
        if self.sender:
            self._background.append(asyncio.create_task(self.sender.run(self._stop)))
            self._hand_over = True
        if self.telegram_polling:
            self._background.append(asyncio.create_task(self.channels.telegram.poll(self._stop)))
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
            if self.channels.telegram:
                await self.channels.telegram.stop()
            if self.channels.sms:
                await self.channels.sms.stop()

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
            if handled.handed:
                self.sender.take(handled.handed)
            if len(handled.outbound_ids) > len(handled.handed):
                self.sender.wake()   # rows only the claim will find (to others, or behind earlier ones)
        return handled

    def _dispatch(self, message: InboundMessage) -> Handled:
        with self.write_lock:
            return self.app.dispatcher.handle(message, hand_over=self._hand_over)

    async def _in_turn_thread(self, function, *args):
        """A blocking call (a database transaction) in one of the turn threads."""
        return await asyncio.get_running_loop().run_in_executor(self._turn_threads, function, *args)

    # ------------------------------------------------------------ routes

    async def telegram_webhook(self, request: Request) -> Response:
        telegram = self.channels.telegram
        if telegram is None:
            return PlainTextResponse("telegram is not configured", status_code=404)
        if not secret_matches(telegram.secret.get_secret_value(), request.headers.get(SECRET_HEADER)):
            INBOUND.labels("telegram", "rejected").inc()
            return PlainTextResponse("forbidden", status_code=403)
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
        except (ValueError, RecursionError):   # RecursionError: JSON nested far too deep
            return PlainTextResponse("not a Telegram update", status_code=400)
        try:
            await telegram.process(data)
        except Unavailable:
            return PlainTextResponse("try again", status_code=503)
        except ValueError:
            return PlainTextResponse("not a Telegram update", status_code=400)
        return Response(status_code=200)

    async def _twilio_form(self, request: Request) -> dict[str, str] | None:
        """The posted form; None if unreadable; raises _TooLarge for a body over MAX_BODY."""
        # Twilio posts application/x-www-form-urlencoded; parsed here rather than with
        # Starlette's request.form(), which would need python-multipart for nothing else.
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            raise _TooLarge()
        body = await request.body()
        if len(body) > MAX_BODY:
            raise _TooLarge()
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return None

    async def twilio_sms(self, request: Request) -> Response:
        sms = self.channels.sms
        if sms is None:
            return PlainTextResponse("sms is not configured", status_code=404)
        try:
            form = await self._twilio_form(request)
        except _TooLarge:
            INBOUND.labels("sms", "rejected").inc()
            return PlainTextResponse("too large", status_code=413)
        if form is None or not sms.checker.valid(request.url.path, request.url.query, form, request.headers):
            INBOUND.labels("sms", "rejected").inc()
            return PlainTextResponse("forbidden", status_code=403)
        message = twilio_inbound(form)
        if message is None:
            return PlainTextResponse("not an SMS webhook", status_code=400)
        try:
            await self.handle(message)
        except Unavailable:
            return PlainTextResponse("try again", status_code=503)
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def twilio_status(self, request: Request) -> Response:
        sms = self.channels.sms
        if sms is None:
            return PlainTextResponse("sms is not configured", status_code=404)
        try:
            form = await self._twilio_form(request)
        except _TooLarge:
            STATUS_CALLBACKS.labels("sms", "rejected").inc()
            return PlainTextResponse("too large", status_code=413)
        if form is None or not sms.checker.valid(request.url.path, request.url.query, form, request.headers):
            STATUS_CALLBACKS.labels("sms", "rejected").inc()
            return PlainTextResponse("forbidden", status_code=403)
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = form.get("MessageStatus") or form.get("SmsStatus")
        if not sid or not status:
            STATUS_CALLBACKS.labels("sms", "invalid").inc()
            return PlainTextResponse("not a status callback", status_code=400)

        def store() -> None:
            with self.write_lock, self.app.sessions.begin() as session:
                record_status(session, "sms", sid[:64], status, form.get("ErrorCode"), self.app.clock.now(),
                              address=form.get("To"))

        try:
            await self._in_turn_thread(store)
        except Exception as exc:  # noqa: BLE001 - the database: Twilio will call again
            log.warning("status callback %s not stored: %s", sid, exc)
            STATUS_CALLBACKS.labels("sms", "unavailable").inc()
            return PlainTextResponse("try again", status_code=503)
        STATUS_CALLBACKS.labels("sms", "stored").inc()
        return Response(status_code=204)

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
        report["channels"] = [name for name, ch in (("telegram", self.channels.telegram),
                                                    ("sms", self.channels.sms)) if ch]
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
