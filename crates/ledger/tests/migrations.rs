//! A ledger written by the first schema keeps its data through the later migrations, on both
//! engines: events, tenants and plans survive, and event ids become per tenant.

mod common;

use std::path::Path;

use docket_billing::{BillingPeriod, PlanId, TenantId};
use docket_ledger::{EventKind, Ledger, LedgerOptions, UsageEvent};
use time::OffsetDateTime;

/// Apply only the first migration, and write a tenant and an event with that schema.
async fn first_schema_with_data(url: &str) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("migration folder");
    let init = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/20261126000001_init.sql");
    std::fs::copy(&init, dir.path().join("20261126000001_init.sql")).expect("copy the first migration");
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.expect("connect");
    sqlx::migrate::Migrator::new(dir.path()).await.expect("migrator").run(&pool).await.expect("first schema");
    let now = OffsetDateTime::now_utc();
    let ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let period = BillingPeriod::containing(now).to_string();
    sqlx::query("INSERT INTO tenants (tenant_id, organization, plan_id, created_at, plan_changed_at) VALUES ('old-firm', 'Old Firm', 'professional', $1, $1)")
        .bind(ms)
        .execute(&pool)
        .await
        .expect("tenant");
    sqlx::query(
        "INSERT INTO usage_events (event_id, tenant_id, kind, units, bytes, latency_ms, subject, attributes, occurred_at, period, recorded_at) \
         VALUES ('e-1', 'old-firm', 'query', 1, 0, NULL, 'ana', '{}', $1, $2, $1)",
    )
    .bind(ms)
    .bind(period.clone())
    .execute(&pool)
    .await
    .expect("event");
    sqlx::query(
        "INSERT INTO period_usage (tenant_id, period, queries, ingest_bytes, timeline_requests, agent_runs, signups, events, active_seats, last_event_at) \
         VALUES ('old-firm', $1, 1, 0, 0, 0, 0, 1, 1, $2)",
    )
    .bind(period)
    .bind(ms)
    .execute(&pool)
    .await
    .expect("aggregate");
    pool.close().await;
}

async fn data_survives(url: String) {
    first_schema_with_data(&url).await;
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 4 }).await.expect("migrate and open");
    let old = TenantId::parse("old-firm").unwrap();
    assert!(ledger.has_event(&old, "e-1").await.unwrap());
    assert_eq!(ledger.event_count(&old).await.unwrap(), 1);
    let now = OffsetDateTime::now_utc();
    let snap = ledger.snapshots(BillingPeriod::containing(now), now, Some(&old)).await.unwrap().remove(0);
    assert_eq!((snap.queries, snap.plan_id), (1, PlanId::Professional));
    // The old id is now free in another tenant, and still a duplicate in its own.
    let new = TenantId::parse("new-firm").unwrap();
    ledger.create_tenant(&new, "New Firm", PlanId::Community).await.unwrap();
    let mut e = UsageEvent::now(new.clone(), EventKind::Query, 1);
    e.event_id = "e-1".into();
    assert_eq!(ledger.record(vec![e.clone()]).await.unwrap().recorded, 1);
    e.tenant_id = old;
    assert_eq!(ledger.record(vec![e]).await.unwrap().duplicates, 1);
    ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_data_survives_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ledger.sqlite3").display());
    data_survives(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_data_survives_the_migrations() {
    let Some(url) = common::postgres_database().await else { return };
    data_survives(url).await;
}
