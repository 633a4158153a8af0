"""Which address reaches someone: the one they last wrote from, even when they switch within a minute.

A turn stores its address's last-seen time only when that would change which address is
preferred, or the stored time is over a minute old (bot/dispatcher.py LAST_SEEN_PRECISION).
"""
from __future__ import annotations

from datetime import timedelta

from bot.outbox import preferred_address
from storage.models import PersonAddress


def _add_telegram(bot, chat_id: str) -> None:
    person = bot.person()
    with bot.app.sessions.begin() as session:
        session.add(PersonAddress(person_id=person.id, channel="telegram", address=chat_id,
                                  created_at=bot.app.clock.now(), last_seen_at=bot.app.clock.now()))


def _preferred(bot) -> tuple[str, str]:
    with bot.app.sessions() as session:
        address = preferred_address(session.merge(bot.person()))
        return address.channel, address.address


def test_the_address_last_written_from_is_preferred_after_quick_switches(bot, clock):
    bot.speaking("en")
    _add_telegram(bot, "555")
    telegram = bot.as_("555", channel="telegram")
    for sender, expected in ((bot, ("sms", bot.address)), (telegram, ("telegram", "555")),
                             (bot, ("sms", bot.address)), (bot, ("sms", bot.address)),
                             (telegram, ("telegram", "555"))):
        clock.advance(timedelta(seconds=5))
        sender.send("menu")
        assert _preferred(bot) == expected


def test_last_seen_is_kept_to_the_minute_without_a_write_every_message(bot, clock):
    bot.speaking("en")
    first_seen = bot.rows(PersonAddress)[0].last_seen_at
    clock.advance(timedelta(seconds=20))
    bot.send("menu")
    assert bot.rows(PersonAddress)[0].last_seen_at == first_seen
    clock.advance(timedelta(seconds=50))
    bot.send("menu")
    assert bot.rows(PersonAddress)[0].last_seen_at == clock.now()
