//! The book itself: what the UI needs to know about it, and its simulated clock.

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BookInfo {
    pub path: String,
    pub schema_version: u32,
    #[ts(type = "string")]
    pub now: DateTime<Utc>,
    pub simulated_clock: bool,
}

/// Moves a simulated clock forward and runs every billing job on the way (`serve --clock`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AdvanceClock {
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
}
