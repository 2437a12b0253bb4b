//! Golden files: every sample converts with its layout detected, byte for byte as stored in
//! tests/golden/<case>/expected/ (each case folder holds its case.toml: layout, inputs, arguments;
//! the test finds the folders), and a second run gives identical bytes.
//! Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.

use crate::common::*;
use std::path::Path;

/// The report with machine-specific input paths reduced to file names.
fn portable_report(out: &Path) -> String {
    let mut report = report(out);
    if let Some(inputs) = report["inputs"].as_array_mut() {
        for input in inputs {
            let path = input["path"].as_str().unwrap_or("").to_string();
            let name = path.rsplit('/').next().unwrap_or("").to_string();
            input["path"] = serde_json::Value::String(name);
        }
    }
    if let Some(policy) = report["options"]["policy"].as_object_mut() {
        let path = policy["path"].as_str().unwrap_or("").to_string();
        let name = path.rsplit('/').next().unwrap_or("").to_string();
        policy.insert("path".into(), serde_json::Value::String(name));
    }
    report["version"] = serde_json::Value::String("VERSION".into());
    serde_json::to_string_pretty(&report).expect("json") + "\n"
}

fn check_golden(sample: &Sample) {
    let dir = temp();
    let out = dir.path().join("out");
    let run = convert_sample(sample, &out);
    assert!(
        run.status.success(),
        "{}: {}",
        sample.name,
        String::from_utf8_lossy(&run.stderr)
    );
    let golden_dir = root()
        .join("tests/golden")
        .join(&sample.name)
        .join("expected");
    let mut actual: Vec<(String, Vec<u8>)> = files_below(&out)
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".parquet") && name != "report.json")
        .collect();
    actual.push(("report.json".into(), portable_report(&out).into_bytes()));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden_dir);
        for (name, bytes) in &actual {
            let p = golden_dir.join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, bytes).expect("write golden");
        }
    }
    let expected = files_below(&golden_dir);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let mut actual_sorted = actual.clone();
    actual_sorted.sort();
    assert_eq!(
        names(&actual_sorted),
        names(&expected),
        "{}: output files",
        sample.name
    );
    for ((name, a), (_, e)) in actual_sorted.iter().zip(&expected) {
        assert!(
            a == e,
            "{}: {name} differs from its golden file:\n--- actual\n{}\n--- golden\n{}",
            sample.name,
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(e)
        );
    }
}

/// Every case folder of tests/golden, found there: adding a case is adding a folder.
#[test]
fn every_golden_case_gives_its_expected_outputs() {
    assert!(SAMPLES.len() >= 12, "the golden cases were not found");
    for sample in SAMPLES.iter() {
        check_golden(sample);
    }
}

#[test]
fn sample_names_match_their_layouts() {
    for sample in SAMPLES.iter() {
        let dir = temp();
        let out = dir.path().join("out");
        let run = convert_sample(sample, &out);
        assert!(run.status.success(), "{}", sample.name);
        let report = report(&out);
        assert_eq!(report["layout"]["name"], sample.layout, "detected layout");
    }
}

#[test]
fn second_run_gives_identical_bytes() {
    for sample in SAMPLES.iter() {
        let dir = temp();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        assert!(convert_sample(sample, &a).status.success());
        assert!(convert_sample(sample, &b).status.success());
        let fa = files_below(&a);
        let fb = files_below(&b);
        assert_eq!(fa.len(), fb.len());
        for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
            assert_eq!(na, nb);
            assert!(ba == bb, "{}: {na} differs between runs", sample.name);
        }
    }
}

