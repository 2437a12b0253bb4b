//! Every input kept in fuzz/regressions/<target>/ (crashes the fuzzers found, and tricky seeds)
//! runs through its parser here: none may panic, and the parsers' invariants hold.

use crate::common::root;
use reskontra::amount::{format_amount, parse_amount, DecimalMark};
use reskontra::ident::{find_personal_numbers, redact_personal_numbers};
use reskontra::read::{
    delimited::read_delimited, delimited::read_delimited_head, sie::read_sie,
    sie::read_sie_in_pieces, sie::SieAccounts, workbook::read_workbook, ReadOptions,
};
use std::path::Path;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = root().join("fuzz/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("regressions folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{target}: no regression inputs");
    files
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect()
}

#[test]
fn delimited_regressions() {
    let (path, options) = (Path::new("r.csv"), ReadOptions::default());
    let in_pieces = ReadOptions {
        piece_bytes: Some(7),
        ..ReadOptions::default()
    };
    for data in inputs("delimited") {
        let whole = read_delimited(path, &data, &options);
        // a head of two rows, then the rest batch by batch, the text read seven bytes at a
        // time: the rows of one pass
        let streamed = read_delimited_head(path, data.clone(), &in_pieces, 2).and_then(|mut t| {
            t.read_rest()?;
            Ok(t)
        });
        assert_eq!(whole.is_ok(), streamed.is_ok());
        if let (Ok(whole), Ok(streamed)) = (whole, streamed) {
            assert!(whole.rows.windows(2).all(|w| w[0].line <= w[1].line));
            assert!(whole.rows == streamed.rows);
        }
    }
}

#[test]
fn workbook_regressions() {
    for data in inputs("workbook") {
        for name in ["r.xlsx", "r.xls", "r.ods"] {
            assert!(read_workbook(Path::new(name), data.clone(), &ReadOptions::default()).is_err());
        }
    }
}

#[test]
fn amount_regressions() {
    for data in inputs("amount") {
        let text = String::from_utf8_lossy(&data);
        if let Ok(a) = parse_amount(&text, DecimalMark::Auto) {
            let again =
                parse_amount(&format_amount(a.value), DecimalMark::Point).expect("re-parses");
            assert_eq!(again.value, a.value);
            // what auto reads, a declared mark reads the same
            let comma = parse_amount(&text, DecimalMark::Comma).map(|c| c.value);
            let point = parse_amount(&text, DecimalMark::Point).map(|p| p.value);
            assert!(comma == Ok(a.value) || point == Ok(a.value), "{text:?}");
        }
    }
}

#[test]
fn date_regressions() {
    for data in inputs("date") {
        if let Ok(d) = reskontra::date::parse_date(&String::from_utf8_lossy(&data)) {
            assert!(reskontra::date::YEARS.contains(&chrono::Datelike::year(&d.date)));
            let iso = d.date.to_string();
            assert_eq!(
                reskontra::date::parse_date(&iso).expect("re-parses").date,
                d.date
            );
        }
    }
}

#[test]
fn ident_regressions() {
    for data in inputs("ident") {
        let text = String::from_utf8_lossy(&data);
        let (clean, _) = redact_personal_numbers(&text, "[X]");
        assert!(find_personal_numbers(&clean).is_empty());
    }
}

#[test]
fn sie_regressions() {
    let (path, accounts) = (Path::new("r.se"), SieAccounts::default());
    for data in inputs("sie") {
        let whole = read_sie(path, &data, &accounts);
        // seven bytes at a time, a head of two rows: the table of one piece
        let pieces = read_sie_in_pieces(path, &data, &accounts, 2, 7);
        assert_eq!(whole.is_ok(), pieces.is_ok());
        if let (Ok(whole), Ok(pieces)) = (whole, pieces) {
            assert!(whole.rows == pieces.rows);
            assert_eq!(whole.pre_skipped, pieces.pre_skipped);
        }
    }
}

/// Damaged Parquet files that made polars panic (found by mutating a published Parquet file):
/// `validate` reports each as unreadable (exit 2) and prints no panic.
#[test]
fn parquet_regressions() {
    let dir = crate::common::temp();
    for (i, data) in inputs("parquet").into_iter().enumerate() {
        let path = dir.path().join(format!("damaged-{i}.parquet"));
        std::fs::write(&path, data).expect("write");
        let run = crate::common::reskontra()
            .arg("validate")
            .arg(&path)
            .output()
            .expect("run");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr),
        );
        assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
        assert!(stdout.contains("not a readable Parquet file"), "{stdout}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
