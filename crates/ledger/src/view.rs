//! The usage view behind `GET /billing/usage`: every tenant's snapshot of a period held in
//! memory, so that a sorted, filtered page of the customer health dashboard and its summary
//! answer without reading every tenant from the database on each request.
//!
//! What is stored per tenant (registry row, plan in force, period totals, intake, alerts) is
//! read once per period, then re-read only for the tenants the writer or the registry touched.
//! They are marked after their commit and before the caller is answered, so a read that
//! follows a write sees it. Health and projected cost move with time: an open period's
//! assessments are recomputed from the stored totals (no database read) when something
//! changed or a second has passed. Each recomputation is a generation; a page cursor names its
//! generation, so paging through the list walks one consistent ordering even while events
//! arrive. The last [`GENERATIONS_KEPT`] generations are kept; a cursor of an older one goes
//! on in the newest from its sort key (a tenant whose sort value moved meanwhile may then be
//! seen twice or not at all). Writes made by other instances (several servers on one
//! PostgreSQL) reach the view at its periodic full reload, every [`FULL_RELOAD`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use docket_billing::{AlertLevel, BillingPeriod, PlanId, TenantId, UsageAssessment, assess};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::time::Instant;
use utoipa::ToSchema;

use crate::error::LedgerError;
use crate::model::{QuotaAlert, TenantSnapshot, UsageEvent};
use crate::store::{Ledger, alert_order, judged_at};

/// Generations kept for the cursors that name them.
pub const GENERATIONS_KEPT: usize = 16;
/// How often a period's view is read again in full (to see other instances' writes).
pub const FULL_RELOAD: Duration = Duration::from_secs(60);
/// How long an open period's assessments are reused before being recomputed.
const REASSESS_AFTER: Duration = Duration::from_secs(1);
/// Periods held in memory at once; the least recently read one goes first.
const PERIODS_KEPT: usize = 24;

/// What the tenant list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Health score.
    Health,
    /// Usage ratio.
    UsageRatio,
    /// Projected monthly cost.
    ProjectedCost,
    /// Time of the last usage event (never: before every time).
    LastActivity,
    /// Tenant id.
    Tenant,
    /// Organisation name, ignoring case.
    Organization,
}

impl SortKey {
    const ALL: [(SortKey, &'static str); 6] = [
        (SortKey::Health, "health"),
        (SortKey::UsageRatio, "usage_ratio"),
        (SortKey::ProjectedCost, "projected_cost"),
        (SortKey::LastActivity, "last_activity"),
        (SortKey::Tenant, "tenant"),
        (SortKey::Organization, "organization"),
    ];

    /// The name used in the `sort` parameter.
    pub fn as_str(self) -> &'static str {
        SortKey::ALL.iter().find(|(k, _)| *k == self).map_or("tenant", |(_, n)| n)
    }
}

/// A sort order: a key, ascending or descending (`health`, `-health`). Ties are broken by
/// tenant id in the same direction, so the order is total and a cursor is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageOrder {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for UsageOrder {
    fn default() -> Self {
        UsageOrder { key: SortKey::Tenant, descending: false }
    }
}

impl fmt::Display for UsageOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", if self.descending { "-" } else { "" }, self.key.as_str())
    }
}

impl FromStr for UsageOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let names: Vec<&str> = SortKey::ALL.iter().map(|(_, n)| *n).collect();
        SortKey::ALL.iter().find(|(_, n)| *n == name).map(|(key, _)| UsageOrder { key: *key, descending }).ok_or_else(
            || format!("unknown sort '{s}': use one of {}, with a leading '-' for descending", names.join(", ")),
        )
    }
}

/// A sort value as compared; only one variant occurs per key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue<'a> {
    Int(i64),
    Money(Decimal),
    Text(&'a str),
}

/// Where a page ended: the generation it was read from, its order, and the last row's sort
/// value and tenant id. Travels as an opaque URL-safe string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCursor {
    generation: u64,
    order: UsageOrder,
    value: OwnedValue,
    tenant_id: TenantId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum OwnedValue {
    I(i64),
    M(String),
    S(String),
}

impl OwnedValue {
    fn of(v: &SortValue<'_>) -> OwnedValue {
        match v {
            SortValue::Int(i) => OwnedValue::I(*i),
            SortValue::Money(m) => OwnedValue::M(m.to_string()),
            SortValue::Text(s) => OwnedValue::S((*s).to_owned()),
        }
    }

