//! `GET /billing/usage` paged, sorted and filtered on the server, with its summary.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

const ORDERS: [&str; 6] = ["health", "usage_ratio", "projected_cost", "last_activity", "tenant", "organization"];
const FIRMS: usize = 23;

/// 23 tenants on the three plans with usage spread from none to well past quota.
async fn app_with_tenants() -> TestApp {
    let app = spawn_app_with(&["--onboarding-rate", "1000"]).await;
    let names = ["Alder", "birch", "Cedar", "dogwood", "Elm"];
    let mut events = Vec::new();
    for i in 0..FIRMS {
        // 3 seats: community, 20: professional, 80: enterprise.
        let seats = [3, 20, 80][i % 3];
        let body = app.onboard(&format!("{} Firm {i:02}", names[i % names.len()]), seats).await;
        let tenant = body["tenant_id"].as_str().expect("tenant id").to_owned();
        if i % 4 != 3 {
            let units = (i as u64 * 397) % 7_000;
            events.push(json!({"event_id": format!("q-{i}"), "tenant_id": tenant, "kind": "query", "units": units.max(1), "subject": "ana"}));
        }
    }
    let (status, body) = app.post("/billing/events", &json!({ "events": events }), Some(&app.service_token())).await;
    assert_eq!(status, 200, "{body}");
    app
}

fn rows(body: &Value) -> &Vec<Value> {
    body["tenants"].as_array().expect("tenants")
}

fn ids(body: &Value) -> Vec<String> {
    rows(body).iter().map(|t| t["tenant_id"].as_str().expect("id").to_owned()).collect()
}

fn money(v: &Value) -> Decimal {
    v.as_str().expect("money is a decimal string").parse().expect("decimal")
}

/// A row's sort value, comparable within one key.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key {
    Number(f64),
    Money(Decimal),
    Text(String),
}

fn key(order: &str, t: &Value) -> Key {
    match order {
        "health" => Key::Number(t["health_score"].as_f64().expect("health")),
        "usage_ratio" => Key::Number(t["usage_ratio"].as_f64().expect("ratio")),
        "projected_cost" => Key::Money(money(&t["projected_monthly_cost_usd"])),
        "last_activity" => Key::Number(t["last_event_at"].as_str().map_or(f64::MIN, |s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .expect("time")
                .unix_timestamp_nanos() as f64
        })),
        "tenant" => Key::Text(t["tenant_id"].as_str().expect("id").to_owned()),
        _ => Key::Text(t["organization"].as_str().expect("organization").to_lowercase()),
    }
}

fn assert_sorted(order: &str, list: &[Value]) {
    let (name, descending) = order.strip_prefix('-').map_or((order, false), |n| (n, true));
    for w in list.windows(2) {
        let (a, b) = ((key(name, &w[0]), w[0]["tenant_id"].as_str()), (key(name, &w[1]), w[1]["tenant_id"].as_str()));
        let in_order = if descending { a >= b } else { a <= b };
        assert!(in_order, "{order}: {:?} then {:?}", a, b);
    }
}

/// Every page of a listing, following next_cursor; `between` runs after each page.
async fn walk(app: &TestApp, token: &str, params: &str, mut between: impl AsyncFnMut(&[String])) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let url = match &cursor {
            None => format!("/billing/usage?{params}"),
            Some(c) => format!("/billing/usage?{params}&cursor={c}"),
        };
        let (status, body) = app.get(&url, Some(token)).await;
        assert_eq!(status, 200, "{url}: {body}");
        all.extend(rows(&body).iter().cloned());
        let seen: Vec<String> = all.iter().map(|t| t["tenant_id"].as_str().expect("id").to_owned()).collect();
        between(&seen).await;
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return all,
        }
    }
    panic!("more than 100 pages for {params}");
}

fn exactly_once(list: &[Value], expected: &HashSet<String>) {
    let listed: Vec<String> = list.iter().map(|t| t["tenant_id"].as_str().expect("id").to_owned()).collect();
    let unique: HashSet<String> = listed.iter().cloned().collect();
    assert_eq!(unique.len(), listed.len(), "a tenant was listed twice: {listed:?}");
    assert_eq!(&unique, expected);
}

