//! The client: a borrower of the lender, with validated personal data.
//!
//! [`ClientDetails`] holds the editable fields, valid by construction; [`Client`] adds the
//! fields the server owns (id, timestamps, version). The same struct serializes to the API
//! response and to the stored item, so the two cannot disagree on a field.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fields::{DocumentNumber, Email, PersonName, Phone};
use super::ids::ClientId;
use super::money::Currency;
use super::time::Timestamp;
#[cfg(feature = "openapi")]
use crate::openapi::client as doc;

/// A monthly income in the lender's currency (MXN), never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyIncome(Decimal);

impl MonthlyIncome {
    /// The largest income accepted; larger figures are almost certainly typing errors.
    pub const MAX: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

    /// Accepts 0 to [`MonthlyIncome::MAX`] with at most MXN's two decimals; the error is
    /// a message for the caller.
    pub fn parse(amount: Decimal) -> Result<Self, String> {
        Currency::mxn().check_scale(amount)?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err("must not be negative".into());
        }
        if amount > Self::MAX {
            return Err(format!("must be at most {}", Self::MAX));
        }
        Ok(Self(Currency::mxn().round(amount)))
    }

    /// The income in MXN, at exactly two decimal places.
    pub fn amount(&self) -> Decimal {
        self.0
    }
}

impl Serialize for MonthlyIncome {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&Currency::mxn().format(self.0))
    }
}

impl<'de> Deserialize<'de> for MonthlyIncome {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let amount = super::money::decimal_from_string(deserializer)?;
        Self::parse(amount).map_err(serde::de::Error::custom)
    }
}

/// The fields of a client that callers may set. Each field's type carries its rules; the
/// field names are the API's and the stored item's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientDetails {
    /// Given name(s).
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::first_name))]
    pub first_name: PersonName,
    /// Family name(s).
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::last_name))]
    pub last_name: PersonName,
    /// Contact email, unique among clients regardless of case.
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::email))]
    pub email: Email,
    /// National identity document, unique among clients.
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::document_number_stored))]
    pub document_number: DocumentNumber,
    /// Optional contact phone.
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::phone, required = true))]
    pub phone: Option<Phone>,
    /// Date of birth; the client was at least 18 when it was set (see
    /// [`BirthDate`](super::fields::BirthDate)).
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::birth_date))]
    pub birth_date: NaiveDate,
    /// Optional declared income, in MXN.
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::monthly_income, required = true))]
    pub monthly_income: Option<MonthlyIncome>,
}

/// A stored client. Its id, creation time and version are the server's: they change only
/// through [`Client::new`] and [`Client::revise`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "A client of the lender: a borrower, with validated personal data.")
)]
pub struct Client {
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::client_id))]
    id: ClientId,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(inline))]
    details: ClientDetails,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::created_at))]
    created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = doc::updated_at))]
    updated_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::common::version))]
    version: u64,
}

impl Client {
    /// A new client `id` (normally `ClientId::new_at(now)`), at version 1.
    pub fn new(id: ClientId, details: ClientDetails, now: Timestamp) -> Self {
        Self {
            id,
            details,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The same client with new details and the next version.
    pub fn revise(&self, details: ClientDetails, now: Timestamp) -> Self {
        Self {
            id: self.id.clone(),
            details,
            created_at: self.created_at,
            updated_at: now,
            version: self.version + 1,
        }
    }

    /// A ULID chosen by the server at creation, whose time part is `created_at`.
    pub fn id(&self) -> &ClientId {
        &self.id
    }

    /// The caller's fields.
    pub fn details(&self) -> &ClientDetails {
        &self.details
    }

    /// When the client was created; never changes.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// When the client last changed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Starts at 1 and grows by one on every change; the `ETag` and the condition of every
    /// write.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The API path of this client.
    pub fn location(&self) -> String {
        format!("/clients/{}", self.id)
    }
}
