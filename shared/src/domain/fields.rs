//! Validated newtypes for the fields of a client.
//!
//! Each type has a private field and a `parse` that either returns a value that is valid
//! by construction or a message for the caller. Handlers never see an unchecked string.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use validator::ValidateEmail;

/// Checks that `text` holds no control characters (newlines, NUL, escapes).
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A to U+202E,
/// U+2066 to U+2069): characters that reorder the text around them, so that what a
/// reader sees differs from what is stored ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` renders as nothing: Unicode's default-ignorable code points (zero-width
/// spaces and joiners, the word joiner, the byte-order mark, soft hyphens, variation
/// selectors, fillers, tags...).
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// The checks every free text a person types (names, purposes) passes: no control or
/// bidirectional control characters, and something visible once invisible characters and
/// white space are removed. The error is a message for the caller.
pub fn check_text(text: &str) -> Result<(), String> {
    if has_control(text) {
        return Err("must not contain control characters".into());
    }
    if text.chars().any(is_bidi_control) {
        return Err("must not contain bidirectional control characters".into());
    }
    if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err("must not be blank".into());
    }
    Ok(())
}

/// A first or last name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// Longest name accepted, in characters (not bytes), after trimming.
    pub const MAX_CHARS: usize = 100;

    /// Trims `input` and checks it; the error is a message for the caller.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            return Err("must not be blank".into());
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        check_text(trimmed)?;
        Ok(Self(trimmed.to_owned()))
    }

    /// The name as given, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form used for case-insensitive search.
    pub fn search_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// An email address: trimmed, at most 254 characters, syntactically valid.
/// Uniqueness is case-insensitive, through [`Email::normalized`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Longest address accepted, in characters (the SMTP path limit).
    pub const MAX_CHARS: usize = 254;

    /// Trims `input` and checks its syntax; the error is a message for the caller. The
    /// case is kept as given, for display.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("must not be blank".into());
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        // The domain must have a dot: `a@b` is valid RFC 5321 syntax, but no address on
        // the public internet.
        let domain = trimmed.rsplit_once('@').map_or("", |(_, domain)| domain);
        let dotted = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
        if has_control(trimmed) || !trimmed.validate_email() || !dotted {
            return Err("must be a valid email address".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The address as given (trimmed, case kept).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-cased form that uniqueness and lookups use.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A national identity document number: 5 to 30 ASCII letters or digits, stored upper-case
/// so that `abc12345` and `ABC12345` are the same document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentNumber(String);

impl DocumentNumber {
    /// Shortest document number accepted, in characters.
    pub const MIN_CHARS: usize = 5;
    /// Longest document number accepted, in characters.
    pub const MAX_CHARS: usize = 30;

    /// Trims `input`, checks it and upper-cases it; the error is a message for the caller.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        if !trimmed.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("must contain only letters and digits".into());
        }
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&trimmed.len()) {
            return Err(format!(
                "must be {} to {} letters or digits",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            ));
        }
        Ok(Self(trimmed.to_ascii_uppercase()))
    }

    /// The upper-case number, as stored and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number in E.164 form: `+`, a country code that does not start with 0, and at
