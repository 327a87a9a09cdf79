//! Earnings by month (billing-rules.md §10).

use crate::book::Book;
use crate::error::{ApiError, Result};
use crate::model::{Earnings, EarningsByMonth, EarningsTotals, MonthEarnings};
use crate::store;
use crate::store::earnings::Bucket;
use counterfoil_billing as billing;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// At most this many months in one table.
const MAX_MONTHS: i32 = 120;

/// The months of a window without the total row, for callers that want the plain list (the
/// same figures as [`earnings`]).
pub(crate) fn earnings_by_month(book: &Book, input: EarningsByMonth) -> Result<Vec<MonthEarnings>> {
    Ok(earnings(book, input)?.months)
}

/// The earnings table of a window (by default the 12 months up to the book's current month).
/// Per month: total, in process, overdue and paid — each the exact sum of its invoices' lines
/// (× (1 + VAT rate) by default), rounded half-up to the cent once, at the end. The total row
/// adds up the rounded month figures of each column, exactly, so it equals the column's sum.
pub(crate) fn earnings(book: &Book, input: EarningsByMonth) -> Result<Earnings> {
    let current_month = billing::Period::of(book.now());
    let to = input.to.unwrap_or(current_month);
    let from = input
        .from
        .unwrap_or_else(|| (0..11).fold(to, |period, _| period.previous()));
    if from > to {
        return Err(ApiError::validation(
            "from",
            "The first month must not be after the last.",
        ));
    }
    if to.months_after(from) >= MAX_MONTHS {
        return Err(ApiError::validation(
            "from",
            format!("Show at most {MAX_MONTHS} months at once."),
        ));
    }

    // [in process, overdue, paid], exact.
    let mut months: BTreeMap<billing::Period, [Decimal; 3]> = BTreeMap::new();
    let mut period = from;
    loop {
        months.insert(period, [Decimal::ZERO; 3]);
        if period == to {
            break;
        }
        period = period.next();
    }
    for group in store::earnings::groups(book.reader(), from, to)? {
        let amount = match group.vat_rate.filter(|_| input.include_vat) {
            Some(rate) => group.net + group.net * rate / Decimal::ONE_HUNDRED,
            None => group.net,
        };
        if let Some(figures) = months.get_mut(&group.period) {
            let slot = match group.bucket {
                Bucket::InProcess => 0,
                Bucket::Overdue => 1,
                Bucket::Paid => 2,
            };
            figures[slot] += amount;
        }
    }

    let shown = |amount: Decimal| billing::for_display(billing::round2(amount));
    let months: Vec<MonthEarnings> = months
        .into_iter()
        .map(|(period, [in_process, overdue, paid])| MonthEarnings {
            period,
            total: shown(in_process + overdue + paid),
            in_process: shown(in_process),
            overdue: shown(overdue),
            paid: shown(paid),
        })
        .collect();
    // Sums of figures already rounded to the cent: exact, nothing is rounded again.
    let column = |figure: fn(&MonthEarnings) -> Decimal| {
        billing::for_display(months.iter().map(figure).sum::<Decimal>())
    };
    let totals = EarningsTotals {
        total: column(|month| month.total),
        in_process: column(|month| month.in_process),
        overdue: column(|month| month.overdue),
        paid: column(|month| month.paid),
    };
    Ok(Earnings {
        from,
        to,
        current_month,
        include_vat: input.include_vat,
        months,
        totals,
    })
}