    fn borrow(&self) -> Result<SortValue<'_>, String> {
        Ok(match self {
            OwnedValue::I(i) => SortValue::Int(*i),
            OwnedValue::M(m) => SortValue::Money(m.parse().map_err(|_| "its amount is not a number".to_owned())?),
            OwnedValue::S(s) => SortValue::Text(s),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CursorWire {
    g: u64,
    o: String,
    v: OwnedValue,
    t: String,
}

impl UsageCursor {
    /// The order the cursor's page was sorted in; the next page must ask for the same.
    pub fn order(&self) -> UsageOrder {
        self.order
    }
}

impl fmt::Display for UsageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wire = CursorWire {
            g: self.generation,
            o: self.order.to_string(),
            v: self.value.clone(),
            t: self.tenant_id.to_string(),
        };
        let json = serde_json::to_vec(&wire).map_err(|_| fmt::Error)?;
        f.write_str(&URL_SAFE_NO_PAD.encode(json))
    }
}

impl FromStr for UsageCursor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unreadable = || "not a cursor this server returned: pass next_cursor from the previous page".to_owned();
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| unreadable())?;
        let wire: CursorWire = serde_json::from_slice(&bytes).map_err(|_| unreadable())?;
        let cursor = UsageCursor {
            generation: wire.g,
            order: wire.o.parse().map_err(|_| unreadable())?,
            tenant_id: wire.t.parse().map_err(|_| unreadable())?,
            value: wire.v,
        };
        cursor.value.borrow().map_err(|_| unreadable())?;
        Ok(cursor)
    }
}

/// What `GET /billing/usage` asks for.
#[derive(Debug, Clone, Default)]
pub struct UsageQuery {
    /// Only this tenant.
    pub tenant: Option<TenantId>,
    /// Only flagged tenants (true) or only the others (false).
    pub flagged: Option<bool>,
    /// Only tenants on this plan.
    pub plan: Option<PlanId>,
    /// Only tenants at this alert level.
    pub alert_level: Option<AlertLevel>,
    /// Only tenants whose organisation name or tenant id contains this, ignoring case.
    pub search: Option<String>,
    pub order: UsageOrder,
    /// Most tenants returned; every matching tenant when absent.
    pub limit: Option<usize>,
    /// Continue after this cursor (its order must be `order`).
    pub after: Option<UsageCursor>,
}

/// The dashboard's summary tiles, over every tenant matching the filters (all pages).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UsageSummary {
    /// Tenants matching the filters.
    pub tenants: u64,
    /// Of those, tenants flagged for triage.
    pub flagged: u64,
    /// Sum of their plans' monthly prices. Decimal string, two decimals.
    #[serde(with = "docket_billing::money::amount")]
    #[schema(value_type = String, example = "12497.00")]
    pub monthly_recurring_revenue_usd: Decimal,
    /// Sum over those tenants of projected monthly cost above the plan price. Decimal string.
    #[serde(with = "docket_billing::money::amount")]
    #[schema(value_type = String, example = "42.50")]
    pub projected_overage_usd: Decimal,
}

/// One page of the tenant list, with the summary of every matching tenant.
#[derive(Debug, Clone)]
pub struct UsagePage {
    /// When the page's assessments were computed.
    pub generated_at: OffsetDateTime,
    pub period: BillingPeriod,
    pub tenants: Vec<TenantSnapshot>,
    /// Quota alerts of the period for the tenants on this page, oldest first.
    pub alerts: Vec<QuotaAlert>,
    /// Tenants matching the filters, over every page.
    pub matching: u64,
    pub summary: UsageSummary,
    /// Where the next page starts; none on the last page.
    pub next_cursor: Option<UsageCursor>,
}

/// Tenants whose stored figures changed since the view last read them, per period watched.
#[derive(Default)]
pub(crate) struct Dirty(std::sync::Mutex<HashMap<BillingPeriod, HashSet<TenantId>>>);

impl Dirty {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<BillingPeriod, HashSet<TenantId>>) -> R) -> R {
        // A panic elsewhere while holding the lock leaves a set that is still valid.
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    fn watch(&self, period: BillingPeriod) {
        self.with(|m| {
            m.entry(period).or_default();
        });
    }

    fn unwatch(&self, period: BillingPeriod) {
        self.with(|m| m.remove(&period));
    }

