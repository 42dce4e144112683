//! Exact money: currencies with their ISO 4217 minor units, and decimal amounts read from
//! JSON without ever passing through `f64`.
//!
//! Requests may send an amount as a JSON string (`"1500.50"`) or a JSON number
//! (`1500.50`); both are read from the raw JSON text into a `rust_decimal::Decimal`.
//! Responses always carry a string with exactly the currency's minor units.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// An ISO 4217 currency that has minor units (funds and metals are refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    iso: iso_currency::Currency,
    minor_units: u32,
}

impl Currency {
    /// The lender's home currency.
    pub const fn mxn() -> Self {
        Self {
            iso: iso_currency::Currency::MXN,
            minor_units: 2,
        }
    }

    /// Parses an upper-case ISO 4217 alphabetic code such as `MXN` or `JPY`.
    pub fn parse(code: &str) -> Result<Self, String> {
        let invalid = || format!("must be an ISO 4217 currency code, got {code:?}");
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid());
        }
        let iso = iso_currency::Currency::from_code(code).ok_or_else(invalid)?;
        let minor_units = iso
            .exponent()
            .filter(|_| !iso.is_fund())
            .ok_or_else(|| format!("{code} is not a currency that can be lent"))?;
        Ok(Self {
            iso,
            minor_units: u32::from(minor_units),
        })
    }

    /// The ISO 4217 alphabetic code (`"MXN"`), as the API and the store spell it.
    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// Digits after the decimal point (2 for MXN, 0 for JPY, 3 for KWD).
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }

    /// Rounds half-to-even to the currency's minor unit.
    pub fn round(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units, RoundingStrategy::MidpointNearestEven)
    }

    /// Formats `amount` with exactly the currency's minor units (`10000` → `"10000.00"`).
    pub fn format(&self, amount: Decimal) -> String {
        let mut rounded = self.round(amount);
        rounded.rescale(self.minor_units);
        rounded.to_string()
    }

    /// Checks that `amount` needs no more decimals than the currency has.
    pub fn check_scale(&self, amount: Decimal) -> Result<(), String> {
        if amount.normalize().scale() > self.minor_units {
            return Err(match self.minor_units {
                0 => format!("{} amounts must be whole numbers", self.code()),
                n => format!("{} amounts allow at most {n} decimal places", self.code()),
            });
        }
        Ok(())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(D::Error::custom)
    }
}

/// A decimal read exactly from a JSON string or number, for request bodies. It checks only
/// the form; the domain type it is handed to checks sign, range and scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalInput(pub Decimal);

impl DecimalInput {
    /// Parses the raw JSON text of a value: a string holding a plain decimal, or a number.
    pub fn from_json_text(text: &str) -> Result<Self, String> {
        const EXPECTED: &str = "must be a decimal number or a string holding one";
        let text = text.trim();
        let literal = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(|_| EXPECTED.to_owned())?
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            text.to_owned()
        } else {
            return Err(EXPECTED.to_owned());
        };
        parse_decimal(&literal)
            .map(Self)
            .ok_or_else(|| EXPECTED.to_owned())
    }
}

/// Accepts `-?digits(.digits)?` with an optional exponent, exactly; nothing else.
fn parse_decimal(literal: &str) -> Option<Decimal> {
    let well_formed = !literal.is_empty()
        && literal.len() <= 64
        && literal
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !well_formed
        || literal.starts_with('+')
        || literal.starts_with('.')
        || literal.ends_with('.')
    {
        return None;
    }
    if literal.contains(['e', 'E']) {
        Decimal::from_scientific(literal).ok()
    } else {
        Decimal::from_str_exact(literal).ok()
    }
}

impl<'de> Deserialize<'de> for DecimalInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Self::from_json_text(raw.get()).map_err(D::Error::custom)
    }
}

/// Serializes a decimal as a JSON string, for amounts stored and returned as text.
pub fn decimal_as_string<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

/// Reads a decimal stored as text.
pub fn decimal_from_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Decimal, D::Error> {
    let text = String::deserialize(deserializer)?;
    Decimal::from_str(&text).map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn reads_strings_and_numbers_exactly() {
        let cases = [
            ("\"1500.50\"", dec!(1500.50), "a string"),
            ("1500.50", dec!(1500.50), "a number keeps its digits"),
            (
                "0.1",
                dec!(0.1),
                "0.1 is not 0.1000000000000000055511151231257827",
            ),
            (
                "12345678901234567.89",
                dec!(12345678901234567.89),
                "beyond f64 precision",
            ),
            ("1e3", dec!(1000), "an exponent"),
            (
                "-5",
                dec!(-5),
                "a negative number is read; rules reject it later",
            ),
        ];
        for (text, expected, why) in cases {
            assert_eq!(
                DecimalInput::from_json_text(text).unwrap().0,
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_decimal() {
        let cases = [
            ("true", "a boolean"),
            ("null", "null"),
            ("\"abc\"", "letters"),
            ("\"\"", "an empty string"),
            ("\" 10\"", "padding inside the string"),
            ("\"1,000.00\"", "a thousands separator"),
            ("\"+10\"", "an explicit plus sign"),
            ("\"10.\"", "a trailing point"),
            ("\"NaN\"", "not a number"),
            ("[1]", "an array"),
        ];
        for (text, why) in cases {
            assert!(
                DecimalInput::from_json_text(text).is_err(),
                "{why} must be refused"
            );
        }
    }

    #[test]
    fn currencies_know_their_minor_units() {
        let cases = [("MXN", 2), ("JPY", 0), ("KWD", 3), ("USD", 2)];
        for (code, units) in cases {
            assert_eq!(
                Currency::parse(code).unwrap().minor_units(),
                units,
                "{code}"
            );
        }
        for bad in ["mxn", "XXX", "ABC", "MX", "XAU"] {
            assert!(Currency::parse(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn rounds_half_to_even_and_formats_minor_units() {
        let mxn = Currency::mxn();
        assert_eq!(
            mxn.round(dec!(2.345)),
            dec!(2.34),
            "half to even rounds down to 4"
        );
        assert_eq!(
            mxn.round(dec!(2.355)),
            dec!(2.36),
            "half to even rounds up to 6"
        );
        assert_eq!(mxn.format(dec!(10000)), "10000.00");
        assert_eq!(Currency::parse("JPY").unwrap().format(dec!(500)), "500");
    }

    #[test]
    fn checks_decimal_places_against_the_currency() {
        let mxn = Currency::mxn();
        assert!(mxn.check_scale(dec!(10.50)).is_ok());
        assert!(
            mxn.check_scale(dec!(10.500)).is_ok(),
            "trailing zeros do not count"
        );
        assert!(mxn.check_scale(dec!(10.505)).is_err());
        assert!(
            Currency::parse("JPY")
                .unwrap()
                .check_scale(dec!(10.5))
                .is_err()
        );
    }
}
