"""Messages that arrive together are handled in one transaction, each still a whole turn."""
from __future__ import annotations

import uuid

import pytest

from bot.messages import InboundMessage
from storage.models import InboundMessage as InboxRow, SafeguardingAlert


def _message(driver, text: str, provider_id: str | None = None) -> InboundMessage:
    return InboundMessage(driver.channel, driver.address, text, provider_id or uuid.uuid4().hex)


def test_a_group_gives_each_person_the_replies_they_would_get_alone(app, bot):
    alone, together = bot.as_("+447700900001"), bot.as_("+447700900002")
    for driver in (alone, together):
        driver.speaking("en")
    newcomer = bot.as_("+447700900003")
    alone.send("menu")
    expected = alone.send("help").text

    handled = app.dispatcher.handle_together([
        _message(together, "menu"), _message(newcomer, "Helo"), _message(together, "help")])

    assert [h.duplicate or h.failed for h in handled] == [False, False, False]
    replies = together.deliver()
    assert replies.text.endswith(expected)       # in order: the menu first, then the help
    newcomer.deliver().expect("Shwmae", before="Hello")   # the Active Offer, Welsh first
    assert together.conversation().flow == alone.conversation().flow


def test_a_message_delivered_twice_in_one_group_is_handled_once(app, bot):
    bot.speaking("en")
    twice = _message(bot, "menu", provider_id="SMtwice")
    handled = app.dispatcher.handle_together([twice, twice])
    assert [h.duplicate for h in handled] == [False, True]
    assert len(bot.rows(InboxRow, provider_id="SMtwice")) == 1


def _two_people_and_a_turn_that_breaks_on_boom(app, bot, first: str, second: str):
    drivers = bot.as_(first), bot.as_(second)
    for driver in drivers:
        driver.speaking("en")

    def breaks_on_boom(turn, ctx):
        if turn.text == "boom":
            raise RuntimeError("a bug in one turn")
        return None

    app.dispatcher.screens.append(breaks_on_boom)
    return drivers


def test_one_failing_turn_leaves_the_others_handled_and_is_kept_as_failed(app, bot):
    first, second = _two_people_and_a_turn_that_breaks_on_boom(app, bot, "+447700900011", "+447700900012")
    handled = app.dispatcher.handle_together([_message(first, "boom"), _message(second, "help")])
    assert [h.failed for h in handled] == [True, False]
    first.deliver().expect("Sorry")
    second.deliver().expect("MENU")
    assert [row.status for row in first.rows(InboxRow, address=first.address)][-1] == "failed"


def test_a_risk_disclosure_in_a_group_gets_the_crisis_reply_and_one_alert(app, bot):
    person, other = bot.as_("+447700900021"), bot.as_("+447700900022")
    for driver in (person, other):
        driver.speaking("en")
    app.dispatcher.handle_together([_message(other, "menu"), _message(person, "I want to kill myself")])
    person.deliver().expect("Thank you for telling me")
    assert len(bot.rows(SafeguardingAlert)) == 1


def test_two_workers_with_the_same_people_in_opposite_orders_handle_every_message_once(app, bot):
    """Groups lock addresses in one order, so they wait for each other rather than deadlock."""
    import threading

    if app.engine.dialect.name != "postgresql":
        pytest.skip("turns overlap only on PostgreSQL (SQLite deployments run one worker, one writer)")
    people = [bot.as_(f"+4477009003{n:02d}") for n in range(12)]
    for driver in people:
        driver.speaking("en")
    groups = {"forward": [], "backward": []}
    for _ in range(5):
        groups["forward"].append([_message(p, "menu") for p in people])
        groups["backward"].append([_message(p, "help") for p in reversed(people)])
    results, raised = [], []
    turn = app.dispatcher._turn

    def noting_what_is_raised(session, message, *rest):
        try:
            return turn(session, message, *rest)
        except Exception as error:
            raised.append(error)
            raise

    app.dispatcher._turn = noting_what_is_raised

    def work(name):
        for group in groups[name]:
            results.extend(app.dispatcher.handle_together(group))

    threads = [threading.Thread(target=work, args=(name,)) for name in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive()
    assert len(results) == 120 and not any(h.failed or h.duplicate for h in results)
    # A group may fall apart when another worker moved a conversation on meanwhile (its turns
    # then run alone, as above), never because two groups waited on each other.
    assert not [e for e in raised if "deadlock" in str(e).lower()]
    statuses = {row.status for row in bot.rows(InboxRow)}
    assert statuses == {"processed"}


def test_a_newcomers_first_two_messages_in_one_group_are_one_person_and_one_conversation(app, bot):
    newcomer = bot.as_("+447700900031")
    handled = app.dispatcher.handle_together([_message(newcomer, "Hello"), _message(newcomer, "2")])
    assert not any(h.failed or h.duplicate for h in handled)
    newcomer.deliver().expect("Shwmae")
    assert newcomer.person().language == "en"
    newcomer.send("menu").expect_lang("en")


def test_a_disclosure_in_a_group_undone_by_another_turn_still_gets_the_crisis_reply_and_alert(app, bot):
    person, other = _two_people_and_a_turn_that_breaks_on_boom(app, bot, "+447700900041", "+447700900042")
    handled = app.dispatcher.handle_together([_message(other, "boom"), _message(person, "I want to kill myself")])
    assert [h.failed for h in handled] == [True, False]
    person.deliver().expect("Thank you for telling me")
    assert len(bot.rows(SafeguardingAlert)) == 1
