// The app's commands: what the UI may call. Read by build.rs (which makes Tauri generate their
// `allow-*` permissions) and by lib.rs (whose test compares it with the capability file and
// with the handlers registered); keep it in step with `commands()` in lib.rs.
const COMMANDS: &[&str] = &[
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
    "sync_status",
    "sync_link",
    "sync_unlink",
    "sync_now",
    "sync_dismiss",
    "sync_server_id",
];
