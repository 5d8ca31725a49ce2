-- One row per applied retention run (`docket audit retention --apply`): who, when, the cutoff
-- and what it purged or redacted. The latest cutoff is also the ledger's horizon: raw events
-- before it are gone, so an event that old is refused (it could be a retry of a purged one).

CREATE TABLE retention_runs (
    run_id                 TEXT PRIMARY KEY,
    ran_at                 BIGINT NOT NULL,
    ran_by                 TEXT NOT NULL,
    keep_months            BIGINT NOT NULL,
    -- The first billing period kept (YYYY-MM) and its first instant.
    cutoff_period          TEXT NOT NULL,
    cutoff_at              BIGINT NOT NULL,
    events_purged          BIGINT NOT NULL,
    seat_subjects_purged   BIGINT NOT NULL,
    intakes_redacted       BIGINT NOT NULL,
    -- NULL: there was no support_tickets table to look at.
    ticket_bodies_redacted BIGINT
);