    /// Mark the tenants and periods of committed events.
    pub(crate) fn events<'a>(&self, events: impl IntoIterator<Item = &'a UsageEvent>) {
        self.with(|m| {
            for e in events {
                if let Some(set) = m.get_mut(&e.period()) {
                    set.insert(e.tenant_id.clone());
                }
            }
        });
    }

    /// Mark a tenant in every period (its registry row or plan changed).
    pub(crate) fn tenant(&self, tenant: &TenantId) {
        self.with(|m| {
            for set in m.values_mut() {
                set.insert(tenant.clone());
            }
        });
    }

    fn take(&self, period: BillingPeriod) -> Vec<TenantId> {
        self.with(|m| m.get_mut(&period).map(|s| s.drain().collect()).unwrap_or_default())
    }

    fn put_back(&self, period: BillingPeriod, tenants: impl IntoIterator<Item = TenantId>) {
        self.with(|m| {
            if let Some(set) = m.get_mut(&period) {
                set.extend(tenants);
            }
        });
    }
}

/// A tenant as read from the database; its assessment is recomputed per generation.
struct Stored {
    snapshot: TenantSnapshot,
    organization_lower: String,
    alerts: Vec<QuotaAlert>,
}

/// A tenant in one generation.
struct Row {
    stored: Arc<Stored>,
    assessment: UsageAssessment,
}

impl Row {
    fn value(&self, key: SortKey) -> SortValue<'_> {
        let a = &self.assessment;
        match key {
            SortKey::Health => SortValue::Int(f64_key(a.health_score)),
            SortKey::UsageRatio => SortValue::Int(f64_key(a.usage_ratio)),
            SortKey::ProjectedCost => SortValue::Money(a.projected_monthly_cost_usd),
            SortKey::LastActivity => SortValue::Int(
                self.stored.snapshot.last_event_at.map_or(i64::MIN, |t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
            ),
            SortKey::Tenant => SortValue::Text(self.stored.snapshot.tenant_id.as_str()),
            SortKey::Organization => SortValue::Text(&self.stored.organization_lower),
        }
    }

    fn tenant(&self) -> &str {
        self.stored.snapshot.tenant_id.as_str()
    }
}

/// An `i64` ordered as `f64::total_cmp` orders the float, so that the cursor carries the
/// exact value (no decimal round trip).
fn f64_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// Every tenant of a period, assessed at one instant.
struct Generation {
    id: u64,
    generated_at: OffsetDateTime,
    built: Instant,
    rows: Vec<Row>,
}

struct PeriodView {
    rows: BTreeMap<TenantId, Arc<Stored>>,
    /// Rows changed since the newest generation was built.
    changed: bool,
    loaded: Instant,
    used: Instant,
    /// While a full reload runs: the tenants re-read meanwhile (the reload may have read
    /// them before their change; they are marked again when it lands).
    reloading: Option<HashSet<TenantId>>,
    generations: VecDeque<Arc<Generation>>,
}

/// The in-memory view of every tenant's usage, per period.
#[derive(Default)]
pub(crate) struct UsageView {
    dirty: Arc<Dirty>,
    periods: tokio::sync::Mutex<HashMap<BillingPeriod, PeriodView>>,
    next_generation: AtomicU64,
}

impl UsageView {
    /// Where the writer and the registry mark what they changed.
    pub(crate) fn dirty(&self) -> Arc<Dirty> {
        self.dirty.clone()
    }
}

async fn load(ledger: &Ledger, period: BillingPeriod, only: Option<&[TenantId]>) -> Result<Vec<Stored>, LedgerError> {
    let now = OffsetDateTime::now_utc();
    let snapshots = ledger.snapshots_of(period, now, only).await?;
    let mut alerts: HashMap<TenantId, Vec<QuotaAlert>> = HashMap::new();
    for a in ledger.alerts_of(period, only).await? {
        alerts.entry(a.tenant_id.clone()).or_default().push(a);
    }
    Ok(snapshots
        .into_iter()
        .map(|snapshot| Stored {
            organization_lower: snapshot.organization.to_lowercase(),
            alerts: alerts.remove(&snapshot.tenant_id).unwrap_or_default(),
            snapshot,
        })
        .collect())
}

fn by_tenant(rows: Vec<Stored>) -> BTreeMap<TenantId, Arc<Stored>> {
    rows.into_iter().map(|s| (s.snapshot.tenant_id.clone(), Arc::new(s))).collect()
}

