"""Every flow the bot can run, by name. Adding a flow here puts it in the menu if it has a label."""
from __future__ import annotations

from flows import (
    asset_search, checkin, consent, end_of_support, language, menu, practitioner, referral, rights, safety,
    safety_check, withdraw,
)
from flows.base import Flow, Option

FLOWS: dict[str, Flow] = {
    flow.name: flow for flow in (
        language.FLOW, menu.FLOW, consent.FLOW, practitioner.FLOW, safety.FLOW, safety_check.FLOW, referral.FLOW,
        withdraw.FLOW, asset_search.FLOW, checkin.FLOW, end_of_support.FLOW, rights.FLOW,
    )
}


def menu_options(flows: dict[str, Flow] = FLOWS) -> tuple[Option, ...]:
    offered = sorted((f for f in flows.values() if f.menu_label), key=lambda f: (f.menu_order, f.name))
    return tuple(Option(f.name, f.menu_label) for f in offered)


def intent_routes(flows: dict[str, Flow] = FLOWS) -> dict[str, str]:
    return {intent: f.name for f in flows.values() for intent in f.intents}
