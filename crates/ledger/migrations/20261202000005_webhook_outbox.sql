-- The outbox of quota-alert webhooks: one delivery per alert and configured URL, written in
-- the transaction that records the alert, so that an alert is never lost and never queued
-- twice. `body` is fixed when queued: every attempt sends the same bytes and event id.

CREATE TABLE webhook_deliveries (
    delivery_id     TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL,
    url             TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    period          TEXT NOT NULL,
    dimension       TEXT NOT NULL,
    level           TEXT NOT NULL,
    body            TEXT NOT NULL,
    -- pending, delivered or dead.
    status          TEXT NOT NULL,
    -- Attempts started (a claim counts one, even if the process died before its outcome).
    attempts        BIGINT NOT NULL,
    -- When a pending delivery may next be tried; a claim pushes it past the attempt's lease.
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    UNIQUE (tenant_id, period, dimension, level, url)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- Every attempt: its outcome (HTTP status or error) and how long it took.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (delivery_id),
    attempt     BIGINT NOT NULL,
    started_at  BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    status_code BIGINT,
    error       TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
