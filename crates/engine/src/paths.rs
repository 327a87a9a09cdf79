//! Where books live by default: the per-user data directory the desktop app uses (Tauri's
//! `app_data_dir` for the identifier in tauri.conf.json), shared by the CLI.

use std::path::PathBuf;

/// Must equal `identifier` in tauri.conf.json, so the desktop app and the CLI agree.
pub const APP_IDENTIFIER: &str = "app.counterfoil.desktop";

/// `<data dir>/app.counterfoil.desktop/counterfoil.book` (on Linux under ~/.local/share).
pub fn default_book_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from_path(PathBuf::from(APP_IDENTIFIER))?;
    Some(dirs.data_dir().join("counterfoil.book"))
}
