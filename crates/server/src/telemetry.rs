//! Metrics and traces: one OpenTelemetry `MeterProvider` read two ways (Prometheus text at
//! `GET /metrics`, and OTLP/HTTP pushes when `OTEL_EXPORTER_OTLP_ENDPOINT` is set), request
//! spans over OTLP, and the observers that feed them. Every series is listed in
//! docs/telemetry.md.
//!
//! Where each number comes from, so that nothing is counted twice:
//! - usage, ingestion volume, query/timeline latencies, quota alerts, ledger commits: the
//!   ledger's committed batches (`Ledger::subscribe`), so they count what was billed, once;
//! - per-tenant gauges: one periodic observation of the tenants' snapshots (labels bounded by
//!   the tenant registry, never one per request);
//! - HTTP requests: a middleware, labelled by route template, never by raw path;
//! - ingestion jobs: the metering of a finished job, when the ledger recorded it the first time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::{FromRequestParts, MatchedPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_billing::{AlertLevel, BillingPeriod, PlanId, SupportTier, TenantId};
use docket_ledger::{Committed, EventKind, Ledger, TenantSnapshot};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter, MeterProvider as _, ObservableGauge};
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use prometheus::Encoder as _;
use rust_decimal::prelude::ToPrimitive;
use time::OffsetDateTime;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::auth::Authorized;
use crate::config::Config;
use crate::error::ApiError;
use crate::routes::access::MetricsRead;
use crate::state::AppState;

/// Label value of requests that matched no route (404s, UI pages): one value, not the path.
const UNMATCHED_ROUTE: &str = "unmatched";

/// Seconds buckets for request, query and commit durations: 1 ms to 60 s.
const SECONDS_BUCKETS: [f64; 16] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0];
/// Seconds buckets for support first-response times: 15 minutes to a week, with every SLA
/// (2, 12 and 48 hours) a boundary.
const SUPPORT_BUCKETS: [f64; 12] =
    [900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 43200.0, 86400.0, 172800.0, 259200.0, 432000.0, 604800.0];
/// Seconds buckets for ingestion jobs: 100 ms to an hour.
const JOB_BUCKETS: [f64; 12] = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0];
/// Events per committed batch.
const BATCH_BUCKETS: [f64; 12] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0, 4096.0, 8192.0];

/// How long the final OTLP export at shutdown may take.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Why telemetry could not start.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("OTEL_EXPORTER_OTLP_ENDPOINT '{endpoint}': {message}")]
    Endpoint { endpoint: String, message: String },
    #[error("the Prometheus reader: {0}")]
    Prometheus(String),
}

