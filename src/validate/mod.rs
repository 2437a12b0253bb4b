//! `reskontra validate`: check published files against the specification, and the privacy
//! scan that `convert` runs on every file it is about to publish.
//!
//! Any encoding and delimiter can be read; every deviation from `SPEC.md` is reported as an
//! error (the file does not follow the spec) or a warning (it does, but something needs a look).
//! Messages carry row numbers and never the offending values, since those may be personal.
//!
//! The parts: `findings` (what is found, and its printing), `walk` (which files a folder holds),
//! one module per format (`csv`, `json`, `parquet` with Hive partitions, `xlsx`), and `checks`
//! (the header and each row against the rules of [`crate::rules`]). This module reads a file's
//! first bytes and hands it to its format.

use crate::date::Period;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::read::encoding::first_visible_char;
use crate::read::parquet::damaged as damaged_parquet;
use crate::read::{Input, RawRow};
use std::path::{Path, PathBuf};

pub use crate::scan::personal_number_hits;

mod checks;
mod csv;
mod dcat;
mod findings;
mod json;
mod parquet;
mod walk;
mod xlsx;

pub use crate::rules::Severity;
pub use checks::variant_of;
use csv::validate_csv;
use findings::Findings;
pub use findings::{FileReport, Finding, Outcome, ROWS_SHOWN};
use json::{stream_json, validate_json_whole};
use parquet::validate_parquet;
pub use walk::{collect_every_file, files_to_validate, published_files};
use xlsx::validate_xlsx;

/// Validate files; a file that cannot be read is reported, not an error.
pub fn validate_files(files: &[PathBuf]) -> Result<Outcome> {
    validate_files_telling(files, &Progress::default())
}

/// [`validate_files`], telling `progress` which file is checked and how much of it is done.
pub fn validate_files_telling(files: &[PathBuf], progress: &Progress) -> Result<Outcome> {
    let mut out = Vec::new();
    for file in files {
        progress.stage(&format!("validating {}", crate::read::file_name(file)));
        out.push(match validate_file_telling(file, progress) {
            Ok(r) => r,
            Err(e) => FileReport {
                file: file.clone(),
                rows: 0,
                status: "unreadable".into(),
                format: None,
                // a pipe cannot be read again
                sha256: std::fs::metadata(file)
                    .is_ok_and(|m| m.is_file())
                    .then(|| crate::read::sha256_file(file).ok().map(|(sha, _)| sha))
                    .flatten(),
                unreadable: Some(e.to_string()),
                findings: Vec::new(),
            },
        });
    }
    Ok(Outcome { files: out })
}

/// Validate one file (CSV, JSON, Parquet or xlsx by its content). A CSV file is read a piece at
/// a time, so files of any size can be checked.
pub fn validate_file(path: &Path) -> Result<FileReport> {
    validate_file_telling(path, &Progress::default())
}

/// [`validate_file`], telling `progress` how much of the file is done.
pub fn validate_file_telling(path: &Path, progress: &Progress) -> Result<FileReport> {
    let input = Input::open(path, 1 << 16)?;
    let period_span = period_span_of(path);
    let (format, (findings, rows, sha256)) = if input.start().starts_with(b"PAR1") {
        let sha256 = input.sha256()?;
        // polars panics on some damaged Parquet files
        let (findings, rows) = crate::error::catch_panics(
            || match input.in_memory() {
                Some(bytes) => {
                    let open = || Ok(std::io::Cursor::new(bytes.clone()));
                    validate_parquet(path, open, period_span, progress)
                }
                None => {
                    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, e));
                    validate_parquet(path, open, period_span, progress)
                }
            },
            |message| damaged_parquet(path, &message),
        )?;
        ("parquet", (findings, rows, sha256))
    } else if input.start().starts_with(b"PK\x03\x04") {
        ("xlsx", validate_xlsx(path, input, period_span)?)
    } else if first_visible_char(input.start()) == Some('<') {
        // a DCAT catalogue in RDF/XML (small: read whole)
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let (findings, datasets) = dcat::check_catalogue(&bytes);
        (
            "dcat",
            (findings, datasets, crate::read::sha256_hex(&bytes)),
        )
    } else if matches!(first_visible_char(input.start()), Some('[') | Some('{')) {
        let bom = input.start().starts_with(b"\xEF\xBB\xBF");
        let checked = match stream_json(path, &input, bom, period_span, progress)? {
            Some(streamed) => streamed,
            None => {
                let sha256 = input.sha256()?;
                let (findings, rows) = validate_json_whole(path, input, period_span)?;
                (findings, rows, sha256)
            }
        };
        ("json", checked)
    } else {
        let checked = validate_csv(path, input, period_span, progress, &mut |_| Ok(()))?;
        ("csv", checked)
    };
    Ok(file_report(path, format, findings, rows, sha256))
}

