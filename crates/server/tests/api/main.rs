//! HTTP tests against the real server on 127.0.0.1:0 with its own storage folder.

mod agents;
mod auth;
mod billing;
mod documents;
mod helpers;
mod ingest_roots;
mod ledger;
mod onboarding;
mod query_limits;
mod search;
mod storage;
mod telemetry;
mod triage;
mod ui;
mod usage_pages;
