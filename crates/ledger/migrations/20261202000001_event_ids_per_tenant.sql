-- Event ids are chosen by the reporter, so they are unique per tenant only: the same id in
-- two tenants is two events. SQLite cannot change a primary key in place, so the table is
-- rebuilt (on both engines, to keep one schema) and its rows copied.

CREATE TABLE usage_events_by_tenant_id (
    event_id    TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    units       BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    latency_ms  BIGINT,
    subject     TEXT,
    attributes  TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    period      TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);

INSERT INTO usage_events_by_tenant_id
    (event_id, tenant_id, kind, units, bytes, latency_ms, subject, attributes, occurred_at, period, recorded_at)
SELECT event_id, tenant_id, kind, units, bytes, latency_ms, subject, attributes, occurred_at, period, recorded_at
FROM usage_events;

DROP TABLE usage_events;
ALTER TABLE usage_events_by_tenant_id RENAME TO usage_events;
CREATE INDEX usage_events_by_tenant ON usage_events (tenant_id, occurred_at);

-- One row the writer rewrites to prove the database takes writes (health checks).
CREATE TABLE ledger_heartbeat (
    id      BIGINT PRIMARY KEY,
    beat_at BIGINT NOT NULL
);
