"""SQL the backends spell differently, as SQLAlchemy constructs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import BigInteger, Date, Integer

# Parties with ids below this are kept as bits of `incident_overview.parties` (a signed
# 64-bit integer); a mechanism has a few dozen at most. Others are found by a join.
PARTY_BITS = 62


class utc_day(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it is
    """The UTC calendar day of a stored time, on either backend."""

    type = Date()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # stored as naive UTC


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')::date"


class party_bit(FunctionElement[int]):  # noqa: N801 - reads as the SQL it is
    """1 << party id, as a 64-bit integer on either backend."""

    type = BigInteger()
    inherit_cache = True


@compiles(party_bit, "sqlite")
def _party_bit_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(1 << ({compiler.process(element.clauses, **kw)}))"


@compiles(party_bit, "postgresql")
def _party_bit_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(CAST(1 AS BIGINT) << ({compiler.process(element.clauses, **kw)}))"


class cell_index(FunctionElement[int]):  # noqa: N801 - reads as the SQL function it is
    """The integer part of a non-negative number, on either backend."""

    type = Integer()
    inherit_cache = True


@compiles(cell_index, "sqlite")
def _cell_index_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # CAST truncates towards zero, which is floor for the non-negative values it gets;
    # floor() itself exists only in SQLite builds with the math functions.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


@compiles(cell_index, "postgresql")
def _cell_index_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    # PostgreSQL's CAST rounds to the nearest integer: floor first.
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS INTEGER)"
