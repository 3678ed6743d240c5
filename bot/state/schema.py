"""Schema of the state store, as an ordered list of migrations (``PRAGMA user_version`` = applied count).

Migrations only ever append: a released step is never edited, so any older file can be brought forward.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the core tables.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE cursors (
        name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    -- Rule H8/H6: the hour ledger is append-only; ref is the Backlog reference that made the entry.
    CREATE TABLE ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        customer TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('consume', 'purchase')),
        hours TEXT NOT NULL,
        at TEXT NOT NULL,
        issue_key TEXT,
        who TEXT NOT NULL,
        why TEXT NOT NULL,
        ref TEXT NOT NULL UNIQUE,
        recorded_at TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        multiplier TEXT NOT NULL DEFAULT '1'
    );
    CREATE INDEX ledger_customer ON ledger (customer, at);
    CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    -- Every issue, comment and wiki page the bot wrote, by its reference (INTERFACE.md).
    CREATE TABLE refs (
        ref TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        project TEXT NOT NULL,
        target TEXT NOT NULL,
        written_at TEXT NOT NULL
    );
    -- Health: the last successful pass and the last error of each source and job.
    CREATE TABLE health (
        name TEXT PRIMARY KEY,
        last_ok TEXT,
        last_error TEXT,
        last_error_at TEXT,
        failures INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: mail and monitoring alerts (rules M1-M4).
    """
    CREATE TABLE mail_seen (
        mail_key TEXT PRIMARY KEY,
        outcome TEXT NOT NULL,
        customer TEXT,
        fingerprint TEXT,
        detail TEXT NOT NULL DEFAULT '',
        seen_at TEXT NOT NULL
    );
    CREATE TABLE alert_groups (
        fingerprint TEXT NOT NULL,
        generation INTEGER NOT NULL DEFAULT 0,
        customer TEXT NOT NULL,
        adapter TEXT NOT NULL,
        job TEXT NOT NULL,
        error_code TEXT NOT NULL,
        error_class TEXT NOT NULL,
        issue_key TEXT,
        status TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_comment_at TEXT,
        since_comment INTEGER NOT NULL DEFAULT 0,
        recent TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (fingerprint, generation)
    );
    CREATE TABLE alert_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mail_key TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        customer TEXT NOT NULL,
        adapter TEXT NOT NULL,
        error_class TEXT NOT NULL,
        occurred_at TEXT NOT NULL
    );
    CREATE INDEX alert_events_customer ON alert_events (customer, occurred_at);
    """,
    # 3: inquiries and SLA clocks (rules T2-T5, flow 1-11).
    """
    CREATE TABLE inquiries (
        issue_key TEXT PRIMARY KEY,
        customer TEXT NOT NULL,
        issue_id INTEGER NOT NULL,
        summary TEXT NOT NULL,
        created_user TEXT NOT NULL,
        created TEXT NOT NULL,
        status TEXT NOT NULL,
        category TEXT,
        staff_issue_key TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL DEFAULT '{}',
        updated TEXT NOT NULL,
        closed TEXT
    );
    CREATE INDEX inquiries_customer ON inquiries (customer, created);
    CREATE TABLE sla_clocks (
        issue_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0,
        customer TEXT NOT NULL,
        data TEXT NOT NULL,
        open INTEGER NOT NULL,
        PRIMARY KEY (issue_key, kind, seq)
    );
    CREATE INDEX sla_open ON sla_clocks (open);
    """,
    # 4 (issue 22): when a pending mark was made, by the database's clock (a new owner holds a mark its
    # predecessor made moments ago: that write may still land); look-ups the hot path and the read
    # commands make by a column that had no index (their cost grew with the store).
    """
    ALTER TABLE refs ADD COLUMN marked_at DOUBLE PRECISION;
    CREATE INDEX alert_events_fingerprint ON alert_events (fingerprint);
    CREATE INDEX alert_groups_issue ON alert_groups (issue_key);
    CREATE INDEX inquiries_staff_issue ON inquiries (staff_issue_key);
    CREATE INDEX refs_kind ON refs (kind);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
