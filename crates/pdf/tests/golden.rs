#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The reference invoice's first page, rendered by pdftoppm, against the committed image
//! tests/golden/invoice-page1.png. A layout change shows up here as a moved or changed block.
//!
//! When it differs, the new rendering is written to <target>/pdf-golden/invoice-page1.actual.png
//! to be looked at; if the change is intended, `UPDATE_GOLDEN=1 cargo test -p counterfoil-pdf
//! --test golden` rewrites the reference.
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

mod common;

use std::path::{Path, PathBuf};

use common::*;
use counterfoil_pdf::render;

/// Resolution of the comparison: enough to see every block, small enough to commit.
const DPI: &str = "60";
/// Grey levels (of 255) by which a pixel must differ to count as changed: above the noise of
/// antialiasing, below the difference between ink and paper.
const CHANGED_LEVELS: u8 = 64;
/// At most this share of the pixels may change (a moved line of text is several times more).
const MAX_CHANGED_SHARE: f64 = 0.0015;
/// And the mean difference per pixel must stay under this many grey levels.
const MAX_MEAN_DIFFERENCE: f64 = 1.0;

fn golden_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/invoice-page1.png")
}

fn artifact_path() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp; the artifact goes next to it.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("pdf-golden/invoice-page1.actual.png")
}

/// Page 1 of `pdf` as an 8-bit grey PNG file's bytes.
fn rasterize(pdf: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let prefix = dir.path().join("page");
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            DPI,
            "-gray",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(&path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(prefix.with_extension("png")).unwrap()
}

struct Difference {
    changed_share: f64,
    mean: f64,
}

fn compare(expected: &image::GrayImage, actual: &image::GrayImage) -> Option<Difference> {
    if expected.dimensions() != actual.dimensions() {
        return None;
    }
    let mut changed = 0usize;
    let mut total = 0u64;
    for (a, b) in expected.pixels().zip(actual.pixels()) {
        let difference = a.0[0].abs_diff(b.0[0]);
        total += u64::from(difference);
        if difference > CHANGED_LEVELS {
            changed += 1;
        }
    }
    let pixels = expected.pixels().len() as f64;
    Some(Difference {
        changed_share: changed as f64 / pixels,
        mean: total as f64 / pixels,
    })
}

fn gray(png: &[u8]) -> image::GrayImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_luma8()
}

#[test]
fn the_reference_invoice_looks_as_committed() {
    let png = rasterize(&render(&reference_invoice()).unwrap());
    let golden = golden_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|value| value == "1") {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &png).unwrap();
        println!("rewrote {}", golden.display());
    }
    let expected = std::fs::read(&golden).unwrap_or_else(|error| {
        panic!(
            "{} is missing ({error}); create it with UPDATE_GOLDEN=1",
            golden.display()
        )
    });
    assert!(
        expected.len() < 150 * 1024,
        "the golden image should stay small"
    );

    let difference = compare(&gray(&expected), &gray(&png));
    let acceptable = difference
        .as_ref()
        .is_some_and(|d| d.changed_share <= MAX_CHANGED_SHARE && d.mean <= MAX_MEAN_DIFFERENCE);
    if !acceptable {
        let artifact = artifact_path();
        std::fs::create_dir_all(artifact.parent().unwrap()).unwrap();
        std::fs::write(&artifact, &png).unwrap();
        let measured = match difference {
            Some(d) => format!(
                "{:.3}% of the pixels changed, mean difference {:.2}",
                d.changed_share * 100.0,
                d.mean
            ),
            None => "the image size changed".to_string(),
        };
        panic!(
            "page 1 of the reference invoice no longer looks like {} ({measured}); the new rendering \
             is {}. If the change is intended, run with UPDATE_GOLDEN=1.",
            golden.display(),
            artifact.display()
        );
    }
}

#[test]
fn the_comparison_catches_a_moved_block() {
    // The guard itself: the same invoice with its totals one row lower must fail the thresholds.
    let reference = gray(&rasterize(&render(&reference_invoice()).unwrap()));
    let mut moved = reference_invoice();
    moved.lines.push(line(
        "",
        rust_decimal::Decimal::ONE,
        rust_decimal::Decimal::ZERO,
    ));
    let moved = gray(&rasterize(&render(&with_totals(moved)).unwrap()));
    let difference = compare(&reference, &moved).unwrap();
    assert!(
        difference.changed_share > MAX_CHANGED_SHARE || difference.mean > MAX_MEAN_DIFFERENCE,
        "a moved totals block went unnoticed: {:.3}% changed, mean {:.2}",
        difference.changed_share * 100.0,
        difference.mean
    );
    // And identical renderings compare as equal.
    let again = gray(&rasterize(&render(&reference_invoice()).unwrap()));
    let same = compare(&reference, &again).unwrap();
    assert_eq!((same.changed_share, same.mean), (0.0, 0.0));
}
