//! The Excel copy (`--formats xlsx`): its cells' types read back with calamine, its bytes, the
//! privacy scan and `validate` of xlsx files, and the year dataset's copy.

use crate::common::*;
use calamine::{Data, Reader, Xlsx};
use reskontra::spec::COLUMNS;
use std::path::{Path, PathBuf};

/// The sample with a formula-like supplier name (`=HYPERLINK(...)`), converted with
/// `--formats csv,xlsx` into `out`; returns the CSV and the xlsx.
fn convert_to_xlsx(out: &Path) -> (PathBuf, PathBuf) {
    let sample = sample("municipality-report-dated");
    let run = reskontra()
        .arg("convert")
        .args(&sample.inputs)
        .args(&sample.args)
        .arg("-o")
        .arg(out)
        .args(["--formats", "csv,xlsx", "--quiet"])
        .output()
        .expect("run reskontra");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    (published(out, "csv"), published(out, "xlsx"))
}

/// The rows of a CSV file, header included.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("open csv")
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// The cells of the workbook's sheet.
fn sheet(path: &Path) -> (Vec<String>, calamine::Range<Data>, calamine::Range<String>) {
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).expect("open xlsx");
    let names = workbook.sheet_names();
    let cells = workbook.worksheet_range(&names[0]).expect("sheet");
    let formulas = workbook.worksheet_formula(&names[0]).expect("formulas");
    (names, cells, formulas)
}

fn column(name: &str) -> usize {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .expect("a spec column")
}

/// Every cell has the type the CSV's text asks for, and the same value: identifiers as text
/// (leading zeros kept), `belopp` a float equal to the CSV's amount, `datum` a date equal to the
/// CSV's date, formula-like texts guarded and never formulas.
#[test]
fn the_excel_copy_has_typed_cells_with_the_csvs_values() {
    let dir = temp();
    let (csv_path, xlsx_path) = convert_to_xlsx(dir.path());
    assert!(xlsx_path.ends_with("leverantorsreskontra-2024-04.xlsx"));
    let csv = csv_rows(&csv_path);
    let (names, cells, formulas) = sheet(&xlsx_path);
    assert_eq!(names, ["leverantorsreskontra"]);
    assert_eq!(cells.height(), csv.len(), "rows (the header included)");
    let header: Vec<String> = cells
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, COLUMNS);
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula in the workbook"
    );
    let mut guarded = 0;
    for (i, (row, want)) in cells.rows().zip(&csv).enumerate().skip(1) {
        for (j, text) in want.iter().enumerate() {
            let cell = row.get(j).unwrap_or(&Data::Empty);
            let at = format!("row {i}, {}", COLUMNS[j]);
            if text.is_empty() {
                assert_eq!(cell, &Data::Empty, "{at}");
                continue;
            }
            match COLUMNS[j] {
                "belopp" => {
                    let want: f64 = text.parse().expect("an amount");
                    assert_eq!(cell, &Data::Float(want), "{at}");
                }
                "datum" => {
                    let Data::DateTime(date) = cell else {
                        panic!("{at}: not a date cell: {cell:?}")
                    };
                    let (y, m, d, h, mi, s, _) = date.to_ymd_hms_milli();
                    assert_eq!((h, mi, s), (0, 0, 0), "{at}");
                    assert_eq!(format!("{y:04}-{m:02}-{d:02}"), *text, "{at}");
                }
                _ => assert_eq!(cell, &Data::String(text.clone()), "{at}"),
            }
        }
        if want[column("leverantor")].starts_with("'=HYPERLINK") {
            guarded += 1;
        }
        assert_eq!(row[column("kommun_id")], Data::String("0180".into()));
        for id in ["kopare_id", "leverantor_id"] {
            let Data::String(digits) = &row[column(id)] else {
                // a masked supplier has no id
                assert_eq!(row[column(id)], Data::Empty);
                continue;
            };
            assert!(
                digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{id} in row {i}"
            );
        }
    }
    assert!(guarded > 0, "the sample's =HYPERLINK(...) name is guarded");
    // the identifiers' text format and the amount's and date's number formats
    let styles = zip_entry(&xlsx_path, "xl/styles.xml");
    for code in [
        "formatCode=\"@\"",
        "formatCode=\"0.00\"",
        "formatCode=\"yyyy-mm-dd\"",
    ] {
        assert!(styles.contains(code), "{code} in styles.xml");
    }
    let report = report(dir.path());
    assert_eq!(
        report["options"]["formats"],
        serde_json::json!(["csv", "xlsx"])
    );
    let outputs = report["outputs"].as_array().expect("outputs");
    let xlsx = outputs
        .iter()
        .find(|o| o["path"] == "leverantorsreskontra-2024-04.xlsx")
        .expect("the xlsx in the report");
    assert_eq!(xlsx["rows"], csv.len() as u64 - 1);
    assert_eq!(xlsx["published"], true);
}

