// A build script reports failure by panicking.
#![allow(clippy::expect_used)]

fn main() {
    // Declaring the app's commands makes Tauri generate `allow-call` and the others, which the
    // capability in capabilities/default.json grants; any command not declared is unreachable
    // from the UI.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "call",
        "open_invoice_pdf",
        "save_invoice_pdf",
        "book_choice",
        "open_demo_book",
        "create_book",
        "open_book",
        "new_book",
        "billing_progress",
        "cancel_billing",
        "resume_billing",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}
