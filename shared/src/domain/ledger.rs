//! A disbursed loan's ledger: the transactions that moved or settled its money.
//!
//! Transactions are immutable: a correction is a new transaction (a `reversal` of a
//! repayment), never an edit. Each has a posting number (`seq`, 1 for the disbursement)
//! that orders the ledger. What the loan owes is always the [`Position`] its
//! non-reversed repayments replay to, in value-date order (posting order within a day).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields;
use super::ids::{LoanId, TxnId};
use super::loan::Loan;
use super::money::{Currency, decimal_as_string, decimal_from_string};
use super::servicing::{Allocation, Position, Repayment, ServicingError};
use super::time::Timestamp;

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Longest text accepted, in characters, after trimming.
            pub const MAX_CHARS: usize = $max;

            /// The trimmed text, if it is 1 to [`Self::MAX_CHARS`] characters of visible,
            /// control-free text.
            pub fn parse(input: &str) -> Result<Self, String> {
                let trimmed = input.trim();
                if trimmed.chars().count() > Self::MAX_CHARS {
                    return Err(format!("must be at most {} characters", Self::MAX_CHARS));
                }
                fields::check_text(trimmed)?;
                Ok(Self(trimmed.to_owned()))
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

bounded_text!(
    /// Why a loan was written off or a repayment reversed: required, up to 200 characters.
    Reason,
    200
);
bounded_text!(
    /// The payer's or the bank's reference of a repayment, up to 100 characters.
    Reference,
    100
);

/// What a transaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TxnType {
    /// The money paid out; always the first transaction.
    Disbursement,
    /// Money the borrower paid.
    Repayment,
    /// The cancellation of a repayment (which then stops counting).
    Reversal,
    /// The lender gave up on what was owed; `amount` is the payoff on that day.
    WriteOff,
}

/// One transaction as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Txn {
    /// The transaction's id.
    pub id: TxnId,
    /// Its loan.
    pub loan_id: LoanId,
    /// Its posting number in the loan's ledger, from 1.
    pub seq: u32,
    /// What it did.
    #[serde(rename = "type")]
    pub kind: TxnType,
    /// The money, in the loan's currency (for a reversal, the reversed repayment's).
    #[serde(
        serialize_with = "decimal_as_string",
        deserialize_with = "decimal_from_string"
    )]
    pub amount: Decimal,
    /// The value date: when the money moved (for a reversal, the reversed repayment's).
    pub paid_on: NaiveDate,
    /// A repayment's reference, if given.
    #[serde(default)]
    pub reference: Option<Reference>,
    /// Why (a reversal, a write-off).
    #[serde(default)]
    pub reason: Option<Reason>,
    /// The repayment a reversal cancels.
    #[serde(default)]
    pub reverses: Option<TxnId>,
    /// When it was posted.
    pub created_at: Timestamp,
    /// Who posted it.
    pub created_by: String,
}

impl Txn {
    /// The API path of this transaction.
    pub fn location(&self) -> String {
        format!("/loans/{}/transactions/{}", self.loan_id, self.id)
    }
}

/// Why a posting is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostingError {
    /// Only `active` loans take repayments (and only `active` or `paid` ones reversals).
    #[error("a loan that is {0} takes no {1}")]
    NotOpen(super::loan_status::LoanStatus, &'static str),
    /// The value date is outside what the loan allows.
    #[error("{0}")]
    PaidOn(String),
    /// The amount is not a positive amount in the loan's minor units.
    #[error("{0}")]
    Amount(String),
    /// The repayment pays more than the loan owes on its value date.
    #[error("the repayment exceeds the payoff amount of {payoff} on {on}")]
    ExceedsPayoff {
        /// The value date.
        on: NaiveDate,
        /// The most that could be paid that day, formatted in the loan's currency.
        payoff: String,
    },
    /// A back-dated repayment would make a later one pay more than was owed.
    #[error(
        "a repayment dated {on} would make the later repayment of {later_on} exceed what was \
         owed then ({payoff})"
    )]
    OverpaysLater {
        /// The value date asked for.
        on: NaiveDate,
        /// The value date of the later repayment that would overpay.
        later_on: NaiveDate,
        /// What that later repayment could have paid at most.
        payoff: String,
    },
    /// The transaction cannot be reversed.
    #[error("{0}")]
    NotReversible(&'static str),
    /// The loan has no transaction with the id asked for.
    #[error("the loan has no transaction with this id")]
    NoSuchTransaction,
    /// The ledger cannot be replayed (a bug or corrupted data).
    #[error(transparent)]
    Servicing(#[from] ServicingError),
}

/// A loan and its whole ledger, in posting order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    /// The loan, as read.
    pub loan: Loan,
    /// Every transaction, by `seq`.
    pub txns: Vec<Txn>,
}