#[tokio::test]
async fn pages_cover_every_tenant_once_in_each_order() {
    let app = app_with_tenants().await;
    let csm = app.csm_token();
    let (status, everything) = app.get("/billing/usage", Some(&csm)).await;
    assert_eq!(status, 200, "{everything}");
    let all: HashSet<String> = ids(&everything).into_iter().collect();
    assert_eq!(all.len(), FIRMS);
    assert_eq!(everything["next_cursor"], Value::Null, "without limit every tenant comes at once");
    assert_eq!(everything["matching"], FIRMS);
    for name in ORDERS {
        for order in [name.to_owned(), format!("-{name}")] {
            let listed = walk(&app, &csm, &format!("sort={order}&limit=4"), async |_| {}).await;
            exactly_once(&listed, &all);
            assert_sorted(&order, &listed);
            // The whole list in the same order is what the pages put together show.
            let (_, whole) = app.get(&format!("/billing/usage?sort={order}"), Some(&csm)).await;
            assert_sorted(&order, rows(&whole));
        }
    }
    let (_, first) = app.get("/billing/usage?sort=-usage_ratio&limit=5", Some(&csm)).await;
    assert_eq!(
        (rows(&first).len(), first["matching"].clone(), first["sort"].clone()),
        (5, json!(FIRMS), json!("-usage_ratio"))
    );
}

#[tokio::test]
async fn paging_holds_while_events_move_tenants_between_pages() {
    let app = app_with_tenants().await;
    let csm = app.csm_token();
    let service = app.service_token();
    let (_, everything) = app.get("/billing/usage", Some(&csm)).await;
    let all: HashSet<String> = ids(&everything).into_iter().collect();
    let mut round = 0;
    // After each page, the tenants not yet listed jump to the top of the order (far past
    // quota) and a new tenant arrives: a cursor on live values would skip them.
    let listed = walk(&app, &csm, "sort=-usage_ratio&limit=5", async |seen: &[String]| {
        round += 1;
        let events: Vec<Value> = all
            .iter()
            .filter(|t| !seen.contains(t))
            .map(|t| json!({"event_id": format!("jump-{round}-{t}"), "tenant_id": t, "kind": "query", "units": 50_000}))
            .collect();
        if !events.is_empty() {
            let (status, body) = app.post("/billing/events", &json!({ "events": events }), Some(&service)).await;
            assert_eq!(status, 200, "{body}");
        }
        app.onboard(&format!("Latecomer {round}"), 3).await;
    })
    .await;
    exactly_once(&listed, &all);
    // A new listing sees the moves and the newcomers at once.
    let (_, after) = app.get("/billing/usage?sort=-usage_ratio", Some(&csm)).await;
    assert!(rows(&after).len() > FIRMS);
    let jumped = rows(&after).iter().find(|t| t["tenant_id"] == listed[listed.len() - 1]["tenant_id"]).expect("listed");
    assert!(jumped["queries"].as_u64().expect("count") >= 50_000, "{jumped}");
}

/// Which tenants of the whole list a filter keeps.
type Keep = Box<dyn Fn(&Value) -> bool>;

