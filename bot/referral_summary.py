"""A referral's answers as readable lines in one language, for the person and the practitioner."""
from __future__ import annotations

from typing import Any, Mapping

from bot.catalog import Catalog
from flows.nhs_number import formatted
from flows.referral import (
    BARRIERS, CONTACT_HOW, CONTACT_WHEN, HEADINGS, NO_BARRIERS_OPTION, REASONS, THEMES, YES_NO_SKIP,
)

LABELS = {
    "themes": {o.value: o.label for o in THEMES},
    "reasons": {o.value: o.label for o in REASONS},
    "barriers": {o.value: o.label for o in (*BARRIERS, NO_BARRIERS_OPTION)},
    "yes_no": {o.value: o.label for o in YES_NO_SKIP},
    "contact_how": {o.value: o.label for o in CONTACT_HOW},
    "contact_when": {o.value: o.label for o in CONTACT_WHEN},
}


def summary_text(catalog: Catalog, answers: Mapping[str, Any], language: str) -> str:
    """One line per answer given; skipped answers are left out."""
    def label(kind: str, value: str) -> str:
        key = LABELS[kind].get(value)
        return catalog.text(key, language) if key else value

    lines: list[tuple[str, str]] = []
    if answers.get("what_matters"):
        lines.append(("what_matters", f"\"{answers['what_matters']}\""))
    for name in ("themes", "reasons", "barriers"):
        if answers.get(name):
            lines.append((name, ", ".join(label(name, v) for v in answers[name])))
    for name in ("carer", "has_carer"):
        if answers.get(name):
            lines.append((name, label("yes_no", answers[name])))
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
    if not lines:
        return catalog.text("referral.summary_empty", language)
    return "\n".join(f"{catalog.text(HEADINGS[name], language)}: {value}" for name, value in lines)
