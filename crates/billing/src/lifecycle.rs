//! Invoice states and their transitions (billing-rules.md §5).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceState {
    Open,
    Finalized,
    /// Issued: waiting for payment.
    Pending,
    Paid,
    Unpaid,
    Failed,
    Cancelled,
}

/// A refused state change. Nothing changes when this is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("An invoice that is {from} cannot become {to}.")]
pub struct TransitionError {
    pub from: InvoiceState,
    pub to: InvoiceState,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{input}\" is not an invoice state \
     (open, finalized, pending, paid, unpaid, failed or cancelled)."
)]
pub struct UnknownInvoiceState {
    pub input: String,
}

impl InvoiceState {
    pub const ALL: [InvoiceState; 7] = [
        InvoiceState::Open,
        InvoiceState::Finalized,
        InvoiceState::Pending,
        InvoiceState::Paid,
        InvoiceState::Unpaid,
        InvoiceState::Failed,
        InvoiceState::Cancelled,
    ];

    /// The stored and displayed name: "open", "finalized", …
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceState::Open => "open",
            InvoiceState::Finalized => "finalized",
            InvoiceState::Pending => "pending",
            InvoiceState::Paid => "paid",
            InvoiceState::Unpaid => "unpaid",
            InvoiceState::Failed => "failed",
            InvoiceState::Cancelled => "cancelled",
        }
    }

    /// The states this one may change to: the §5 table, nothing else.
    pub fn allowed_transitions(self) -> &'static [InvoiceState] {
        use InvoiceState::*;
        match self {
            Open => &[Finalized, Pending, Cancelled],
            Finalized => &[Pending, Cancelled],
            Pending => &[Paid, Unpaid, Cancelled],
            Unpaid => &[Paid, Failed, Cancelled],
            Failed => &[Paid, Cancelled],
            Paid | Cancelled => &[],
        }
    }

    pub fn can_become(self, to: InvoiceState) -> bool {
        self.allowed_transitions().contains(&to)
    }

    /// Whether lines, friendly ID and period may change: only before issuing.
    pub fn is_editable(self) -> bool {
        matches!(self, InvoiceState::Open | InvoiceState::Finalized)
    }

    /// Paid and cancelled invoices never change state again.
    pub fn is_terminal(self) -> bool {
        self.allowed_transitions().is_empty()
    }

    /// The new state, or why it is refused.
    pub fn transition(self, to: InvoiceState) -> Result<InvoiceState, TransitionError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for InvoiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InvoiceState {
    type Err = UnknownInvoiceState;

    /// Exactly the lowercase names of [`InvoiceState::as_str`].
    fn from_str(text: &str) -> Result<InvoiceState, UnknownInvoiceState> {
        InvoiceState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownInvoiceState {
                input: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::InvoiceState::*;
    use super::*;

    const Y: bool = true;
    const N: bool = false;

    /// Every (from, to) pair, read across: may `from` become `to`? The §5 table.
    #[rustfmt::skip] // kept as a grid so it reads like the spec's table
    const TRANSITIONS: [(InvoiceState, [bool; 7]); 7] = [
        //          open finalized pending paid unpaid failed cancelled
        (Open,      [N,   Y,        Y,      N,   N,     N,     Y]),
        (Finalized, [N,   N,        Y,      N,   N,     N,     Y]),
        (Pending,   [N,   N,        N,      Y,   Y,     N,     Y]),
        (Paid,      [N,   N,        N,      N,   N,     N,     N]),
        (Unpaid,    [N,   N,        N,      Y,   N,     Y,     Y]),
        (Failed,    [N,   N,        N,      Y,   N,     N,     Y]),
        (Cancelled, [N,   N,        N,      N,   N,     N,     N]),
    ];

    #[test]
    fn all_49_transitions() {
        let mut checked = 0;
        for (from, row) in TRANSITIONS {
            for (to, allowed) in InvoiceState::ALL.into_iter().zip(row) {
                assert_eq!(from.can_become(to), allowed, "{from} → {to}");
                let expected = if allowed {
                    Ok(to)
                } else {
                    Err(TransitionError { from, to })
                };
                assert_eq!(from.transition(to), expected, "{from} → {to}");
                checked += 1;
            }
        }
        assert_eq!(checked, 49);
    }

    #[test]
    fn refusal_reads_as_a_sentence() {
        assert_eq!(
            Paid.transition(Open).unwrap_err().to_string(),
            "An invoice that is paid cannot become open."
        );
        assert_eq!(
            Cancelled.transition(Pending).unwrap_err().to_string(),
            "An invoice that is cancelled cannot become pending."
        );
    }

    #[test]
    fn editable_and_terminal() {
        // (state, editable, terminal)
        let cases = [
            (Open, true, false),
            (Finalized, true, false),
            (Pending, false, false),
            (Paid, false, true),
            (Unpaid, false, false),
            (Failed, false, false),
            (Cancelled, false, true),
        ];
        for (state, editable, terminal) in cases {
            assert_eq!(state.is_editable(), editable, "{state} editable");
            assert_eq!(state.is_terminal(), terminal, "{state} terminal");
        }
    }

    #[test]
    fn names_round_trip() {
        let names = [
            "open",
            "finalized",
            "pending",
            "paid",
            "unpaid",
            "failed",
            "cancelled",
        ];
        for (state, name) in InvoiceState::ALL.into_iter().zip(names) {
            assert_eq!(state.as_str(), name);
            assert_eq!(name.parse::<InvoiceState>(), Ok(state));
        }
        for bad in ["Open", "canceled", "issued", ""] {
            assert_eq!(
                bad.parse::<InvoiceState>(),
                Err(UnknownInvoiceState {
                    input: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }
}
