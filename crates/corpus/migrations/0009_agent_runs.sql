-- Agent runs: what was asked, how far the run got, what it produced and whether its usage
-- reached the ledger. A run found queued or running at start is run again from the start
-- (agents only read the corpus, so a repeated run writes the same output) or, after three
-- attempts, failed.
CREATE TABLE agent_runs (
    id                 TEXT PRIMARY KEY NOT NULL,
    tenant_id          TEXT NOT NULL,
    agent              TEXT NOT NULL,
    submitted_by       TEXT NOT NULL,
    request            TEXT NOT NULL,            -- JSON: question, scope and options as accepted
    status             TEXT NOT NULL,            -- queued | running | succeeded | failed
    steps              TEXT NOT NULL DEFAULT '[]',
    documents_examined INTEGER NOT NULL DEFAULT 0,
    documents_total    INTEGER,                  -- documents in scope, once counted
    output             TEXT,                     -- JSON, once succeeded
    citations          TEXT NOT NULL DEFAULT '[]',
    error              TEXT,
    attempts           INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    started_at         TEXT,
    finished_at        TEXT,
    metered_at         TEXT                      -- set once the ledger acknowledged the run's usage
);
CREATE INDEX agent_runs_tenant ON agent_runs (tenant_id, created_at, id);
CREATE INDEX agent_runs_pending ON agent_runs (status) WHERE status IN ('queued', 'running');
CREATE INDEX agent_runs_unmetered ON agent_runs (status) WHERE metered_at IS NULL;

-- The counsel list privilege review reads, one per tenant: names, e-mail addresses and
-- e-mail domains of outside firms and in-house legal, and the client's own domains.
CREATE TABLE agent_counsel (
    tenant_id  TEXT PRIMARY KEY NOT NULL,
    counsel    TEXT NOT NULL,                    -- JSON
    updated_at TEXT NOT NULL
);
