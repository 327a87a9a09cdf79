//! Time is passed into the engine. Shells give it the system clock; tests and scenarios give it
//! a simulated one they can move forward.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex, PoisonError};

/// Where the engine gets "now" from.
#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    Function(fn() -> DateTime<Utc>),
    Simulated(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A clock that asks `now` each time; shells pass `chrono::Utc::now`.
    pub fn from_fn(now: fn() -> DateTime<Utc>) -> Clock {
        Clock(Source::Function(now))
    }

    /// A simulated clock standing at `start` until [`Clock::set`] moves it.
    pub fn simulated(start: DateTime<Utc>) -> Clock {
        Clock(Source::Simulated(Arc::new(Mutex::new(start))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::Function(now) => now(),
            Source::Simulated(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a simulated clock to `instant`; returns false (and does nothing) for a real clock.
    pub fn set(&self, instant: DateTime<Utc>) -> bool {
        match &self.0 {
            Source::Function(_) => false,
            Source::Simulated(at) => {
                *at.lock().unwrap_or_else(PoisonError::into_inner) = instant;
                true
            }
        }
    }

    pub fn is_simulated(&self) -> bool {
        matches!(self.0, Source::Simulated(_))
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now().to_rfc3339())
    }
}
