"""The scores of questionnaire events, copied by the database into `dataset_score` (issue 17, item 9).

The report pairs each person's earliest baseline with their latest follow-up for every measure.
Read from the events, that meant grouping hundreds of thousands of rows and expanding ONS-4's
JSON object in every one; read from `dataset_score` it is one narrow index: one row per scored
item (a single-score questionnaire's "score", or each of ONS-4's four items), with whether it was
a baseline, when, and the number.

The rows are written by a trigger on `dataset_event`, so that whichever way an event is recorded
(the ORM, the dispatcher's executemany, the bench's COPY) its scores are written in the same
statement; migration 0014_report_scores makes the trigger and copies the scores of the events
already kept, with the same SQL (`backfill`). What counts as a score is what the report always
read: the promoted `amount` of a single-score questionnaire (storage/dataset/promoted.py), and
each of a multi-item questionnaire's items whose JSON value is a number. Baseline is `wave =
'baseline'`; anything else, no wave included, is a follow-up.

The trigger is made from INSTRUMENTS as it is when the migration runs: a questionnaire added to
INSTRUMENTS later needs a migration that makes the trigger again (`drop_trigger`,
`create_trigger`) and copies that statement's scores (tests/dataset/test_scores.py fails until then).
"""
from __future__ import annotations

from storage.dataset.promoted import INSTRUMENTS

TABLE = "dataset_score"
TRIGGER = "dataset_score_copy"
COLUMNS = ("event_id", "item", "statement", "instrument", "subject_key", "occurred_at", "baseline", "score")
# One measure's scores person by person, each person's baselines then follow-ups in time order.
SCORE_INDEX = ("statement", "instrument", "item", "subject_key", "baseline", "occurred_at", "event_id", "score")
SINGLE = tuple(s for s, items in INSTRUMENTS.items() if items == ("score",))
MULTI = {s: items for s, items in INSTRUMENTS.items() if items != ("score",)}


def _listed(values) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else str(int(v)) for v in values)


def _selects(dialect: str, row: str, source: str) -> list[str]:
    """SELECTs of the rows to insert for events named `row` (`e` over `source`, or a trigger's NEW)."""
    postgres = dialect == "postgresql"
    common = (f"{row}.statement, coalesce({row}.instrument, ''), {row}.subject_key, {row}.occurred_at, "
              f"coalesce({row}.wave = 'baseline', {'false' if postgres else '0'})")
    where_from = f" FROM {source}" if source else ""
    out = [f"SELECT {row}.id, 'score', {common}, {row}.amount{where_from} "
           f"WHERE {row}.statement IN ({_listed(SINGLE)}) AND {row}.amount IS NOT NULL"]
    for statement, items in MULTI.items():
        if postgres:
            each = (f"jsonb_each(CASE WHEN jsonb_typeof({row}.value) = 'object' THEN {row}.value "
                    f"ELSE '{{}}'::jsonb END) AS j")
            number, value = "jsonb_typeof(j.value) = 'number'", "(j.value #>> '{}')::float"
            joined = f" FROM {source} CROSS JOIN LATERAL {each}" if source else f" FROM {each}"
        else:
            each = f"json_each(CASE WHEN json_type({row}.value) = 'object' THEN {row}.value ELSE '{{}}' END) AS j"
            number, value = "j.type IN ('integer', 'real')", "j.value"
            joined = f" FROM {source}, {each}" if source else f" FROM {each}"
        out.append(f"SELECT {row}.id, j.key, {common}, {value}{joined} "
                   f"WHERE {row}.statement = {int(statement)} AND j.key IN ({_listed(items)}) AND {number}")
    return out


def _insert(select: str) -> str:
    return f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {select}"


def backfill(dialect: str) -> list[str]:
    """Statements that copy the scores of every event already kept."""
    return [_insert(s) for s in _selects(dialect, "e", "dataset_event e")]


def create_trigger(dialect: str) -> list[str]:
    """Statements that make the trigger copying each new event's scores."""
    statements = _listed((*SINGLE, *MULTI))
    if dialect == "postgresql":
        body = "\n".join(f"  {_insert(s)};" for s in _selects(dialect, "NEW", ""))
        return [
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\n"
            f"  RETURN NULL;\nEND\n$$",
            f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON dataset_event FOR EACH ROW "
            f"WHEN (NEW.statement IN ({statements})) EXECUTE FUNCTION {TRIGGER}()",
        ]
    body = "\n".join(f"  {_insert(s)};" for s in _selects(dialect, "NEW", ""))
    return [f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON dataset_event "
            f"WHEN NEW.statement IN ({statements})\nBEGIN\n{body}\nEND"]


def drop_trigger(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON dataset_event", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
