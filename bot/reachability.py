"""An address a provider said was unreachable becomes reachable again when the person writes from it."""
from __future__ import annotations


def reachable_again(turn, ctx) -> None:
    """A screen that never answers: it only clears the address's unreachable mark.

    Telegram says 403 while someone has blocked the bot, Twilio 21610 while they have
    opted out with it; a message from them means they have undone that.
    """
    for address in turn.person.addresses:
        if (address.channel == turn.message.channel and address.address == turn.message.address
                and address.unreachable_at is not None):
            address.unreachable_at = None
    return None
