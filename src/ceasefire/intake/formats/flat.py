"""One flat row per report: the columns of the CSV and HXL exports, which the HXL import
reads back. Defined once, so export and import cannot drift apart."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    tag: str  # HXL hashtag with attributes
    path: str | None  # where the value lives in a record_of() dict; None: derived, not read


COLUMNS = (
    Column("id", "#meta+id", "id"),
    Column("submitted_by", "#org+code+reporter", "submitted_by"),
    Column("received_at", "#date+received", "received_at"),
    Column("earliest", "#date", "when.earliest"),
    Column("latest", "#date+end", "when.latest"),
    Column("time_precision", "#date+precision", "when.precision"),
    Column("lat", "#geo+lat", "place.lat"),
    Column("lon", "#geo+lon", "place.lon"),
    Column("where_precision", "#geo+precision", "place.precision"),
    Column("place_name", "#loc+name", "place.name"),
    Column("adm1_code", "#adm1+code", "place.adm1"),
    Column("adm1_name", "#adm1+name", None),
    Column("adm2_code", "#adm2+code", "place.adm2"),
    Column("adm2_name", "#adm2+name", None),
    Column("adm3_code", "#adm3+code", "place.adm3"),
    Column("adm3_name", "#adm3+name", None),
    Column("violation", "#event+type", "violation"),
    Column("perpetrators", "#group+code+perpetrator", "perpetrators"),
    Column("perpetrator_text", "#group+name+perpetrator", "perpetrator_text"),
    Column("targets", "#group+code+target", "targets"),
    Column("target_text", "#group+name+target", "target_text"),
    Column("civilians_targeted", "#affected+civilians+targeted", "civilians_targeted"),
    Column("killed_low", "#affected+killed+min", "casualties.low"),
    Column("killed_best", "#affected+killed", "casualties.best"),
    Column("killed_high", "#affected+killed+max", "casualties.high"),
    Column("killed_civilian", "#affected+killed+civilians", "casualties.civilian"),
    Column("killed_combatant", "#affected+killed+combatants", "casualties.combatant"),
    Column("killed_unknown", "#affected+killed+unknown", "casualties.unknown"),
    Column("injured", "#affected+injured", "casualties.injured"),
    Column("narrative", "#description+narrative", "narrative"),
    Column("source_name", "#meta+source", "source.name"),
    Column("source_key", "#meta+source+key", "source.key"),
    Column("source_reference", "#meta+source+ref", "source.reference"),
    Column("source_published", "#date+published", "source.published"),
    Column("evidence", "#meta+evidence", "evidence"),
)
_LISTS = frozenset({"perpetrators", "targets"})


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value[part]
    return value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):  # evidence
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return "; ".join(value)
    return str(value)


def flatten(record: dict[str, Any], admin_name: Callable[[str], str]) -> list[str]:
    """A record_of() dict as one row of COLUMNS."""
    out = []
    for column in COLUMNS:
        if column.path is None:  # an admin name, from the code beside it
            code = record["place"][column.header.replace("_name", "")]
            out.append(admin_name(code) if code else "")
        else:
            out.append(cell(_get(record, column.path)))
    return out


def unflatten(values: dict[str, str]) -> dict[str, Any]:
    """A record dict (for ReportRecord) from cells keyed by column path; empty = absent."""
    record: dict[str, Any] = {}
    for path, text in values.items():
        if text == "":
            continue
        value: Any = text
        if path in _LISTS:
            value = [v.strip() for v in text.split(";") if v.strip()]
        elif path == "evidence":
            value = json.loads(text)
        *parents, last = path.split(".")
        target = record
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    record.setdefault("when", {})
    record.setdefault("place", {})
    return record
