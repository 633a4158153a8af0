"""The check-in flow as a pure function: consent first, one item per message, answers only once stored."""
from __future__ import annotations

from flows import checkin
from flows.base import Begin, Choice, FlowContext, GoTo, Text
from flows.checkin import (
    AnswerRecorded, CheckinGone, CheckinOpened, CheckinState, CompleteCheckin, OpenCheckin, RecordAnswer,
)
from bot.questionnaire_files import load_questionnaires
from tests.conftest import START_OF_TESTS

QUESTIONNAIRES = load_questionnaires().questionnaires
ITEMS = tuple(f"{q}.{i.id}" for q in ("ons4", "ons_loneliness") for i in QUESTIONNAIRES[q].items)


def ctx(channel="sms", consented=True) -> FlowContext:
    return FlowContext(now=START_OF_TESTS, language="en", channel=channel, person={"consented": consented},
                       resources={"questionnaires": QUESTIONNAIRES})


def opened(channel="sms", remaining=ITEMS):
    return checkin.step(CheckinState(step="opening"), CheckinOpened(5, "baseline", remaining, len(ITEMS)),
                        ctx(channel))


def test_without_consent_the_consent_flow_comes_first_and_carries_on_here():
    result = checkin.begin(Begin({"source": "keyword"}), ctx(consented=False))
    assert result.state is None
    assert result.effects == (GoTo("consent", {"then": "checkin", "then_payload": {"source": "keyword"}}),)


def test_with_consent_it_opens_the_check_in():
    result = checkin.begin(Begin({}), ctx())
    assert result.effects == (OpenCheckin("person"),) and result.replies == ()


def test_the_first_item_comes_with_a_welcome_and_the_introduction():
    result = opened()
    assert [r.key for r in result.replies] == ["checkin.starting", "q.ons4.intro", "q.ons4.life_satisfaction"]
    assert result.replies[-1].params == {"number": 1, "total": 8}
    assert result.replies[-1].options == ()                        # SMS: no eleven-line list for 0-10


def test_telegram_gets_buttons_for_a_number_scale():
    options = opened("telegram").replies[-1].options
    assert [o.value for o in options] == [str(n) for n in range(11)]


def test_an_answer_is_stored_before_the_next_item_is_asked():
    state = opened().state
    stored = checkin.step(state, Text("7"), ctx())
    assert stored.replies == ()
    assert stored.effects == (RecordAnswer(5, "ons4", "life_satisfaction", 7, "answered"),)
    asked = checkin.step(stored.state, AnswerRecorded(5, "ons4", "life_satisfaction"), ctx())
    assert [r.key for r in asked.replies] == ["q.ons4.worthwhile"]
    assert asked.state.remaining == ITEMS[1:]


def test_options_items_offer_skip_and_prefer_not_after_the_numbered_answers():
    state = CheckinState(step="asking", checkin_id=5, remaining=ITEMS[4:], total=len(ITEMS))
    reply = checkin.prompt(state, ctx("telegram"))[0]
    assert [o.value for o in reply.options] == ["1", "2", "3", "skip", "decline"]
    assert checkin.step(state, Choice("decline"), ctx("telegram")).effects[0].status == "declined"
    assert checkin.step(state, Choice("3"), ctx("telegram")).effects[0].value == 3


def test_on_sms_options_items_leave_skip_and_prefer_not_to_the_words_given_at_the_start():
    state = CheckinState(step="asking", checkin_id=5, remaining=ITEMS[4:], total=len(ITEMS))
    assert [o.value for o in checkin.prompt(state, ctx("sms"))[0].options] == ["1", "2", "3"]
    assert checkin.step(state, Text("prefer not to say"), ctx("sms")).effects[0].status == "declined"


def test_the_scale_is_explained_once_then_the_item_is_asked_again():
    state = opened().state
    first = checkin.step(state, Text("banana"), ctx())
    assert [r.key for r in first.replies] == ["q.ons4.scale.zero_to_ten.help", "q.ons4.life_satisfaction"]
    second = checkin.step(first.state, Text("still banana"), ctx())
    assert [r.key for r in second.replies] == ["checkin.not_understood", "q.ons4.life_satisfaction"]
    assert second.effects == ()


def test_a_number_off_the_scale_says_what_the_scale_is():
    result = checkin.step(opened().state, Text("11"), ctx())
    assert [(r.key, dict(r.params)) for r in result.replies][0] == (
        "conversation.scale_out_of_range", {"value": 11, "low": 0, "high": 10})
    assert result.effects == ()


def test_resuming_says_how_many_are_left():
    result = opened(remaining=ITEMS[2:])
    assert [r.key for r in result.replies] == ["checkin.resuming", "q.ons4.happiness"]
    assert result.replies[0].params == {"left": 6}


def test_the_last_answer_thanks_and_completes():
    state = CheckinState(step="asking", checkin_id=5, remaining=ITEMS[-1:], total=len(ITEMS))
    stored = checkin.step(state, Text("banana"), ctx())
    assert stored.effects == ()                                     # not an answer: explained
    assert checkin.step(state, Text("never"), ctx()).effects[0].value == 5   # the option's words: Never
    stored = checkin.step(state, Choice("5"), ctx())
    done = checkin.step(stored.state, AnswerRecorded(5, "ons_loneliness", "direct"), ctx())
    assert done.state is None
    assert [r.key for r in done.replies] == ["checkin.thanks"]
    assert done.effects == (CompleteCheckin(5),)


def test_a_check_in_that_closed_meanwhile_ends_kindly():
    state = opened().state
    result = checkin.step(state, CheckinGone(), ctx())
    assert result.state is None and [r.key for r in result.replies] == ["checkin.closed"]


def test_later_pauses_without_recording_anything():
    result = checkin.step(opened().state, Text("Not now"), ctx())
    assert result.state is None and result.effects == ()
    assert [r.key for r in result.replies] == ["checkin.paused"]


def test_a_stale_state_opens_the_check_in_again():
    result = checkin.step(CheckinState(step="asking", remaining=("gone.item",)), Text("5"), ctx())
    assert result.effects == (OpenCheckin("resume"),)