impl Ledger {
    /// The transactions that reverse `txn`, if one does.
    pub fn reversal_of(&self, id: &TxnId) -> Option<&Txn> {
        self.txns
            .iter()
            .find(|txn| txn.kind == TxnType::Reversal && txn.reverses.as_ref() == Some(id))
    }

    /// A transaction by id.
    pub fn txn(&self, id: &TxnId) -> Option<&Txn> {
        self.txns.iter().find(|txn| &txn.id == id)
    }

    /// The next posting number.
    pub fn next_seq(&self) -> u32 {
        self.txns.last().map_or(1, |last| last.seq + 1)
    }

    /// The next transaction of this ledger: `kind` of `amount` worth `paid_on`, posted by
    /// `by` at `now`, with no reference, reason or reversed transaction (set them after).
    pub fn next_txn(
        &self,
        kind: TxnType,
        amount: Decimal,
        paid_on: NaiveDate,
        by: &str,
        now: Timestamp,
    ) -> Txn {
        Txn {
            id: TxnId::new_at(now),
            loan_id: self.loan.id().clone(),
            seq: self.next_seq(),
            kind,
            amount,
            paid_on,
            reference: None,
            reason: None,
            reverses: None,
            created_at: now,
            created_by: by.to_owned(),
        }
    }

    /// The repayments that count: every repayment no reversal cancels.
    fn repayments(txns: &[Txn]) -> Vec<Repayment> {
        txns.iter()
            .filter(|txn| txn.kind == TxnType::Repayment)
            .filter(|txn| {
                !txns.iter().any(|other| {
                    other.kind == TxnType::Reversal && other.reverses.as_ref() == Some(&txn.id)
                })
            })
            .map(|txn| Repayment {
                seq: u64::from(txn.seq),
                paid_on: txn.paid_on,
                amount: txn.amount,
            })
            .collect()
    }

    /// The loan's position from its ledger, as it stood at the end of `through` (or with
    /// everything posted); `None` before it is disbursed.
    pub fn position(&self, through: Option<NaiveDate>) -> Result<Option<Position>, ServicingError> {
        let Some(disbursed_on) = self.loan.disbursed_on() else {
            return Ok(None);
        };
        if !self.loan.status().disbursed() {
            return Ok(None);
        }
        let terms = self.loan.terms()?;
        Position::replay(&terms, disbursed_on, &Self::repayments(&self.txns), through).map(Some)
    }

    /// The ledger with `txn` appended, replayed: the position it leads to, or why it
    /// cannot be posted (a repayment above the payoff).
    pub fn with(&self, txn: Txn) -> Result<(Ledger, Position), PostingError> {
        let mut next = self.clone();
        let seq = u64::from(txn.seq);
        let on = txn.paid_on;
        next.txns.push(txn);
        let currency = self.loan.currency();
        match next.position(None) {
            Ok(Some(position)) => Ok((next, position)),
            Ok(None) => Err(PostingError::NotOpen(self.loan.status(), "transactions")),
            Err(ServicingError::ExceedsPayoff {
                seq: over,
                paid_on,
                payoff,
            }) => Err(if over == seq {
                PostingError::ExceedsPayoff {
                    on,
                    payoff: currency.format(payoff),
                }
            } else {
                PostingError::OverpaysLater {
                    on,
                    later_on: paid_on,
                    payoff: currency.format(payoff),
                }
            }),
            Err(ServicingError::BeforeDisbursement { .. }) => Err(PostingError::PaidOn(
                "must not be before the disbursement".into(),
            )),
            Err(ServicingError::InvalidAmount { .. }) => Err(PostingError::Amount(format!(
                "must be above 0 in whole {} minor units",
                currency.code()
            ))),
            Err(other) => Err(other.into()),
        }
    }

