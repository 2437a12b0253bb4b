//! `reskontra validate` on small hand-made files, good and bad, asserting the reported rows.

use crate::common::*;
use std::path::Path;

const HEADER: &str = reskontra::spec::HEADER;

/// A valid data row; `f` edits its fields before joining.
fn row(f: impl FnOnce(&mut Vec<String>)) -> String {
    let mut fields: Vec<String> = [
        "2120000142",
        "Exempelby kommun",
        "V1",
        "Kontor AB",
        "5566101233",
        "6110",
        "Kontor",
        "100.00",
        "2024-01-05",
        "KS",
        "F1",
        "",
        "",
        "0180",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    f(&mut fields);
    fields.join(",")
}

fn validate_json(dir: &Path, name: &str, content: &[u8]) -> (i32, serde_json::Value) {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    validate_report(&p)
}

/// The finding with this check key: (severity, count, rows).
fn finding(report: &serde_json::Value, check: &str) -> Option<(String, u64, Vec<u64>)> {
    report["files"][0]["findings"]
        .as_array()?
        .iter()
        .find(|f| f["check"] == check)
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or("").to_string(),
                f["count"].as_u64().unwrap_or(0),
                f["rows"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_u64()).collect())
                    .unwrap_or_default(),
            )
        })
}

fn file(rows: &[String]) -> Vec<u8> {
    let mut s = format!("{HEADER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

#[test]
fn a_valid_file_exits_zero() {
    let dir = temp();
    let (code, r) = validate_json(
        dir.path(),
        "ok-2024-01.csv",
        &file(&[row(|_| {}), row(|f| f[2] = "V2".into())]),
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["files"][0]["status"], "valid");
    // the report names the bytes checked
    let content = file(&[row(|_| {}), row(|f| f[2] = "V2".into())]);
    assert_eq!(
        r["files"][0]["sha256"],
        reskontra::report::sha256_hex(&content)
    );
}

#[test]
fn every_sample_output_validates() {
    for sample in SAMPLES.iter() {
        let dir = temp();
        let out = dir.path().join("out");
        assert!(convert_sample(sample, &out).status.success());
        for ext in ["csv", "json", "parquet"] {
            let run = reskontra()
                .arg("validate")
                .arg(published(&out, ext))
                .output()
                .expect("run");
            assert_eq!(
                run.status.code(),
                Some(0),
                "{} .{ext}: {}",
                sample.name,
                String::from_utf8_lossy(&run.stdout)
            );
        }
    }
}

#[test]
fn one_field_fewer_than_the_header_is_invalid_with_line_numbers() {
    let dir = temp();
    let short = |f: &mut Vec<String>| {
        f.pop();
    };
    let content = file(&[row(|_| {}), row(short), row(|_| {}), row(short)]);
    let (code, r) = validate_json(dir.path(), "short.csv", &content);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&r, "field_count"),
        Some(("error".into(), 2, vec![3, 5]))
    );
    let p = dir.path().join("short.csv");
    let run = reskontra().arg("validate").arg(&p).output().expect("run");
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("(lines 3, 5)"), "{text}");
}

#[test]
fn row_level_errors_name_their_rows() {
    let dir = temp();
    let cases: Vec<(&str, String)> = vec![
        ("belopp_format", row(|f| f[7] = "100,00".into())),
        ("datum_format", row(|f| f[8] = "2024-02-30".into())),
        ("kopare_id_format", row(|f| f[0] = "2120000143".into())),
        ("leverantor_id_format", row(|f| f[4] = "5566101234".into())),
        ("kommun_id", row(|f| f[13] = "180".into())),
        ("konto_nr_missing", row(|f| f[5] = String::new())),
        ("buyer_not_constant", row(|f| f[1] = "Annan kommun".into())),
        (
            "personal_number",
            row(|f| f[10] = "Avser 780312-1230".into()),
        ),
        (
            "person_name",
            row(|f| {
                f[3] = "\"Svensson, Anna\"".into();
                f[4] = String::new();
            }),
        ),
    ];
    let mut rows = vec![row(|_| {})];
    rows.extend(cases.iter().map(|(_, r)| r.clone()));
    let (code, r) = validate_json(dir.path(), "bad.csv", &file(&rows));
    assert_eq!(code, 1);
    for (i, (check, _)) in cases.iter().enumerate() {
        let line = i as u64 + 3; // header is line 1, the good row line 2
        let f = finding(&r, check).unwrap_or_else(|| panic!("{check} reported: {r}"));
        assert_eq!(f.0, "error", "{check}");
        assert!(f.2.contains(&line), "{check} on line {line}: {f:?}");
    }
    // values are never echoed
    assert!(!r.to_string().contains("780312"));
}

