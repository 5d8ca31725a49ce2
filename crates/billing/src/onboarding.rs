//! The onboarding intake, validated once at the edge: a raw JSON body goes in, and either an
//! [`OnboardingIntake`] that cannot be invalid comes out or every problem with the body does,
//! one [`FieldError`] per field, so a form can mark all of its bad fields in one round trip.
//!
//! Rules shared by every field: a required field that is absent or `null` is missing; an
//! optional field that is absent, `null` or a blank string is not given (a web form sends
//! `""` for an empty input); strings are trimmed and their length counted in characters;
//! a key the body does not define is an error, so a misspelt field is never silently dropped.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use utoipa::ToSchema;

pub use crate::fields::MAX_LIST_ITEMS;
use crate::fields::{FieldError, Fields, json_kind, text, text_list};
use crate::recommend::{RecommendationRequest, SIZING_FIELDS, read_sizing};
use crate::tenant::TenantId;

/// Longest organisation or contact name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest e-mail address, in characters (the SMTP path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest primary use case, in characters.
pub const MAX_USE_CASE_CHARS: usize = 1_000;
/// Longest department name, in characters.
pub const MAX_DEPARTMENT_CHARS: usize = 100;
/// Longest success criterion, in characters.
pub const MAX_CRITERION_CHARS: usize = 500;
/// Longest notes, in characters.
pub const MAX_NOTES_CHARS: usize = 5_000;

/// The fields of `POST /onboarding` that are not sizing fields.
pub(crate) const INTAKE_FIELDS: [&str; 9] = [
    "organization",
    "tenant_id",
    "contact_name",
    "contact_email",
    "primary_use_case",
    "departments",
    "success_criteria",
    "go_live_date",
    "notes",
];

const ISO_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// An onboarding submission that passed every check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OnboardingIntake {
    /// The prospect's organisation, as they write it.
    pub organization: String,
    /// The tenant id: as given, else derived from the organisation.
    pub tenant_id: TenantId,
    /// Who to talk to.
    pub contact_name: String,
    /// How to reach them.
    pub contact_email: String,
    /// What the team wants Docket for, in their words.
    pub primary_use_case: String,
    /// Departments that will use Docket (1 to 50).
    pub departments: Vec<String>,
    /// What success looks like at go-live (1 to 50).
    pub success_criteria: Vec<String>,
    /// Planned go-live, `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub go_live_date: Date,
    /// Anything else the team wants on record.
    pub notes: Option<String>,
    /// The sizing and ROI inputs, flattened into the same object.
    #[serde(flatten)]
    pub sizing: RecommendationRequest,
}

impl OnboardingIntake {
    /// Validate the body of `POST /onboarding`, reporting every bad or unknown field.
    pub fn parse(value: &Value) -> Result<OnboardingIntake, Vec<FieldError>> {
        let mut f = Fields::of(value)?;
        let organization = f.required("organization", |v| text(v, MAX_NAME_CHARS));
        let given_tenant = f.optional("tenant_id", tenant_id);
        let tenant = match (given_tenant, &organization) {
            (Some(Some(id)), _) => Some(id),
            (Some(None), Some(org)) => match TenantId::derive_from(org) {
                Ok(id) => Some(id),
                Err(_) => {
                    f.reject(
                        "tenant_id",
                        "is required: it cannot be derived from an organization with fewer than 2 letters \
                         or digits a-z, 0-9",
                    );
                    None
                }
            },
            // Either the tenant id was bad (already reported) or the organisation was.
            _ => None,
        };
        let contact_name = f.required("contact_name", |v| text(v, MAX_NAME_CHARS));
        let contact_email = f.required("contact_email", email);
        let primary_use_case = f.required("primary_use_case", |v| text(v, MAX_USE_CASE_CHARS));
        let departments = f.required("departments", |v| text_list(v, MAX_DEPARTMENT_CHARS));
        let sizing = read_sizing(&mut f);
        let success_criteria = f.required("success_criteria", |v| text_list(v, MAX_CRITERION_CHARS));
        let go_live_date = f.required("go_live_date", date);
        let notes = f.optional("notes", |v| text(v, MAX_NOTES_CHARS));

        let known: Vec<&str> = INTAKE_FIELDS.iter().chain(SIZING_FIELDS.iter()).copied().collect();
        f.reject_unknown(&known);

        let intake = (|| {
            Some(OnboardingIntake {
                organization: organization?,
                tenant_id: tenant?,
                contact_name: contact_name?,
                contact_email: contact_email?,
                primary_use_case: primary_use_case?,
                departments: departments?,
                success_criteria: success_criteria?,
                go_live_date: go_live_date?,
                notes: notes?,
                sizing: sizing?,
            })
        })();
        f.finish(intake)
    }
}

