//! Invoice PDFs (billing-rules.md §11). Not built yet: this crate holds its place in the
//! workspace so the dependency direction (engine → pdf) is fixed from the start.
