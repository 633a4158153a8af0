"""Snags of issue 20, item 13: MORE on the last page keeps the list; words, never codes, reach people."""
from __future__ import annotations

import pytest

from storage.models import Referral
from tests.practitioners.support import referred
from tests.support.team import linked_practitioner


@pytest.mark.parametrize("language, search, more, no_more, kept", [
    ("en", "anything in Cardiff", "more", "That is everything I found", "(7-8 of 8)"),
    ("cy", "unrhyw beth yng Nghaerdydd", "MWY", "Dyna'r cyfan ddes i o hyd iddo", "(7-8 o 8)"),
])
def test_more_on_the_last_page_says_so_and_keeps_the_list(bot, language, search, more, no_more, kept):
    bot.speaking(language)
    bot.send(search).expect("(1-3 o" if language == "cy" else "(1-3 of")
    bot.send(more)
    bot.send(more).expect(kept)
    results = bot.conversation().state["results"]
    for _ in range(2):
        bot.send(more).expect_key("assets.no_more", lang=language).expect(kept).expect_lang(language)
        assert bot.conversation().state["step"] == "results"
        assert bot.conversation().state["results"] == results
    bot.send("1").expect("Barry" if language == "en" else "Barri")   # the list still answers to its numbers


@pytest.mark.parametrize("language, more, no_more", [("en", "MORE", "That is everything I found"),
                                                     ("cy", "mwy", "Dyna'r cyfan ddes i o hyd iddo")])
def test_more_on_a_single_page_says_there_are_no_more(bot, language, more, no_more):
    bot.speaking(language)
    bot.send("walking group in Wrexham" if language == "en" else "grŵp cerdded yn Wrecsam")
    bot.send(more).expect_key("assets.no_more", lang=language).expect("(1-1 o" if language == "cy" else "(1-1 of")
    assert len(bot.conversation().state["results"]) == 1


def test_a_new_referral_says_who_suggested_it_in_words(bot):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "900901", channel="telegram", areas=["CF"], lead=True)
    number = referred(bot, "+447700900601")
    alys.deliver().expect_key("referral.practitioner_new", id=number, route=["snags.route.self"]).expect(absent=("route:", "source:", "(route", ": self"))
    with bot.app.sessions.begin() as session:
        referral = session.get(Referral, number)
        referral.route, referral.source = "gp", "GP-W91234"
    alys.send(f"SHOW {number}").expect_key("referral.practitioner_new", id=number, route=["snags.route.gp"], source=" (GP-W91234)").expect(absent=("route:", ": gp"))


def test_a_welsh_practitioner_reads_the_route_in_welsh(bot):
    siân = linked_practitioner(bot, "Siân", "Caerdydd", "900911", channel="telegram", areas=["CF"], lead=True,
                               language="cy")
    number = referred(bot, "+447700900611", language="cy")
    siân.deliver().expect_key("referral.practitioner_new", id=number, route=["snags.route.self"]).expect(absent=("llwybr:", "ffynhonnell:", "self")).expect_lang("cy")


@pytest.mark.parametrize("language, list_word, today, one_day, days", [
    ("en", "LIST", "today", "1 day", "3 days"),
    ("cy", "RHESTR", "heddiw", "1 diwrnod", "3 diwrnod"),
])
def test_the_list_says_today_not_zero_days(bot, language, list_word, today, one_day, days):
    alys = linked_practitioner(bot, "Alys", "Caerdydd", "+447700900901", areas=["CF"], lead=True, language=language)
    number = referred(bot, "+447700900601")
    alys.deliver()
    alys.send(list_word).expect(today, absent=(" 0 day", " 0 diwrnod"))
    bot.advance("1d")
    alys.deliver()
    alys.send(list_word).expect(one_day)
    bot.advance("2d")
    alys.deliver()
    alys.send(list_word).expect(str(number), days)


def test_every_route_a_source_code_can_give_has_words():
    from bot.referrals import ROUTE_WORDS
    from flows.referral import ROUTES as ROUTE_OPTIONS
    from flows.referral_sources import ROUTES, SELF

    assert set(ROUTES.values()) | {SELF, "other"} | {o.value for o in ROUTE_OPTIONS} <= set(ROUTE_WORDS)
