//! Exact money: currencies with their ISO 4217 minor units, and decimal amounts read from
//! JSON without ever passing through `f64`.
//!
//! Money (and rates) travel as decimal strings, in requests too (`"1500.50"`): a JSON
//! number is refused, because many clients turn numbers into binary floats before they
//! send them (`0.1 + 0.2` arrives as `0.30000000000000004`), and the API could not tell
//! an amount a client meant from one its float made up. Responses always carry a string
//! with exactly the currency's minor units.

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

    /// `amount` rounded half-to-even to the minor unit and written with exactly that many
    /// decimals (`10000` → `10000.00`), the form every stored money figure has.
    pub fn exact(&self, amount: Decimal) -> Decimal {
        let mut rounded = self.round(amount);
        rounded.rescale(self.minor_units);
        rounded
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

/// A decimal read exactly from a JSON string, for request bodies. It checks only the form
/// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`: no exponent, no padding, no sign but a minus); the
/// domain type it is handed to checks sign, range and scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalInput(pub Decimal);

/// The detail for a JSON number where a decimal string is expected.
pub const NUMBER_NOT_STRING: &str = "must be a decimal string such as \"1500.50\", not a JSON \
     number: many clients turn numbers into binary floats, which cannot hold most decimal \
     amounts exactly";

impl DecimalInput {
    /// Parses the raw JSON text of a value: a string holding a plain decimal.
    pub fn from_json_text(text: &str) -> Result<Self, String> {
        const EXPECTED: &str =
            "must be a string holding a plain decimal number, such as \"1500.50\"";
        let text = text.trim();
        if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return Err(NUMBER_NOT_STRING.to_owned());
        }
        if !text.starts_with('"') {
            return Err(EXPECTED.to_owned());
        }
        let literal = serde_json::from_str::<String>(text).map_err(|_| EXPECTED.to_owned())?;
        parse_plain_decimal(&literal)
            .map(Self)
            .ok_or_else(|| EXPECTED.to_owned())
    }
}

/// Accepts `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, exactly; nothing else.
pub fn parse_plain_decimal(literal: &str) -> Option<Decimal> {
    let digits = literal.strip_prefix('-').unwrap_or(literal);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let well_formed = literal.len() <= 64
        && all_digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(all_digits);
    if !well_formed {
        return None;
    }
    Decimal::from_str_exact(literal).ok()
}

/// The exact value of a JSON number's text (`12`, `12.0`, `1.2e1`), for whole-number
/// fields such as a term in months, which JSON (and JSON Schema's `integer`) lets a
/// client write as any number with no fractional part.
pub fn json_number(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let well_formed = !text.is_empty()
        && text.len() <= 64
        && text.starts_with(|c: char| c == '-' || c.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !well_formed || text.ends_with('.') {
        return None;
    }
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
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
    fn a_json_number_is_refused_with_a_reason() {
        for number in ["1500.50", "0.1", "10", "-5", "1e3"] {
            assert_eq!(
                DecimalInput::from_json_text(number).unwrap_err(),
                NUMBER_NOT_STRING,
                "{number}"
            );
        }
    }

    #[test]
    fn json_numbers_are_read_exactly_for_whole_number_fields() {
        assert_eq!(json_number("12"), Some(dec!(12)));
        assert_eq!(json_number("12.0"), Some(dec!(12.0)));
        assert_eq!(json_number("1.2e1"), Some(dec!(12)));
        for bad in ["", "\"12\"", "12.", "true", "1e999"] {
            assert_eq!(json_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_decimal_strings_exactly() {
        let cases = [
            ("\"1500.50\"", dec!(1500.50), "a string"),
            (
                "\"0.1\"",
                dec!(0.1),
                "0.1 is not 0.1000000000000000055511151231257827",
            ),
            (
                "\"12345678901234567.89\"",
                dec!(12345678901234567.89),
                "beyond f64 precision",
            ),
            ("\"0\"", dec!(0), "zero"),
            (
                "\"-5\"",
                dec!(-5),
                "a negative amount is read; rules reject it later",
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
            ("\".5\"", "a leading point"),
            ("\"007.5\"", "leading zeros"),
            ("\"1E3\"", "an exponent"),
            ("\"1e3\"", "a lower-case exponent"),
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
