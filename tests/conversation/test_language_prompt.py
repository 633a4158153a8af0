"""At the language prompt, clear answers in words are understood (issue 20 item 13)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("answer, language", [("Cymraeg os gwelwch yn dda", "cy"), ("englsh pls", "en"),
                                              ("i want to refer myself", "en"), ("welsh please", "cy"),
                                              ("Saesneg plis", "en")])
def test_the_language_prompt_understands_words(bot, answer, language):
    bot.send("Helo").expect_key(choices=('cy', 'en'))
    bot.send(answer).expect_lang(language)
    assert bot.person().language == language
    assert bot.conversation().flow != "asset_search"
