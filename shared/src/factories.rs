//! Realistic, valid domain values made with `fake`, for tests and demo data (feature
//! `factories`). Every function takes the random generator, so a seeded generator gives
//! the same values on every run.

use chrono::{Days, Months, NaiveDate};
use fake::Fake;
use fake::faker::lorem::en::Words;
use fake::faker::name::en::{FirstName, LastName};
use fake::rand::rngs::StdRng;
use fake::rand::{RngExt, SeedableRng};
use rust_decimal::Decimal;

use crate::domain::client::{ClientDetails, MonthlyIncome};
use crate::domain::fields::{DocumentNumber, Email, PersonName, Phone};
use crate::domain::loan::Purpose;
use crate::domain::money::Currency;
use crate::domain::schedule::LoanTerms;
use crate::error::ApiError;

/// A generator that yields the same sequence for the same seed.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn invalid(what: &str, err: String) -> ApiError {
    ApiError::internal(format!("factory made an invalid {what}: {err}"))
}

/// A valid client whose email and document number embed `unique` (letters and digits),
/// so clients made with different `unique` values never clash.
pub fn client_details(
    rng: &mut StdRng,
    unique: &str,
    today: NaiveDate,
) -> Result<ClientDetails, ApiError> {
    let first: String = FirstName().fake_with_rng(rng);
    let last: String = LastName().fake_with_rng(rng);
    let age_months = rng.random_range(18 * 12 + 1..75 * 12);
    let born = today
        .checked_sub_months(Months::new(age_months))
        .and_then(|d| d.checked_sub_days(Days::new(rng.random_range(0..28))))
        .ok_or_else(|| invalid("birth date", "out of range".into()))?;
    let income_cents: i64 = rng.random_range(800_000..25_000_000);
    let email = format!(
        "{}.{}.{}@example.com",
        first
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
        last.to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), ""),
        unique.to_lowercase()
    );
    let phone = format!("+5255{:08}", rng.random_range(0..100_000_000u32));
    Ok(ClientDetails {
        first_name: PersonName::parse(&first).map_err(|e| invalid("first name", e))?,
        last_name: PersonName::parse(&last).map_err(|e| invalid("last name", e))?,
        email: Email::parse(&email).map_err(|e| invalid("email", e))?,
        document_number: DocumentNumber::parse(&format!("ID{unique}"))
            .map_err(|e| invalid("document", e))?,
        phone: Some(Phone::parse(&phone).map_err(|e| invalid("phone", e))?),
        birth_date: born,
        monthly_income: Some(
            MonthlyIncome::parse(Decimal::new(income_cents, 2))
                .map_err(|e| invalid("income", e))?,
        ),
    })
}

/// Valid MXN loan terms: 1,000.00 to 500,000.00, 8 % to 45 % a year, 6 to 60 months.
pub fn loan_terms(rng: &mut StdRng) -> Result<LoanTerms, ApiError> {
    let amount = Decimal::new(rng.random_range(1_000i64..500_000) * 100, 2);
    let rate = Decimal::new(rng.random_range(800i64..4_500), 2);
    let term = [6, 12, 18, 24, 36, 48, 60][rng.random_range(0..7usize)];
    LoanTerms::parse(amount, Currency::mxn(), rate, term)
        .map_err(|errors| invalid("loan", format!("{errors:?}")))
}

/// A short purpose such as "consectetur adipiscing".
pub fn purpose(rng: &mut StdRng) -> Option<Purpose> {
    let words: Vec<String> = Words(1..4).fake_with_rng(rng);
    Purpose::parse(&words.join(" ")).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factories_make_valid_and_reproducible_values() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let a = client_details(&mut rng(7), "ABC123", today).unwrap();
        let b = client_details(&mut rng(7), "ABC123", today).unwrap();
        assert_eq!(a, b, "same seed, same client");
        assert!(crate::domain::fields::age_on(a.birth_date, today) >= 18);
        let terms = loan_terms(&mut rng(7)).unwrap();
        assert!(terms.amount() >= Decimal::new(1000, 0));
    }
}
