"""Every table is held by the ledger one way or another (store/integrity.py), and
docs/ledger.md says which: a new table that is neither a record nor derived and checked
fails here by name."""

import re
from pathlib import Path

from ceasefire.store.integrity import ACCESS, DERIVED, LEDGER, PART, RECORD, TABLES
from ceasefire.store.records import KINDS
from ceasefire.store.tables import Base

LEDGER_DOC = Path(__file__).parents[2] / "docs" / "ledger.md"
WORDS = {RECORD: "record", PART: "part of", DERIVED: "derived", LEDGER: "the ledger",
         ACCESS: "access"}


def test_every_table_is_classed():
    assert set(Base.metadata.tables) - set(TABLES) == set(), "a table no class names"
    assert set(TABLES) - set(Base.metadata.tables) == set(), "a class of no table"


def test_every_record_kind_has_its_table():
    kinds = {held.kind for held in TABLES.values() if held.how == RECORD}
    kinds.add("joined")  # an analyst's forced links, some rows of the derived report_links
    assert kinds == set(KINDS)
    for table, held in TABLES.items():
        if held.how == PART:
            assert held.kind in KINDS, table


def test_the_docs_list_each_table_with_its_class():
    section = LEDGER_DOC.read_text().split("## What the ledger holds")[1].split("\n## ")[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", section, re.M))
    assert set(rows) == set(TABLES)
    for table, held in TABLES.items():
        said = WORDS[held.how] + ("" if held.kind is None else f" `{held.kind}`")
        assert rows[table].strip().startswith(said), (table, rows[table])
