"""IN over a fixed set of constants, written into the SQL.

`column.in_(values)` makes an "expanding" parameter that SQLAlchemy renders into the cached
statement again on every execution; in the turn's one SELECT that cost more than running the
subquery. For constants from the code (statuses), the values can be part of the statement.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import ColumnElement, literal_column


def one_of(column: ColumnElement, constants: Iterable[str]) -> ColumnElement[bool]:
    """`column IN ('a', 'b')` with the constants in the SQL text; only for values from the code."""
    quoted = []
    for value in constants:
        if not value.replace("_", "").isalnum():
            raise ValueError(f"not a plain constant: {value!r}")
        quoted.append(literal_column(f"'{value}'"))
    return column.in_(quoted)