#[test]
fn warnings_do_not_make_a_file_invalid() {
    let dir = temp();
    let rows = [
        row(|_| {}),
        row(|_| {}),                         // duplicate of line 2
        row(|f| f[4] = String::new()),       // masked supplier: empty id
        row(|f| f[6] = "=SUM(A1)".into()),   // formula-like
        row(|f| f[7] = "1.005".into()),      // more than 2 decimals
        row(|f| f[8] = "2024-03-01".into()), // outside 2024-01
    ];
    let (code, r) = validate_json(dir.path(), "leverantorsreskontra-2024-01.csv", &file(&rows));
    assert_eq!(code, 0, "{r}");
    assert_eq!(finding(&r, "duplicate_row").map(|f| f.2), Some(vec![3]));
    assert_eq!(
        finding(&r, "leverantor_id_empty").map(|f| (f.0, f.2)),
        Some(("warning".into(), vec![4]))
    );
    assert_eq!(finding(&r, "formula_like").map(|f| f.2), Some(vec![5]));
    assert_eq!(finding(&r, "belopp_decimals").map(|f| f.2), Some(vec![6]));
    assert_eq!(
        finding(&r, "datum_outside_period").map(|f| f.2),
        Some(vec![7])
    );
}

#[test]
fn file_level_deviations() {
    let dir = temp();
    // BOM, semicolons, CRLF, Windows-1252, renamed columns: the region file
    let text = "kopare_id;kopare;verifikationsnummer;leverantor;leverantor_id;konto_nr;konto_text;bokforingsdatum;forvaltning;fakturanummer;nettobelopp;grund;avtal;kommun_id;s_kod_nr\r\n2120000142;Åby;V1;Kontor AB;5566101233;6110;Kontor;2024-01-05;KS;F1;100.00;;;0180;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(text.as_bytes());
    let (code, r) = validate_json(dir.path(), "region.csv", &bytes);
    assert_eq!(code, 1);
    for check in ["encoding", "delimiter", "header"] {
        assert!(
            finding(&r, check).is_some_and(|f| f.0 == "error"),
            "{check}: {r}"
        );
    }
    assert!(finding(&r, "line_endings").is_some_and(|f| f.0 == "warning"));
    let (code, r) = validate_json(dir.path(), "bom.csv", &with_bom);
    assert_eq!(code, 1);
    assert!(finding(&r, "bom").is_some(), "{r}");
    let bare_cr = file(&[row(|_| {})])
        .iter()
        .map(|b| if *b == b'\n' { b'\r' } else { *b })
        .collect::<Vec<u8>>();
    let (code, r) = validate_json(dir.path(), "cr.csv", &bare_cr);
    assert_eq!(code, 1);
    assert!(
        finding(&r, "line_endings").is_some_and(|f| f.0 == "error"),
        "{r}"
    );
}

/// A line break inside a quoted field is a value, not a line ending: an LF file with a CRLF in
/// a quoted field is valid; a file whose records end in both LF and CRLF is not.
#[test]
fn line_breaks_inside_quoted_fields_are_not_line_endings() {
    let dir = temp();
    let quoted = row(|r| r[10] = "\"F-1\r\nrad 2\"".into());
    let (code, r) = validate_json(dir.path(), "quoted.csv", &file(&[quoted]));
    assert_eq!(code, 0, "{r}");
    assert!(finding(&r, "line_endings").is_none(), "{r}");
    let mut mixed = file(&[row(|_| {}), row(|r| r[2] = "V2".into())]);
    let first_break = mixed.iter().position(|b| *b == b'\n').expect("a line");
    mixed.insert(first_break, b'\r');
    let (code, r) = validate_json(dir.path(), "mixed.csv", &mixed);
    assert_eq!(code, 1);
    assert!(
        finding(&r, "line_endings").is_some_and(|f| f.0 == "error"),
        "{r}"
    );
}

