-- A tenant's support tier may differ from its plan's (DOCKET_SUPPORT_OVERRIDES, applied by
-- `docket reconcile plans --apply`): NULL is the plan's tier. Every change of plan or support
-- tier records who made it and when; rows from before this migration name no one.

ALTER TABLE tenants ADD COLUMN support_tier TEXT;

ALTER TABLE plan_changes ADD COLUMN changed_by TEXT;

CREATE TABLE support_tier_changes (
    tenant_id    TEXT NOT NULL REFERENCES tenants (tenant_id),
    effective_at BIGINT NOT NULL,
    -- NULL: back to the plan's tier.
    support_tier TEXT,
    changed_by   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, effective_at)
);
