//! The daily billing of the open book, and the progress of a catch-up for the window.
//!
//! A book opened after days closed (the demo book, or the app not started for a while) has
//! every missed day billed before anything else, oldest first. That can take seconds, so the
//! days are billed one at a time, each in its own transaction and with the book's lock taken
//! for that day only: the window stays usable between days, shows "day n of N" and can cancel.
//! Cancel stops after the current day and pauses the catch-up until the user resumes it (or
//! the app starts again): no day is ever skipped, only postponed.

use crate::{lock, Shared};
use chrono::{DateTime, Utc};
use counterfoil_engine::{bill_day, billing_days_due, next_job_instant, Actor};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::{Emitter, Runtime};

/// The event the window listens to for [`BillingProgress`].
pub const PROGRESS_EVENT: &str = "billing-progress";

/// How often the window hears of days billed: a day can take a millisecond, and an event per
/// day would keep the page busy redrawing the bar. Start, pause, failure and end always tell.
pub(crate) const REPORT_EVERY: Duration = Duration::from_millis(200);

/// Where the billing catch-up stands.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct BillingProgress {
    /// A catch-up is billing days now.
    pub running: bool,
    /// Days of this catch-up billed so far.
    pub done: usize,
    /// Days this catch-up bills (0: the book is up to date).
    pub total: usize,
    /// The day billed last, YYYY-MM-DD.
    pub day: Option<String>,
    /// Cancelled: the days after `day` wait until Resume or the next start.
    pub paused: bool,
    /// Why the last day could not be billed; tried again at the next job.
    pub error: Option<String>,
}

/// How a catch-up ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every day due is billed; the next job is due at this instant.
    UpToDate(DateTime<Utc>),
    /// A day failed; try again at this instant.
    Failed(DateTime<Utc>),
    /// The user cancelled: wait for Resume.
    Paused,
    /// No book is open.
    NoBook,
    /// Another book was opened meanwhile: start over on it.
    Switched,
}

/// Bills every day due on the open book, one day at a time, telling `report` before the first
/// day, after days billed (at most once per `every`), and at the end. Blocks: run it off the
/// async threads.
pub(crate) fn catch_up(
    shared: &Shared,
    report: &dyn Fn(&BillingProgress),
    every: Duration,
) -> Outcome {
    let mut tell = Teller {
        shared,
        report,
        every,
        last: None,
    };
    let actor = Actor::new("daily billing");
    // A cancel that came when nothing ran is not meant for this catch-up.
    shared.cancel_billing.store(false, Ordering::SeqCst);
    let (path, now, due) = {
        let slot = lock(&shared.book);
        let Some(book) = slot.as_ref() else {
            return Outcome::NoBook;
        };
        let now = book.now();
        match billing_days_due(book, now) {
            Ok(due) => (book.path().to_path_buf(), now, due),
            Err(error) => {
                drop(slot);
                return failed(&mut tell, BillingProgress::default(), &error, now);
            }
        }
    };
    let mut progress = BillingProgress {
        running: !due.is_empty(),
        total: due.len(),
        ..BillingProgress::default()
    };
    tell.at_once(&progress);
    for day in due {
        if shared.cancel_billing.swap(false, Ordering::SeqCst) {
            progress.running = false;
            progress.paused = true;
            tell.at_once(&progress);
            tracing::info!(
                billed = progress.done,
                left = progress.total - progress.done,
                "billing catch-up paused"
            );
            return Outcome::Paused;
        }
        let billed = {
            let mut slot = lock(&shared.book);
            match slot.as_mut() {
                Some(book) if book.path() == path => bill_day(book, &actor, day),
                _ => return Outcome::Switched,
            }
        };
        if let Err(error) = billed {
            return failed(&mut tell, progress, &error, now);
        }
        progress.done += 1;
        progress.day = Some(day.to_string());
        tell.throttled(&progress);
    }
    progress.running = false;
    tell.at_once(&progress);
    if progress.total > 0 {
        tracing::info!(days = progress.total, "billed");
    }
    Outcome::UpToDate(next_job_instant(now))
}

fn failed(
    tell: &mut Teller,
    mut progress: BillingProgress,
    error: &counterfoil_engine::ApiError,
    now: DateTime<Utc>,
) -> Outcome {
    progress.running = false;
    progress.error = Some(error.message.clone());
    tell.at_once(&progress);
    if error.code == counterfoil_engine::ErrorCode::Conflict {
        // Another process bills the book (or holds it busy): look again shortly.
        tracing::info!(%error, "not billed now; trying again in a minute");
        return Outcome::Failed(now + chrono::Duration::minutes(1));
    }
    tracing::error!(%error, "the billing run failed; it will be retried");
    Outcome::Failed(next_job_instant(now))
}

/// Keeps the shared progress current and tells the window: at once, or for days billed at
/// most once per `every`.
struct Teller<'a> {
    shared: &'a Shared,
    report: &'a dyn Fn(&BillingProgress),
    every: Duration,
    last: Option<Instant>,
}

impl Teller<'_> {
    fn at_once(&mut self, progress: &BillingProgress) {
        *lock(&self.shared.billing) = progress.clone();
        self.last = Some(Instant::now());
        (self.report)(progress);
    }

    fn throttled(&mut self, progress: &BillingProgress) {
        if self.last.is_some_and(|last| last.elapsed() < self.every) {
            *lock(&self.shared.billing) = progress.clone();
        } else {
            self.at_once(progress);
        }
    }
}

/// Tells the window each change of the catch-up's progress.
pub(crate) type Report = Arc<dyn Fn(&BillingProgress) + Send + Sync>;

/// The [`Report`] that sends [`PROGRESS_EVENT`] to the app's windows.
pub(crate) fn to_windows<R: Runtime>(app: tauri::AppHandle<R>) -> Report {
    Arc::new(move |progress| {
        if let Err(error) = app.emit(PROGRESS_EVENT, progress) {
            tracing::warn!(%error, "could not tell the window the billing progress");
        }
    })
}

/// Bills the open book now and then at every job instant, follows a switch to another book,
/// and waits for Resume after a cancel. Runs as long as the app.
pub(crate) async fn bill_daily(shared: Arc<Shared>, report: Report) {
    loop {
        let billing = Arc::clone(&shared);
        let report = Arc::clone(&report);
        let outcome = tauri::async_runtime::spawn_blocking(move || {
            catch_up(&billing, report.as_ref(), REPORT_EVERY)
        })
        .await;
        let next = match outcome {
            Ok(Outcome::UpToDate(next) | Outcome::Failed(next)) => next,
            Ok(Outcome::Switched) => continue,
            Ok(Outcome::Paused) => {
                tokio::select! {
                    () = shared.resume_billing.notified() => {}
                    () = shared.switched.notified() => {}
                }
                continue;
            }
            Ok(Outcome::NoBook) => {
                shared.switched.notified().await;
                continue;
            }
            Err(error) => {
                tracing::error!(%error, "the daily billing task failed");
                return;
            }
        };
        let now = lock(&shared.book).as_ref().map(|book| book.now());
        let wait = now
            .and_then(|now| (next - now).to_std().ok())
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.switched.notified() => {}
            () = shared.resume_billing.notified() => {}
        }
    }
}
