//! Money in JSON bodies and files: decimal strings, never floats, so that no amount is
//! rounded on its way to a client. Amounts carry exactly two decimals (`"3499.00"`); unit
//! rates keep their published precision, at least two decimals (`"0.015"`, `"2.40"`).
//! Reading accepts a string or a JSON number (files written before this convention).

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// An amount as its two-decimal string, rounded half away from zero.
pub fn amount_string(value: Decimal) -> String {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v.to_string()
}

/// A unit rate as its string, at the precision it was published with and at least two
/// decimals.
pub fn rate_string(value: Decimal) -> String {
    let mut v = value;
    if v.scale() < 2 {
        v.rescale(2);
    }
    v.to_string()
}

/// `#[serde(with = "money::amount")]`: an amount of money as a two-decimal string.
pub mod amount {
    use super::*;

    /// Write the amount as a string such as "3499.00".
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&amount_string(*value))
    }

    /// Read a string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

/// `#[serde(with = "money::rate")]`: a unit price as a decimal string.
pub mod rate {
    use super::*;

    /// Write the rate as a string such as "0.015".
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&rate_string(*value))
    }

    /// Read a string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

/// `#[serde(with = "money::optional_amount")]`: an amount that may be absent (null).
pub mod optional_amount {
    use super::*;

    /// Write the amount as a two-decimal string, or null.
    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_some(&amount_string(*v)),
            None => s.serialize_none(),
        }
    }

    /// Read null, a string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_option(OptionalDecimalVisitor)
    }
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a decimal amount as a string such as \"3499.00\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // Shortest representation that reads back as `v`: 3499.99 stays 3499.99.
        Decimal::from_str(&v.to_string()).map_err(E::custom)
    }
}

struct OptionalDecimalVisitor;

impl<'de> Visitor<'de> for OptionalDecimalVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("null or a decimal amount as a string")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_any(DecimalVisitor).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_have_two_decimals_and_rates_their_precision() {
        assert_eq!(amount_string(dec!(3499)), "3499.00");
        assert_eq!(amount_string(dec!(0.125)), "0.13");
        assert_eq!(amount_string(dec!(-999)), "-999.00");
        assert_eq!(rate_string(dec!(0.015)), "0.015");
        assert_eq!(rate_string(dec!(2.4)), "2.40");
        assert_eq!(rate_string(dec!(0.010)), "0.010");
    }

    #[test]
    fn amounts_round_trip_and_old_numbers_are_read() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Bill {
            #[serde(with = "amount")]
            total: Decimal,
        }
        let json = serde_json::to_string(&Bill { total: dec!(3514.5) }).unwrap();
        assert_eq!(json, r#"{"total":"3514.50"}"#);
        assert_eq!(serde_json::from_str::<Bill>(&json).unwrap().total, dec!(3514.50));
        assert_eq!(serde_json::from_str::<Bill>(r#"{"total":3499.99}"#).unwrap().total, dec!(3499.99));
    }
}
