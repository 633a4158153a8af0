"""Which Appendix Five statements Cyswllt collects, and (given a database) which it has seen."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.dataset.catalogue import QUESTIONS, Catalogue, Statement
from storage.models import DataSetEvent

QUESTION_TITLES = {"how_much": "How much did we do?", "how_well": "How well did we do it?",
                   "better_off": "Is anyone better off? (What difference?)", "none": "No RBA question (N/A)"}


@dataclass(frozen=True)
class Observed:
    events: int
    sources: tuple[str, ...]


def observed(session: Session) -> dict[int, Observed]:
    """Events stored per statement, and the flows they came from."""
    rows = session.execute(
        select(DataSetEvent.statement, DataSetEvent.source, func.count())
        .group_by(DataSetEvent.statement, DataSetEvent.source)
    ).all()
    counts: dict[int, int] = {}
    sources: dict[int, set[str]] = {}
    for statement, source, count in rows:
        counts[statement] = counts.get(statement, 0) + count
        sources.setdefault(statement, set()).add(source or "?")
    return {n: Observed(counts[n], tuple(sorted(sources[n]))) for n in counts}


def grouped(catalogue: Catalogue) -> dict[str, list[Statement]]:
    """Statements by RBA question (Table 2's question for its measures), Table 2's measures first."""
    groups: dict[str, list[Statement]] = {q: [] for q in QUESTIONS + ("none",)}
    for statement in catalogue.statements.values():
        groups[statement.table2 or statement.rba].append(statement)
    for question, statements in groups.items():
        order = {n: i for i, n in enumerate(catalogue.table2.get(question, ()))}
        statements.sort(key=lambda s: (s.table2 is None, order.get(s.number, 0), -s.importance, s.number))
    return groups


def render(catalogue: Catalogue, seen: dict[int, Observed] | None = None) -> str:
    """The coverage table as plain text for the terminal."""
    lines = []
    for question, statements in grouped(catalogue).items():
        if not statements:
            continue
        collected = sum(s.collected for s in statements)
        lines.append(f"{QUESTION_TITLES[question]}  ({collected} of {len(statements)} collected)")
        for statement in statements:
            mark = "T2" if statement.table2 else "  "
            how = statement.collection.replace("_", " ")
            if statement.flows:
                how += " by " + ", ".join(statement.flows)
            line = f"  {mark} {statement.number:>3}  {how:<34} {_short(statement.text)}"
            if seen is not None:
                got = seen.get(statement.number)
                line += f"  [{got.events} events from {', '.join(got.sources)}]" if got else "  [no events]"
            lines.append(line)
        lines.append("")
    total = len(catalogue.statements)
    collected = sum(s.collected for s in catalogue.statements.values())
    table2 = [catalogue[n] for numbers in catalogue.table2.values() for n in numbers]
    lines.append(f"{collected} of {total} statements collected; Table 2 measures: "
                 f"{sum(s.collected for s in table2)} of {len(table2)} "
                 f"(not yet: {', '.join(str(s.number) for s in table2 if not s.collected) or 'none'}).")
    if seen is not None:
        unknown = sorted(n for n in seen if n not in catalogue.statements)
        if unknown:
            lines.append(f"Events for statements not in Appendix Five: {unknown}")
    return "\n".join(lines)


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
