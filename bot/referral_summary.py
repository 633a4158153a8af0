"""A referral's answers as readable lines in one language, for the person and the practitioner."""
from __future__ import annotations

from typing import Any, Mapping

from bot.catalog import Catalog
from flows.nhs_number import formatted
from flows.referral import (
    BARRIERS, CONTACT_HOW, CONTACT_WHEN, HEADINGS, NO_BARRIERS_OPTION, REASONS, THEMES, YES_NO_SKIP,
    YES_NO_SKIP_THIRD,
)

LABELS = {
    "themes": {o.value: o.label for o in THEMES},
    "reasons": {o.value: o.label for o in REASONS},
    "barriers": {o.value: o.label for o in (*BARRIERS, NO_BARRIERS_OPTION)},
    "yes_no": {o.value: o.label for o in YES_NO_SKIP},
    "yes_no_third": {o.value: o.label for o in YES_NO_SKIP_THIRD},
    "contact_how": {o.value: o.label for o in CONTACT_HOW},
    "contact_when": {o.value: o.label for o in CONTACT_WHEN},
}


# The short summary the person checks on SMS: what identifies them and how to reach them, and
# what they want help with. The rest was echoed as they answered, and the practitioner sees it all.
SHORT = ("themes", "name", "dob", "postcode", "nhs", "contact", "phone")


def summary_text(catalog: Catalog, answers: Mapping[str, Any], language: str,
                 only: tuple[str, ...] | None = None) -> str:
    """One line per answer given (only the `only` lines, if given); skipped answers are left out."""
    def label(kind: str, value: str) -> str:
        key = LABELS[kind].get(value)
        return catalog.text(key, language) if key else value

    lines: list[tuple[str, str]] = []
    if answers.get("what_matters"):
        lines.append(("what_matters", f"\"{answers['what_matters']}\""))
    for name in ("themes", "reasons", "barriers"):
        if answers.get(name):
            lines.append((name, ", ".join(label(name, v) for v in answers[name])))
    if answers.get("carer"):
        lines.append(("carer", label("yes_no", answers["carer"])))
    if answers.get("has_carer"):
        # "Ydy gofalwr yn eich helpu?" is answered Ydy / Nac ydy: the third person, not Ydw.
        lines.append(("has_carer", label("yes_no_third", answers["has_carer"])))
    if answers.get("first_name"):
        lines.append(("name", answers["first_name"]))
    if answers.get("birth_date"):
        year, month, day = answers["birth_date"].split("-")
        lines.append(("dob", f"{day}/{month}/{year}"))
    if answers.get("postcode"):
        lines.append(("postcode", answers["postcode"]))
    if answers.get("nhs_number"):
        lines.append(("nhs", formatted(answers["nhs_number"])))
    contact = [label(kind, answers[kind]) for kind in ("contact_how", "contact_when") if answers.get(kind)]
    if contact:
        lines.append(("contact", ", ".join(contact)))
    if answers.get("phone"):
        lines.append(("phone", answers["phone"]))
    if only is not None:
        lines = [line for line in lines if line[0] in only]
    if not lines:
        return catalog.text("referral.summary_empty", language)
    return "\n".join(f"{catalog.text(HEADINGS[name], language)}: {value}" for name, value in lines)
