//! Delivery of quota-alert webhooks from the ledger's outbox (`docket_ledger` queues them in
//! the transaction that fires the alert). One task claims due deliveries, POSTs each body
//! signed with the Stripe scheme (`Docket-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>">`), and records every attempt: a 2xx delivers for good, anything else is
//! retried with exponential backoff and jitter until the attempts run out (dead).
//!
//! Delivery is at least once: a process that dies after the receiver answered but before the
//! outcome was recorded sends again after its lease; receivers de-duplicate on `event_id`.

use std::sync::Arc;
use std::time::Duration;

use docket_ledger::{AttemptOutcome, Ledger, WebhookAttempt, WebhookDelivery};
use futures_util::StreamExt as _;
use hmac::{Hmac, Mac};
use rand::Rng as _;
use sha2::Sha256;
use time::OffsetDateTime;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::{Config, WebhookSecret};
use crate::telemetry::Telemetry;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Docket-Signature";
/// The header repeating the body's event id, for receivers that de-duplicate before parsing.
pub const EVENT_ID_HEADER: &str = "Docket-Event-Id";

/// Most a pending delivery waits unseen: deliveries queued by another process (the CLI,
/// another instance on PostgreSQL) are found by this poll.
const POLL: Duration = Duration::from_secs(5);
/// Deliveries claimed and sent at once.
const CONCURRENCY: usize = 8;

/// How deliveries are sent and retried.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub secret: WebhookSecret,
    pub timeout: Duration,
    pub backoff: Duration,
    pub backoff_max: Duration,
    pub max_attempts: u32,
}

impl WebhookSettings {
    /// The settings in force, or `None` when no webhook URL is configured.
    pub fn from_config(config: &Config) -> Result<Option<WebhookSettings>, String> {
        Ok(config.alert_webhook_targets()?.map(|(_, secret)| WebhookSettings {
            secret: secret.clone(),
            timeout: Duration::from_millis(config.alert_webhook_timeout_ms),
            backoff: Duration::from_millis(config.alert_webhook_backoff_ms),
            backoff_max: Duration::from_millis(
                config.alert_webhook_backoff_max_ms.max(config.alert_webhook_backoff_ms),
            ),
            max_attempts: config.alert_webhook_max_attempts,
        }))
    }

    /// How long a claim holds a delivery: longer than any attempt, so that only a process
    /// that died mid-attempt lets it be claimed again.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }

    /// The wait after failed attempt `attempt` (1-based): the base doubled per earlier
    /// failure, capped, then "equal jitter" (half fixed, half random) so that receivers
    /// coming back are not hit by every sender at once.
    pub fn backoff_after(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let full = self.backoff.saturating_mul(1u32 << doublings.min(31)).min(self.backoff_max);
        let half = full / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis().min(u128::from(u64::MAX)) as u64);
        half + Duration::from_millis(jitter)
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The running delivery task.
pub struct Deliverer {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
}

impl Deliverer {
    /// Start delivering the ledger's outbox (pending deliveries of earlier runs first).
    pub fn spawn(
        ledger: Ledger,
        settings: WebhookSettings,
        telemetry: Arc<Telemetry>,
    ) -> Result<Deliverer, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            // A redirect is a failed attempt: the body goes only where it was configured to.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("docket/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let (stop, stopped) = watch::channel(false);
        let sender = Sender { ledger, settings, client, telemetry };
        let handle = tokio::spawn(sender.run(stopped));
        Ok(Deliverer { stop, handle })
    }

    /// Stop after the attempts in flight are recorded (each is bounded by its timeout).
    pub async fn finish(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.handle.await {
            tracing::warn!(error = %e, "the webhook delivery task failed");
        }
    }
}

struct Sender {
    ledger: Ledger,
    settings: WebhookSettings,
    client: reqwest::Client,
    telemetry: Arc<Telemetry>,
}

