//! The loan lifecycle as a pure state machine: which status changes are legal, which
//! actor may make them, what each status allows (editing terms, deleting the loan,
//! blocking the client's deletion), and which timestamp field each status stamps.
//! It does no I/O; handlers ask it before writing, and a refused change maps to `409`
//! (illegal transition) or `403` (legal, but not for this actor).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The most `pending` loans a client may hold at once; a further application is refused
/// until one of them is approved, rejected or cancelled.
pub const MAX_PENDING_LOANS: u32 = 3;

/// Where a loan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = crate::openapi::loan::STATUS)
)]
pub enum LoanStatus {
    /// Applied for and awaiting a decision; the only status whose terms may change.
    Pending,
    /// Accepted by the lender but not yet paid out.
    Approved,
    /// Declined by the lender (terminal).
    Rejected,
    /// Paid out (disbursed) and being repaid.
    Active,
    /// Fully repaid, by repayments only; a reversal of one of them can reopen it.
    Paid,
    /// Withdrawn before disbursement, by the customer or an admin (terminal).
    Cancelled,
    /// Given up on by the lender: what was owed stays on record, and the loan takes no
    /// more repayments (terminal).
    WrittenOff,
}

impl LoanStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Active,
        Self::Paid,
        Self::Cancelled,
        Self::WrittenOff,
    ];

    /// The wire name (`"pending"`, ...), the same text serde uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Active => "active",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
            Self::WrittenOff => "written_off",
        }
    }

    /// Parses a wire name exactly (lower case, no padding), e.g. a `status` query filter.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| {
                let valid: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!("must be one of {}", valid.join(", "))
            })
    }

    /// Whether the contract allows asking for a change from `self` to `to`; staying put
    /// is not a change. `paid` is never asked for: repayments reach it (see
    /// [`servicing`](super::servicing)).
    pub fn can_transition(self, to: Self) -> bool {
        use LoanStatus::*;
        matches!(
            (self, to),
            (Pending, Approved | Rejected | Cancelled)
                | (Approved, Active | Cancelled)
                | (Active, WrittenOff)
        )
    }

    /// Whether money has been paid out: the loan has a ledger.
    pub fn disbursed(self) -> bool {
        matches!(self, Self::Active | Self::Paid | Self::WrittenOff)
    }

    /// The new status, or why the change is illegal.
    pub fn transition(self, to: Self) -> Result<Self, TransitionError> {
        if self.can_transition(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }

    /// Amount, currency, rate and term may change only before a decision is made.
    pub fn terms_editable(self) -> bool {
        self == Self::Pending
    }

    /// A loan may be deleted only while no money has moved and none is owed.
    pub fn deletable(self) -> bool {
        matches!(self, Self::Pending | Self::Rejected | Self::Cancelled)
    }

    /// A loan in one of these statuses keeps its client from being deleted.
    pub fn blocks_client_delete(self) -> bool {
        matches!(self, Self::Pending | Self::Approved | Self::Active)
    }

    /// No status change can be asked for from this status (a reversal may still reopen
    /// a `paid` loan).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Paid | Self::Cancelled | Self::WrittenOff
        )
    }

    /// The loan field stamped with the time this status is reached; `pending` has none
    /// because `created_at` already records it.
    pub fn timestamp_field(self) -> Option<&'static str> {
        match self {
            Self::Pending => None,
            Self::Approved => Some("approved_at"),
            Self::Rejected => Some("rejected_at"),
            Self::Active => Some("disbursed_at"),
            Self::Paid => Some("paid_at"),
            Self::Cancelled => Some("cancelled_at"),
            Self::WrittenOff => Some("written_off_at"),
        }
    }
}

impl fmt::Display for LoanStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status change the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a loan that is {from} cannot become {to}")]
pub struct TransitionError {
    /// The loan's current status.
    pub from: LoanStatus,
    /// The status that was asked for.
    pub to: LoanStatus,
}

/// Who asks for a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A caller with the admin role.
    Admin,
    /// A customer acting on a loan of its own client.
    Customer,
}

