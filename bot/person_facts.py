"""What flows may know about who is writing, read in the turn's one query.

Each feature that knows something about a person (a practitioner? consented? a referral
draft? an erasure pending?) describes it as correlated scalar subqueries over the person's id
(`FactColumns`). The dispatcher puts all of them into the SELECT that loads the person's
address, person and conversation, so every fact costs no round trip of its own: the profile
showed six small queries a turn spent on facts, a third of a turn's time.

A plain callable `(session, person) -> facts` still works (it runs its own queries after the
column facts, and its answers win), for tests that wire in a different lookup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import ColumnElement, bindparam, or_, select
from sqlalchemy.orm import Session

from storage.models import Person

# person id column (correlated) -> {label: scalar subquery}
ColumnsFor = Callable[[ColumnElement], Mapping[str, ColumnElement]]
# {label: value read} -> facts for ctx.person
ReadFacts = Callable[[Mapping[str, Any]], Mapping[str, Any]]
QueriedFacts = Callable[[Session, Person], Mapping[str, Any]]


def one_of(column: ColumnElement, values: Sequence[Any]) -> ColumnElement:
    """`column IN values` for a fact column. SQLAlchemy expands an IN list into its bound values
    again at every execution ("postcompile"), where equalities compile once with the statement:
    the turn's SELECT runs with every message."""
    return or_(*(column == value for value in values))


@dataclass(frozen=True)
class FactColumns:
    """Facts read as columns of the turn's query: no query of their own."""

    columns: ColumnsFor
    read: ReadFacts


class PersonFacts:
    """All the facts providers of an app: column facts in one SELECT, then any queried ones."""

    def __init__(self, providers: Sequence[FactColumns | QueriedFacts]):
        self.providers = list(providers)

    def append(self, provider: FactColumns | QueriedFacts) -> None:
        self.providers.append(provider)

    def __iter__(self):
        return iter(self.providers)

    @property
    def column_providers(self) -> list[FactColumns]:
        return [p for p in self.providers if isinstance(p, FactColumns)]

    def columns(self, person_id: ColumnElement) -> list[ColumnElement]:
        """The labelled subqueries for every column provider, correlated to `person_id`."""
        labelled = []
        for n, provider in enumerate(self.column_providers):
            for label, column in provider.columns(person_id).items():
                labelled.append(column.label(f"f{n}_{label}"))
        return labelled

    def read(self, row: Mapping[str, Any] | None, session: Session, person: Person) -> dict[str, Any]:
        """Facts from a row holding the column labels (None: the person has no rows anywhere yet)."""
        facts: dict[str, Any] = {"id": person.id}
        for n, provider in enumerate(self.column_providers):
            labels = _labels(provider)
            facts.update(provider.read({label: row[f"f{n}_{label}"] for label in labels} if row is not None
                                       else dict.fromkeys(labels)))
        for provider in self.providers:
            if not isinstance(provider, FactColumns):
                facts.update(provider(session, person))
        return facts

    def load(self, session: Session, person: Person) -> dict[str, Any]:
        """The facts on their own (one query), e.g. after a turn changed who the person is."""
        columns = self.columns(bindparam("fact_person_id", person.id))
        row = session.execute(select(*columns)).mappings().one() if columns else {}
        return self.read(row, session, person)


_LABELS: dict[int, tuple[str, ...]] = {}


def _labels(provider: FactColumns) -> tuple[str, ...]:
    # Building the subqueries costs milliseconds: their labels are remembered per provider.
    labels = _LABELS.get(id(provider))
    if labels is None:
        labels = _LABELS[id(provider)] = tuple(provider.columns(bindparam("unused")))
    return labels
