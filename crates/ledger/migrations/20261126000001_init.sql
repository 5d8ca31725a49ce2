-- One schema for SQLite and PostgreSQL: BIGINT and DOUBLE PRECISION have the right affinity
-- in SQLite, and every timestamp is an integer of Unix milliseconds (UTC).

CREATE TABLE tenants (
    tenant_id       TEXT PRIMARY KEY,
    organization    TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    plan_changed_at BIGINT NOT NULL
);

CREATE TABLE onboarding (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants (tenant_id),
    intake          TEXT NOT NULL,
    response        TEXT NOT NULL,
    idempotency_key TEXT,
    submitted_at    BIGINT NOT NULL
);

CREATE TABLE usage_events (
    event_id    TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    units       BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    latency_ms  BIGINT,
    subject     TEXT,
    attributes  TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    period      TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX usage_events_by_tenant ON usage_events (tenant_id, occurred_at);

CREATE TABLE daily_usage (
    tenant_id         TEXT NOT NULL,
    day               TEXT NOT NULL,
    period            TEXT NOT NULL,
    queries           BIGINT NOT NULL,
    ingest_bytes      BIGINT NOT NULL,
    timeline_requests BIGINT NOT NULL,
    agent_runs        BIGINT NOT NULL,
    signups           BIGINT NOT NULL,
    events            BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);
CREATE INDEX daily_usage_by_period ON daily_usage (tenant_id, period);

CREATE TABLE period_usage (
    tenant_id         TEXT NOT NULL,
    period            TEXT NOT NULL,
    queries           BIGINT NOT NULL,
    ingest_bytes      BIGINT NOT NULL,
    timeline_requests BIGINT NOT NULL,
    agent_runs        BIGINT NOT NULL,
    signups           BIGINT NOT NULL,
    events            BIGINT NOT NULL,
    active_seats      BIGINT NOT NULL,
    last_event_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, period)
);

CREATE TABLE period_seats (
    tenant_id  TEXT NOT NULL,
    period     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, period, subject)
);

CREATE TABLE quota_alerts (
    tenant_id    TEXT NOT NULL,
    period       TEXT NOT NULL,
    dimension    TEXT NOT NULL,
    level        TEXT NOT NULL,
    consumption  DOUBLE PRECISION NOT NULL,
    triggered_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, period, dimension, level)
);
