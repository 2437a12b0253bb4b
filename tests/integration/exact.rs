//! Exact values through the whole run: an amount or a date is published as it was written or
//! rejected with its reason in internal/rejected.csv, never reinterpreted; rows and amounts
//! still reconcile.

use crate::common::*;
use std::path::Path;

const HEADER: &str = "kopare_id,kopare,verifikationsnummer,leverantor,leverantor_id,konto_nr,konto_text,belopp,datum,forvaltning,fakturanummer,grund,avtal,kommun_id,s_kod_nr";

/// A spec 1.1 row with this amount and date (quoted, so commas stay in the cell).
fn spec_row(n: usize, belopp: &str, datum: &str) -> String {
    format!(
        "2120000142,Exempelby kommun,V{n},Kontorsvaror AB,5566101233,6110,Kontorsmateriel,\"{belopp}\",\"{datum}\",KS,F{n},,,0180,"
    )
}

/// A spec 1.1 file of rows (amount, date) in `dir`, named for May 2024.
fn spec_file(dir: &Path, rows: &[(&str, &str)]) -> std::path::PathBuf {
    let mut text = format!("{HEADER}\n");
    for (i, (belopp, datum)) in rows.iter().enumerate() {
        text.push_str(&spec_row(i + 1, belopp, datum));
        text.push('\n');
    }
    let path = dir.join("leverantorsreskontra-2024-05.csv");
    std::fs::write(&path, text).expect("write input");
    path
}

/// Convert and return (report, published CSV rows as (belopp, datum), rejected.csv text).
fn run(
    input: &Path,
    out: &Path,
    args: &[&str],
) -> (serde_json::Value, Vec<(String, String)>, String) {
    convert_ok(input, out, args);
    let report = report(out);
    let csv = std::fs::read_to_string(published(out, "csv")).expect("csv");
    let rows = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[7].to_string(), r[8].to_string())
        })
        .collect();
    let rejected = std::fs::read_to_string(out.join("internal/rejected.csv")).expect("rejected");
    (report, rows, rejected)
}

fn assert_reconciles(report: &serde_json::Value) {
    let rows = &report["rows"];
    let n = |k: &str| rows[k].as_u64().expect("count");
    assert_eq!(n("read"), n("published") + n("withheld") + n("rejected"));
}

/// The rejected.csv line of a source line, with its reason.
fn rejected_line(rejected: &str, line: u64) -> &str {
    rejected
        .lines()
        .find(|l| l.split(',').nth(1) == Some(&line.to_string()))
        .unwrap_or_else(|| panic!("line {line} not in rejected.csv:\n{rejected}"))
}

#[test]
fn malformed_groupings_are_rejected_with_their_reason() {
    let dir = temp();
    let input = spec_file(
        dir.path(),
        &[
            ("1250.00", "2024-05-02"),
            ("12.34.56", "2024-05-02"),
            ("1.23,45", "2024-05-03"),
            ("1 234,56", "2024-05-03"),
        ],
    );
    let out = dir.path().join("out");
    let (report, rows, rejected) = run(&input, &out, &[]);
    assert_eq!(
        rows,
        vec![
            ("1250.00".to_string(), "2024-05-02".to_string()),
            ("1234.56".to_string(), "2024-05-03".to_string())
        ]
    );
    for line in [3, 4] {
        assert!(
            rejected_line(&rejected, line).contains("belopp: malformed digit grouping"),
            "{rejected}"
        );
    }
    assert_reconciles(&report);
}