/// One tenant as the gauges see it, from its snapshot.
#[derive(Debug, Clone)]
struct TenantGauges {
    labels: Vec<KeyValue>,
    usage_ratio: f64,
    consumption: [(&'static str, f64); 3],
    health_score: f64,
    cost_to_date: f64,
    projected_monthly_cost: f64,
    alert_level: f64,
    /// The plan's SLA hours in seconds: Prometheus's base unit (promtool refuses `_hours`).
    sla_seconds: f64,
}

impl TenantGauges {
    fn of(s: &TenantSnapshot) -> TenantGauges {
        let a = &s.assessment;
        TenantGauges {
            labels: vec![
                KeyValue::new("tenant", s.tenant_id.as_str().to_owned()),
                KeyValue::new("plan", s.plan_id.as_str()),
                KeyValue::new("support_tier", s.support_tier.as_str()),
            ],
            usage_ratio: a.usage_ratio,
            consumption: [
                ("queries", a.consumption.queries),
                ("ingest_gb", a.consumption.ingest_gb),
                ("seats", a.consumption.seats),
            ],
            health_score: a.health_score,
            cost_to_date: a.cost_to_date_usd.to_f64().unwrap_or(0.0),
            projected_monthly_cost: a.projected_monthly_cost_usd.to_f64().unwrap_or(0.0),
            alert_level: match a.alert_level {
                AlertLevel::None => 0.0,
                AlertLevel::Soft => 1.0,
                AlertLevel::Hard => 2.0,
            },
            sla_seconds: f64::from(s.support_sla_hours) * 3600.0,
        }
    }
}

/// The instruments fed by events (the gauges are callbacks over [`Telemetry::tenants`]).
struct Instruments {
    http_duration: Histogram<f64>,
    usage_events: Counter<u64>,
    ingest_volume: Counter<u64>,
    ingest_documents: Counter<u64>,
    ingest_failed_documents: Counter<u64>,
    ingest_job_duration: Histogram<f64>,
    query_duration: Histogram<f64>,
    timeline_duration: Histogram<f64>,
    quota_alerts: Counter<u64>,
    commit_duration: Histogram<f64>,
    batch_size: Histogram<u64>,
    webhook_attempts: Counter<u64>,
    support_first_response: Histogram<f64>,
    support_breaches: Counter<u64>,
}

/// The server's telemetry: the meter provider, its Prometheus registry, the tracer (when an
/// OTLP endpoint is set) and the latest per-tenant observation.
pub struct Telemetry {
    meters: SdkMeterProvider,
    registry: prometheus::Registry,
    tracing: Option<(SdkTracerProvider, SdkTracer)>,
    instruments: Instruments,
    tenants: Arc<RwLock<Vec<TenantGauges>>>,
    /// Tenant -> current plan and support tier, for the labels of the usage counter.
    plans: Mutex<HashMap<String, (PlanId, SupportTier)>>,
    /// Kept alive: dropping an observable instrument may stop its callback.
    _gauges: Vec<ObservableGauge<f64>>,
    pub token_required: bool,
    refresh_every: Duration,
}

impl Telemetry {
    /// Build the meter provider (Prometheus reader always, OTLP reader and tracer when the
    /// configuration names an endpoint).
    pub fn from_config(config: &Config) -> Result<Telemetry, TelemetryError> {
        let resource = Resource::builder()
            .with_service_name(config.otel_service_name.clone())
            .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
            .build();
        let registry = prometheus::Registry::new();
        let prometheus = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .build()
            .map_err(|e| TelemetryError::Prometheus(e.to_string()))?;
        let mut builder = SdkMeterProvider::builder().with_resource(resource.clone()).with_reader(prometheus);
        let mut tracing = None;
        if let Some(endpoint) = config.otlp_endpoint() {
            let base = otlp_base(endpoint)?;
            let err = |e: opentelemetry_otlp::ExporterBuildError| TelemetryError::Endpoint {
                endpoint: endpoint.to_owned(),
                message: e.to_string(),
            };
            let metrics = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_endpoint(format!("{base}/v1/metrics"))
                .with_timeout(Duration::from_secs(10))
                .build()
                .map_err(err)?;
            let interval = Duration::from_millis(config.metric_export_interval_ms);
            builder = builder.with_reader(PeriodicReader::builder(metrics).with_interval(interval).build());
            let spans = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(format!("{base}/v1/traces"))
                .with_timeout(Duration::from_secs(10))
                .build()
                .map_err(err)?;
            let provider = SdkTracerProvider::builder().with_resource(resource).with_batch_exporter(spans).build();
            let tracer = provider.tracer("docket");
            tracing = Some((provider, tracer));
        }
        let meters = builder.build();
        let meter = meters.meter("docket");
        let tenants: Arc<RwLock<Vec<TenantGauges>>> = Arc::default();
        let gauges = tenant_gauges(&meter, &tenants);
        Ok(Telemetry {
            instruments: instruments(&meter),
            meters,
            registry,
            tracing,
            tenants,
            plans: Mutex::default(),
            _gauges: gauges,
            token_required: config.metrics_token_required,
            refresh_every: Duration::from_millis(config.metric_export_interval_ms).max(Duration::from_secs(1)),
        })
    }

    /// Prometheus text exposition of every series.
    pub fn prometheus_text(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Observe a finished ingestion job (once: the caller passes only a first recording).
    pub fn job_finished(&self, report: &docket_corpus::JobReport) {
        let outcome = if report.job_failed { "failed" } else { "succeeded" };
        if let Some(started) = report.started_at {
            let seconds = (report.finished_at - started).as_seconds_f64().max(0.0);
            self.instruments.ingest_job_duration.record(seconds, &[KeyValue::new("outcome", outcome)]);
        }
        if report.failed > 0 {
            self.instruments.ingest_failed_documents.add(report.failed, &[]);
        }
    }

    /// Count one alert webhook attempt by its outcome (delivered, retry, dead).
    pub fn webhook_attempt(&self, outcome: &'static str) {
        self.instruments.webhook_attempts.add(1, &[KeyValue::new("outcome", outcome)]);
    }

    /// Observe a ticket's first response time, by support tier and tenant.
    pub fn support_first_response(&self, ticket: &docket_ledger::SupportTicket) {
        if let Some(seconds) = ticket.first_response_seconds() {
            self.instruments.support_first_response.record(seconds, &support_labels(ticket));
        }
    }

    /// Count one SLA breach recorded on a ticket, by support tier, tenant and kind.
    pub fn support_breach(&self, ticket: &docket_ledger::SupportTicket, breach: docket_ledger::SlaBreach) {
        let mut labels = support_labels(ticket).to_vec();
        labels.push(KeyValue::new("breach", breach.as_str()));
        self.instruments.support_breaches.add(1, &labels);
    }

    /// Count one committed batch of the ledger.
    async fn committed(&self, ledger: &Ledger, c: &Committed) {
        let i = &self.instruments;
        i.commit_duration.record(c.commit_duration.as_secs_f64(), &[]);
        i.batch_size.record(c.batch_events, &[]);
        for ((tenant, kind), count) in &c.events {
            let plan = self.plan_of(ledger, tenant).await;
            let (plan, tier) = plan.map_or(("unknown", "unknown"), |(p, t)| (p.as_str(), t.as_str()));
            i.usage_events.add(
                *count,
                &[
                    KeyValue::new("tenant", tenant.clone()),
                    KeyValue::new("plan", plan),
                    KeyValue::new("kind", kind.as_str()),
                    KeyValue::new("support_tier", tier),
                ],
            );
        }
        for ((tenant, kind), (units, bytes)) in &c.recorded {
            if *kind == EventKind::Ingestion {
                let labels = [KeyValue::new("tenant", tenant.clone())];
                i.ingest_volume.add(*bytes, &labels);
                i.ingest_documents.add(*units, &labels);
            }
        }
        for (kind, ms) in &c.latencies {
            let seconds = *ms as f64 / 1000.0;
            match kind {
                EventKind::Query => i.query_duration.record(seconds, &[]),
                EventKind::Timeline => i.timeline_duration.record(seconds, &[]),
                _ => {}
            }
        }
        for a in &c.alerts {
            i.quota_alerts
                .add(1, &[KeyValue::new("level", a.level.as_str()), KeyValue::new("dimension", a.dimension.as_str())]);
        }
    }

    /// The tenant's current plan and support tier (which may differ from the plan's): from
    /// the last observation, else from the registry.
    async fn plan_of(&self, ledger: &Ledger, tenant: &str) -> Option<(PlanId, SupportTier)> {
        if let Some(plan) = self.plans.lock().ok().and_then(|p| p.get(tenant).copied()) {
            return Some(plan);
        }
        let id: TenantId = tenant.parse().ok()?;
        let registered = ledger.tenant(&id).await.ok().flatten()?;
        let plan = (registered.plan_id, registered.support_tier);
        if let Ok(mut plans) = self.plans.lock() {
            plans.insert(tenant.to_owned(), plan);
        }
        Some(plan)
    }

    /// Observe every tenant's snapshot of the current period for the gauges.
    pub async fn observe_tenants(&self, ledger: &Ledger) -> Result<(), docket_ledger::LedgerError> {
        let now = OffsetDateTime::now_utc();
        let snapshots = ledger.snapshots(BillingPeriod::containing(now), now, None).await?;
        let gauges = snapshots.iter().map(TenantGauges::of).collect();
        if let Ok(mut plans) = self.plans.lock() {
            // The registry's current plan (the snapshot's may be the one in force earlier).
            plans.clear();
        }
        if let Ok(mut tenants) = self.tenants.write() {
            *tenants = gauges;
        }
        Ok(())
    }

    /// Start the tasks that feed the instruments from the ledger: the committed-batch counter
    /// and the periodic tenant observation (also refreshed shortly after commits).
    pub fn spawn(self: &Arc<Self>, ledger: &Ledger) -> TelemetryTasks {
        let mut commits = ledger.subscribe();
        let (me, lg) = (self.clone(), ledger.clone());
        let (changed_tx, mut changed_rx) = tokio::sync::mpsc::channel::<()>(1);
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let counter = tokio::spawn(async move {
            loop {
                let received = tokio::select! {
                    received = commits.recv() => received,
                    _ = &mut stopped => {
                        // Count what was committed before the stop, then end.
                        while let Ok(c) = commits.try_recv() {
                            me.committed(&lg, &c).await;
                        }
                        break;
                    }
                };
                match received {
                    Ok(c) => {
                        me.committed(&lg, &c).await;
                        let _ = changed_tx.try_send(());
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "telemetry fell behind the ledger; some batches were not counted");
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
        let (me, lg) = (self.clone(), ledger.clone());
        let observer = tokio::spawn(async move {
            // A fixed deadline after the first change, so that steady load cannot postpone
            // the observation forever.
            const AFTER_CHANGE: Duration = Duration::from_millis(500);
            let mut next = Instant::now();
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next) => {}
                    changed = changed_rx.recv() => {
                        if changed.is_none() {
                            break;
                        }
                        next = next.min(Instant::now() + AFTER_CHANGE);
                        continue;
                    }
                }
                if let Err(e) = me.observe_tenants(&lg).await {
                    tracing::warn!(error = %e, "observing the tenants' snapshots for telemetry failed");
                }
                next = Instant::now() + me.refresh_every;
            }
        });
        TelemetryTasks { stop, counter, observer }
    }

    /// Flush and stop the exporters (the last OTLP push happens here).
    pub async fn shutdown(self: Arc<Self>) {
        let done = tokio::task::spawn_blocking(move || {
            if let Some((provider, _)) = &self.tracing
                && let Err(e) = provider.shutdown_with_timeout(SHUTDOWN_TIMEOUT)
            {
                tracing::warn!(error = %e, "flushing traces at shutdown failed");
            }
            if let Err(e) = self.meters.shutdown_with_timeout(SHUTDOWN_TIMEOUT) {
                tracing::warn!(error = %e, "flushing metrics at shutdown failed");
            }
        });
        if let Err(e) = done.await {
            tracing::warn!(error = %e, "the telemetry shutdown task failed");
        }
    }
}

/// The background tasks of [`Telemetry::spawn`].
pub struct TelemetryTasks {
    stop: tokio::sync::oneshot::Sender<()>,
    counter: JoinHandle<()>,
    observer: JoinHandle<()>,
}

impl TelemetryTasks {
    /// Count what the ledger committed until now, take a last tenant observation, and stop.
    /// Called while the ledger is still open, after the last write.
    pub async fn finish(self, telemetry: &Telemetry, ledger: &Ledger) {
        let _ = self.stop.send(());
        if tokio::time::timeout(Duration::from_secs(5), self.counter).await.is_err() {
            tracing::warn!("the telemetry counter did not finish in time");
        }
        self.observer.abort();
        if let Err(e) = telemetry.observe_tenants(ledger).await {
            tracing::debug!(error = %e, "last tenant observation failed");
        }
    }
}

/// The OTLP endpoint without a trailing slash; http only (the exporter carries no TLS:
/// send to a collector beside the server).
fn otlp_base(endpoint: &str) -> Result<&str, TelemetryError> {
    let base = endpoint.trim_end_matches('/');
    let bad = |message: &str| TelemetryError::Endpoint { endpoint: endpoint.to_owned(), message: message.into() };
    match base.split_once("://") {
        Some(("http", rest)) if !rest.is_empty() => Ok(base),
        Some(("https", _)) => {
            Err(bad("https is not supported: push to a collector over http (e.g. http://otel-collector:4318)"))
        }
        _ => Err(bad("expected http://host:port")),
    }
}

fn instruments(meter: &Meter) -> Instruments {
    let seconds = |name: &'static str, description: &'static str, buckets: &[f64]| {
        meter.f64_histogram(name).with_unit("s").with_description(description).with_boundaries(buckets.to_vec()).build()
    };
    let counter = |name: &'static str, unit: &'static str, description: &'static str| {
        meter.u64_counter(name).with_unit(unit).with_description(description).build()
    };
    Instruments {
        http_duration: seconds(
            "http.server.request.duration",
            "Duration of HTTP server requests, by route template and status.",
            &SECONDS_BUCKETS,
        ),
        usage_events: counter(
            "docket.usage.events",
            "{event}",
            "Usage events recorded by the ledger (committed, counted once), by tenant, plan, kind and support tier.",
        ),
        ingest_volume: counter("docket.ingest.volume", "By", "Bytes of new content ingested (billed), by tenant."),
        ingest_documents: counter("docket.ingest.documents", "{document}", "Documents newly ingested, by tenant."),
        ingest_failed_documents: counter(
            "docket.ingest.failed_documents",
            "{document}",
            "Documents an ingestion job could not ingest.",
        ),
        ingest_job_duration: seconds(
            "docket.ingest.job.duration",
            "Duration of ingestion jobs from start to finish, by outcome.",
            &JOB_BUCKETS,
        ),
        query_duration: seconds("docket.query.duration", "Latency of billed queries.", &SECONDS_BUCKETS),
        timeline_duration: seconds(
            "docket.timeline.duration",
            "Latency of billed timeline requests.",
            &SECONDS_BUCKETS,
        ),
        quota_alerts: counter("docket.quota.alerts", "{alert}", "Quota alerts fired, by level and dimension."),
        commit_duration: seconds(
            "docket.ledger.commit.duration",
            "Duration of a ledger group commit, from the start of the transaction to its commit.",
            &SECONDS_BUCKETS,
        ),
        batch_size: meter
            .u64_histogram("docket.ledger.batch.size")
            .with_unit("{event}")
            .with_description("Events written by one ledger group commit.")
            .with_boundaries(BATCH_BUCKETS.to_vec())
            .build(),
        support_first_response: seconds(
            "docket.support.first_response.duration",
            "Time from opening a support ticket to its first response (support_response_sla_hours, in seconds), by support tier and tenant.",
            &SUPPORT_BUCKETS,
        ),
        support_breaches: counter(
            "docket.support.sla_breaches",
            "{breach}",
            "Support tickets whose first-response SLA was missed, by support tier, tenant and breach (late, unanswered).",
        ),
        webhook_attempts: counter(
            "docket.alert_webhook.attempts",
            "{attempt}",
            "Quota-alert webhook attempts, by outcome (delivered, retry, dead).",
        ),
    }
}

/// The labels of a ticket's support series.
fn support_labels(ticket: &docket_ledger::SupportTicket) -> [KeyValue; 2] {
    [
        KeyValue::new("support_tier", ticket.support_tier.as_str()),
        KeyValue::new("tenant", ticket.tenant_id.as_str().to_owned()),
    ]
}

/// The per-tenant gauges, each a callback over the latest observation.
fn tenant_gauges(meter: &Meter, tenants: &Arc<RwLock<Vec<TenantGauges>>>) -> Vec<ObservableGauge<f64>> {
    type Pick = fn(&TenantGauges) -> f64;
    let simple: [(&'static str, &'static str, &'static str, Pick); 6] = [
        ("docket.tenant.usage_ratio", "", "Usage ratio of the tenant's plan quotas (the highest dimension).", |t| {
            t.usage_ratio
        }),
        ("docket.tenant.health_score", "", "Health score of the tenant, 0 to 1.", |t| t.health_score),
        ("docket.tenant.cost_to_date_usd", "{USD}", "Cost of the current billing period so far, in USD.", |t| {
            t.cost_to_date
        }),
        (
            "docket.tenant.projected_monthly_cost_usd",
            "{USD}",
            "Projected cost of the current billing period, in USD.",
            |t| t.projected_monthly_cost,
        ),
        ("docket.tenant.alert_level", "", "Quota alert level: 0 none, 1 soft (80 %), 2 hard (95 %).", |t| {
            t.alert_level
        }),
        (
            "docket.tenant.support_response_sla",
            "s",
            "Support response SLA of the tenant's plan (support_response_sla_hours), in seconds.",
            |t| t.sla_seconds,
        ),
    ];
    let mut gauges: Vec<ObservableGauge<f64>> = simple
        .into_iter()
        .map(|(name, unit, description, pick)| {
            let tenants = tenants.clone();
            meter
                .f64_observable_gauge(name)
                .with_unit(unit)
                .with_description(description)
                .with_callback(move |observer| {
                    if let Ok(tenants) = tenants.read() {
                        for t in tenants.iter() {
                            observer.observe(pick(t), &t.labels);
                        }
                    }
                })
                .build()
        })
        .collect();
    let tenants = tenants.clone();
    gauges.push(
        meter
            .f64_observable_gauge("docket.tenant.consumption_ratio")
            .with_description("Share of each plan quota consumed, by dimension (queries, ingest_gb, seats).")
            .with_callback(move |observer| {
                if let Ok(tenants) = tenants.read() {
                    for t in tenants.iter() {
                        for (dimension, value) in t.consumption {
                            let mut labels = t.labels.clone();
                            labels.push(KeyValue::new("dimension", dimension));
                            observer.observe(value, &labels);
                        }
                    }
                }
            })
            .build(),
    );
    gauges
}

/// `GET /metrics`: Prometheus text of every series. Open when `DOCKET_METRICS_TOKEN_REQUIRED`
/// is false (the server listens on loopback by default); otherwise a token with the billing
/// audience and the `metrics:read` scope.
pub async fn metrics(State(state): State<AppState>, request: axum::extract::Request) -> Result<Response, ApiError> {
    let telemetry = state.telemetry.clone();
    if telemetry.token_required {
        let (mut parts, _) = request.into_parts();
        Authorized::<MetricsRead>::from_request_parts(&mut parts, &state).await?;
    }
    let body = tokio::task::spawn_blocking(move || telemetry.prometheus_text())
        .await
        .map_err(|e| ApiError::Internal(format!("encoding metrics: {e}")))?
        .map_err(|e| ApiError::Internal(format!("encoding metrics: {e}")))?;
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// Middleware: one duration observation per request, labelled by method, route template and
/// status; and, when traces are exported, one server span carrying the request id.
pub async fn track(
    State(telemetry): State<Arc<Telemetry>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, |p| p.as_str()).to_owned();
    let mut span = telemetry.tracing.as_ref().map(|(_, tracer)| {
        let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracer
            .span_builder(format!("{method} {route}"))
            .with_kind(SpanKind::Server)
            .with_attributes([
                KeyValue::new("http.request.method", method.clone()),
                KeyValue::new("http.route", route.clone()),
                KeyValue::new("docket.request_id", request_id.to_owned()),
            ])
            .start(tracer)
    });
    let response = next.run(request).await;
    let status = response.status().as_u16();
    telemetry.instruments.http_duration.record(
        started.elapsed().as_secs_f64(),
        &[
            KeyValue::new("http.request.method", method),
            KeyValue::new("http.route", route),
            KeyValue::new("http.response.status_code", i64::from(status)),
        ],
    );
    if let Some(span) = span.as_mut() {
        span.set_attribute(KeyValue::new("http.response.status_code", i64::from(status)));
        if status >= 500 {
            span.set_status(Status::error(format!("status {status}")));
        }
        span.end();
    }
    response
}