#[test]
fn outputs_reconcile_and_parquet_has_spec_types() {
    use polars::prelude::*;
    for sample in SAMPLES.iter() {
        let dir = temp();
        let out = dir.path().join("out");
        assert!(convert_sample(sample, &out).status.success());
        let report = report(&out);
        let rows = &report["rows"];
        let n = |k: &str| rows[k].as_u64().expect("count");
        assert_eq!(
            n("read"),
            n("published") + n("withheld") + n("rejected"),
            "{}",
            sample.name
        );
        let pq = published(&out, "parquet");
        let df = ParquetReader::new(std::fs::File::open(&pq).expect("open"))
            .finish()
            .expect("read parquet");
        assert_eq!(df.height() as u64, n("published"));
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(names, reskontra::spec::COLUMNS.to_vec());
        assert_eq!(
            df.column("belopp").expect("belopp").dtype(),
            &DataType::Decimal(38, 2)
        );
        assert_eq!(df.column("datum").expect("datum").dtype(), &DataType::Date);
        assert_eq!(
            df.column("kopare").expect("kopare").dtype(),
            &DataType::String
        );
        // the Parquet sum equals the report's published amount
        let cents: i128 = df
            .column("belopp")
            .expect("belopp")
            .decimal()
            .expect("decimal")
            .physical()
            .iter()
            .flatten()
            .sum();
        assert_eq!(
            reskontra::amount::ore_text(cents),
            report["amount"]["published"].as_str().expect("amount")
        );
        // CSV and JSON carry the same texts
        let csv_text = std::fs::read_to_string(published(&out, "csv")).expect("csv");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(published(&out, "json")).expect("json"))
                .expect("json parses");
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let records: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("record")).collect();
        let objects = json.as_array().expect("array");
        assert_eq!(records.len(), objects.len());
        for (rec, obj) in records.iter().zip(objects) {
            assert_eq!(obj.as_object().expect("object").len(), 15);
            for (i, col) in reskontra::spec::COLUMNS.iter().enumerate() {
                assert_eq!(obj[*col].as_str().expect("string"), &rec[i]);
            }
        }
        // keys in spec order on every line of the JSON text
        let json_text = std::fs::read_to_string(published(&out, "json")).expect("json");
        for line in json_text.lines().filter(|l| l.starts_with('{')) {
            let positions: Vec<usize> = reskontra::spec::COLUMNS
                .iter()
                .map(|c| line.find(&format!("\"{c}\":")).expect("key present"))
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "key order: {line}"
            );
        }
    }
}

/// Reading the inputs seven bytes at a time with a head of the header and one row (so that
/// every further row comes through the reader's stream), in batches of two rows, gives the
/// same outputs byte for byte.
#[test]
fn pieces_heads_and_batches_of_any_size_give_the_same_outputs() {
    for sample in SAMPLES.iter() {
        let dir = temp();
        let (whole, pieces) = (dir.path().join("whole"), dir.path().join("pieces"));
        assert!(convert_sample(sample, &whole).status.success());
        let report = report(&whole);
        let header_line = report["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .filter(|i| i["role"] == "main")
            .map(|i| i["header_line"].as_u64().expect("header line"))
            .max()
            .expect("a main input");
        // SIE tables have their header made up as row 0, the first of the head
        let head = (header_line + 2).to_string();
        let run = convert_sample_command(sample, &pieces)
            .args([
                "--batch-rows",
                "2",
                "--read-bytes",
                "7",
                "--head-rows",
                &head,
            ])
            .output()
            .expect("run reskontra");
        assert!(
            run.status.success(),
            "{}: {}",
            sample.name,
            String::from_utf8_lossy(&run.stderr)
        );
        let (a, b) = (files_below(&whole), files_below(&pieces));
        assert_eq!(a.len(), b.len(), "{}", sample.name);
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{}: {name} differs read in pieces", sample.name);
        }
    }
}

#[test]
fn batches_of_any_size_give_the_same_outputs() {
    for sample in SAMPLES.iter() {
        let dir = temp();
        let (whole, batched) = (dir.path().join("whole"), dir.path().join("batched"));
        assert!(convert_sample(sample, &whole).status.success());
        let run = convert_sample_command(sample, &batched)
            .args(["--batch-rows", "2"])
            .env("RESKONTRA_TIMINGS", "1")
            .output()
            .expect("run reskontra");
        let stages = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{stages}");
        // the rows really went through several batches
        assert!(stages.contains(": rows 3-"), "{}: {stages}", sample.name);
        let (a, b) = (files_below(&whole), files_below(&batched));
        assert_eq!(a.len(), b.len(), "{}", sample.name);
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(
                x == y,
                "{}: {name} differs with batches of two rows",
                sample.name
            );
        }
    }
}
