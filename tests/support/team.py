"""Practitioners for conversation tests: added to a team and linked to a chat, ready to answer."""
from __future__ import annotations

from bot.practitioners import add_practitioner
from tests.support.conversation import ConversationDriver


def linked_practitioner(bot: ConversationDriver, name: str, team: str, address: str, *,
                        channel: str | None = None, areas: list[str] | None = None, lead: bool = False,
                        rank: int = 100, language: str = "en") -> ConversationDriver:
    """Add a practitioner, link their chat with the one-time code, and return their driver."""
    app = bot.app
    with app.sessions.begin() as session:
        _, code = add_practitioner(session, name, team, app.clock.now(), areas=areas,
                                   safeguarding_lead=lead, escalation_rank=rank, language=language)
    phone = bot.as_(address, channel)
    phone.send(f"LINK {code}").expect(name)
    return phone
