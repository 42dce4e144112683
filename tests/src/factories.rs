//! Realistic, unique request bodies built with `fake`, for tests where the values do not
//! matter (only that they are valid and do not clash). A test that needs a value to differ
//! from the drawn one derives it from the body (the term plus one, a second given name):
//! any fixed value in the factory's range is sometimes the one drawn.

use chrono::{Months, Utc};
use fake::Fake;
use fake::faker::name::en::{FirstName, LastName};
use serde_json::{Value, json};

/// A valid client body whose email and document number are unique.
pub fn client_body() -> Value {
    let unique = ulid::Ulid::generate().to_string();
    let first: String = FirstName().fake();
    let last: String = LastName().fake();
    let years: u32 = (18..80).fake();
    let born = Utc::now().date_naive() - Months::new(years * 12 + 1);
    json!({
        "first_name": first,
        "last_name": last,
        "email": format!("{}.{}@example.com", first.to_lowercase(), &unique[16..]),
        "document_number": format!("DOC{}", &unique[10..]),
        "phone": format!("+5255{:08}", (0..100_000_000u32).fake::<u32>()),
        "birth_date": born.format("%Y-%m-%d").to_string(),
        "monthly_income": format!("{}.{:02}", (5_000..200_000u32).fake::<u32>(), (0..100u32).fake::<u32>()),
    })
}

/// A valid loan application body: an MXN amount between 1,000 and 500,000 with cents, a
/// nominal annual rate like `"18.5"`, a term of 6 to 60 months and a short purpose.
pub fn loan_body() -> Value {
    const PURPOSES: [&str; 8] = [
        "Home improvement",
        "Used car purchase",
        "Debt consolidation",
        "Working capital for a grocery shop",
        "Medical expenses",
        "University tuition",
        "Kitchen equipment for a food truck",
        "Solar panels",
    ];
    json!({
        "amount": format!("{}.{:02}", (1_000..500_000u32).fake::<u32>(), (0..100u32).fake::<u32>()),
        "currency": "MXN",
        "annual_interest_rate": format!("{}.{}", (5..60u32).fake::<u32>(), (0..10u32).fake::<u32>()),
        "term_months": (6..61u32).fake::<u32>(),
        "purpose": PURPOSES[(0..PURPOSES.len()).fake::<usize>()],
    })
}
