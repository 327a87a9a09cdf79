//! How WebKitGTK draws the window on Linux.
//!
//! Without a GPU, WebKit's accelerated compositing runs OpenGL in software (Mesa's llvmpipe)
//! and keeps its layers in memory: measured on the demo book, the page process used 217 MB
//! (PSS) with it and 113 MB without, with no visible difference. So on a machine with no GPU
//! render node the app asks WebKit not to composite; with a GPU, WebKit's own choice stands.
//! A value the user set for the variable is always kept (`WEBKIT_DISABLE_COMPOSITING_MODE=0`
//! turns compositing back on).
//!
//! Without compositing, WebKit's snapshot API (what WebKitWebDriver's screenshots use) never
//! answers; the window itself draws and repaints normally, so the desktop tests capture the X
//! display instead (tests/desktop/driver.mjs).

use std::path::Path;

const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Call first thing in `run`, before any thread starts: WebKit reads the variable when its
/// processes start, and it is inherited by them.
pub fn choose_compositing() {
    if cfg!(target_os = "linux")
        && std::env::var_os(VARIABLE).is_none()
        && !has_gpu(Path::new("/dev/dri"))
    {
        std::env::set_var(VARIABLE, "1");
    }
}

/// A DRM render node (`/dev/dri/renderD128`…) is what WebKit would draw with on the GPU.
fn has_gpu(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
    #![allow(clippy::disallowed_methods)] // fixture files only

    use super::*;

    #[test]
    fn a_render_node_means_a_gpu() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_gpu(dir.path()), "an empty /dev/dri has no GPU");
        assert!(
            !has_gpu(&dir.path().join("missing")),
            "no /dev/dri at all has no GPU"
        );
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(
            !has_gpu(dir.path()),
            "a display card without a render node is not drawn on"
        );
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(has_gpu(dir.path()));
    }
}
