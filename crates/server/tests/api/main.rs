//! HTTP tests against the real server on 127.0.0.1:0 with its own storage folder.

mod agents;
mod auth;
mod billing;
mod document_fields;
mod documents;
mod exports;
mod helpers;
mod ingest_roots;
mod ledger;
mod onboarding;
mod overrides;
mod query_limits;
mod search;
mod storage;
mod streaming;
mod support;
mod telemetry;
mod triage;
mod ui;
mod usage_pages;
mod webhooks;