impl Sender {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut commits = self.ledger.subscribe();
        while !*stopped.borrow() {
            self.deliver_due(&stopped).await;
            let wait = match self.ledger.next_webhook_due().await {
                Ok(Some(at)) => {
                    let until = (at - OffsetDateTime::now_utc()).max(time::Duration::ZERO);
                    Duration::try_from(until).unwrap_or(POLL).min(POLL)
                }
                Ok(None) => POLL,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the webhook outbox failed; trying again");
                    POLL
                }
            };
            let deadline = Instant::now() + wait;
            // Until the next delivery is due, a new alert is committed here, or a stop.
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = stopped.changed() => break,
                    received = commits.recv() => match received {
                        Ok(c) if !c.alerts.is_empty() => break,
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => {
                            tokio::time::sleep_until(deadline).await;
                            break;
                        }
                    },
                }
            }
        }
    }

    /// Claim and send every due delivery, a few at a time, until none is due or a stop.
    async fn deliver_due(&self, stopped: &watch::Receiver<bool>) {
        while !*stopped.borrow() {
            let claimed = match self
                .ledger
                .claim_webhook_deliveries(OffsetDateTime::now_utc(), self.settings.lease(), CONCURRENCY)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming webhook deliveries failed; trying again");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            futures_util::stream::iter(claimed).for_each_concurrent(CONCURRENCY, |d| self.attempt(d)).await;
        }
    }

    /// One attempt of a claimed delivery, recorded with what it decided.
    async fn attempt(&self, d: WebhookDelivery) {
        let started_at = OffsetDateTime::now_utc();
        let clock = std::time::Instant::now();
        let (status_code, error) = if d.attempts > self.settings.max_attempts {
            // Claimed again after a process died mid-attempt with no attempt left.
            (None, Some("no attempt left after an interrupted one".to_owned()))
        } else {
            self.send(&d, started_at).await
        };
        let attempt = WebhookAttempt {
            attempt: d.attempts,
            started_at,
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            status_code,
            error,
        };
        let outcome = if attempt.error.is_none() {
            AttemptOutcome::Delivered
        } else if d.attempts >= self.settings.max_attempts {
            AttemptOutcome::Dead
        } else {
            AttemptOutcome::RetryAt(OffsetDateTime::now_utc() + self.settings.backoff_after(d.attempts))
        };
        let host = d.url.parse::<reqwest::Url>().ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        let word = match outcome {
            AttemptOutcome::Delivered => {
                tracing::info!(delivery = %d.delivery_id, event = %d.event_id, host = %host, attempt = attempt.attempt,
                    status = ?attempt.status_code, ms = attempt.duration_ms, "alert webhook delivered");
                "delivered"
            }
            AttemptOutcome::RetryAt(at) => {
                tracing::warn!(delivery = %d.delivery_id, event = %d.event_id, host = %host, attempt = attempt.attempt,
                    status = ?attempt.status_code, error = attempt.error.as_deref().unwrap_or(""),
                    retry_at = %at, "alert webhook failed; retrying");
                "retry"
            }
            AttemptOutcome::Dead => {
                tracing::error!(delivery = %d.delivery_id, event = %d.event_id, host = %host, attempt = attempt.attempt,
                    status = ?attempt.status_code, error = attempt.error.as_deref().unwrap_or(""),
                    "alert webhook given up after its last attempt");
                "dead"
            }
        };
        self.telemetry.webhook_attempt(word);
        if let Err(e) = self.ledger.finish_webhook_attempt(&d.delivery_id, &attempt, outcome).await {
            // Its lease runs out and it is tried again: at least once, never lost.
            tracing::error!(delivery = %d.delivery_id, error = %e, "recording a webhook attempt failed");
        }
    }

    /// POST the body; the status (when one came) and the reason it failed (when it did).
    async fn send(&self, d: &WebhookDelivery, at: OffsetDateTime) -> (Option<u16>, Option<String>) {
        let header = signature(self.settings.secret.expose(), at.unix_timestamp(), &d.body);
        let sent = self
            .client
            .post(&d.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, header)
            .header(EVENT_ID_HEADER, &d.event_id)
            .body(d.body.clone())
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                let error = (!status.is_success()).then(|| format!("HTTP {}", status.as_u16()));
                (Some(status.as_u16()), error)
            }
            Err(e) => (None, Some(describe(&e, self.settings.timeout))),
        }
    }
}

/// Why a request got no answer, without its URL (which may carry credentials).
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} ms", timeout.as_millis());
    }
    let mut words = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        words.push(s.to_string());
        source = s.source();
    }
    if words.is_empty() { "the request failed".to_owned() } else { words.join(": ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_0123456789abcdef'
        assert_eq!(
            signature(b"whsec_0123456789abcdef", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=9f5e37cdc7ea587c7c02062d93283cad000d66a831b2a1676418696db47ed6c2"
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let s = WebhookSettings {
            secret: "0123456789abcdef".parse().unwrap(),
            timeout: Duration::from_secs(1),
            backoff: Duration::from_millis(1_000),
            backoff_max: Duration::from_millis(6_000),
            max_attempts: 5,
        };
        for _ in 0..200 {
            let within = |attempt, low, high| {
                let d = s.backoff_after(attempt).as_millis();
                assert!((low..=high).contains(&d), "attempt {attempt}: {d} ms not in {low}..={high}");
            };
            within(1, 500, 1_000);
            within(2, 1_000, 2_000);
            within(3, 2_000, 4_000);
            within(4, 3_000, 6_000);
            within(40, 3_000, 6_000);
        }
    }
}