/// A file inside the workbook's zip, as text.
fn zip_entry(path: &Path, name: &str) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("open");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    let mut entry = archive.by_name(name).expect("entry");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("read entry");
    text
}

/// The same rows give the same bytes (a fixed creation time), and the copy validates.
#[test]
fn the_excel_copy_is_deterministic_and_valid() {
    let dir = temp();
    let (_, first) = convert_to_xlsx(&dir.path().join("a"));
    let (_, second) = convert_to_xlsx(&dir.path().join("b"));
    assert_eq!(
        std::fs::read(&first).expect("read"),
        std::fs::read(&second).expect("read"),
        "two runs give byte-identical workbooks"
    );
    assert!(zip_entry(&first, "docProps/core.xml").contains("2000-01-01T00:00:00Z"));
    let (code, report) = validate_report(&first);
    assert_eq!(code, 0, "{report:#}");
    let file = &report["files"][0];
    assert_eq!(file["format"], "xlsx");
    assert_eq!(file["status"], "valid");
    // the same findings as the CSV's (a masked supplier's empty id), on the same rows: a sheet's
    // rows are numbered as the CSV's lines, the header first
    let (_, csv_report) = validate_report(&published(&dir.path().join("a"), "csv"));
    assert_eq!(file["rows"], csv_report["files"][0]["rows"]);
    assert_eq!(
        file["findings"], csv_report["files"][0]["findings"],
        "{report:#}"
    );
    assert!(
        file["findings"]
            .as_array()
            .is_some_and(|f| f.iter().all(|f| f["severity"] == "warning")),
        "{report:#}"
    );
    // a folder holding it validates it with the CSV
    let (code, report) = validate_report(&dir.path().join("a"));
    assert_eq!(code, 0, "{report:#}");
    let formats: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["format"].as_str())
        .collect();
    assert_eq!(formats, ["csv", "xlsx"]);
}

/// The spec header and one row, written with rust_xlsxwriter: `cell(row, column)` decides each
/// data cell.
fn write_workbook(path: &Path, cell: impl Fn(&mut rust_xlsxwriter::Worksheet, u32, u16, &str)) {
    let row = [
        "2120000142",
        "Exempelby kommun",
        "A-1",
        "Kontorsvaror AB",
        "5569012346",
        "46100",
        "Läromedel",
        "720.00",
        "2024-04-30",
        "UN Utbildningsnämnden",
        "A-1",
        "",
        "",
        "0180",
        "",
    ];
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (j, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, j as u16, *name).expect("header");
    }
    for (j, text) in row.iter().enumerate() {
        cell(sheet, 1, j as u16, text);
    }
    workbook.save(path).expect("save");
}

/// Write a cell as this tool does: the amount a number, the date a date, the rest text.
fn typed_cell(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, text: &str) {
    if text.is_empty() {
        return;
    }
    match COLUMNS[col as usize] {
        "belopp" => {
            sheet
                .write_number(row, col, text.parse::<f64>().expect("amount"))
                .expect("number");
        }
        "datum" => {
            let date = rust_xlsxwriter::ExcelDateTime::parse_from_str(text).expect("date");
            let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
            sheet
                .write_datetime_with_format(row, col, &date, &format)
                .expect("date");
        }
        _ => {
            sheet.write_string(row, col, text).expect("text");
        }
    }
}

