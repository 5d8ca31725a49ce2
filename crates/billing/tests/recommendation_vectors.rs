//! The hand-computed recommendation and ROI vectors in tests/vectors/recommendation.json,
//! checked against the one implementation. The web UI's tests read the same file, so a case
//! that passes here and there proves the two agree. The file's shape is documented at the top
//! of docs/commercial/roi_calculator.md.

use std::str::FromStr;

use docket_billing::{Evaluation, PlanId, RecommendationRequest, evaluate};
use rust_decimal::Decimal;
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/recommendation.json");

fn cases() -> Vec<Value> {
    let parsed: Value = serde_json::from_str(VECTORS).expect("the vectors file is valid JSON");
    parsed.as_array().expect("the vectors file is an array of cases").clone()
}

/// A JSON number as an exact decimal (read from its text, so 0.29 stays 0.29).
fn dec(v: &Value, what: &str) -> Decimal {
    let text = v.as_number().unwrap_or_else(|| panic!("{what} should be a number, got {v}")).to_string();
    Decimal::from_str(&text).unwrap_or_else(|e| panic!("{what}: {text}: {e}"))
}

fn opt_dec(v: &Value, what: &str) -> Option<Decimal> {
    if v.is_null() { None } else { Some(dec(v, what)) }
}

fn plan(v: &Value) -> Option<PlanId> {
    v.as_str().map(|s| s.parse().unwrap_or_else(|e| panic!("{e}")))
}

fn check(case: &Value) -> Evaluation {
    let name = case["name"].as_str().expect("every case has a name");
    let expected = &case["expected"];
    let request = RecommendationRequest::parse(&case["request"])
        .unwrap_or_else(|errors| panic!("{name}: the request should be accepted: {errors:?}"));
    let got = evaluate(&request);
    let r = &got.recommendation;

    assert_eq!(r.recommended_plan, plan(&expected["recommended_plan"]), "{name}: recommended_plan");
    assert_eq!(
        Some(r.projected_monthly_queries),
        expected["projected_monthly_queries"].as_u64(),
        "{name}: projected_monthly_queries"
    );
    assert_eq!(
        r.projected_monthly_ingest_gb,
        dec(&expected["projected_monthly_ingest_gb"], "projected_monthly_ingest_gb"),
        "{name}: projected_monthly_ingest_gb"
    );

    let order: Vec<PlanId> = r.comparison.iter().map(|o| o.plan_id).collect();
    assert_eq!(order, PlanId::ALL.to_vec(), "{name}: every plan, lowest tier first");
    let plans = expected["plans"].as_object().expect("expected.plans is an object");
    assert_eq!(plans.len(), 3, "{name}: expected.plans names every plan");
    for option in &r.comparison {
        let want = &plans[option.plan_id.as_str()];
        let what = format!("{name}: {}", option.plan_id);
        assert_eq!(
            option.projected_monthly_cost_usd,
            dec(&want["projected_monthly_cost_usd"], &what),
            "{what}: projected_monthly_cost_usd"
        );
        assert_eq!(Some(option.eligible), want["eligible"].as_bool(), "{what}: eligible");
        assert_eq!(option.recommended, r.recommended_plan == Some(option.plan_id), "{what}: recommended");
        assert!(!option.reasons.is_empty(), "{what}: every plan says why");
    }

    match (&got.roi, &expected["roi"]) {
        (None, Value::Null) => {}
        (Some(roi), want) if want.is_object() => {
            assert_eq!(Some(roi.plan_id), plan(&want["plan_id"]), "{name}: roi.plan_id");
            assert_eq!(
                serde_json::to_value(roi.basis).expect("the basis serialises"),
                want["basis"],
                "{name}: roi.basis"
            );
            let figures = [
                ("monthly_hours_saved", Some(roi.monthly_hours_saved)),
                ("monthly_value_usd", Some(roi.monthly_value_usd)),
                ("annual_value_usd", Some(roi.annual_value_usd)),
                ("plan_monthly_cost_usd", Some(roi.plan_monthly_cost_usd)),
                ("net_monthly_value_usd", Some(roi.net_monthly_value_usd)),
                ("payback_days", roi.payback_days),
                ("roi_multiple", roi.roi_multiple),
            ];
            for (field, value) in figures {
                assert_eq!(value, opt_dec(&want[field], field), "{name}: roi.{field}");
            }
        }
        (got, want) => panic!("{name}: roi {got:?}, expected {want}"),
    }
    got
}