#[test]
fn json_files_are_checked_too() {
    let dir = temp();
    let good = format!(
        "[\n{{{}}}\n]\n",
        reskontra::spec::COLUMNS
            .iter()
            .zip(row(|_| {}).split(','))
            .map(|(k, v)| format!("\"{k}\":\"{v}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let (code, r) = validate_json(dir.path(), "ok.json", good.as_bytes());
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        r["files"][0]["sha256"],
        reskontra::report::sha256_hex(good.as_bytes())
    );
    let bad = good.replace("\"100.00\"", "\"100,00\"");
    let (code, r) = validate_json(dir.path(), "bad.json", bad.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(r["files"][0]["format"], "json");
    assert_eq!(finding(&r, "belopp_format").map(|f| f.2), Some(vec![1]));
    let run = reskontra()
        .arg("validate")
        .arg(dir.path().join("bad.json"))
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&run.stdout).contains("(objects 1)"));
}

#[test]
fn unreadable_files_exit_two() {
    let dir = temp();
    let (code, r) = validate_json(dir.path(), "empty.csv", b"");
    assert_eq!(code, 2);
    assert_eq!(r["files"][0]["status"], "unreadable");
    let (code, _) = validate_json(dir.path(), "broken.json", b"[{\"kopare_id\": ");
    assert_eq!(code, 2);
    let (code, r) = validate_json(dir.path(), "cut.parquet", b"PAR1\x15\x04\x15");
    assert_eq!(code, 2);
    let message = r["files"][0]["unreadable"].as_str().unwrap_or_default();
    assert!(message.contains("not a readable Parquet file"), "{r}");
}

/// Stage names, and (part, whole) pairs, as told to a progress callback.
type Events = std::sync::Arc<std::sync::Mutex<(Vec<String>, Vec<(u64, u64)>)>>;

/// A progress callback that records its events.
fn recorder() -> (reskontra::convert::Progress, Events) {
    use reskontra::convert::{Progress, ProgressEvent};
    let events: Events = Default::default();
    let seen = std::sync::Arc::clone(&events);
    let progress = Progress::new(move |event| {
        let mut seen = seen.lock().expect("lock");
        match event {
            ProgressEvent::Stage(name) => seen.0.push(name.to_string()),
            ProgressEvent::Done { part, whole } => seen.1.push((part, whole)),
        }
    });
    (progress, events)
}

/// Validating large files tells which file is checked and how far it has come, up to the end
/// of a CSV file; a JSON file (told every MiB) as far as its last whole MiB.
#[test]
fn validating_tells_its_progress() {
    let dir = temp();
    let rows: String = (0..70_000)
        .map(|i| row(|f| f[2] = format!("V{i}")) + "\n")
        .collect();
    let csv = dir.path().join("leverantorsreskontra-2024-01.csv");
    std::fs::write(&csv, format!("{HEADER}\n{rows}")).expect("csv");
    let objects: Vec<String> = (0..6000)
        .map(|i| {
            let keys = HEADER.split(',');
            let values = row(|f| f[2] = format!("V{i}"));
            let pairs: Vec<String> = keys
                .zip(values.split(','))
                .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                .collect();
            format!("{{{}}}", pairs.join(","))
        })
        .collect();
    let json = dir.path().join("leverantorsreskontra-2024-01.json");
    std::fs::write(&json, format!("[\n{}\n]\n", objects.join(",\n"))).expect("json");
    let (progress, events) = recorder();
    let outcome =
        reskontra::validate::validate_files_telling(&[csv.clone(), json.clone()], &progress)
            .expect("validates");
    assert!(
        outcome.files.iter().all(|f| f.status == "valid"),
        "{}",
        outcome.summary()
    );
    let (stages, done) = &*events.lock().expect("lock");
    assert_eq!(
        stages,
        &[
            "validating leverantorsreskontra-2024-01.csv",
            "validating leverantorsreskontra-2024-01.json"
        ]
    );
    let csv_size = std::fs::metadata(&csv).expect("size").len();
    let json_size = std::fs::metadata(&json).expect("size").len();
    assert!(json_size > 1 << 20);
    assert!(done.contains(&(csv_size, csv_size)), "{done:?}");
    assert!(
        done.iter()
            .any(|(part, whole)| *whole == json_size && *part >= 1 << 20),
        "{done:?}"
    );
}

/// The findings of a validate --json report as (check, severity, count), sorted.
fn finding_counts(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut counts: Vec<(String, String, u64)> = report["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    counts.sort();
    counts
}

/// A Parquet file gets the row checks of its CSV: the same findings with the same counts, its
/// rows numbered from 1 (the CSV's from its header line).
#[test]
fn a_parquet_file_gets_the_checks_of_its_csv() {
    let dir = temp();
    let rows = [
        row(|_| {}),
        row(|f| f[4] = String::new()),
        row(|f| f[3] = "Anna Svensson".into()),
        row(|f| f[7] = "100.005".into()),
        row(|f| f[8] = "2024-02-30".into()),
        row(|_| {}),
    ];
    let csv = dir.path().join("lev-2024-01.csv");
    std::fs::write(&csv, file(&rows)).expect("write");
    let parquet = dir.path().join("lev-2024-01.parquet");
    write_parquet_like_csv(&csv, &parquet);
    let (csv_code, from_csv) = validate_json(dir.path(), "lev-2024-01.csv", &file(&rows));
    let (code, from_parquet) = validate_report(&parquet);
    assert_eq!(code, csv_code, "{from_parquet}");
    let bytes = std::fs::read(&parquet).expect("read");
    assert_eq!(
        from_parquet["files"][0]["sha256"],
        reskontra::report::sha256_hex(&bytes)
    );
    // amounts and dates stored as text are warned about, and checked as the CSV's texts
    for check in ["belopp_type", "datum_type"] {
        assert!(
            finding(&from_parquet, check).is_some_and(|f| f.0 == "warning"),
            "{check}: {from_parquet}"
        );
    }
    let mut counts = finding_counts(&from_parquet);
    counts.retain(|(check, _, _)| !check.ends_with("_type"));
    assert_eq!(counts, finding_counts(&from_csv));
    assert_eq!(from_parquet["files"][0]["rows"], 6);
    assert_eq!(
        finding(&from_parquet, "leverantor_id_empty").map(|f| f.2),
        Some(vec![2])
    );
    assert_eq!(
        finding(&from_csv, "leverantor_id_empty").map(|f| f.2),
        Some(vec![3])
    );
    // the summary says what its numbers count: the CSV's lines, the Parquet file's rows
    assert_eq!(from_csv["files"][0]["format"], "csv");
    assert_eq!(from_parquet["files"][0]["format"], "parquet");
    let summary = |path: &Path| {
        let run = reskontra().arg("validate").arg(path).output().expect("run");
        String::from_utf8_lossy(&run.stdout).into_owned()
    };
    assert!(summary(&csv).contains("[leverantor_id_empty]: 1 x (lines 3)"));
    assert!(summary(&parquet).contains("[leverantor_id_empty]: 1 x (rows 2)"));
}

/// Write a spec CSV as Parquet with every column as text (the CSV's texts, empty as null).
fn write_parquet_like_csv(csv: &Path, parquet: &Path) {
    use polars::prelude::*;
    let text = std::fs::read_to_string(csv).expect("read");
    let mut lines = text.lines();
    let names: Vec<&str> = lines.next().expect("header").split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| Some(r[i]).filter(|v| !v.is_empty()))
                .collect();
            Column::new((*name).into(), values)
        })
        .collect();
    let mut df = DataFrame::new(rows.len(), columns).expect("frame");
    ParquetWriter::new(std::fs::File::create(parquet).expect("create"))
        .finish(&mut df)
        .expect("write");
}