impl Ledger {
    /// A page of the tenants of `period` matching `query`, sorted, with the summary of every
    /// matching tenant. Served from the in-memory view (see the module documentation).
    pub async fn usage_page(&self, period: BillingPeriod, query: &UsageQuery) -> Result<UsagePage, LedgerError> {
        let generation = self.generation(period, query.after.as_ref().map(|c| c.generation)).await?;
        let needle = query.search.as_deref().map(str::to_lowercase).filter(|n| !n.is_empty());
        let matching: Vec<&Row> = generation
            .rows
            .iter()
            .filter(|r| {
                let s = &r.stored.snapshot;
                query.tenant.as_ref().is_none_or(|t| &s.tenant_id == t)
                    && query.flagged.is_none_or(|f| r.assessment.flagged == f)
                    && query.plan.is_none_or(|p| s.plan_id == p)
                    && query.alert_level.is_none_or(|l| r.assessment.alert_level == l)
                    && needle
                        .as_deref()
                        .is_none_or(|n| r.stored.organization_lower.contains(n) || s.tenant_id.as_str().contains(n))
            })
            .collect();
        let summary = summarize(&matching);
        let total = matching.len() as u64;

        let order = query.order;
        let cmp = |a: &SortValue<'_>, at: &str, b: &SortValue<'_>, bt: &str| {
            let o = a.cmp(b).then_with(|| at.cmp(bt));
            if order.descending { o.reverse() } else { o }
        };
        let mut rows = matching;
        if let Some(after) = &query.after {
            let value = after.value.borrow().map_err(LedgerError::Corrupt)?;
            let tenant = after.tenant_id.as_str();
            rows.retain(|r| cmp(&r.value(order.key), r.tenant(), &value, tenant) == Ordering::Greater);
        }
        let by_order = |a: &&Row, b: &&Row| cmp(&a.value(order.key), a.tenant(), &b.value(order.key), b.tenant());
        let mut next_cursor = None;
        match query.limit {
            Some(limit) if rows.len() > limit => {
                if limit > 0 {
                    rows.select_nth_unstable_by(limit - 1, by_order);
                }
                rows.truncate(limit);
                rows.sort_unstable_by(by_order);
                next_cursor = rows.last().map(|last| UsageCursor {
                    generation: generation.id,
                    order,
                    value: OwnedValue::of(&last.value(order.key)),
                    tenant_id: last.stored.snapshot.tenant_id.clone(),
                });
            }
            _ => rows.sort_unstable_by(by_order),
        }

        let mut alerts: Vec<QuotaAlert> = rows.iter().flat_map(|r| r.stored.alerts.iter().cloned()).collect();
        alerts.sort_by(|a, b| alert_order(a).cmp(&alert_order(b)));
        let tenants = rows
            .iter()
            .map(|r| TenantSnapshot { assessment: r.assessment.clone(), ..r.stored.snapshot.clone() })
            .collect();
        Ok(UsagePage {
            generated_at: generation.generated_at,
            period,
            tenants,
            alerts,
            matching: total,
            summary,
            next_cursor,
        })
    }