fn tenant_id(v: &Value) -> Result<TenantId, String> {
    let Value::String(s) = v else {
        return Err(format!("must be a string, not {}", json_kind(v)));
    };
    TenantId::parse(s.trim()).map_err(|e| e.to_string())
}

/// A plausible e-mail address: one `@`, a local part without spaces or quoting, and a dotted
/// domain of letters, digits and hyphens. Deliverability is checked by sending mail, not here.
fn email(v: &Value) -> Result<String, String> {
    let s = text(v, MAX_EMAIL_CHARS)?;
    let invalid = || "is not a valid e-mail address".to_owned();
    let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"@()<>[]:;,\\\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok { Ok(s) } else { Err(invalid()) }
}

/// A calendar date written exactly `YYYY-MM-DD`.
fn date(v: &Value) -> Result<Date, String> {
    let Value::String(s) = v else {
        return Err(format!("must be a string, not {}", json_kind(v)));
    };
    let s = s.trim();
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let bad = || format!("must be a calendar date written YYYY-MM-DD (got '{s}')");
    if !shape_ok {
        return Err(bad());
    }
    Date::parse(s, ISO_DATE).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::PlanId;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use serde_json::json;
    use time::macros::date;

    /// The intake's required fields, in the order they are read.
    const REQUIRED_FIELDS: [&str; 11] = [
        "organization",
        "contact_name",
        "contact_email",
        "primary_use_case",
        "departments",
        "seats",
        "estimated_matters_per_month",
        "roi_baseline_hours_per_matter",
        "automation_target_percent",
        "success_criteria",
        "go_live_date",
    ];

    fn body() -> Value {
        json!({
            "organization": "Hale & Ward LLP",
            "contact_name": "Dana Hale",
            "contact_email": "dana.hale@haleward.example",
            "primary_use_case": "Privilege review of productions",
            "departments": ["Litigation", "Investigations"],
            "seats": 12,
            "estimated_matters_per_month": 20,
            "roi_baseline_hours_per_matter": 10,
            "automation_target_percent": 40,
            "success_criteria": ["Privilege log in a day"],
            "go_live_date": "2025-09-01"
        })
    }

    fn with(changes: Value) -> Value {
        let mut b = body();
        if let (Value::Object(target), Value::Object(changes)) = (&mut b, changes) {
            for (k, v) in changes {
                target.insert(k, v);
            }
        }
        b
    }

    fn without(field: &str) -> Value {
        let mut b = body();
        if let Value::Object(m) = &mut b {
            m.remove(field);
        }
        b
    }

    /// The single error a body produces; fails the test when there are none or several.
    fn only_error(b: &Value) -> FieldError {
        let errors = OnboardingIntake::parse(b).expect_err("the body should be refused");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].clone()
    }

    #[test]
    fn a_complete_body_parses_with_defaults_filled_in() {
        let intake = OnboardingIntake::parse(&body()).unwrap();
        assert_eq!(intake.organization, "Hale & Ward LLP");
        assert_eq!(intake.tenant_id.as_str(), "hale-ward-llp");
        assert_eq!(intake.departments, vec!["Litigation", "Investigations"]);
        assert_eq!(intake.go_live_date, date!(2025 - 09 - 01));
        assert_eq!(intake.notes, None);
        assert_eq!(intake.sizing.seats, 12);
        assert_eq!(intake.sizing.hourly_rate, dec!(285));
        assert_eq!(intake.sizing.expected_ingest_gb_per_month, None);
        assert_eq!(intake.sizing.required_sla_hours, None);
        assert_eq!(intake.sizing.selected_plan, None);
    }

    #[test]
    fn optional_fields_are_read_and_strings_trimmed() {
        let intake = OnboardingIntake::parse(&with(json!({
            "tenant_id": "haleward",
            "organization": "  Hale & Ward LLP  ",
            "hourly_rate": 312.5,
            "expected_ingest_gb_per_month": 42.25,
            "required_sla_hours": 12,
            "selected_plan": "Professional",
            "notes": "  Wants SSO later.  "
        })))
        .unwrap();
        assert_eq!(intake.organization, "Hale & Ward LLP");
        assert_eq!(intake.tenant_id.as_str(), "haleward");
        assert_eq!(intake.sizing.hourly_rate, dec!(312.5));
        assert_eq!(intake.sizing.expected_ingest_gb_per_month, Some(dec!(42.25)));
        assert_eq!(intake.sizing.required_sla_hours, Some(12));
        assert_eq!(intake.sizing.selected_plan, Some(PlanId::Professional));
        assert_eq!(intake.notes.as_deref(), Some("Wants SSO later."));
    }

    #[test]
    fn null_and_blank_optional_fields_are_not_given() {
        let intake = OnboardingIntake::parse(&with(json!({
            "tenant_id": "",
            "hourly_rate": null,
            "expected_ingest_gb_per_month": "",
            "required_sla_hours": null,
            "selected_plan": " ",
            "notes": "   "
        })))
        .unwrap();
        assert_eq!(intake.tenant_id.as_str(), "hale-ward-llp");
        assert_eq!(intake.sizing.hourly_rate, dec!(285));
        assert_eq!(intake.sizing.expected_ingest_gb_per_month, None);
        assert_eq!(intake.sizing.selected_plan, None);
        assert_eq!(intake.notes, None);
    }

    #[test]
    fn a_body_that_is_not_an_object_is_one_error() {
        for b in [json!([]), json!("x"), json!(null), json!(3), json!(true)] {
            let errors = OnboardingIntake::parse(&b).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "body");
            assert!(errors[0].message.starts_with("must be a JSON object"), "{}", errors[0].message);
        }
    }

    #[test]
    fn an_empty_object_names_every_required_field_once() {
        let errors = OnboardingIntake::parse(&json!({})).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, REQUIRED_FIELDS);
        assert!(errors.iter().all(|e| e.message == "is required"));
    }

    #[test]
    fn null_in_a_required_field_is_missing() {
        let e = only_error(&with(json!({"contact_name": null})));
        assert_eq!((e.field.as_str(), e.message.as_str()), ("contact_name", "is required"));
    }

    #[test]
    fn each_missing_required_field_is_reported_alone() {
        for field in REQUIRED_FIELDS {
            let e = only_error(&without(field));
            assert_eq!((e.field.as_str(), e.message.as_str()), (field, "is required"));
        }
    }

    #[test]
    fn wrong_json_types_are_named() {
        let cases = [
            ("organization", json!(7), "must be a string, not a number"),
            ("tenant_id", json!(["x"]), "must be a string, not an array"),
            ("contact_name", json!({}), "must be a string, not an object"),
            ("contact_email", json!(true), "must be a string, not a boolean"),
            ("primary_use_case", json!(1.5), "must be a string, not a number"),
            ("departments", json!("Litigation"), "must be an array of strings, not a string"),
            ("seats", json!("12"), "must be a number, not a string"),
            ("estimated_matters_per_month", json!([20]), "must be a number, not an array"),
            ("roi_baseline_hours_per_matter", json!("10"), "must be a number, not a string"),
            ("automation_target_percent", json!(false), "must be a number, not a boolean"),
            ("hourly_rate", json!({"usd": 1}), "must be a number, not an object"),
            ("expected_ingest_gb_per_month", json!("lots"), "must be a number, not a string"),
            ("required_sla_hours", json!(true), "must be a number, not a boolean"),
            ("selected_plan", json!(2), "must be a string, not a number"),
            ("success_criteria", json!({}), "must be an array of strings, not an object"),
            ("go_live_date", json!(20250901), "must be a string, not a number"),
            ("notes", json!(["a"]), "must be a string, not an array"),
        ];
        for (field, value, message) in cases {
            let e = only_error(&with(json!({ field: value })));
            assert_eq!((e.field.as_str(), e.message.as_str()), (field, message));
        }
    }

    #[test]
    fn blank_required_strings_are_refused() {
        for field in ["organization", "contact_name", "contact_email", "primary_use_case"] {
            let e = only_error(&with(json!({ field: "  \t " })));
            assert_eq!((e.field.as_str(), e.message.as_str()), (field, "must not be blank"));
        }
    }

    #[test]
    fn overlong_strings_are_refused_with_the_cap() {
        let cases = [
            ("organization", MAX_NAME_CHARS),
            ("contact_name", MAX_NAME_CHARS),
            ("primary_use_case", MAX_USE_CASE_CHARS),
            ("notes", MAX_NOTES_CHARS),
        ];
        let with = |changes: Value| {
            // "é…" derives no tenant id, so give one and keep the error to the field under test.
            let mut b = with(changes);
            b["tenant_id"] = json!("hale-ward");
            b
        };
        for (field, cap) in cases {
            // Multi-byte characters: the cap counts characters, not bytes.
            assert!(OnboardingIntake::parse(&with(json!({ field: "é".repeat(cap) }))).is_ok(), "{field}");
            let e = only_error(&with(json!({ field: "é".repeat(cap + 1) })));
            assert_eq!(e.field, field);
            assert_eq!(e.message, format!("must be at most {cap} characters (got {})", cap + 1));
        }
        let long_email = format!("{}@example.com", "a".repeat(250));
        assert_eq!(only_error(&with(json!({ "contact_email": long_email }))).field, "contact_email");
    }

    #[test]
    fn lists_are_checked_as_a_whole_and_per_entry() {
        let e = only_error(&with(json!({"departments": []})));
        assert_eq!((e.field.as_str(), e.message.as_str()), ("departments", "must list at least one entry"));
        let many: Vec<String> = (0..=MAX_LIST_ITEMS).map(|i| format!("Dept {i}")).collect();
        let e = only_error(&with(json!({ "success_criteria": many })));
        assert_eq!(e.message, "must list at most 50 entries (got 51)");
        let e = only_error(&with(json!({"departments": ["Litigation", " ", 3, "x".repeat(101)]})));
        assert_eq!(e.field, "departments");
        assert_eq!(
            e.message,
            "entry 2 must not be blank; entry 3 must be a string, not a number; \
             entry 4 must be at most 100 characters (got 101)"
        );
        let fifty: Vec<String> = (0..MAX_LIST_ITEMS).map(|i| format!("Dept {i}")).collect();
        assert!(OnboardingIntake::parse(&with(json!({ "departments": fifty }))).is_ok());
    }

    #[test]
    fn e_mail_addresses_get_a_sane_check() {
        for good in ["a@b.co", "dana.hale+intake@hale-ward.example", "d@sub.domain.example", "Ü@bücher.de"] {
            assert!(OnboardingIntake::parse(&with(json!({ "contact_email": good }))).is_ok(), "{good}");
        }
        for bad in [
            "dana",
            "dana@",
            "@haleward.example",
            "dana@haleward",
            "dana@@haleward.example",
            "da na@haleward.example",
            "dana@hale ward.example",
            "dana@.example",
            "dana@haleward.",
            "dana@-hale.example",
            ".dana@haleward.example",
            "dana..hale@haleward.example",
            "<dana@haleward.example>",
            "dana@hale_ward.example",
        ] {
            let e = only_error(&with(json!({ "contact_email": bad })));
            assert_eq!((e.field.as_str(), e.message.as_str()), ("contact_email", "is not a valid e-mail address"));
        }
    }

    #[test]
    fn numbers_out_of_range_are_refused() {
        let cases = [
            ("seats", json!(0), "must be a whole number from 1 to 100000"),
            ("seats", json!(100_001), "must be a whole number from 1 to 100000"),
            ("seats", json!(-3), "must be a whole number from 1 to 100000"),
            ("seats", json!(2.5), "must be a whole number from 1 to 100000"),
            ("estimated_matters_per_month", json!(100_001), "must be a whole number from 0 to 100000"),
            ("estimated_matters_per_month", json!(-1), "must be a whole number from 0 to 100000"),
            ("roi_baseline_hours_per_matter", json!(0), "must be greater than 0 and at most 10000"),
            ("roi_baseline_hours_per_matter", json!(-2), "must be greater than 0 and at most 10000"),
            ("roi_baseline_hours_per_matter", json!(10_000.01), "must be greater than 0 and at most 10000"),
            ("automation_target_percent", json!(-0.5), "must be from 0 to 100"),
            ("automation_target_percent", json!(100.5), "must be from 0 to 100"),
            ("hourly_rate", json!(0), "must be greater than 0 and at most 10000"),
            ("hourly_rate", json!(10_001), "must be greater than 0 and at most 10000"),
            ("expected_ingest_gb_per_month", json!(-1), "must be from 0 to 1000000"),
            ("expected_ingest_gb_per_month", json!(1_000_000.5), "must be from 0 to 1000000"),
            ("expected_ingest_gb_per_month", json!(1e300), "must be from 0 to 1000000"),
            ("required_sla_hours", json!(0), "must be a whole number from 1 to 720"),
            ("required_sla_hours", json!(721), "must be a whole number from 1 to 720"),
            ("required_sla_hours", json!(1.5), "must be a whole number from 1 to 720"),
        ];
        for (field, value, message) in cases {
            let e = only_error(&with(json!({ field: value })));
            assert_eq!((e.field.as_str(), e.message.as_str()), (field, message), "{value}");
        }
    }

    #[test]
    fn range_edges_are_accepted() {
        let edges = json!({
            "seats": 1, "estimated_matters_per_month": 0, "roi_baseline_hours_per_matter": 10_000,
            "automation_target_percent": 0, "hourly_rate": 10_000, "expected_ingest_gb_per_month": 0,
            "required_sla_hours": 720
        });
        assert!(OnboardingIntake::parse(&with(edges)).is_ok());
        let edges = json!({
            "seats": 100_000, "estimated_matters_per_month": 100_000, "roi_baseline_hours_per_matter": 0.01,
            "automation_target_percent": 100, "hourly_rate": 0.01, "expected_ingest_gb_per_month": 1_000_000,
            "required_sla_hours": 1
        });
        assert!(OnboardingIntake::parse(&with(edges)).is_ok());
        // A whole number written as a float is still that number.
        let intake = OnboardingIntake::parse(&with(json!({"seats": 12.0}))).unwrap();
        assert_eq!(intake.sizing.seats, 12);
    }

    #[test]
    fn unknown_plans_and_bad_dates_are_refused() {
        let e = only_error(&with(json!({"selected_plan": "gold"})));
        assert_eq!(e.field, "selected_plan");
        assert_eq!(e.message, "unknown plan 'gold': expected community, professional or enterprise");
        for bad in
            ["2025-02-30", "2025-9-1", "01/09/2025", "2025-09-01T00:00:00Z", "tomorrow", "2025-13-01", "+2025-09-01"]
        {
            let e = only_error(&with(json!({ "go_live_date": bad })));
            assert_eq!(e.field, "go_live_date");
            assert!(e.message.starts_with("must be a calendar date written YYYY-MM-DD"), "{}", e.message);
        }
        let e = only_error(&with(json!({"go_live_date": ""})));
        assert_eq!(e.message, "must be a calendar date written YYYY-MM-DD (got '')");
        assert!(OnboardingIntake::parse(&with(json!({"go_live_date": "2028-02-29"}))).is_ok());
    }

    #[test]
    fn each_unknown_field_is_an_error_in_sorted_order() {
        let errors = OnboardingIntake::parse(&with(json!({"zeta": 1, "Seats": 3, "plan": "enterprise"}))).unwrap_err();
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(got, vec![("Seats", "unknown field"), ("plan", "unknown field"), ("zeta", "unknown field")]);
    }

    #[test]
    fn a_selected_plan_that_cannot_serve_the_team_is_refused_with_the_reason() {
        let e = only_error(&with(json!({"seats": 40, "selected_plan": "professional"})));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("selected_plan", "professional includes 25 seats; 40 requested")
        );
        let e = only_error(&with(json!({"seats": 3, "required_sla_hours": 24, "selected_plan": "community"})));
        assert_eq!(e.message, "community support answers within 48 h; 24 h required");
        let e = only_error(&with(json!({"seats": 6, "required_sla_hours": 4, "selected_plan": "community"})));
        assert_eq!(
            e.message,
            "community includes 5 seats; 6 requested; community support answers within 48 h; 4 h required"
        );
        assert!(
            OnboardingIntake::parse(&with(
                json!({"seats": 25, "required_sla_hours": 12, "selected_plan": "professional"})
            ))
            .is_ok()
        );
    }

    #[test]
    fn tenant_ids_are_checked_or_derived() {
        let e = only_error(&with(json!({"tenant_id": "Hale Ward"})));
        assert_eq!(e.field, "tenant_id");
        assert!(e.message.starts_with("invalid tenant id 'Hale Ward'"), "{}", e.message);
        let e = only_error(&with(json!({"organization": "Ø & Æ"})));
        assert_eq!(e.field, "tenant_id");
        assert!(e.message.starts_with("is required"), "{}", e.message);
        let intake = OnboardingIntake::parse(&with(json!({"organization": "Ø & Æ", "tenant_id": "oe-ae"}))).unwrap();
        assert_eq!(intake.tenant_id.as_str(), "oe-ae");
    }

    #[test]
    fn every_problem_is_reported_at_once_one_per_field() {
        let errors = OnboardingIntake::parse(&json!({
            "organization": "",
            "contact_name": 4,
            "contact_email": "nobody",
            "primary_use_case": "Review",
            "departments": [""],
            "seats": 0,
            "estimated_matters_per_month": -1,
            "roi_baseline_hours_per_matter": 0,
            "automation_target_percent": 101,
            "hourly_rate": -5,
            "expected_ingest_gb_per_month": -1,
            "required_sla_hours": 0,
            "selected_plan": "gold",
            "success_criteria": [],
            "go_live_date": "soon",
            "notes": 5,
            "extra": true
        }))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "organization",
                "contact_name",
                "contact_email",
                "departments",
                "seats",
                "estimated_matters_per_month",
                "roi_baseline_hours_per_matter",
                "automation_target_percent",
                "hourly_rate",
                "expected_ingest_gb_per_month",
                "required_sla_hours",
                "selected_plan",
                "success_criteria",
                "go_live_date",
                "notes",
                "extra",
            ]
        );
    }

    #[test]
    fn the_serialised_intake_is_flat_and_parses_back_to_itself() {
        let intake = OnboardingIntake::parse(&with(json!({
            "hourly_rate": 312.5, "required_sla_hours": 12, "selected_plan": "enterprise", "notes": "n"
        })))
        .unwrap();
        let value = serde_json::to_value(&intake).unwrap();
        assert_eq!(value["go_live_date"], json!("2025-09-01"));
        assert_eq!(value["tenant_id"], json!("hale-ward-llp"));
        assert_eq!(value["seats"], json!(12));
        assert_eq!(value["hourly_rate"], json!(312.5));
        assert_eq!(value["selected_plan"], json!("enterprise"));
        assert!(value.get("sizing").is_none());
        assert_eq!(OnboardingIntake::parse(&value).unwrap(), intake);
        let back: OnboardingIntake = serde_json::from_value(value).unwrap();
        assert_eq!(back, intake);
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("seats".to_owned()),
                        Just("organization".to_owned()),
                        Just("go_live_date".to_owned()),
                        Just("departments".to_owned()),
                        Just("selected_plan".to_owned()),
                        "[a-z_]{1,10}"
                    ],
                    inner,
                    0..8
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_json_never_panics_and_never_fails_silently(v in any_json()) {
            if let Err(errors) = OnboardingIntake::parse(&v) {
                prop_assert!(!errors.is_empty());
                let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                let n = fields.len();
                fields.sort();
                fields.dedup();
                prop_assert_eq!(fields.len(), n, "one error per field");
            }
            if let Err(errors) = RecommendationRequest::parse(&v) {
                prop_assert!(!errors.is_empty());
            }
        }

        #[test]
        fn a_valid_body_with_one_field_spoiled_fails_on_that_field_only(
            field in prop::sample::select(vec!["organization", "contact_email", "seats", "go_live_date", "hourly_rate"]),
        ) {
            let errors = OnboardingIntake::parse(&with(json!({ field: [] }))).unwrap_err();
            prop_assert_eq!(errors.len(), 1);
            prop_assert_eq!(errors[0].field.as_str(), field);
        }
    }
}
