"""The messages that may need an approved WhatsApp template, and their texts as Twilio wants them.

Anything due outside WhatsApp's 24-hour window goes only as a template approved by WhatsApp
(bot/send_policy.py). These are the kinds the service sends unprompted; `cyswllt whatsapp
templates` prints each one's Welsh and English text from the catalogs with its parameters as
Twilio's {{1}}, {{2}}..., and the settings to paste once Twilio has given each its Content SID.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# To the person: check-in invitations and reminders, booking reminders, referral updates, the
# end-of-support offer. To practitioners: alerts, new referrals and reminders, activity nudges.
UNPROMPTED = {
    "checkin.offer_baseline": "person", "checkin.offer_follow_up": "person",
    "checkin.reminder": "person", "checkin.reminder_resume": "person",
    "booking.reminder": "person", "booking.reminder_no_time": "person",
    "booking.reminder_today": "person", "booking.reminder_today_no_time": "person",
    "referral.reminder": "person", "referral.person_redirected": "person",
    "referral.person_closed_not_appropriate": "person", "eos.offer": "person",
    "safeguarding.alert": "practitioner", "safeguarding.alert_further": "practitioner",
    "safeguarding.alert_escalated": "practitioner",
    "referral.practitioner_new": "practitioner", "referral.practitioner_new_short": "practitioner",
    "referral.practitioner_accept_reminder": "practitioner", "referral.practitioner_to_lead": "practitioner",
    "referral.practitioner_withdrawn": "practitioner",
    "nudge.question": "practitioner", "nudge.reminder": "practitioner", "nudge.digest": "practitioner",
    "assets.practitioner_referral": "practitioner", "assets.practitioner_going": "practitioner",
    "eos.practitioner_words_quotable": "practitioner", "eos.practitioner_words_private": "practitioner",
}
LANGUAGES = ("cy", "en")
_PLACEHOLDER = re.compile(r"\{(\w+(?::\w+)?)\}")


@dataclass(frozen=True)
class TemplateText:
    key: str
    language: str
    body: str                 # with {{1}}, {{2}}... where the catalog has {name}...
    variables: tuple[str, ...]  # what each number is: the catalog's parameter (and its mutation)


def template_text(catalog, key: str, language: str) -> TemplateText:
    """A catalog message as a template body: each distinct parameter numbered in order of first use."""
    raw = catalog.text(key, language)
    variables: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) not in variables:
            variables.append(match.group(1))
        return "{{%d}}" % (variables.index(match.group(1)) + 1)

    return TemplateText(key, language, _PLACEHOLDER.sub(number, raw), tuple(variables))


def all_texts(catalog) -> list[TemplateText]:
    return [template_text(catalog, key, lang) for key in UNPROMPTED if catalog.has(key) for lang in LANGUAGES]


def markdown(catalog) -> str:
    """A table for docs/whatsapp.md: what to register with Twilio, per kind and language."""
    lines = ["| kind | to | language | variables | template body |", "|---|---|---|---|---|"]
    for text in all_texts(catalog):
        body = text.body.replace("|", "\\|").replace("\n", "<br>")
        variables = ", ".join(f"{{{{{n}}}}} {v}" for n, v in enumerate(text.variables, start=1)) or "-"
        lines.append(f"| `{text.key}` | {UNPROMPTED[text.key]} | {text.language} | {variables} | {body} |")
    return "\n".join(lines) + "\n"


def settings_toml(catalog) -> str:
    """The settings to fill in with each template's Content SID (HX...)."""
    out = []
    for text in all_texts(catalog):
        out.append(f'[whatsapp.templates."{text.key}".{text.language}]')
        out.append('content_sid = "HX................................"')
        out.append("variables = [" + ", ".join(f'"{v}"' for v in text.variables) + "]\n")
    return "\n".join(out)
