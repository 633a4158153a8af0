"""The report's issue-17 sections: the first-screen summary, referral outcomes, protected
characteristics, the end-of-support measures and the quotes people agreed to share.

Each function takes the page (bot/report/render.py Page) and adds its part; counts are already
suppressed in the figures, and every text comes from the catalogs (plurals through ngettext).
"""
from __future__ import annotations

import html
from typing import Any

PROTECTED_TITLES = {"sex": "report.pc.sex", "gender_same": "report.pc.gender_same",
                    "ethnic_group": "report.pc.ethnic_group", "disability": "report.pc.disability",
                    "welsh": "report.pc.welsh"}
YES_NO_TITLES = {"1": "report.eos.learnt_skills", "79": "report.eos.volunteering", "74": "report.eos.knows_more",
                 "98": "report.eos.action_plan", "97": "report.eos.difference_answered"}


def _people(page, value: int | None) -> str:
    """"12 people" / "1 person" / "<5 people", through ngettext."""
    if value is None:
        return page.t("report.n_people_suppressed")
    return html.escape(page.catalog.ntext("report.n_people", value, page.lang))


def _measure_name(page, m: dict[str, Any]) -> str:
    spec = page.catalogue[m["statement"]].fields.get(m["item"])
    return page.t(spec.label) if spec and spec.label else html.escape(f'{m["instrument"]} {m["item"]}')


def summary(page) -> None:
    """What a commissioner looks for first: who came, why, whether they went, and who is better off."""
    f = page.f
    page.add(f'<section class="summary"><h2>{page.t("report.summary.title")}</h2>')
    referrals = f["how_much"]["referrals"]
    routes = [r for r in referrals["by_route"] if r["count"]]
    routes.sort(key=lambda r: -r["count"])
    top_routes = ", ".join(f'{page.label(41, "route", r["key"])} {page.count(r["count"])}' for r in routes[:3]) or "–"
    themes = [r for r in f["how_well"]["themes"]["rows"] if r["count"]]
    themes.sort(key=lambda r: -r["count"])
    top_themes = ", ".join(page.label(108, "themes", r["key"]) for r in themes[:3]) or "–"
    attendance = f["how_well"]["attendance"]
    total = referrals["total"]
    referred_text = page.t("report.n_referrals_suppressed") if total is None else \
        html.escape(page.catalog.ntext("report.n_referrals", total, page.lang))
    before = f.get("previous")
    earlier = {}
    if before:
        earlier = {
            "referred": "–" if before["referrals"] is None and before["people"] is None else
            f'{page.count(before["referrals"])} ({_people(page, before["people"])})',
            "attended": page.t("report.summary.attended_value", attended=page.count(before["attended"]),
                               asked=page.count(before["asked"]), rate=page.share(before["attendance_rate"])),
        }
    rows = [
        (page.t("report.summary.referred"), f'{referred_text} ({_people(page, referrals["people"])})',
         earlier.get("referred", "")),
        (page.t("report.summary.routes"), top_routes, ""),
        (page.t("report.summary.themes"), top_themes, ""),
        (page.t("report.summary.attended"),
         page.t("report.summary.attended_value", attended=page.count(attendance["attended"]),
                asked=page.count(attendance["asked"]), rate=page.share(attendance["attendance_rate"])),
         earlier.get("attended", "")),
    ]
    satisfaction = f.get("end_of_support", {}).get("94")
    if satisfaction:
        good = [r for r in satisfaction["rows"] if r["key"] in ("very_good", "good")]
        share = None if any(r["suppressed"] for r in good) or not satisfaction["people"] else \
            sum(r["count"] or 0 for r in good) / satisfaction["people"]
        rows.append((page.t("report.summary.satisfied"),
                     page.t("report.summary.satisfied_value", share=page.share(share),
                            people=_people(page, satisfaction["people"])), ""))
    previous_label = page.t("report.summary.previous", period=f'{before["period"]["from"]} – {before["period"]["to"]}') \
        if before else ""
    page.table(["", page.t("report.summary.this_period"), previous_label], rows, numeric_from=9)
    measures = [m for m in f["better_off"]["measures"] if m.get("reliable_threshold") is not None]
    if measures:
        page.add(f'<h3>{page.t("report.summary.reliable_title")}</h3>')
        earlier_better = (before or {}).get("reliably_better", {})
        page.table([page.t("report.change.measure"), page.t("report.summary.threshold"),
                    page.t("report.change.pairs"), page.t("report.summary.reliably_better"),
                    page.t("report.summary.reliably_worse"), page.t("report.summary.better_before")],
                   [(_measure_name(page, m), f'{m["reliable_threshold"]:.2f}', page.count(m["pairs"]),
                     page.share(m["reliably_better_share"]), page.share(m["reliably_worse_share"]),
                     page.share(earlier_better.get(f'{m["statement"]}:{m["instrument"]}:{m["item"]}')))
                    for m in measures])
        page.para(page.t("report.summary.reliable_key"), "key")
    page.add("</section>")


