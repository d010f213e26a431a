"""The floor for POST /api/v1/reports: the same framework validating the same body and
inserting one row, and nothing else (no token, no geocoding, no actors, no ledger)."""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ceasefire.intake.report_in import ReportIn

_local = threading.local()


def _connection() -> sqlite3.Connection:
    if not hasattr(_local, "connection"):
        connection = sqlite3.connect(os.environ["BARE_DATABASE"], isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("CREATE TABLE IF NOT EXISTS bare_reports "
                           "(id INTEGER PRIMARY KEY, uid TEXT UNIQUE, body TEXT)")
        _local.connection = connection
    return _local.connection


def app() -> FastAPI:
    bare = FastAPI()

    @bare.post("/reports", status_code=201)
    def submit(given: ReportIn) -> JSONResponse:
        uid = str(uuid.uuid4())
        connection = _connection()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO bare_reports (uid, body) VALUES (?, ?)",
                           (uid, given.model_dump_json()))
        connection.execute("COMMIT")
        return JSONResponse({"id": uid}, status_code=201)

    return bare