#[test]
fn an_ambiguous_amount_is_read_by_the_file_or_rejected_with_how_to_resolve_it() {
    let dir = temp();
    // the file writes 1,234.56: its 1,234 is one thousand two hundred thirty-four
    let input = spec_file(
        dir.path(),
        &[("1,234", "2024-05-02"), ("1,234.56", "2024-05-02")],
    );
    let out = dir.path().join("out");
    let (report, rows, _) = run(&input, &out, &[]);
    assert_eq!(rows[0].0, "1234.00");
    assert_eq!(rows[1].0, "1234.56");
    let convention = &report["amount_conventions"][0];
    assert_eq!(convention["decimal_mark"], "point");
    assert_eq!(convention["ambiguous_read"], 1);
    assert!(report["warnings"].to_string().contains("ambiguous amounts"));

    // nothing else in the file says: rejected, and the reason says what to do
    let other = temp();
    let input = spec_file(
        other.path(),
        &[("1,234", "2024-05-02"), ("500", "2024-05-02")],
    );
    let out = other.path().join("out");
    let (report, rows, rejected) = run(&input, &out, &[]);
    assert_eq!(rows.len(), 1);
    let line = rejected_line(&rejected, 2);
    assert!(
        line.contains("belopp: ambiguous") && line.contains("--decimal-mark"),
        "{line}"
    );
    assert_eq!(report["amount_conventions"][0]["decimal_mark"], "unknown");
    assert_reconciles(&report);

    // --decimal-mark resolves it, and the report records the option
    let out = other.path().join("out-point");
    let (report, rows, _) = run(&input, &out, &["--decimal-mark", "point"]);
    assert_eq!(rows[0].0, "1234.00");
    assert_eq!(report["options"]["decimal_mark"], "point");
    assert_eq!(
        report["amount_conventions"][0]["basis"],
        "declared by --decimal-mark"
    );
    let out = other.path().join("out-comma");
    let (_, rows, _) = run(&input, &out, &["--decimal-mark", "comma"]);
    assert_eq!(rows[0].0, "1.23");
}

#[test]
fn the_convention_does_not_depend_on_the_batches() {
    // the ambiguous values come first and the telling value far later: every batch size
    // gives the same files
    let dir = temp();
    let mut rows: Vec<(&str, &str)> = vec![("2,500", "2024-05-02"); 7];
    rows.push(("99", "2024-05-03"));
    rows.push(("1 234,50", "2024-05-04"));
    rows.push(("3,125", "2024-05-04"));
    let input = spec_file(dir.path(), &rows);
    let whole = dir.path().join("whole");
    let (report, published_rows, _) = run(&input, &whole, &["--formats", "csv,json"]);
    assert_eq!(published_rows[0].0, "2.50");
    assert_eq!(published_rows[9].0, "3.13");
    assert_eq!(report["amount_conventions"][0]["ambiguous_read"], 8);
    for batch in ["1", "2", "3"] {
        let out = dir.path().join(format!("batch-{batch}"));
        convert_ok(
            &input,
            &out,
            &["--formats", "csv,json", "--batch-rows", batch],
        );
        for ext in ["csv", "json"] {
            assert_eq!(
                std::fs::read(published(&out, ext)).expect("out"),
                std::fs::read(published(&whole, ext)).expect("whole"),
                "--batch-rows {batch} {ext}"
            );
        }
        assert_eq!(
            std::fs::read(out.join("internal/rejected.csv")).expect("rejected"),
            std::fs::read(whole.join("internal/rejected.csv")).expect("rejected")
        );
    }
}

/// A copy of the city-csv layout with extra `[read]` keys.
fn city_layout(dir: &Path, extra: &str) -> String {
    let text = std::fs::read_to_string(root().join("mappings/city-csv.toml")).expect("layout");
    let text = text.replace(
        "decimal_mark = \"comma\"",
        &format!("decimal_mark = \"comma\"\n{extra}"),
    );
    let path = dir.join("city.toml");
    std::fs::write(&path, text).expect("write layout");
    path.display().to_string()
}