    /// Checks a repayment's amount and value date against the loan on `today`.
    pub fn check_repayment(
        &self,
        amount: Decimal,
        paid_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), PostingError> {
        if self.loan.status() != super::loan_status::LoanStatus::Active {
            return Err(PostingError::NotOpen(self.loan.status(), "repayments"));
        }
        let currency = self.loan.currency();
        if amount <= Decimal::ZERO || amount > super::servicing::MAX_REPAYMENT {
            return Err(PostingError::Amount(format!(
                "must be above 0 and at most {}",
                super::servicing::MAX_REPAYMENT
            )));
        }
        currency.check_scale(amount).map_err(PostingError::Amount)?;
        if paid_on > today {
            return Err(PostingError::PaidOn(format!(
                "must not be in the future (today is {today})"
            )));
        }
        if let Some(disbursed_on) = self.loan.disbursed_on()
            && paid_on < disbursed_on
        {
            return Err(PostingError::PaidOn(format!(
                "must not be before the disbursement on {disbursed_on}"
            )));
        }
        Ok(())
    }

    /// Checks that `target` can be reversed now.
    pub fn check_reversal(&self, target: &Txn) -> Result<(), PostingError> {
        use super::loan_status::LoanStatus;
        if target.kind != TxnType::Repayment {
            return Err(PostingError::NotReversible(
                "only a repayment can be reversed",
            ));
        }
        if self.reversal_of(&target.id).is_some() {
            return Err(PostingError::NotReversible(
                "the repayment is already reversed",
            ));
        }
        if !matches!(self.loan.status(), LoanStatus::Active | LoanStatus::Paid) {
            return Err(PostingError::NotOpen(self.loan.status(), "reversals"));
        }
        Ok(())
    }
}

/// `amount` at exactly `currency`'s minor units, as the API writes money.
pub fn money(currency: Currency, amount: Decimal) -> String {
    currency.format(amount)
}

/// A transaction as the API shows it: what was posted, a repayment's allocation in the
/// current replay, and whether it was reversed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Transaction, description = crate::openapi::ledger::TRANSACTION)
)]
pub struct TxnView {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::txn_id))]
    id: TxnId,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::loan::loan_id))]
    loan_id: LoanId,
    #[serde(rename = "type")]
    kind: TxnType,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::amount))]
    amount: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::paid_on))]
    paid_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::reference, required = true))]
    reference: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::reason, required = true))]
    reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::reverses, required = true))]
    reverses: Option<TxnId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    allocation: Option<AllocationView>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::reversed_at, required = true))]
    reversed_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::reversed_by, required = true))]
    reversed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::created_at))]
    created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::created_by))]
    created_by: String,
}

/// How a repayment was split, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Allocation, description = crate::openapi::ledger::ALLOCATION)
)]
pub struct AllocationView {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::interest_part))]
    interest: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::ledger::principal_part))]
    principal: String,
}

impl TxnView {
    /// `txn` of `ledger` as the API shows it, with its allocation in `position` (the
    /// replay of the whole ledger).
    pub fn of(ledger: &Ledger, position: Option<&Position>, txn: &Txn) -> Self {
        let currency = ledger.loan.currency();
        let reversal = ledger.reversal_of(&txn.id);
        let allocation = (txn.kind == TxnType::Repayment && reversal.is_none()).then(|| {
            let Allocation {
                interest,
                principal,
            } = position
                .and_then(|position| position.allocation(u64::from(txn.seq)))
                .unwrap_or(Allocation {
                    interest: Decimal::ZERO,
                    principal: Decimal::ZERO,
                });
            AllocationView {
                interest: money(currency, interest),
                principal: money(currency, principal),
            }
        });
        Self {
            id: txn.id.clone(),
            loan_id: txn.loan_id.clone(),
            kind: txn.kind,
            amount: money(currency, txn.amount),
            paid_on: txn.paid_on,
            reference: txn.reference.as_ref().map(|r| r.as_str().to_owned()),
            reason: txn.reason.as_ref().map(|r| r.as_str().to_owned()),
            reverses: txn.reverses.clone(),
            allocation,
            reversed_at: reversal.map(|r| r.created_at),
            reversed_by: reversal.map(|r| r.created_by.clone()),
            created_at: txn.created_at,
            created_by: txn.created_by.clone(),
        }
    }

    /// The transaction's id.
    pub fn id(&self) -> &TxnId {
        &self.id
    }
}
