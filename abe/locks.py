"""Advisory locks that several apps take in the same order.

``account_references``: writers of rows that name accounts (a scoring pass's snapshots and stage changes, a
rescore's or a bulk pin's tier changes and proposals, a rule evaluation's alerts, the hourly health pass's health
rows, an event batch's events, a person's pin, unpin, proposal or decision) against deleting an account (or a
contact, which alerts and events name), whose ORM cascade deletes those rows before the account. A delete that ran
while such a writer was at work collected the rows before the writer committed its new ones, then waited on the
writer's row lock on the account, and failed at commit on their foreign keys: a server error for the person deleting
(``tests/*/test_delete_races.py``).

Now each writer holds this lock shared from before it reads which accounts exist until it commits, and
``accounts.services.account_delete`` takes it exclusively before it deletes anything. The delete waits for the
writers at work (a scoring chunk or an evaluation: under a second; a rescore: seconds at 100,000 accounts) and then
removes what they wrote, or goes first and they no longer find the account. Writers do not wait for each other, and
other workspaces are not involved (the key is the workspace's id, its low 31 bits).

Lock order: a writer takes it before the workspace's scoring lock (a pass that had folded a batch into an account's
day counts first would hold rows the delete waits for) and after the rescore's own lock, before any row; the
delete takes nothing before it. The settings and tier previews, which lock the accounts they change before their
rule pass and roll everything back, take it first for the same reason. Each order is a test that deadlocked
before (``tests/engagement/test_delete_races.py``, ``tests/accounts/test_delete_races.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

ACCOUNT_REFERENCES = zlib.crc32(b"abe.account_references") & 0x7FFFFFFF


def account_references(workspace_id: int, *, shared: bool) -> None:
    """Take the workspace's account-references lock until the transaction ends (PostgreSQL; SQLite has one
    writer at a time)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [ACCOUNT_REFERENCES, workspace_id & 0x7FFFFFFF])


def run_class(name: str) -> int:
    """The first key of ``job_run``'s lock for one kind of job (e.g. ``"event-import-run"``)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextmanager
def job_run(name: str, job_id: int) -> Iterator[bool]:
    """A PostgreSQL session lock per job, held while one delivery of its task works on it; yields whether this
    delivery has it. A second delivery of the same job (the broker hands an unacknowledged task out again after its
    visibility timeout, or a job started again while a late step of its first run arrives) sees False and does
    nothing, so no chunk is applied or counted twice. If the worker dies, its connection closes and the lock goes
    with it, so the next delivery resumes the job. SQLite (one writer at a time) always yields True."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = [run_class(name), job_id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