fn city_file(dir: &Path, amounts: &[&str]) -> std::path::PathBuf {
    let mut text = String::from(
        "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp\n",
    );
    for (i, a) in amounts.iter().enumerate() {
        text.push_str(&format!(
            "Park;Grönyteproffs AB;556722-3457;{i};4010;Material;{a}\n"
        ));
    }
    let path = dir.join("leverantorsfakturor-202405.csv");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn a_declared_decimal_comma_is_a_promise() {
    let dir = temp();
    let input = city_file(dir.path(), &["12 345,67", "1234.56", "1.234", "1,5"]);
    let out = dir.path().join("out");
    let (report, rows, rejected) = run(&input, &out, BUYER);
    let amounts: Vec<&str> = rows.iter().map(|(b, _)| b.as_str()).collect();
    // 1.234 in a comma layout has a thousands point: 1234
    assert_eq!(amounts, ["12345.67", "1234.00", "1.50"]);
    let line = rejected_line(&rejected, 3);
    assert!(
        line.contains("written with a decimal point but the layout declares a decimal comma"),
        "{line}"
    );
    assert_reconciles(&report);

    // the layout opts in: read as written, and counted
    let layout = city_layout(dir.path(), "mixed_decimal_marks = true");
    let out = dir.path().join("mixed");
    let mut args = BUYER.to_vec();
    args.extend(["--layout", &layout]);
    let (report, rows, _) = run(&input, &out, &args);
    assert_eq!(rows[1].0, "1234.56");
    assert_eq!(report["normalise"]["amounts_with_other_mark"], 1);
    assert!(report["warnings"]
        .to_string()
        .contains("mixed_decimal_marks"));
}

#[test]
fn dates_are_read_as_written_or_rejected() {
    let dir = temp();
    let input = spec_file(
        dir.path(),
        &[
            ("10.00", "5 mars 2024"),
            ("11.00", "5 mar 2024"),
            ("12.00", "12 maj"),
            ("13.00", "3 st"),
            ("14.00", "1899-12-31"),
            ("15.00", "9999-12-31"),
            ("16.00", "45292"),
            ("17.00", "2024-05-31 00:00:00"),
        ],
    );
    let out = dir.path().join("out");
    let (report, rows, rejected) = run(&input, &out, &[]);
    let dates: Vec<&str> = rows.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(dates, ["2024-03-05", "2024-03-05", "2024-05-31"]);
    let reasons = [
        (4, "datum: a day and month without a year"),
        (5, "datum: not a date"),
        (6, "datum: date before 1900 or after 2100"),
        (7, "datum: date before 1900 or after 2100"),
        (8, "datum: a bare number is not a date"),
    ];
    for (line, reason) in reasons {
        assert!(
            rejected_line(&rejected, line).contains(reason),
            "line {line}: {rejected}"
        );
    }
    // the outputs are named for the months published, never 1899 or 9999
    let name = published(&out, "csv");
    assert!(
        name.ends_with("leverantorsreskontra-2024-03_2024-05.csv"),
        "{}",
        name.display()
    );
    assert_reconciles(&report);
}

#[test]
fn a_bare_number_is_a_date_only_where_the_layout_says_so() {
    let dir = temp();
    let input = spec_file(dir.path(), &[("10.00", "45413")]);
    let layout = std::fs::read_to_string(root().join("mappings/spec-1.1.toml"))
        .expect("layout")
        .replace("[read]", "[read]\nserial_dates = true");
    let layout_path = dir.path().join("serial.toml");
    std::fs::write(&layout_path, layout).expect("write layout");
    let out = dir.path().join("out");
    let (_, rows, _) = run(
        &input,
        &out,
        &["--layout", &layout_path.display().to_string()],
    );
    assert_eq!(rows[0].1, "2024-05-01");
}

#[test]
fn dates_far_from_the_period_are_warned_about() {
    let dir = temp();
    let input = spec_file(
        dir.path(),
        &[
            ("10.00", "2024-05-02"),
            ("11.00", "2024-05-03"),
            ("12.00", "2021-05-03"),
            ("13.00", "2030-01-01"),
        ],
    );
    let out = dir.path().join("out");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run");
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    let expected = "2 rows are dated more than a year from 2024-05 (the file name); the first at lines/rows 4, 5";
    assert!(stderr.contains(expected), "{stderr}");
    assert!(report(&out)["warnings"].to_string().contains(expected));
}
