//! Every scenario in tests/scenarios/ played by the real engine, compared with its expected
//! output (`NAME.json` → `NAME.expected.json`). A new or changed expectation is written with
//! `UPDATE_SCENARIOS=1 cargo test --test scenarios` and must then be checked by hand against
//! docs/billing-rules.md before it is committed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use std::path::{Path, PathBuf};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "json")
                && !path.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_scenario_gives_its_expected_output() {
    let files = scenario_files();
    assert!(
        !files.is_empty(),
        "tests/scenarios/ holds the billing scenarios"
    );
    let update = std::env::var_os("UPDATE_SCENARIOS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let output = counterfoil_engine::scenario::run_scenario(&text, &dir.path().join("s.book"))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let rendered = serde_json::to_string_pretty(&output).unwrap() + "\n";
        let expected_path = file.with_extension("expected.json");
        if update {
            std::fs::write(&expected_path, &rendered).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            failures.push(format!("{}:\n{rendered}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "scenarios whose output changed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_malformed_scenario_names_the_step_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let run = |text: &str| {
        counterfoil_engine::scenario::run_scenario(text, &dir.path().join("bad.book"))
            .unwrap_err()
            .to_string()
    };
    assert!(run("{not json").contains("not valid JSON"));
    let missing_plan = r#"{"steps": [{"at": "2025-01-01T00:00:00Z", "do": "subscribe",
        "account": "a", "ref": "x"}], "until": "2025-02-01T00:00:00Z"}"#;
    assert_eq!(
        run(missing_plan),
        "step 0 (subscribe): missing field `plan`"
    );
    let unknown = r#"{"steps": [{"at": "2025-01-01T00:00:00Z", "do": "teleport"}],
        "until": "2025-02-01T00:00:00Z"}"#;
    assert_eq!(run(unknown), "step 0: unknown action `do`: \"teleport\"");
    let bad_at = r#"{"steps": [{"at": "yesterday", "do": "cancel", "application": "a"}],
        "until": "2025-02-01T00:00:00Z"}"#;
    assert!(run(bad_at).starts_with("step 0: field `at`"));
}