#[tokio::test]
async fn each_filter_keeps_exactly_the_matching_tenants_and_the_summary_adds_up_to_the_cent() {
    let app = app_with_tenants().await;
    let csm = app.csm_token();
    let (_, plans) = app.get("/billing/plans", None).await;
    let price: BTreeMap<String, Decimal> = plans["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .map(|p| (p["plan_id"].as_str().expect("plan").to_owned(), money(&p["monthly_price_usd"])))
        .collect();
    let (_, everything) = app.get("/billing/usage", Some(&csm)).await;
    let filters: Vec<(&str, Keep)> = vec![
        ("", Box::new(|_| true)),
        ("flagged=true", Box::new(|t| t["flagged"] == true)),
        ("flagged=false", Box::new(|t| t["flagged"] == false)),
        ("plan=professional", Box::new(|t| t["plan_id"] == "professional")),
        ("plan=enterprise", Box::new(|t| t["plan_id"] == "enterprise")),
        ("alert_level=hard", Box::new(|t| t["alert_level"] == "hard")),
        ("alert_level=none", Box::new(|t| t["alert_level"] == "none")),
        ("q=BIRCH", Box::new(|t| t["organization"].as_str().is_some_and(|o| o.to_lowercase().contains("birch")))),
        ("q=firm-0", Box::new(|t| t["tenant_id"].as_str().is_some_and(|id| id.contains("firm-0")))),
        ("tenant_id=cedar-firm-02", Box::new(|t| t["tenant_id"] == "cedar-firm-02")),
        ("plan=community&flagged=true&q=firm", Box::new(|t| t["plan_id"] == "community" && t["flagged"] == true)),
    ];
    let mut non_empty = 0;
    for (params, keep) in &filters {
        let (status, body) = app.get(&format!("/billing/usage?{params}"), Some(&csm)).await;
        assert_eq!(status, 200, "{params}: {body}");
        let expected: HashSet<String> = rows(&everything)
            .iter()
            .filter(|t| keep(t))
            .map(|t| t["tenant_id"].as_str().expect("id").to_owned())
            .collect();
        let got: HashSet<String> = ids(&body).into_iter().collect();
        assert_eq!(got, expected, "{params}");
        non_empty += usize::from(!got.is_empty() && got.len() < FIRMS);

        // The summary is over the matching tenants, from the figures listed, to the cent.
        let mrr: Decimal = rows(&body).iter().map(|t| price[t["plan_id"].as_str().expect("plan")]).sum();
        let overage: Decimal = rows(&body)
            .iter()
            .map(|t| {
                (money(&t["projected_monthly_cost_usd"]) - price[t["plan_id"].as_str().expect("plan")])
                    .max(Decimal::ZERO)
            })
            .sum();
        let summary = &body["summary"];
        assert_eq!(summary["tenants"], got.len(), "{params}");
        assert_eq!(summary["flagged"], rows(&body).iter().filter(|t| t["flagged"] == true).count(), "{params}");
        assert_eq!(summary["monthly_recurring_revenue_usd"], format!("{:.2}", mrr), "{params}");
        assert_eq!(summary["projected_overage_usd"], format!("{:.2}", overage), "{params}");
        assert_eq!(body["matching"], got.len(), "{params}");

        // A page of the same filters carries the same summary, over every page.
        let (_, page) = app.get(&format!("/billing/usage?{params}&limit=2&sort=-projected_cost"), Some(&csm)).await;
        assert!(rows(&page).len() <= 2);
        assert_eq!(page["summary"]["tenants"], summary["tenants"], "{params}");
        assert_eq!(page["summary"]["monthly_recurring_revenue_usd"], summary["monthly_recurring_revenue_usd"]);
    }
    assert!(non_empty >= 7, "the fixture must make most filters select some but not all tenants");
    let overage = money(&everything["summary"]["projected_overage_usd"]);
    assert!(overage > Decimal::ZERO, "some tenants are projected past their quota");
}

#[tokio::test]
async fn bad_paging_parameters_are_named() {
    let app = app_with_tenants().await;
    let csm = app.csm_token();
    let (_, first) = app.get("/billing/usage?sort=health&limit=3", Some(&csm)).await;
    let cursor = first["next_cursor"].as_str().expect("a next page").to_owned();
    let cases = [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("limit=-1", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=eyJnIjoxfQ", "cursor"),
        (&format!("sort=-health&cursor={cursor}"), "cursor"),
        (&format!("cursor={cursor}"), "cursor"),
        ("sort=colour", "sort"),
        ("sort=--health", "sort"),
        ("plan=gold", "plan"),
        ("alert_level=red", "alert_level"),
        (&format!("q={}", "x".repeat(201)), "q"),
    ];
    for (params, field) in cases {
        let (status, body) = app.get(&format!("/billing/usage?{params}"), Some(&csm)).await;
        assert_eq!(status, 422, "{params}: {body}");
        assert_eq!(body["error"]["details"]["fields"][0]["field"], field, "{params}: {body}");
    }
    // The cursor continues with its own sort.
    let (status, next) = app.get(&format!("/billing/usage?sort=health&limit=3&cursor={cursor}"), Some(&csm)).await;
    assert_eq!(status, 200, "{next}");
    assert!(ids(&next).iter().all(|id| !ids(&first).contains(id)));
}

#[tokio::test]
async fn a_tenant_scoped_token_pages_through_its_own_tenant_only() {
    let app = app_with_tenants().await;
    let scoped = app.token(Some("birch-firm-01"), &["CustomerSuccessManager"], &["billing:read"], &["docket-billing"]);
    for params in ["limit=1&sort=-health", "q=firm", "plan=professional", "flagged=false&sort=organization"] {
        let (status, body) = app.get(&format!("/billing/usage?{params}"), Some(&scoped)).await;
        assert_eq!(status, 200, "{params}: {body}");
        assert!(ids(&body).iter().all(|id| id == "birch-firm-01"), "{params}: {body}");
        assert!(body["summary"]["tenants"].as_u64().expect("count") <= 1, "{params}: the summary is its own");
        assert_eq!(body["next_cursor"], Value::Null);
    }
    let (_, own) = app.get("/billing/usage?limit=5", Some(&scoped)).await;
    assert_eq!(ids(&own), vec!["birch-firm-01".to_owned()]);
    let (status, _) = app.get("/billing/usage?tenant_id=alder-firm-00&limit=5", Some(&scoped)).await;
    assert_eq!(status, 403);
}