/// most 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Trims `input` and checks it is E.164 (8 to 15 digits after the `+`); the error is a
    /// message for the caller.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let valid = trimmed
            .strip_prefix('+')
            .filter(|digits| (8..=15).contains(&digits.len()))
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
            .is_some_and(|digits| !digits.starts_with('0'));
        if !valid {
            return Err("must be an E.164 phone number such as +525512345678".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The number in E.164 form (`+525512345678`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The birth date of a client, who must be an adult and younger than 130.
///
/// Unlike the other fields this is no newtype: the value is a plain `NaiveDate`, because
/// whether a date is acceptable depends on the day it is checked, not on the date alone.
pub struct BirthDate;

impl BirthDate {
    /// The youngest age, in whole years, at which a client is accepted.
    pub const ADULT_AGE: u32 = 18;
    /// Ages from this many years up are refused as typing errors.
    pub const MAX_AGE: u32 = 130;

    /// Parses `YYYY-MM-DD` and checks the age on `today`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
        let date = NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
            .ok()
            .filter(|_| input.trim().len() == 10)
            .ok_or_else(|| "must be a date in YYYY-MM-DD form".to_owned())?;
        if date > today {
            return Err("must not be in the future".into());
        }
        let age = age_on(date, today);
        if age < Self::ADULT_AGE {
            return Err(format!(
                "the client must be at least {} years old",
                Self::ADULT_AGE
            ));
        }
        if age >= Self::MAX_AGE {
            return Err(format!("the client must be younger than {}", Self::MAX_AGE));
        }
        Ok(date)
    }
}

/// Whole years between `born` and `today` (someone born on 29 February turns a year older
/// on 1 March in common years).
pub fn age_on(born: NaiveDate, today: NaiveDate) -> u32 {
    let years = today.year() - born.year();
    let had_birthday = (today.month(), today.day()) >= (born.month(), born.day());
    u32::try_from(if had_birthday { years } else { years - 1 }).unwrap_or(0)
}

macro_rules! string_newtype_conversions {
    ($($ty:ident),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
    )*};
}
string_newtype_conversions!(PersonName, Email, DocumentNumber, Phone);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Ana María ").unwrap().as_str(),
            "Ana María"
        );
        assert!(
            PersonName::parse(&"é".repeat(100)).is_ok(),
            "100 characters, 200 bytes is fine"
        );
        let invalid = [
            ("", "empty"),
            ("   ", "only spaces"),
            (&"a".repeat(101) as &str, "101 characters"),
            ("Ana\nMaría", "a newline"),
            ("Ana\u{0}", "a NUL"),
            (
                "\u{200B}\u{200C}\u{200D}",
                "zero-width spaces and joiners only",
            ),
            (
                "\u{2060} \u{FEFF}",
                "a word joiner and a byte-order mark only",
            ),
            ("Ana\u{202E}zíraM", "a right-to-left override"),
            ("\u{2066}Ana\u{2069}", "isolates"),
        ];
        for (input, why) in invalid {
            assert!(PersonName::parse(input).is_err(), "{why} must be refused");
        }
    }

    #[test]
    fn emails_are_checked_and_normalized() {
        let email = Email::parse(" Ana.Lopez@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ana.Lopez@Example.COM");
        assert_eq!(email.normalized(), "ana.lopez@example.com");
        let invalid = [
            ("", "empty"),
            ("ana", "no @"),
            ("ana@", "no domain"),
            ("@example.com", "no local part"),
            ("ana@@example.com", "two @"),
            ("a@b", "no dot in the domain"),
            ("ana@example.", "a domain ending in a dot"),
            ("ana lopez@example.com", "a space"),
            (
                &format!("{}@example.com", "a".repeat(250)) as &str,
                "too long",
            ),
        ];
        for (input, why) in invalid {
            assert!(Email::parse(input).is_err(), "{why} must be refused");
        }
    }

    #[test]
    fn document_numbers_are_alphanumeric_and_upper_cased() {
        assert_eq!(
            DocumentNumber::parse("goml850101").unwrap().as_str(),
            "GOML850101"
        );
        let invalid = [
            ("ABCD", "4 characters"),
            (&"A".repeat(31) as &str, "31 characters"),
            ("ABC-12345", "a dash"),
            ("ABC 12345", "a space"),
            ("ÑANDU12345", "a non-ASCII letter"),
        ];
        for (input, why) in invalid {
            assert!(
                DocumentNumber::parse(input).is_err(),
                "{why} must be refused"
            );
        }
    }

    #[test]
    fn phones_follow_e164() {
        for valid in ["+525512345678", "+14155550100", "+441234567"] {
            assert!(Phone::parse(valid).is_ok(), "{valid} is E.164");
        }
        let invalid = [
            ("525512345678", "no plus"),
            ("+0525512345", "country code starting with 0"),
            ("+52 55 1234 5678", "spaces"),
            ("+5255123456789012", "16 digits"),
            ("+1234", "too short"),
            ("+52abc12345", "letters"),
        ];
        for (input, why) in invalid {
            assert!(Phone::parse(input).is_err(), "{why} must be refused");
        }
    }

    #[test]
    fn birth_dates_need_an_adult() {
        let today = date("2026-11-27");
        assert!(BirthDate::parse("2008-11-27", today).is_ok(), "18 today");
        assert!(BirthDate::parse("1990-01-31", today).is_ok());
        let invalid = [
            ("2008-11-28", "18 tomorrow"),
            ("2030-01-01", "in the future"),
            ("1890-01-01", "older than 130"),
            ("1990-02-30", "no such day"),
            ("27/11/1990", "wrong format"),
            ("1990-1-5", "not zero-padded"),
            ("", "empty"),
        ];
        for (input, why) in invalid {
            assert!(
                BirthDate::parse(input, today).is_err(),
                "{why} must be refused"
            );
        }
    }

    #[test]
    fn leap_day_birthdays_count_from_march_first() {
        assert_eq!(age_on(date("2008-02-29"), date("2026-02-28")), 17);
        assert_eq!(age_on(date("2008-02-29"), date("2026-03-01")), 18);
    }

    proptest! {
        #[test]
        fn a_parsed_name_parses_again_to_itself(input in "\\PC{0,120}") {
            if let Ok(name) = PersonName::parse(&input) {
                prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
                prop_assert!(name.as_str().chars().count() <= PersonName::MAX_CHARS);
            }
        }

        #[test]
        fn valid_document_numbers_are_accepted(input in "[A-Za-z0-9]{5,30}") {
            let parsed = DocumentNumber::parse(&input);
            prop_assert_eq!(parsed.map(|d| d.as_str().to_owned()), Ok(input.to_ascii_uppercase()));
        }

        #[test]
        fn emails_never_panic_and_normalize_idempotently(input in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&input) {
                let again = Email::parse(&email.normalized()).unwrap();
                prop_assert_eq!(again.normalized(), email.normalized());
            }
        }
    }
}