#[test]
fn every_vector_matches_the_implementation() {
    for case in cases() {
        check(&case);
    }
}

/// The UI reads the served JSON, where money is a decimal string with two decimals: the same
/// figures must come out, exactly.
#[test]
fn the_served_json_carries_the_same_figures() {
    for case in cases() {
        let name = case["name"].as_str().unwrap_or_default().to_owned();
        let served = serde_json::to_value(check(&case)).expect("an evaluation serialises");
        let expected = &case["expected"];
        for (i, id) in PlanId::ALL.iter().enumerate() {
            let got = served["recommendation"]["comparison"][i]["projected_monthly_cost_usd"].as_str();
            let want = amount(&expected["plans"][id.as_str()]["projected_monthly_cost_usd"]);
            assert_eq!(got, Some(want.as_str()), "{name}: {id}");
        }
        assert_eq!(
            served["recommendation"]["projected_monthly_ingest_gb"].as_f64(),
            expected["projected_monthly_ingest_gb"].as_f64(),
            "{name}"
        );
        if let Some(want) = expected["roi"].as_object() {
            for (field, value) in want {
                let got = &served["roi"][field];
                match value.as_f64() {
                    Some(_) if field.ends_with("_usd") => {
                        assert_eq!(got.as_str(), Some(amount(value).as_str()), "{name}: roi.{field}")
                    }
                    Some(f) => assert_eq!(got.as_f64(), Some(f), "{name}: roi.{field}"),
                    None => assert_eq!(got, value, "{name}: roi.{field}"),
                }
            }
        } else {
            assert!(served["roi"].is_null(), "{name}: roi");
        }
    }
}

/// A vector's amount as the API writes it: a two-decimal string.
fn amount(v: &Value) -> String {
    docket_billing::money::amount_string(dec(v, "amount"))
}

/// The file must keep covering what it claims to cover.
#[test]
fn the_vectors_cover_every_rule() {
    let cases = cases();
    assert!(cases.len() >= 10, "at least 10 cases");
    let mut names: Vec<&str> = cases.iter().filter_map(|c| c["name"].as_str()).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "case names are unique");

    let winners: Vec<Option<PlanId>> = cases.iter().map(|c| plan(&c["expected"]["recommended_plan"])).collect();
    for id in PlanId::ALL {
        assert!(winners.contains(&Some(id)), "{id} wins at least one case");
    }
    assert!(winners.contains(&None), "a case where no plan is eligible");

    let request_has = |c: &Value, field: &str| !c["request"][field].is_null();
    assert!(cases.iter().any(|c| request_has(c, "required_sla_hours")), "an SLA case");
    assert!(cases.iter().any(|c| request_has(c, "selected_plan")), "a selected-plan case");
    assert!(cases.iter().any(|c| request_has(c, "expected_ingest_gb_per_month")), "an explicit ingest case");
    assert!(cases.iter().any(|c| !request_has(c, "expected_ingest_gb_per_month")), "a derived ingest case");

    let evaluations: Vec<Evaluation> = cases.iter().map(check).collect();
    let mut tie = false;
    let mut seat_exclusion = false;
    let mut sla_exclusion = false;
    let mut overage_upgrade = false;
    for e in &evaluations {
        let r = &e.recommendation;
        let Some(best) = r.recommended_plan else { continue };
        let best_cost = r.comparison.iter().find(|o| o.recommended).map(|o| o.projected_monthly_cost_usd);
        tie |= r
            .comparison
            .iter()
            .any(|o| o.eligible && !o.recommended && Some(o.projected_monthly_cost_usd) == best_cost);
        let lower_ruled_out = |reason: &str| {
            r.comparison.iter().any(|o| o.plan_id < best && o.reasons.iter().any(|why| why.contains(reason)))
        };
        seat_exclusion |= lower_ruled_out("seats;");
        sla_exclusion |= lower_ruled_out("required");
        // A lower tier was eligible but its overage made it dearer than a higher one.
        overage_upgrade |= r.comparison.iter().any(|o| o.plan_id < best && o.eligible);
    }
    assert!(tie, "a tie between eligible plans");
    assert!(seat_exclusion, "a lower tier ruled out by seats");
    assert!(sla_exclusion, "a lower tier ruled out by SLA");
    assert!(overage_upgrade, "an overage-driven upgrade");
}