/// Whether `actor` may move a loan from `from` to `to`: an admin may make any legal
/// change; a customer may only withdraw its own application while it is pending.
pub fn allowed_for(actor: Actor, from: LoanStatus, to: LoanStatus) -> bool {
    match actor {
        Actor::Admin => from.can_transition(to),
        Actor::Customer => from == LoanStatus::Pending && to == LoanStatus::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::LoanStatus::*;
    use super::*;

    /// The contract's status rules, written out independently of the code under test.
    /// Rows are the current status, columns the requested one in `TO` order:
    /// `-` illegal, `A` legal for an admin only, `B` legal for an admin and a customer.
    const TO: [LoanStatus; 7] = [
        Pending, Approved, Rejected, Active, Paid, Cancelled, WrittenOff,
    ];
    const RULES: [(LoanStatus, &str); 7] = [
        (Pending, "-  A  A  -  -  B  -"),
        (Approved, "-  -  -  A  -  A  -"),
        (Rejected, "-  -  -  -  -  -  -"),
        (Active, "-  -  -  -  -  -  A"),
        (Paid, "-  -  -  -  -  -  -"),
        (Cancelled, "-  -  -  -  -  -  -"),
        (WrittenOff, "-  -  -  -  -  -  -"),
    ];

    #[test]
    fn all_49_changes_are_allowed_exactly_as_the_contract_says() {
        let mut checked = 0;
        for (from, row) in RULES {
            for (to, cell) in TO.into_iter().zip(row.split_whitespace()) {
                let (admin, customer) = (cell != "-", cell == "B");
                let why = format!("{from} -> {to} is {cell:?} in the contract table");
                assert_eq!(from.can_transition(to), admin, "legality: {why}");
                assert_eq!(from.transition(to).is_ok(), admin, "transition: {why}");
                assert_eq!(
                    from.transition(to).ok(),
                    admin.then_some(to),
                    "new status: {why}"
                );
                assert_eq!(allowed_for(Actor::Admin, from, to), admin, "admin: {why}");
                assert_eq!(
                    allowed_for(Actor::Customer, from, to),
                    customer,
                    "customer: {why}"
                );
                checked += 1;
            }
        }
        assert_eq!(RULES.map(|(from, _)| from), TO, "one row per status");
        assert_eq!(checked, 49, "every (from, to) pair has a cell");
    }

    #[test]
    fn an_illegal_change_names_both_statuses() {
        let err = Approved.transition(Pending).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a loan that is approved cannot become pending"
        );
        assert_eq!(
            Active.transition(Active).unwrap_err().to_string(),
            "a loan that is active cannot become active"
        );
    }

    #[test]
    fn statuses_round_trip_through_text_and_serde() {
        for status in LoanStatus::ALL {
            assert_eq!(LoanStatus::parse(status.as_str()), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", status.as_str()),
                "serde and as_str agree"
            );
            assert_eq!(serde_json::from_str::<LoanStatus>(&json).unwrap(), status);
        }
        let err = LoanStatus::parse("Pending").unwrap_err();
        assert_eq!(
            err,
            "must be one of pending, approved, rejected, active, paid, cancelled, written_off"
        );
        for bad in ["", " pending", "open", "PAID"] {
            assert!(LoanStatus::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn each_status_allows_what_the_contract_says() {
        // (status, terms editable, deletable, blocks client delete, terminal, timestamp field)
        let table = [
            (Pending, true, true, true, false, None),
            (Approved, false, false, true, false, Some("approved_at")),
            (Rejected, false, true, false, true, Some("rejected_at")),
            (Active, false, false, true, false, Some("disbursed_at")),
            (Paid, false, false, false, true, Some("paid_at")),
            (Cancelled, false, true, false, true, Some("cancelled_at")),
            (
                WrittenOff,
                false,
                false,
                false,
                true,
                Some("written_off_at"),
            ),
        ];
        for (status, editable, deletable, blocks, terminal, field) in table {
            assert_eq!(
                status.terms_editable(),
                editable,
                "{status}: terms editable"
            );
            assert_eq!(status.deletable(), deletable, "{status}: deletable");
            assert_eq!(
                status.blocks_client_delete(),
                blocks,
                "{status}: blocks client delete"
            );
            assert_eq!(status.is_terminal(), terminal, "{status}: terminal");
            assert_eq!(status.timestamp_field(), field, "{status}: timestamp field");
            let has_exit = LoanStatus::ALL
                .into_iter()
                .any(|to| status.can_transition(to));
            assert_eq!(
                status.is_terminal(),
                !has_exit,
                "{status}: terminal means no way out"
            );
        }
    }
}
