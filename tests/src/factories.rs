//! Realistic, unique request bodies built with `fake`, for tests where the values do not
//! matter (only that they are valid and do not clash).

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