def referral_outcomes(page) -> None:
    o = page.f.get("referral_outcomes")
    if not o:
        return
    page.heading(page.t("report.outcomes.title"), 44)
    page.table([page.t("report.outcomes.outcome"), page.t("report.column.people"), page.t("report.column.share")],
               [(page.t("report.outcomes.accepted"), page.count(o["accepted"]), page.share(o["accepted_share"])),
                (page.t("report.outcomes.not_appropriate"), page.count(o["not_appropriate"]),
                 page.share(o["not_appropriate_share"])),
                (page.t("report.outcomes.redirected"), page.count(o.get("redirected")),
                 page.share(o.get("redirected_share")))])
    page.para(page.t("report.outcomes.key"), "key")


def protected(page) -> None:
    block = page.f.get("protected")
    if not block:
        return
    page.heading(page.t("report.pc.title"), 36)
    page.para(page.t("report.pc.text"), "key")
    for name, title in PROTECTED_TITLES.items():
        part = block[name]
        page.add(f"<h4>{page.t(title)}</h4>")
        if not part["people"] and part["people"] is not None:
            page.para(page.t("report.no_data"), "none")
            continue
        page.breakdown(part["rows"], [page.label(36, name, r["key"]) for r in part["rows"]], page.t(title),
                       page.t("report.column.people"), chart=False)


def end_of_support(page) -> None:
    e = page.f.get("end_of_support")
    if not e:
        return
    page.add(f'<h3>{page.t("report.eos.title")}</h3>')
    for statement, field in (("94", "rating"), ("72", "agreement"), ("70", "agreement"), ("83", "agreement")):
        block = e[statement]
        page.heading(page.t(page.catalogue[int(statement)].title) if page.catalogue[int(statement)].title
                     else page.t("report.eos.activities"), int(statement))
        if not block["people"] and block["people"] is not None:
            page.para(page.t("report.no_data"), "none")
            continue
        page.para(html.escape(page.catalog.ntext("report.n_people", block["people"], page.lang))
                  if block["people"] is not None else page.t("report.n_people_suppressed"))
        page.breakdown(block["rows"], [page.label(int(statement), field, r["key"]) for r in block["rows"]],
                       page.t("report.column.item"), page.t("report.column.people"))
    page.heading(page.t("report.statement.82"), 82)
    goals = e["goals_met"]
    page.add(f'<h4>{page.t("report.eos.goals_practitioner")}</h4>')
    if goals["people"] == 0:
        page.para(page.t("report.no_data"), "none")
    else:
        page.breakdown(goals["rows"], [page.label(82, "met", r["key"]) for r in goals["rows"]],
                       page.t("report.column.item"), page.t("report.column.people"), chart=False)
    scores = e["goal_scores"]
    page.para(page.t("report.eos.goal_scores", answers=page.count(scores["answers"]),
                     mean=page.number(scores["mean"])))
    onward = e["onward"]
    page.para(page.t("report.eos.onward", total=page.count(onward["total"]), cases=page.count(onward["cases"])))
    rows = [(page.t(YES_NO_TITLES[s]), page.count(v["yes"]), page.count(v["people"]), page.share(v["share"]))
            for s, v in sorted(e["yes_no"].items(), key=lambda kv: list(YES_NO_TITLES).index(kv[0]))
            if s in YES_NO_TITLES]
    if rows:
        page.table([page.t("report.column.item"), page.t("report.eos.yes"), page.t("report.column.people"),
                    page.t("report.column.share")], rows)


def quotes(page) -> None:
    """Their own words, only where they agreed, and only when enough agreed that none stands out."""
    q = page.f.get("quotes")
    if q is None:
        return
    page.heading(page.t("report.quotes.title"), 97)
    if not q["shown"]:
        page.para(page.t("report.quotes.too_few"), "none")
        return
    page.para(page.t("report.quotes.text"), "key")
    page.add("".join(f"<blockquote>{html.escape(text)}</blockquote>" for text in q["shown"]))



def by_language(page) -> None:
    """Outcomes by language of choice, and whether people were served in it (Standard Six)."""
    rows = page.f.get("by_language")
    if not rows:
        return
    page.heading(page.t("report.by_language.title"), 13)
    page.table([page.t("report.language.title"), page.t("report.column.people"),
                page.t("report.by_language.attended"), page.t("report.by_language.rated_good"),
                page.t("report.by_language.reliably_better"), page.t("report.by_language.served")],
               [(page.label(13, "language", r["language"]), page.count(r["people"]), page.share(r["attended_share"]),
                 page.share(r["rated_good_share"]), page.share(r["reliably_better_share"]),
                 page.share(r["served_share"])) for r in rows])
    page.para(page.t("report.by_language.key"), "key")
