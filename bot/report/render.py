"""Turns the report's figures into one self-contained HTML page, in Welsh, English, or both."""
from __future__ import annotations

import html
from pathlib import Path
from string import Template
from typing import Any, Iterable, Sequence

# Autoescaping by type, as Jinja does: every building block escapes what it is given unless it is
# Markup (already-safe HTML: a catalog text escaped by `t`, or markup built here), so a value
# from the data (an area or a label an imported directory named) can never become a tag.
from markupsafe import Markup, escape

from bot.catalog import Catalog
from bot.extras import require_extra
from bot.report import table2_sections
from storage.dataset.catalogue import Catalogue

TEMPLATE = Path(__file__).resolve().parent / "template.html"
BETTER = {"higher": "report.change.better_higher", "lower": "report.change.better_lower"}
SETTINGS = {"green": "report.setting.green", "blue": "report.setting.blue", "other": "report.setting.other"}


class Page:
    """The report in one language."""

    def __init__(self, figures: dict[str, Any], catalog: Catalog, catalogue: Catalogue, lang: str):
        self.f = figures
        self.catalog = catalog
        self.catalogue = catalogue
        self.lang = lang
        self.parts: list[str] = []
        # matplotlib comes with the [report] extra: imported only when a page is drawn.
        require_extra("matplotlib", "report", "the report's charts")
        from bot.report import charts

        self.charts = charts

    # ------------------------------------------------------------ words and numbers

    def t(self, key: str, **params: Any) -> Markup:
        """The catalog text, escaped once (parameters may come already escaped, e.g. "&lt;5")."""
        plain = {k: html.unescape(v) if isinstance(v, str) else v for k, v in params.items()}
        return escape(self.catalog.text(key, self.lang, **plain))

    def count(self, value: int | None) -> str:
        return self.t("report.suppressed") if value is None else f"{value:,}"

    def share(self, value: float | None) -> str:
        return "–" if value is None else f"{value:.0%}"

    def number(self, value: float | None, places: int = 1) -> str:
        return "–" if value is None else f"{value:.{places}f}"

    def label(self, statement: int, field: str, value: str) -> str:
        key = self.catalogue.label_key(statement, field, value)
        return self.t(key) if key else escape(value)

    # ------------------------------------------------------------ building blocks

    def add(self, *chunks: str) -> None:
        self.parts.extend(chunks)

    def heading(self, text: str, statement: int | None = None) -> None:
        badge = Markup("")
        if statement is not None and self.catalogue[statement].table2:
            badge = Markup(' <span class="badge">{} · {}</span>').format(self.t("report.table2"), statement)
        self.add(Markup("<h3>{}{}</h3>").format(text, badge))

    def para(self, text: str, css: str = "") -> None:
        self.add(Markup('<p class="{}">{}</p>').format(css, text) if css else Markup("<p>{}</p>").format(text))

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]], numeric_from: int = 1) -> None:
        head = Markup("").join(Markup("<th>{}</th>").format(h) for h in headers)
        cell, number = Markup("<td>{}</td>"), Markup('<td class="n">{}</td>')
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join((number if i >= numeric_from else cell).format(c)
                                                         for i, c in enumerate(row)))
            for row in rows)
        self.add(Markup("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(head, body))

    def chart(self, uri: str, alt: str) -> None:
        self.add(Markup('<img src="{}" alt="{}">').format(uri, alt))

    def breakdown(self, rows: list[dict[str, Any]], labels: list[str], first_column: str,
                  count_column: str, chart: bool = True, horizontal: bool = True) -> None:
        if not any(r["suppressed"] or r["count"] for r in rows):
            self.para(self.t("report.no_data"), "none")
            return
        self.table([first_column, count_column, self.t("report.column.share")],
                   [(label, self.count(r["count"]), self.share(r["share"])) for label, r in zip(labels, rows)])
        if chart:
            self.chart(self.charts.bars([html.unescape(x) for x in labels], [r["count"] for r in rows],
                                   self.catalog.text("report.suppressed", self.lang), horizontal=horizontal),
                       first_column)

    def mentions(self, block: dict[str, Any], statement: int, field: str) -> None:
        if not block["people"]:
            self.para(self.t("report.no_data"), "none")
            return
        self.para(self.t("report.mentions.text", people=self.count(block["people"])))
        labels = [self.label(statement, field, r["key"]) for r in block["rows"]]
        self.breakdown(block["rows"], labels, self.t("report.column.item"), self.t("report.column.people"))

    # ------------------------------------------------------------ the sections

    def build(self, service: str, generated: str, other: str | None) -> str:
        f = self.f
        switch = f'<a class="switch" href="#{other}">{self.t("report.other_language")}</a>' if other else ""
        period = f'{f["period"]["from"]} – {f["period"]["to"]}'
        self.add(f'<article lang="{self.lang}" id="{self.lang}"><header>{switch}',
                 f'<h1>{self.t("report.title")}</h1>',
                 f'<p class="subtitle">{self.t("report.subtitle", service=service, period=period)}</p>',
                 f'<p class="generated">{self.t("report.generated", when=generated)}</p></header>')
        self.para(self.t("report.intro"), "key")
        self.para(self.t("report.people", count=self.count(f["people"])))
        table2_sections.summary(self)
        self.how_much(f["how_much"])
        table2_sections.referral_outcomes(self)
        table2_sections.protected(self)
        self.how_well(f["how_well"])
        table2_sections.by_language(self)
        table2_sections.end_of_support(self)
        self.better_off(f["better_off"])
        table2_sections.quotes(self)
        self.not_collected(f["table2_not_collected"])
        self.add("</article>")
        return "\n".join(self.parts)

    def how_much(self, m: dict[str, Any]) -> None:
        self.add(f'<h2>{self.t("report.how_much")}</h2>')
        referrals = m["referrals"]
        self.heading(self.t("report.referrals.title"), 41)
        self.para(self.t("report.referrals.total", count=self.count(referrals["total"]),
                         people=self.count(referrals["people"])))
        self.add(f'<h4>{self.t("report.referrals.by_route")}</h4>')
        self.breakdown(referrals["by_route"], [self.label(41, "route", r["key"]) for r in referrals["by_route"]],
                       self.t("report.referrals.by_route"), self.t("report.column.referrals"))
        self.add(f'<h4>{self.t("report.referrals.by_week")}</h4>')
        weeks = referrals["by_week"]
        if any(r["count"] or r["suppressed"] for r in weeks):
            self.chart(self.charts.bars([r["key"] for r in weeks], [r["count"] for r in weeks],
                                   self.catalog.text("report.suppressed", self.lang), horizontal=False),
                       self.t("report.referrals.by_week"))
            self.add(f'<details><summary>{self.t("report.column.week")}</summary>')
            self.table([self.t("report.column.week"), self.t("report.column.referrals")],
                       [(r["key"], self.count(r["count"])) for r in weeks])
            self.add("</details>")
        else:
            self.para(self.t("report.no_data"), "none")

        self.heading(self.t("report.statement.122"), 122)
        wm = m["what_matters"]
        self.para(self.t("report.what_matters.text", people=self.count(wm["people"]), share=self.share(wm["share"])))

        self.heading(self.t("report.statement.123"), 123)
        ap = m["accessed_prescribed"]
        self.para(self.t("report.accessed.text", attended=self.count(ap["attended"]),
                         referred=self.count(ap["referred_to_activity"]), share=self.share(ap["share"])))

        self.heading(self.t("report.statement.36"), 36)
        demo = m["demographics"]
        if demo["people"] == 0:
            self.para(self.t("report.no_data"), "none")
        else:
            self.para(self.t("report.demographics.text", people=self.count(demo["people"])))
            self.breakdown(demo["age_bands"], [self.label(36, "age_band", r["key"]) for r in demo["age_bands"]],
                           self.t("report.demographics.age"), self.t("report.column.people"))
            self.breakdown(demo["postcode_areas"], [escape(r["key"]) for r in demo["postcode_areas"]],
                           self.t("report.demographics.area"), self.t("report.column.people"), chart=False)

        self.heading(self.t("report.statement.51"), 51)
        self.mentions(m["reasons"], 51, "reasons")

        self.heading(self.t("report.statement.112"), 112)
        activity = m["activity_types"]
        if activity["referrals"] == 0:
            self.para(self.t("report.no_data"), "none")
        else:
            self.para(self.t("report.activity.text", count=self.count(activity["people"])))
            self.breakdown(activity["by_category"],
                           [self.label(112, "activity_types", r["key"]) for r in activity["by_category"]],
                           self.t("report.column.category"), self.t("report.column.referrals"))
            table = activity["by_area"]
            self.table([f'{self.t("report.column.category")} / {self.t("report.column.area")}', *table["areas"]],
                       [(self.label(112, "activity_types", r["category"]), *(self.count(c["count"]) for c in r["cells"]))
                        for r in table["rows"]])
        self.para(self.t("report.carers", count=self.count(m["carers"]["people"])))

    def how_well(self, w: dict[str, Any]) -> None:
        self.add(f'<h2>{self.t("report.how_well")}</h2>')
        self.heading(self.t("report.statement.109"), 109)
        a = w["attendance"]
        if not a["asked"] and not a["disengaged"] and not a["withdrew"]:
            self.para(self.t("report.no_data"), "none")
        else:
            self.para(self.t("report.attendance.text", asked=self.count(a["asked"]),
                             attended=self.count(a["attended"]), rate=self.share(a["attendance_rate"]),
                             disengaged=self.count(a["disengaged"]), disengaged_share=self.share(a["disengaged_share"]),
                             withdrew=self.count(a["withdrew"]), withdrew_share=self.share(a["withdrew_share"])))
            # Only the two that make up "asked" share a chart: they add up to it (issue 17).
            keys = ("attended", "did_not_attend")
            labels = [self.catalog.text(k, self.lang) for k in (
                "report.attendance.attended", "report.attendance.did_not_attend")]
            self.chart(self.charts.bars(labels, [a[k] for k in keys], self.catalog.text("report.suppressed", self.lang)),
                       self.t("report.attendance.title"))

        self.heading(self.t("report.contact.title"), 47)
        d = w["time_to_first_contact"]
        if d["median"] is None:
            self.para(self.t("report.no_data") if not d["n"] else
                      self.t("report.contact.text", median="–", q1="–", q3="–", mean="–", n=self.count(d["n"])),
                      "none")
        else:
            self.para(self.t("report.contact.text", median=self.number(d["median"]), q1=self.number(d["q1"]),
                             q3=self.number(d["q3"]), mean=self.number(d["mean"]), n=self.count(d["n"])))

        self.heading(self.t("report.statement.80"), 80)
        self.mentions(w["barriers"], 80, "barriers")
        self.heading(self.t("report.barriers_practitioner.title"), 81)
        self.mentions(w["barriers_practitioner"], 81, "barriers")
        self.heading(self.t("report.statement.108"), 108)
        self.mentions(w["themes"], 108, "themes")

        self.heading(self.t("report.language.title"), 13)
        language = w["language"]
        self.breakdown(language["rows"], [self.label(13, "language", r["key"]) for r in language["rows"]],
                       self.t("report.language.title"), self.t("report.column.people"))
        self.para(self.t("report.safeguarding", count=self.count(w["safeguarding"]["people"])))

    def better_off(self, b: dict[str, Any]) -> None:
        self.add(f'<h2>{self.t("report.better_off")}</h2>')
        self.heading(self.t("report.change.title"))
        self.para(self.t("report.change.text"), "key")
        rows, plotted = [], []
        for m in b["measures"]:
            spec = self.catalogue[m["statement"]].fields.get(m["item"])
            name = self.t(spec.label) if spec and spec.label else escape(f'{m["instrument"]} {m["item"]}')
            if m["better"]:
                name += Markup(' <span class="key">({})</span>').format(self.t(BETTER[m["better"]]))
            if self.catalogue[m["statement"]].table2:
                name += Markup(' <span class="badge">{} · {}</span>').format(self.t("report.table2"), m["statement"])
            change = "–" if m["change"] is None else \
                f'{m["change"]:+.2f} ({m["ci_low"]:+.2f} to {m["ci_high"]:+.2f})'.replace(" to ", " – ")
            rows.append((name, self.count(m["pairs"]), self.number(m["baseline_mean"], 2),
                         self.number(m["follow_up_mean"], 2), change))
            if m["change"] is not None:
                plotted.append(m)
        if rows:
            self.table([self.t("report.change.measure"), self.t("report.change.pairs"),
                        self.t("report.change.baseline"), self.t("report.change.follow_up"),
                        self.t("report.change.change")], rows)
        else:
            self.para(self.t("report.no_data"), "none")
        if plotted:
            # One panel per measure on its own scale, "better" always to the right (issue 17).
            panels = [{"label": self.catalog.text(self.catalogue[m["statement"]].fields[m["item"]].label, self.lang)
                       if self.catalogue[m["statement"]].fields.get(m["item"]) else m["item"],
                       "change": m["change"], "ci_low": m["ci_low"], "ci_high": m["ci_high"],
                       "better": m["better"], "threshold": m.get("reliable_threshold")} for m in plotted]
            self.chart(self.charts.change_panels(panels, self.catalog.text("report.panel.better", self.lang),
                                            self.catalog.text("report.panel.worse", self.lang)),
                       self.t("report.change.title"))
            self.para(self.t("report.panel.key"), "key")

        self.heading(self.t("report.green_blue.title"), 112)
        gb = b["green_blue"]
        if gb["referrals"] == 0:
            self.para(self.t("report.no_data"), "none")
        else:
            self.para(self.t("report.green_blue.text", share=self.share(gb["share"])))
            self.breakdown(gb["by_setting"], [self.t(SETTINGS[r["key"]]) for r in gb["by_setting"]],
                           self.t("report.green_blue.title"), self.t("report.column.referrals"))

    def not_collected(self, missing: list[dict[str, Any]]) -> None:
        if not missing:
            return
        self.add(f'<h2>{self.t("report.not_collected.title")}</h2>')
        self.para(self.t("report.not_collected.text"), "key")
        items = "".join(f'<li>{self.t(self.catalogue[m["statement"]].title)} ({m["statement"]})</li>'
                        for m in missing)
        self.add(f"<ul>{items}</ul>")


def render_html(figures: dict[str, Any], catalog: Catalog, catalogue: Catalogue, languages: Sequence[str],
                service: str, generated: str) -> str:
    """The whole page: one article per language, Welsh first when both are asked for."""
    articles = []
    for lang in languages:
        other = next((o for o in languages if o != lang), None)
        articles.append(Page(figures, catalog, catalogue, lang).build(service, generated, other))
    title = " / ".join(catalog.text("report.title", lang) for lang in languages)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        lang=languages[0], title=html.escape(title), body="\n".join(articles))
