// A build script reports failure by panicking.
#![allow(clippy::expect_used)]

include!("commands.rs");

fn main() {
    // Declaring the app's commands makes Tauri generate `allow-call` and the others, which the
    // capability in capabilities/default.json grants; any command not declared is unreachable
    // from the UI.
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    println!("cargo:rerun-if-changed=src-tauri/commands.rs");
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