    /// The generation a page is read from: the one a cursor names while it is kept, else a
    /// current one (built here when the stored rows changed or the assessments aged).
    async fn generation(&self, period: BillingPeriod, wanted: Option<u64>) -> Result<Arc<Generation>, LedgerError> {
        let view = self.view();
        let mut periods = view.periods.lock().await;
        if !periods.contains_key(&period) {
            if periods.len() >= PERIODS_KEPT
                && let Some(oldest) = periods.iter().min_by_key(|(_, v)| v.used).map(|(p, _)| *p)
            {
                periods.remove(&oldest);
                view.dirty.unwatch(oldest);
            }
            // Watched before the read, so that a commit landing during it is read again.
            view.dirty.watch(period);
            let rows = match load(self, period, None).await {
                Ok(rows) => rows,
                Err(e) => {
                    view.dirty.unwatch(period);
                    return Err(e);
                }
            };
            periods.insert(
                period,
                PeriodView {
                    rows: by_tenant(rows),
                    changed: true,
                    loaded: Instant::now(),
                    used: Instant::now(),
                    reloading: None,
                    generations: VecDeque::new(),
                },
            );
        }
        let Some(pv) = periods.get_mut(&period) else {
            return Err(LedgerError::Corrupt(format!("the usage view of {period} vanished")));
        };
        pv.used = Instant::now();

        let touched = view.dirty.take(period);
        if !touched.is_empty() {
            match load(self, period, Some(&touched)).await {
                Ok(fresh) => {
                    for t in &touched {
                        pv.rows.remove(t);
                    }
                    pv.rows.extend(by_tenant(fresh));
                    if let Some(during) = &mut pv.reloading {
                        during.extend(touched);
                    }
                    pv.changed = true;
                }
                Err(e) => {
                    view.dirty.put_back(period, touched);
                    return Err(e);
                }
            }
        }

        if pv.loaded.elapsed() >= FULL_RELOAD && pv.reloading.is_none() {
            pv.reloading = Some(HashSet::new());
            tokio::spawn(reload(self.clone(), period));
        }

        let now = OffsetDateTime::now_utc();
        let aged = |g: &Generation| now < period.end() && g.built.elapsed() >= REASSESS_AFTER;
        if pv.changed || pv.generations.back().is_none_or(|g| aged(g)) {
            let at = judged_at(period, now);
            let rows = pv
                .rows
                .values()
                .map(|s| {
                    let snap = &s.snapshot;
                    let assessment = assess(snap.plan_id.plan(), &snap.usage(), period, at, snap.last_event_at);
                    Row { stored: s.clone(), assessment }
                })
                .collect();
            let id = view.next_generation.fetch_add(1, AtomicOrdering::Relaxed);
            pv.generations.push_back(Arc::new(Generation { id, generated_at: now, built: Instant::now(), rows }));
            while pv.generations.len() > GENERATIONS_KEPT {
                pv.generations.pop_front();
            }
            pv.changed = false;
        }
        let chosen = wanted.and_then(|id| pv.generations.iter().find(|g| g.id == id)).or(pv.generations.back());
        chosen.cloned().ok_or_else(|| LedgerError::Corrupt(format!("the usage view of {period} has no generation")))
    }
}

/// Read a period again in full, in the background; requests go on with the rows they have.
async fn reload(ledger: Ledger, period: BillingPeriod) {
    let result = load(&ledger, period, None).await;
    let view = ledger.view();
    let mut periods = view.periods.lock().await;
    let Some(pv) = periods.get_mut(&period) else { return };
    let during = pv.reloading.take().unwrap_or_default();
    pv.loaded = Instant::now();
    match result {
        Ok(rows) => {
            pv.rows = by_tenant(rows);
            pv.changed = true;
            view.dirty.put_back(period, during);
        }
        Err(e) => tracing::warn!(error = %e, %period, "reloading the usage view failed; the rows read before are kept"),
    }
}

fn summarize(rows: &[&Row]) -> UsageSummary {
    let mut summary = UsageSummary {
        tenants: rows.len() as u64,
        flagged: 0,
        monthly_recurring_revenue_usd: Decimal::ZERO,
        projected_overage_usd: Decimal::ZERO,
    };
    for r in rows {
        let price = r.stored.snapshot.plan_id.plan().monthly_price_usd;
        summary.flagged += u64::from(r.assessment.flagged);
        summary.monthly_recurring_revenue_usd += price;
        // Each tenant's projection in cents, as it is shown and billed, so that the total is
        // the sum of the figures listed.
        let projected =
            r.assessment.projected_monthly_cost_usd.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        summary.projected_overage_usd += (projected - price).max(Decimal::ZERO);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_keys_order_like_the_floats() {
        let xs = [-1.5, -0.0, 0.0, 0.25, 0.75, 1.0, 2.5];
        for w in xs.windows(2) {
            assert!(f64_key(w[0]) < f64_key(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn orders_parse_and_print() {
        assert_eq!("-health".parse::<UsageOrder>(), Ok(UsageOrder { key: SortKey::Health, descending: true }));
        assert_eq!("usage_ratio".parse::<UsageOrder>().map(|o| o.to_string()), Ok("usage_ratio".into()));
        let err = "colour".parse::<UsageOrder>().unwrap_err();
        assert!(err.contains("unknown sort 'colour'") && err.contains("projected_cost"), "{err}");
    }

    #[test]
    fn a_cursor_survives_its_text_form_and_garbage_is_refused() {
        let cursor = UsageCursor {
            generation: 7,
            order: UsageOrder { key: SortKey::ProjectedCost, descending: true },
            value: OwnedValue::M("3514.0125".into()),
            tenant_id: "acme-legal".parse().expect("tenant id"),
        };
        assert_eq!(cursor.to_string().parse::<UsageCursor>(), Ok(cursor));
        for bad in ["", "abc", "eyJnIjoxfQ", "!!!"] {
            assert!(bad.parse::<UsageCursor>().is_err(), "{bad}");
        }
    }
}
