-- Support tickets and their responses. A ticket keeps the support tier and SLA hours in force
-- when it was opened, and its deadline (`due_at`): a later tier change does not move it. A
-- breach is recorded once per ticket: `unanswered` by the sweep once the deadline passed with
-- no response, `late` when the first response came after the deadline.

CREATE TABLE support_tickets (
    ticket_id          TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (tenant_id),
    subject            TEXT NOT NULL,
    body               TEXT NOT NULL,
    severity           TEXT NOT NULL,
    opened_by          TEXT NOT NULL,
    opened_at          BIGINT NOT NULL,
    support_tier       TEXT NOT NULL,
    sla_hours          BIGINT NOT NULL,
    due_at             BIGINT NOT NULL,
    first_response_at  BIGINT,
    breach             TEXT,
    breach_recorded_at BIGINT
);
CREATE INDEX support_tickets_by_tenant ON support_tickets (tenant_id, opened_at);
CREATE INDEX support_tickets_by_opening ON support_tickets (opened_at);
CREATE INDEX support_tickets_unanswered ON support_tickets (first_response_at, due_at);

CREATE TABLE support_responses (
    response_id  TEXT PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES support_tickets (ticket_id),
    responder    TEXT NOT NULL,
    body         TEXT NOT NULL,
    responded_at BIGINT NOT NULL
);
CREATE INDEX support_responses_by_ticket ON support_responses (ticket_id, responded_at);