/// Parquet types other than this tool writes are errors naming the column: an amount as a
/// float (not exact), a municipality code as a number (its leading zero lost).
#[test]
fn parquet_types_are_checked() {
    use polars::prelude::*;
    let dir = temp();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, file(&[row(|_| {})])).expect("write");
    let parquet = dir.path().join("t.parquet");
    write_parquet_like_csv(&csv, &parquet);
    let mut df = ParquetReader::new(std::fs::File::open(&parquet).expect("open"))
        .finish()
        .expect("read");
    let belopp = df
        .column("belopp")
        .expect("belopp")
        .cast(&DataType::Float64)
        .expect("cast");
    let kommun = df
        .column("kommun_id")
        .expect("kommun_id")
        .cast(&DataType::Int64)
        .expect("cast");
    df.with_column(belopp).expect("replace");
    df.with_column(kommun).expect("replace");
    ParquetWriter::new(std::fs::File::create(&parquet).expect("create"))
        .finish(&mut df)
        .expect("write");
    let run = reskontra()
        .args(["validate"])
        .arg(&parquet)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{text}");
    assert!(
        text.contains("belopp is stored as f64, not as a decimal with 2 decimals"),
        "{text}"
    );
    assert!(
        text.contains("kommun_id is stored as i64, not as text"),
        "{text}"
    );
}

