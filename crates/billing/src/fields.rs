//! Reading a JSON object field by field: every bad or unknown field is reported, one
//! [`FieldError`] each, so that a form can mark all of its bad fields in one round trip.
//! Shared by the onboarding intake and the recommendation request.

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use utoipa::ToSchema;

/// Most entries a list field may hold (departments, success criteria).
pub const MAX_LIST_ITEMS: usize = 50;

/// One problem with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field's name as sent (`body` when the body itself is not an object).
    pub field: String,
    /// What is wrong with it, phrased to follow the field's name.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// A JSON object being read field by field, collecting one error per bad field.
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Start reading `body`, which must be a JSON object.
    pub(crate) fn of(body: &'a Value) -> Result<Self, Vec<FieldError>> {
        match body {
            Value::Object(object) => Ok(Fields { object, errors: Vec::new() }),
            other => Err(vec![FieldError::new("body", format!("must be a JSON object, not {}", json_kind(other)))]),
        }
    }

    /// A field that must be present and not null.
    pub(crate) fn required<T>(&mut self, name: &str, validate: impl FnOnce(&Value) -> Result<T, String>) -> Option<T> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.reject(name, "is required");
                None
            }
            Some(v) => self.check(name, validate(v)),
        }
    }

    /// A field that may be left out: `Some(None)` when not given, `None` when it is invalid.
    pub(crate) fn optional<T>(
        &mut self,
        name: &str,
        validate: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.object.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.trim().is_empty() => Some(None),
            Some(v) => self.check(name, validate(v)).map(Some),
        }
    }

    fn check<T>(&mut self, name: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.reject(name, message);
                None
            }
        }
    }

    /// Record a problem with `name`, unless one is already recorded for it.
    pub(crate) fn reject(&mut self, name: &str, message: impl Into<String>) {
        if !self.errors.iter().any(|e| e.field == name) {
            self.errors.push(FieldError::new(name, message));
        }
    }

    /// Record every key outside `known`, in sorted order so that the answer is stable.
    pub(crate) fn reject_unknown(&mut self, known: &[&str]) {
        let mut unknown: Vec<&String> = self.object.keys().filter(|k| !known.contains(&k.as_str())).collect();
        unknown.sort();
        for key in unknown {
            self.reject(key, "unknown field");
        }
    }

    /// The value built from the fields, or every problem found.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match (value, self.errors.is_empty()) {
            (Some(v), true) => Ok(v),
            // Every `None` above comes with an error; this guards the contract, not a real path.
            (None, true) => Err(vec![FieldError::new("body", "is invalid")]),
            (_, false) => Err(self.errors),
        }
    }
}

/// How a JSON value's type is named in messages.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A trimmed, non-blank string of at most `max_chars` characters.
pub(crate) fn text(v: &Value, max_chars: usize) -> Result<String, String> {
    let Value::String(s) = v else {
        return Err(format!("must be a string, not {}", json_kind(v)));
    };
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be blank".to_owned());
    }
    let chars = s.chars().count();
    if chars > max_chars {
        return Err(format!("must be at most {max_chars} characters (got {chars})"));
    }
    Ok(s.to_owned())
}

/// A list of 1 to [`MAX_LIST_ITEMS`] strings, each as [`text`]; every bad item is named.
pub(crate) fn text_list(v: &Value, max_chars: usize) -> Result<Vec<String>, String> {
    let Value::Array(items) = v else {
        return Err(format!("must be an array of strings, not {}", json_kind(v)));
    };
    if items.is_empty() {
        return Err("must list at least one entry".to_owned());
    }
    if items.len() > MAX_LIST_ITEMS {
        return Err(format!("must list at most {MAX_LIST_ITEMS} entries (got {})", items.len()));
    }
    let mut out = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match text(item, max_chars) {
            Ok(s) => out.push(s),
            Err(e) => problems.push(format!("entry {} {e}", i + 1)),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems.join("; ")) }
}

/// A whole number within `min..=max`.
pub(crate) fn whole_number(v: &Value, min: u64, max: u64) -> Result<u64, String> {
    let Value::Number(n) = v else {
        return Err(format!("must be a number, not {}", json_kind(v)));
    };
    let out_of_range = || format!("must be a whole number from {min} to {max}");
    let whole = match n.as_u64() {
        Some(w) => w,
        // 40.0 is forty: accept a float that is a whole number rather than quibble.
        None => match decimal_of(n) {
            Some(d) if d.fract().is_zero() && d >= Decimal::ZERO => d.to_u64().ok_or_else(out_of_range)?,
            _ => return Err(out_of_range()),
        },
    };
    if (min..=max).contains(&whole) { Ok(whole) } else { Err(out_of_range()) }
}

/// A JSON number as an exact decimal, read from its text so that 0.1 stays 0.1.
pub(crate) fn decimal_of(n: &Number) -> Option<Decimal> {
    let s = n.to_string();
    Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)).ok()
}

/// A number in `min..=max`, or in `(min, max]` when `min_inclusive` is false.
pub(crate) fn decimal_in_range(v: &Value, min: Decimal, min_inclusive: bool, max: Decimal) -> Result<Decimal, String> {
    let Value::Number(n) = v else {
        return Err(format!("must be a number, not {}", json_kind(v)));
    };
    let message = || {
        if min_inclusive {
            format!("must be from {min} to {max}")
        } else {
            format!("must be greater than {min} and at most {max}")
        }
    };
    let d = decimal_of(n).ok_or_else(message)?;
    let above_min = if min_inclusive { d >= min } else { d > min };
    if above_min && d <= max { Ok(d) } else { Err(message()) }
}
