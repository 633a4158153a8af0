"""A channel made only here, registered by name alone: proof that a new channel touches nothing else."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.channels.base import Outcome
from bot.channels.plugin import ChannelSpec, Limits
from bot.messages import InboundMessage


class EchoChannel:
    name = "echo"

    def __init__(self, inbox):
        self.inbox = inbox
        self.sent = []

    def routes(self):
        return [Route("/echo", self.webhook, methods=["POST"])]

    async def webhook(self, request: Request):
        form = await request.json()
        await self.inbox.handle(InboundMessage("echo", form["from"], form["text"], form["id"]))
        return PlainTextResponse("ok")

    async def start(self):
        pass

    async def stop(self):
        pass

    def background(self, stop):
        return []

    async def send(self, message):
        self.sent.append(message)
        return Outcome.sent(f"echo-{message.id}")


class EchoSpec(ChannelSpec):
    name = "echo"
    label = "Echo"

    def configured(self, settings) -> bool:
        return True

    def limits(self, settings) -> Limits:
        return Limits(1000.0)

    def build(self, settings, inbox, *, polling: bool = False):
        return EchoChannel(inbox)


SPEC = EchoSpec()