/// Validate a CSV file as [`validate_file_telling`] does, handing each data row to `on_row` as
/// soon as it is checked (so before the whole file is known to be valid); returns the report
/// and the file's SHA-256, taken in the same read. A JSON file is an error.
pub(crate) fn validate_csv_file_with(
    path: &Path,
    progress: &Progress,
    on_row: &mut dyn FnMut(&RawRow) -> Result<()>,
) -> Result<(FileReport, String)> {
    let input = Input::open(path, 1 << 16)?;
    if matches!(first_visible_char(input.start()), Some('[') | Some('{')) {
        return Err(Error::input(path, "is JSON; a CSV file is needed here"));
    }
    let period_span = period_span_of(path);
    let (findings, rows, sha256) = validate_csv(path, input, period_span, progress, on_row)?;
    Ok((
        file_report(path, "csv", findings, rows, sha256.clone()),
        sha256,
    ))
}

/// The period a file's name gives: a span (`2024-01--2024-06`) or one month.
fn period_span_of(path: &Path) -> Option<(Period, Period)> {
    let name = crate::read::file_name(path);
    period_span(&name).or(Period::from_file_name(&name).map(|p| (p, p)))
}

/// A file's report from its findings.
fn file_report(
    path: &Path,
    format: &'static str,
    findings: Findings,
    rows: u64,
    sha256: String,
) -> FileReport {
    let findings = findings.into_vec();
    let invalid = findings.iter().any(|f| f.severity == Severity::Error);
    FileReport {
        file: path.to_path_buf(),
        rows,
        status: if invalid { "invalid" } else { "valid" }.into(),
        format: Some(format),
        sha256: Some(sha256),
        unreadable: None,
        findings,
    }
}

