"""The child process of the batch crash test: posts voucher batches the way the office does.

``python -m tests.office.batch_worker --url URL --user ID --batch ID [--batch ID ...]`` posts each
batch in one transaction through ``run_in_transaction(session, lambda s: post_batch(...))`` and
reports on stdout, one flushed line each:

- ``posting <batch id>`` just before the transaction starts,
- ``line <n>`` after the n-th voucher of the current attempt went through ``ledger.book_transfer``
  (booked inside the open transaction, not yet committed),
- ``flushed`` after each flush of the session (post_batch flushes the lines and the batch at its
  end, then the batch's audit record: two flushes right before the COMMIT),
- ``committed <batch id> <entries>`` after COMMIT returned,
- ``done`` after the last batch.

With ``--linger`` it then waits for its stdin to close (so that it can still be killed after
the commit). ``--statement-delay-ms`` installs a ``before_cursor_execute`` listener that sleeps
before every statement: the posting then takes long enough to be hit by a kill at a random
moment, and the ledger's statements go through SQLAlchemy's ``exec_driver_sql`` instead of the
raw driver cursor (the path taken whenever cursor events are listened to).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
import time
from collections.abc import Sequence

from sqlalchemy import event
from sqlalchemy.orm import Session

import ledger
from tauschring.db import make_engine, run_in_transaction
from tauschring.models import User, VoucherBatch
from tauschring.permissions import Actor
from tauschring.vouchers import post_batch


def report(text: str) -> None:
    print(text, flush=True)


def count_bookings() -> dict[str, int]:
    """Wrap ``ledger.book_transfer`` (in this process only) to report each booked line."""
    progress = {"lines": 0}
    book_transfer = ledger.book_transfer

    @functools.wraps(book_transfer)
    def counted(*args, **kwargs):
        entry = book_transfer(*args, **kwargs)
        progress["lines"] += 1
        report(f"line {progress['lines']}")
        return entry

    ledger.book_transfer = counted
    return progress


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", type=int, required=True, help="the office login that posts")
    parser.add_argument("--batch", type=int, action="append", required=True)
    parser.add_argument("--application-name", default="batch_worker", help="PostgreSQL only")
    parser.add_argument("--statement-delay-ms", type=float, default=0.0)
    parser.add_argument("--linger", action="store_true")
    args = parser.parse_args(argv)

    options: dict[str, object] = {}
    if args.url.startswith("postgresql"):
        options["connect_args"] = {"application_name": args.application_name}
    engine = make_engine(args.url, **options)
    if args.statement_delay_ms > 0:
        pause = args.statement_delay_ms / 1000

        @event.listens_for(engine, "before_cursor_execute")
        def _slowly(conn, cursor, statement, parameters, context, executemany) -> None:
            time.sleep(pause)

    progress = count_bookings()
    try:
        with Session(engine) as session:
            event.listen(session, "after_flush", lambda s, context: report("flushed"))
            actor = Actor.of(session.get(User, args.user))
            for batch_id in args.batch:
                batch = session.get(VoucherBatch, batch_id)

                def work(s: Session, batch: VoucherBatch = batch) -> list[ledger.EntryView]:
                    progress["lines"] = 0  # counted per attempt
                    now = dt.datetime.now(dt.UTC)
                    return post_batch(s, actor, batch, now=now)

                report(f"posting {batch_id}")
                entries = run_in_transaction(session, work)
                report(f"committed {batch_id} {len(entries)}")
        report("done")
        if args.linger:
            sys.stdin.read()
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
