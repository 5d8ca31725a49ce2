-- Registry of the document service: ingestion jobs, documents with provenance, timeline
-- events and entities. Every table carries tenant_id and every query filters on it.

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY NOT NULL,
    tenant_id    TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    status       TEXT NOT NULL,            -- queued | running | succeeded | partially_failed | failed
    sources      TEXT NOT NULL,            -- JSON: the validated sources, replayable after a restart
    discovered   INTEGER NOT NULL DEFAULT 0,
    ingested     INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    bytes        INTEGER NOT NULL DEFAULT 0,
    errors       TEXT NOT NULL DEFAULT '[]',
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    metered_at   TEXT                      -- set once the meter acknowledged the job's report
);
CREATE INDEX jobs_queue ON jobs (status, created_at, id);
CREATE INDEX jobs_tenant ON jobs (tenant_id, created_at);

CREATE TABLE documents (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_id     TEXT NOT NULL,
    source_type   TEXT NOT NULL,           -- local | inline | upload | attachment
    source        TEXT NOT NULL,           -- canonical path, file name, or attachment name
    sha256        TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    media_type    TEXT NOT NULL,
    parser        TEXT NOT NULL,
    job_id        TEXT NOT NULL,
    ingested_at   TEXT NOT NULL,
    title         TEXT,
    author        TEXT,
    recipients    TEXT NOT NULL DEFAULT '[]',
    document_date TEXT,                    -- RFC 3339 UTC, seconds precision (sortable as text)
    subject       TEXT,
    parent_id     TEXT,
    text          TEXT NOT NULL,
    indexed       INTEGER NOT NULL DEFAULT 0, -- 1 once the passages are committed to the index
    UNIQUE (tenant_id, sha256)
);
CREATE INDEX documents_tenant_list ON documents (tenant_id, ingested_at, id);
CREATE INDEX documents_tenant_job ON documents (tenant_id, job_id);
CREATE INDEX documents_tenant_parent ON documents (tenant_id, parent_id);
CREATE INDEX documents_unindexed ON documents (indexed) WHERE indexed = 0;

CREATE TABLE events (
    id                TEXT PRIMARY KEY NOT NULL,
    tenant_id         TEXT NOT NULL,
    document_id       TEXT NOT NULL,
    ts_key            TEXT NOT NULL,       -- RFC 3339 UTC, seconds precision: the sort key
    ts                TEXT NOT NULL,       -- as shown: a date, or a timestamp when one is known
    precision         TEXT NOT NULL,
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    citations         TEXT NOT NULL,
    entity_highlights TEXT NOT NULL,
    confidence        REAL NOT NULL,
    origin            TEXT NOT NULL
);
CREATE INDEX events_tenant_ts ON events (tenant_id, ts_key, id);
CREATE INDEX events_tenant_document ON events (tenant_id, document_id);

CREATE TABLE event_entities (
    tenant_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, entity_id, event_id)
);

CREATE TABLE entities (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    normalized TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE mentions (
    tenant_id   TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    document_id TEXT NOT NULL,
    span_start  INTEGER,
    span_end    INTEGER,
    surface     TEXT NOT NULL
);
CREATE INDEX mentions_entity ON mentions (tenant_id, entity_id, document_id);
CREATE INDEX mentions_document ON mentions (tenant_id, document_id);
