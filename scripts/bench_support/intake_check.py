"""The intake bench's check in PostgreSQL, once the load is over: what the client saw
accepted against what the database holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench_support.intake_server import SOURCE

if TYPE_CHECKING:
    from bench_support.intake_client import Ledger, Level


def check(url: str, ledger: Ledger, levels: list[Level]) -> bool:
    """Every accepted declaration stored exactly once, with its receipt and its callback;
    nothing stored for a resend; every resend answered as one."""
    from sqlalchemy import text

    from db.declarations import normalise_receipt
    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as db:
            stored = {key: (code, level) for key, code, level in db.execute(text(
                "SELECT idempotency_key, receipt_code, triage_level FROM declaration "
                "WHERE source = :source"), {"source": SOURCE})}
            twice = db.scalar(text("SELECT count(*) FROM (SELECT 1 FROM declaration "
                                   "GROUP BY source, idempotency_key HAVING count(*) > 1) d"))
            orphans = db.scalar(text(
                "SELECT count(*) FROM declaration d WHERE NOT EXISTS (SELECT 1 FROM callback c "
                "WHERE c.declaration_id = d.id OR (c.phone = d.phone AND c.topic_id = "
                "d.topic_id AND c.state IN ('open', 'dialing')))"))
            own = db.scalar(text("SELECT count(DISTINCT declaration_id) FROM callback "
                                 "WHERE reason = 'declaration'"))
            sessions = db.scalar(text("SELECT sum(sessions) FROM pg_stat_database"))
    finally:
        engine.dispose()
    accepted = ledger.accepted
    missing = [k for k in accepted if k not in stored]
    wrong = [k for k in accepted if k in stored
             and stored[k][0] != normalise_receipt(accepted[k].receipt)]
    extra = [k for k in stored if k not in accepted]
    unexplained = [k for k in extra if k not in ledger.unanswered]
    not_red = [k for k, s in accepted.items() if s.red and stored.get(k, ("", ""))[1] != "red"]
    posts = [t for lv in levels for t in (lv.warmup, lv.posted, lv.stock) if t is not None]
    resends = sum(t.replayed for t in posts)
    bad_resends = sum(n for t in posts for kind, n in t.errors.items() if "resend" in kind)
    print(f"\ncheck in PostgreSQL: {len(stored):,} declarations of source {SOURCE!r} stored, "
          f"{len(accepted):,} accepted (201, not replayed; every phase)")
    print(f"  accepted but not stored: {len(missing)}; stored with another receipt code: "
          f"{len(wrong)}; stored without a 201 the client saw: {len(extra)} "
          f"({len(unexplained)} of them not explained by a lost answer)")
    print(f"  duplicate (source, Idempotency-Key): {twice}; declarations without a callback: "
          f"{orphans} ({own:,} callbacks point at their own declaration); red-flag "
          f"declarations not triaged red: {len(not_red)}")
    print(f"  resends answered 201 + Idempotent-Replayed with the same receipt: {resends:,}; "
          f"otherwise: {bad_resends}")
    print(f"  (PostgreSQL sessions opened since its start, this check's included: {sessions:,})")
    errors = sum(sum(t.errors.values()) for t in (*posts, *(lv.baseline for lv in levels)))
    print(f"  requests not answered as expected, every phase: {errors} (their kinds above)")
    ok = not (missing or wrong or unexplained or twice or orphans or not_red or bad_resends
              or errors)
    print(f"check: {'OK' if ok else 'FAILED'}")
    return ok