/// `...-YYYY-MM_YYYY-MM...` in a file name.
fn period_span(name: &str) -> Option<(Period, Period)> {
    let (a, b) = name.split_once('_')?;
    let first = Period::from_file_name(a)?;
    let last = Period::from_file_name(b)?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::checks::{has_many_decimals, is_amount, is_blank, is_iso_date, RowChecker};
    use super::parquet::{
        decimal_text, hive_keys, parquet_texts, partition_month, percent_decoded,
    };
    use super::*;
    use crate::spec::COLUMNS;
    use polars::prelude::{Column, DataType};

    #[test]
    fn partition_keys_and_month_from_the_path() {
        let path = Path::new("all/kopare_id=2120000142/ar=2024/manad=07/data.parquet");
        let keys = hive_keys(path);
        assert_eq!(
            keys,
            [
                ("kopare_id".to_string(), "2120000142".to_string()),
                ("ar".to_string(), "2024".to_string()),
                ("manad".to_string(), "07".to_string())
            ]
        );
        assert_eq!(partition_month(&keys), Period::parse("2024-07"));
        assert_eq!(partition_month(&keys[..2]), None);
        // engines escape characters that a folder name cannot hold
        assert_eq!(percent_decoded("A%2FB%20AB"), "A/B AB");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%C3%A5"), "%C3%A5"); // not ASCII: left as it is
    }

    #[test]
    fn parquet_dates_are_written_as_iso_dates() -> Result<()> {
        let days = [
            -800_000, -1, 0, 19_783, 19_784, 19_784, 2_932_896, 3_000_000,
        ];
        let column = Column::new("datum".into(), days).cast(&DataType::Date)?;
        let texts: Vec<Option<String>> = parquet_texts(&column)?
            .iter()
            .map(|t| t.map(str::to_string))
            .collect();
        let want: Vec<Option<String>> = days
            .iter()
            .map(|d| {
                let date = crate::date::date_from_days(*d);
                Some(date.format("%Y-%m-%d").to_string())
            })
            .collect();
        assert_eq!(texts, want);
        Ok(())
    }

    #[test]
    fn decimal_texts() {
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(0, 2), "0.00");
        assert_eq!(decimal_text(1005, 3), "1.005");
        assert_eq!(decimal_text(-42, 0), "-42");
    }

    #[test]
    fn amount_forms() {
        assert!(is_amount("0.00"));
        assert!(is_amount("-12.50"));
        assert!(!is_amount("12,50"));
        assert!(!is_amount("12.5"));
        assert!(!is_amount(".50"));
        assert!(!is_amount("1 200.00"));
        assert!(has_many_decimals("1.005"));
    }

    #[test]
    fn dates() {
        assert!(is_iso_date("2024-02-29").is_some());
        assert!(is_iso_date("2023-02-29").is_none());
        assert!(is_iso_date("20240229").is_none());
        // a sign or a space is no digit
        assert!(is_iso_date("-202-01-01").is_none());
        assert!(is_iso_date("+202-01-01").is_none());
        assert!(is_iso_date("2024-1-01 ").is_none());
        assert!(is_iso_date("2024-01-1å").is_none());
    }

    #[test]
    fn blank_values() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\u{a0}"));
        assert!(!is_blank("x"));
        assert!(!is_blank(" x"));
        assert!(!is_blank("Åkeri"));
    }

    proptest::proptest! {
        /// Every `YYYY-MM-DD` text is the date chrono makes of its numbers, or none.
        #[test]
        fn iso_dates_are_chronos(year in 0i32..10_000, month in 0u32..14, day in 0u32..33) {
            let text = format!("{year:04}-{month:02}-{day:02}");
            proptest::prop_assert_eq!(
                is_iso_date(&text),
                chrono::NaiveDate::from_ymd_opt(year, month, day)
            );
        }

        /// A row is a duplicate exactly when its values repeat an earlier row's.
        #[test]
        fn duplicates_are_repeated_rows(
            rows in proptest::collection::vec(
                proptest::collection::vec(proptest::option::of("[ab]{0,2}"), 15), 1..30)
        ) {
            let mut checker = RowChecker::new(None);
            let mut findings = Findings::default();
            let mut want = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let values: Vec<Option<&str>> = row.iter().map(Option::as_deref).collect();
                checker.check(i as u64 + 1, &values, &mut findings);
                if rows[..i].contains(row) {
                    want.push(i as u64 + 1);
                }
            }
            let got = findings
                .into_vec()
                .into_iter()
                .find(|f| f.check == "duplicate_row")
                .map(|f| (f.count, f.rows));
            let shown = want.iter().copied().take(ROWS_SHOWN).collect::<Vec<_>>();
            proptest::prop_assert_eq!(got, (!want.is_empty()).then_some((want.len() as u64, shown)));
        }
    }

    mod json_streaming {
        use super::*;
        use proptest::prelude::*;

        /// A JSON value for a spec column: a text (sometimes an amount, a date or a personal
        /// number), null, or a number.
        fn value() -> impl Strategy<Value = serde_json::Value> {
            prop_oneof![
                Just(serde_json::json!("Kontor AB")),
                Just(serde_json::json!("12.50")),
                Just(serde_json::json!("2024-03-01")),
                Just(serde_json::json!("8503142396")),
                Just(serde_json::Value::Null),
                Just(serde_json::json!(7)),
            ]
        }

        /// An element: an object with some of the spec keys (and sometimes another key), or a
        /// scalar.
        fn element() -> impl Strategy<Value = serde_json::Value> {
            prop_oneof![
                4 => (proptest::collection::vec(value(), 15), any::<u16>(), any::<bool>())
                    .prop_map(|(values, keep, extra)| {
                        let mut map = serde_json::Map::new();
                        for (i, (c, v)) in COLUMNS.iter().zip(values).enumerate() {
                            if keep >> (i % 16) & 1 == 1 || i > 13 {
                                map.insert(c.to_string(), v);
                            }
                        }
                        if extra {
                            map.insert("extra".into(), serde_json::json!("x"));
                        }
                        serde_json::Value::Object(map)
                    }),
                1 => Just(serde_json::json!(1)),
                1 => Just(serde_json::json!("text")),
            ]
        }

        /// A file: an array, an envelope, an object without results, results that are not an
        /// array, a scalar, or broken JSON; with or without a BOM, in UTF-8 or Windows-1252.
        fn file() -> impl Strategy<Value = Vec<u8>> {
            let rows = proptest::collection::vec(element(), 0..6);
            (rows, 0..6u8, any::<bool>(), any::<bool>()).prop_map(|(rows, shape, bom, latin)| {
                let rows = serde_json::Value::Array(rows);
                let text = match shape {
                    0 => rows.to_string(),
                    1 => serde_json::json!({"next": null, "results": rows}).to_string(),
                    2 => serde_json::json!({"next": null}).to_string(),
                    3 => serde_json::json!({"results": {"a": rows}}).to_string(),
                    4 => "[\"unterminated\"".to_string(),
                    _ => format!("{rows} trailing"),
                };
                let mut bytes = if bom {
                    b"\xEF\xBB\xBF".to_vec()
                } else {
                    Vec::new()
                };
                if latin {
                    // a Windows-1252 letter inside a string
                    bytes.extend(text.replacen("Kontor", "K\u{e5}ntor", 1).chars().map(|c| {
                        if c == '\u{e5}' {
                            0xE5
                        } else {
                            c as u8
                        }
                    }));
                } else {
                    bytes.extend(text.bytes());
                }
                bytes
            })
        }

        fn outcome(r: Result<(Findings, u64)>) -> std::result::Result<(Vec<Finding>, u64), String> {
            r.map(|(f, n)| (f.into_vec(), n)).map_err(|e| e.to_string())
        }

        proptest! {
            /// Validating a JSON file as it is parsed gives the findings (or the error) of
            /// reading it whole.
            #[test]
            fn streaming_agrees_with_reading_whole(bytes in file()) {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("leverantorsreskontra-2024-03.json");
                std::fs::write(&path, &bytes).unwrap();
                let span = Period::from_file_name("leverantorsreskontra-2024-03.json")
                    .map(|p| (p, p));
                let input = Input::open(&path, 1 << 16).unwrap();
                let bom = input.start().starts_with(b"\xEF\xBB\xBF");
                let whole = outcome(validate_json_whole(&path, Input::open(&path, 1 << 16).unwrap(), span));
                match stream_json(&path, &input, bom, span, &Progress::default()).unwrap() {
                    Some((findings, rows, sha256)) => {
                        prop_assert_eq!(sha256, crate::read::sha256_hex(&bytes));
                        prop_assert_eq!(outcome(Ok((findings, rows))), whole);
                    }
                    // only what the whole reading refuses, or reads in another encoding, or
                    // with another shape, is left to it
                    None => prop_assert!(
                        whole.is_err()
                            || bytes.contains(&0xE5)
                    ),
                }
            }
        }
    }
}
