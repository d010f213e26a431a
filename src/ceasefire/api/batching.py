"""Concurrent report submissions gathered into one write, without waiting for anyone.

Requests queue here on the event loop. When no write is running, the queue goes at once
to a worker thread as one batch (store lock, reference data, commit shared); requests
that arrive meanwhile form the next batch. One request alone is a batch of one, so
nothing waits for company; under load, the commit is shared. Each request still gets its
own answer or error (services.reports.submit_reports), after the commit.
"""

from __future__ import annotations

import asyncio

import anyio

from ceasefire.errors import CeasefireError
from ceasefire.services.reports import Submission, Submitted, submit_reports
from ceasefire.store.db import Database

MAX_BATCH = 64


class SubmissionBatcher:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._waiting: list[tuple[Submission, asyncio.Future[Submitted]]] = []
        self._writing = False

    async def submit(self, item: Submission) -> Submitted:
        future: asyncio.Future[Submitted] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write())
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                try:
                    results = await anyio.to_thread.run_sync(
                        submit_reports, self._database, [item for item, _ in batch])
                except Exception as exc:  # noqa: BLE001 - the batch failed as a whole
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():  # its client went away
                        continue
                    if isinstance(result, (CeasefireError, Exception)):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._writing = False
