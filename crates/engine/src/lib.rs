//! The Counterfoil engine: one book (a SQLite file), every operation on it as one transaction
//! with its audit record, and the single operation list the shells expose.
//!
//! Shells (desktop, server, CLI) call [`Book::open`] and [`operations::dispatch`]; nothing else.

#[cfg(feature = "bench-support")]
pub mod bench_support;
pub mod billing_lock;
pub mod bindings;
pub mod book;
pub mod clock;
pub mod error;
pub mod files;
pub mod gateway;
pub mod input;
pub mod model;
pub mod operations;
mod ops;
pub mod paths;
pub mod scenario;
mod store;
pub mod sync;

pub use billing_lock::LockWait;
pub use book::{Actor, Book, OpenError, SCHEMA_VERSION};
pub use clock::Clock;
pub use error::{ApiError, ErrorCode, FieldError, Reason};
pub use operations::{
    dispatch, dispatch_read, is_read_operation, op, operation_group, operation_sync_class,
    OperationGroup, SyncClass, OPERATION_NAMES,
};
pub use ops::applications::generated_user_key;
pub use ops::billing_run::{
    bill_day, billing_days_due, catch_up_step, next_job_instant, run_billing_until,
    run_billing_until_with_progress, BillingCounts, BillingRunReport, CatchUp, JobReport,
};
pub use ops::charging::charge_due_invoices;
pub use ops::charging::NO_PAYMENT_GATEWAY;
pub use ops::derived_system_name;
pub use ops::pdfs::TEST_BOOK_NOTE;
pub use ops::pdfs::{file_name as invoice_pdf_file_name, invoice_pdf, stored_or_new_invoice_pdf};
pub use ops::tokens::{authenticate_token, token_by_value};
pub use ops::usage_import::import_usage_rows;
pub use ops::users::{
    finish_sign_in, session_user, sign_in_wait, start_sign_in, CheckedPassword, PasswordCheck,
    SignIn, SignInStart, FAILED_SIGN_INS_BEFORE_WAITING, LONGEST_SIGN_IN_WAIT, MIN_PASSWORD_CHARS,
};
