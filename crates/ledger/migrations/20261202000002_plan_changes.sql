-- Every plan a tenant was on, from when: a period is priced with the plan in force at its end.
-- Existing tenants are known only by their current plan, taken as in force since creation.

CREATE TABLE plan_changes (
    tenant_id    TEXT NOT NULL REFERENCES tenants (tenant_id),
    effective_at BIGINT NOT NULL,
    plan_id      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, effective_at)
);

INSERT INTO plan_changes (tenant_id, effective_at, plan_id)
SELECT tenant_id, created_at, plan_id FROM tenants;