/// A personal number smuggled into a workbook is found by the privacy scan and by validate.
#[test]
fn a_personal_number_in_a_workbook_is_found() {
    let dir = temp();
    let path = dir.path().join("leverantorsreskontra-2024-04.xlsx");
    write_workbook(&path, |sheet, row, col, text| {
        if COLUMNS[col as usize] == "forvaltning" {
            sheet
                .write_string(row, col, "Kontakt 811218-9876")
                .expect("text");
        } else {
            typed_cell(sheet, row, col, text);
        }
    });
    assert_eq!(
        reskontra::validate::personal_number_hits(&path).expect("scan"),
        1
    );
    let (code, report) = validate_report(&path);
    assert_eq!(code, 1, "{report:#}");
    let checks: Vec<&str> = report["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["check"].as_str())
        .collect();
    assert_eq!(checks, ["personal_number"], "{report:#}");
    assert_eq!(
        report["files"][0]["findings"][0]["rows"],
        serde_json::json!([2])
    );
    // the report names the row, never the number
    assert!(!report.to_string().contains("9876"), "{report:#}");
    // the same workbook without it is valid
    write_workbook(&path, typed_cell);
    assert_eq!(
        reskontra::validate::personal_number_hits(&path).expect("scan"),
        0
    );
    let (code, report) = validate_report(&path);
    assert_eq!(code, 0, "{report:#}");
}

/// Cells stored in other types than this tool writes: a number in an identifier column is an
/// error (its leading zeros are gone), an amount stored as text a warning (checked as text).
#[test]
fn cells_of_other_types_are_findings() {
    let dir = temp();
    let path = dir.path().join("leverantorsreskontra-2024-04.xlsx");
    write_workbook(&path, |sheet, row, col, text| match COLUMNS[col as usize] {
        "kommun_id" => {
            sheet.write_number(row, col, 180.0).expect("number");
        }
        "belopp" => {
            sheet.write_string(row, col, text).expect("text");
        }
        _ => typed_cell(sheet, row, col, text),
    });
    let (code, report) = validate_report(&path);
    assert_eq!(code, 1, "{report:#}");
    let findings: Vec<(String, String)> = report["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["severity"].to_string(), f["check"].to_string()))
        .collect();
    for want in [
        ("\"error\"", "\"kommun_id_type\""),
        ("\"error\"", "\"kommun_id\""),
        ("\"warning\"", "\"belopp_type\""),
    ] {
        assert!(
            findings.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?}: {report:#}"
        );
    }
}

/// A year dataset with `--formats csv,xlsx`: the year's workbook beside the CSV, with its rows,
/// valid, no Parquet partitions, recorded in the report and rebuilt identically by verify.
#[test]
fn a_year_dataset_has_an_excel_copy() {
    let dir = temp();
    let monthly = sample_months(dir.path(), &["2024-01", "2024-02"]);
    let out = dir.path().join("year");
    let run = reskontra()
        .args(["dataset", "build"])
        .arg(&monthly)
        .args(["--year", "2024", "--formats", "csv,xlsx", "-q"])
        .args(["--base-url", "https://data.exempelby.se/lev/", "-o"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let xlsx = out.join("leverantorsreskontra-2024.xlsx");
    let csv = csv_rows(&out.join("leverantorsreskontra-2024.csv"));
    let (_, cells, _) = sheet(&xlsx);
    assert_eq!(cells.height(), csv.len());
    assert!(!out.join("parquet").exists());
    let (code, report) = validate_report(&xlsx);
    assert_eq!(code, 0, "{report:#}");
    let year = crate::common::report(&out);
    assert_eq!(
        year["options"]["formats"],
        serde_json::json!(["csv", "xlsx"])
    );
    let paths: Vec<&str> = year["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"leverantorsreskontra-2024.xlsx"),
        "{paths:?}"
    );
    // the publication folder's catalogue lists the workbook as a distribution
    let rdf = std::fs::read_to_string(dir.path().join("dcat.rdf")).expect("dcat");
    assert!(
        rdf.contains("year/leverantorsreskontra-2024.xlsx#distribution")
            && rdf.contains(
                "<dcterms:format>application/vnd.openxmlformats-officedocument.spreadsheetml.sheet</dcterms:format>"
            ),
        "{rdf}"
    );
    let verified = reskontra()
        .arg("verify")
        .arg(out.join("report.json"))
        .output()
        .expect("verify");
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{text}");
    assert!(
        text.contains("output identical  leverantorsreskontra-2024.xlsx"),
        "{text}"
    );
    // json is no year format, and the CSV is always written
    for formats in ["csv,json", "parquet,xlsx"] {
        let run = reskontra()
            .args(["dataset", "build"])
            .arg(&monthly)
            .args(["--year", "2024", "--formats", formats, "-q", "-o"])
            .arg(dir.path().join(format!("refused-{formats}")))
            .output()
            .expect("run");
        assert_eq!(run.status.code(), Some(2), "{formats}");
    }
}