/// A folder is searched for published files: a run's output folder gives its CSV, JSON and
/// Parquet files, not report.json or the internal review files (which hold personal data by
/// design); a folder without any is a usage error.
#[test]
fn a_folder_is_validated_file_by_file() {
    let dir = temp();
    let out = dir.path().join("out");
    assert!(convert_sample(sample("city-csv"), &out).status.success());
    let (code, report) = validate_report(&out);
    assert_eq!(code, 0, "{report}");
    let names: Vec<String> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = std::path::PathBuf::from(f["file"].as_str().expect("file"));
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "leverantorsreskontra-2024-05.csv",
            "leverantorsreskontra-2024-05.json",
            "leverantorsreskontra-2024-05.parquet"
        ]
    );
    // the summary of several files closes with their tally; a single file's has none
    let summary = |path: &Path| {
        let run = reskontra().arg("validate").arg(path).output().expect("run");
        String::from_utf8_lossy(&run.stdout).into_owned()
    };
    assert!(summary(&out).ends_with("\n3 files: 3 valid, 0 invalid, 0 unreadable\n"));
    let csv = out.join("leverantorsreskontra-2024-05.csv");
    assert!(!summary(&csv).contains(" files: "));
    let cut = dir.path().join("cut.csv");
    std::fs::write(&cut, b"").expect("write");
    let run = reskontra()
        .arg("validate")
        .args([&csv, &cut])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&run.stdout)
        .ends_with("\n2 files: 1 valid, 0 invalid, 1 unreadable\n"));
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("internal")).expect("mkdir");
    std::fs::write(empty.join("internal/review.csv"), "x\n").expect("write");
    let run = reskontra()
        .arg("validate")
        .arg(&empty)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no CSV, JSON or Parquet files"));
}

/// A file whose columns are not the spec's but match a built-in layout gets a hint that
/// `convert` turns it into the spec; a spec file does not.
#[test]
fn a_convertible_file_says_so() {
    let dir = temp();
    let spec_1_0 = std::fs::read(root().join("samples/spec-1.0/leverantorsfakturor-2019-05.csv"))
        .expect("sample");
    let (code, r) = validate_json(dir.path(), "old-2019-05.csv", &spec_1_0);
    assert_eq!(code, 1);
    let hint = r["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "convertible")
        .expect("a convertible hint");
    assert_eq!(hint["severity"], "warning");
    assert!(
        hint["message"]
            .as_str()
            .unwrap_or_default()
            .contains("layout spec-1.0"),
        "{hint}"
    );
    let (code, r) = validate_json(dir.path(), "ok-2024-01.csv", &file(&[row(|_| {})]));
    assert_eq!(code, 0);
    assert!(finding(&r, "convertible").is_none(), "{r}");
}

/// A byte-order mark inside a header name or a JSON key is named as such, and the column it
/// hides is checked (not reported empty); a lone `-` placeholder is no formula risk.
#[test]
fn a_bom_inside_a_name_is_named_and_a_dash_placeholder_is_no_formula() {
    let dir = temp();
    // a BOM left inside a header name by a tool that joined columns of two files
    let csv = String::from_utf8(file(&[row(|_| {})]))
        .expect("utf-8")
        .replacen("verifikationsnummer", "\u{feff}verifikationsnummer", 1);
    let (_, report) = validate_json(dir.path(), "bom-2024-01.csv", csv.as_bytes());
    let (severity, _, _) = finding(&report, "bom_in_name").expect("bom_in_name");
    assert_eq!(severity, "error");
    let messages = report["files"][0]["findings"].to_string();
    assert!(
        messages.contains("the header name verifikationsnummer holds a byte-order mark"),
        "{messages}"
    );
    assert!(finding(&report, "header").is_none(), "{messages}");
    assert!(
        !messages.contains("kopare_id is empty") && !messages.contains("empty mandatory"),
        "{messages}"
    );

    let json = "[{\"\u{feff}kopare_id\":\"2120000142\",\"kopare\":\"Exempelby kommun\",\"verifikationsnummer\":\"V1\",\"leverantor\":\"Kontor AB\",\"leverantor_id\":\"5566101233\",\"konto_nr\":\"6110\",\"konto_text\":\"Kontor\",\"belopp\":\"100.00\",\"datum\":\"2024-01-05\",\"forvaltning\":\"KS\",\"fakturanummer\":\"F1\",\"grund\":\"\",\"avtal\":\"\",\"kommun_id\":\"0180\",\"s_kod_nr\":\"\"}]".to_string();
    let (_, report) = validate_json(dir.path(), "bom-2024-01.json", json.as_bytes());
    let messages = report["files"][0]["findings"].to_string();
    assert!(
        messages.contains("the key kopare_id holds a byte-order mark"),
        "{messages}"
    );
    assert!(finding(&report, "json_keys").is_none(), "{messages}");
    assert!(!messages.contains("empty"), "{messages}");

    let placeholder = file(&[row(|f| f[10] = "-".into()), row(|f| f[10] = "-x".into())]);
    let (_, report) = validate_json(dir.path(), "dash-2024-01.csv", &placeholder);
    let (_, count, rows) = finding(&report, "formula_like").expect("the -x row");
    assert_eq!((count, rows), (1, vec![3]));
}
