//! Year datasets and reproducibility: `dataset build` and `verify`.

use crate::common::*;
use std::path::{Path, PathBuf};

/// Convert the city sample twelve times, once per month of 2024; returns the monthly CSVs' folder.
fn twelve_months(dir: &Path) -> PathBuf {
    let periods: Vec<String> = (1..=12).map(|m| format!("2024-{m:02}")).collect();
    let periods: Vec<&str> = periods.iter().map(String::as_str).collect();
    sample_months(dir, &periods)
}

fn build(inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    reskontra()
        .args(["dataset", "build"])
        .args(inputs)
        .args(["--year", "2024", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run")
}

/// [`build`], insisting that it succeeds; returns the dataset's report.
fn build_ok(inputs: &[&Path], out: &Path, extra: &[&str]) -> serde_json::Value {
    let run = build(inputs, out, extra);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    report(out)
}

fn sha256(path: &Path) -> String {
    reskontra::report::sha256_hex(&std::fs::read(path).expect("read"))
}

#[test]
fn twelve_months_build_a_year_dataset() {
    let dir = temp();
    let monthly = twelve_months(dir.path());
    let out = dir.path().join("year");
    let r = build_ok(&[&monthly], &out, &[]);
    assert_eq!(r["months"].as_object().expect("months").len(), 12);
    assert_eq!(r["rows"], 12 * 9);
    // Hive partitions, one per month
    for m in 1..=12 {
        let p = out.join(format!(
            "parquet/kopare_id=2120000142/ar=2024/manad={m:02}/data.parquet"
        ));
        assert!(p.exists(), "{}", p.display());
    }
    // valid: the year CSV, a partition on its own (kopare_id comes from its path), and the whole
    // folder (the year's CSV, the twelve months' and the twelve partitions)
    let partition = out.join("parquet/kopare_id=2120000142/ar=2024/manad=07/data.parquet");
    for (path, files) in [
        (out.join("leverantorsreskontra-2024.csv"), 1),
        (partition, 1),
        (out.clone(), 25),
    ] {
        let (code, checked) = validate_report(&path);
        assert_eq!(code, 0, "{checked}");
        assert_eq!(checked["files"].as_array().expect("files").len(), files);
    }
    // a partition's month comes from its ar=/manad= folders: July's rows filed under August are
    // dated outside it
    let misfiled = dir
        .path()
        .join("misfiled/kopare_id=2120000142/ar=2024/manad=08/data.parquet");
    std::fs::create_dir_all(misfiled.parent().expect("folder")).expect("mkdir");
    std::fs::copy(
        out.join("parquet/kopare_id=2120000142/ar=2024/manad=07/data.parquet"),
        &misfiled,
    )
    .expect("copy");
    let (code, checked) = validate_report(&misfiled);
    assert_eq!(code, 0, "warnings only: {checked}");
    let outside = checked["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "datum_outside_period")
        .expect("dates outside the partition's month");
    assert_eq!(outside["count"], 9);
    let csv = out.join("leverantorsreskontra-2024.csv");
    // datapackage.json: a tabular data package whose resource matches the CSV
    let dp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).expect("dp"))
            .expect("json");
    assert_eq!(dp["profile"], "tabular-data-package");
    let res = &dp["resources"][0];
    assert_eq!(res["path"], "leverantorsreskontra-2024.csv");
    assert_eq!(res["hash"], format!("sha256:{}", sha256(&csv)));
    assert_eq!(res["bytes"], std::fs::metadata(&csv).expect("meta").len());
    let fields = res["schema"]["fields"].as_array().expect("fields");
    let names: Vec<&str> = fields
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, reskontra::spec::COLUMNS.to_vec());
    assert_eq!(fields[7]["type"], "number");
    assert_eq!(fields[8]["type"], "date");
    assert_eq!(fields[0]["constraints"]["required"], true);
    assert_eq!(
        fields[4]["constraints"]["required"], false,
        "masked suppliers have no id"
    );
    // each month's own CSV: the header and the month's lines of the year's CSV
    let year_lines: Vec<String> = std::fs::read_to_string(&csv)
        .expect("csv")
        .lines()
        .map(String::from)
        .collect();
    let mut month_lines = vec![year_lines[0].clone()];
    for m in 1..=12 {
        let month = out.join(format!("leverantorsreskontra-2024-{m:02}.csv"));
        let text = std::fs::read_to_string(&month).expect("month csv");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], year_lines[0]);
        assert_eq!(lines.len(), 10, "{}", month.display());
        month_lines.extend(lines[1..].iter().map(|l| l.to_string()));
        assert!(r["outputs"]
            .as_array()
            .expect("outputs")
            .iter()
            .any(
                |o| o["path"] == format!("leverantorsreskontra-2024-{m:02}.csv")
                    && o["sha256"] == sha256(&month)
            ));
    }
    assert_eq!(month_lines, year_lines);
    // without a publication address no catalogue, and no metadata with relative IRIs
    assert!(!out.join("dcat.ttl").exists() && !dir.path().join("dcat.rdf").exists());
    // and a second build gives the same bytes
    let again = dir.path().join("again");
    assert!(build(&[&monthly], &again, &[]).status.success());
    assert_eq!(files_below(&out), files_below(&again));
}

#[test]
fn duckdb_reads_the_partitions_with_the_same_totals() {
    let has_duckdb = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_duckdb {
        eprintln!("skipped: python3 with duckdb is not installed (.ci/run installs it)");
        return;
    }
    let dir = temp();
    let monthly = twelve_months(dir.path());
    let out = dir.path().join("year");
    let base = ["--base-url", "https://data.exempelby.se/lev/"];
    assert!(build(&[&monthly], &out, &base).status.success());
    let check = std::process::Command::new("python3")
        .arg(root().join("scripts/check_duckdb.py"))
        .arg(&out)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(text.contains(" 0 failed"), "{text}");
}

#[test]
fn a_month_delivered_twice_needs_replace_months() {
    let dir = temp();
    let monthly = twelve_months(dir.path());
    let again = dir.path().join("leverantorsreskontra-2024-03-ny.csv");
    std::fs::copy(monthly.join("leverantorsreskontra-2024-03.csv"), &again).expect("copy");
    let out = dir.path().join("year");
    let run = build(&[&monthly, &again], &out, &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("month 2024-03 is delivered twice"),
        "{stderr}"
    );
    assert!(stderr.contains("--replace-months"), "{stderr}");
    assert!(!out.exists());
    let r = build_ok(&[&monthly, &again], &out, &["--replace-months"]);
    assert_eq!(
        r["months"]["03"]["source"],
        "leverantorsreskontra-2024-03-ny.csv"
    );
    assert_eq!(
        r["replaced_months"]["03"].as_array().expect("list").len(),
        2
    );
    assert_eq!(r["rows"], 12 * 9);
}

#[test]
fn invalid_inputs_are_refused() {
    let dir = temp();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{}\n2120000142,K,V1,A AB,5566101233,1,x,1,00,2024-01-01,,,,,\n",
            reskontra::spec::HEADER
        ),
    )
    .expect("write");
    let run = build(&[&bad], &dir.path().join("o"), &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a valid spec 1.1 file"));
    // nothing is left behind: not the output folder, nor its staging area with the month files
    assert!(!dir.path().join("o").exists());
    // an output folder that existed keeps exactly what it held
    let kept = dir.path().join("kept");
    std::fs::create_dir_all(&kept).expect("mkdir");
    std::fs::write(kept.join("earlier.txt"), "earlier run").expect("write");
    let run = build(&[&bad], &kept, &[]);
    assert_eq!(run.status.code(), Some(1));
    let left: Vec<_> = std::fs::read_dir(&kept).expect("read").collect();
    assert_eq!(left.len(), 1);
}

#[test]
fn verify_says_identical_for_every_sample() {
    for sample in SAMPLES.iter() {
        let dir = temp();
        let out = dir.path().join("out");
        assert!(convert_sample(sample, &out).status.success());
        let run = reskontra()
            .arg("verify")
            .arg(out.join("report.json"))
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&run.stdout);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}: {text}{}",
            sample.name,
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            text.contains("verified: every output is identical"),
            "{text}"
        );
        assert!(!text.contains("different"), "{text}");
    }
}

#[test]
fn verify_says_different_when_one_input_byte_changes() {
    let dir = temp();
    let input = dir.path().join("leverantorsfakturor-202405.csv");
    std::fs::copy(
        root().join("samples/city-csv/leverantorsfakturor-202405.csv"),
        &input,
    )
    .expect("copy");
    let out = dir.path().join("out");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .args(["--policy", "samples/policy.toml", "-q", "-o"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(run.status.success());
    let mut bytes = std::fs::read(&input).expect("read");
    let at = bytes
        .windows(5)
        .position(|w| w == b"3 214")
        .expect("an amount");
    bytes[at] = b'4'; // 3 214,32 -> 4 214,32
    std::fs::write(&input, &bytes).expect("write");
    let run = reskontra()
        .arg("verify")
        .arg(out.join("report.json"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{text}");
    assert!(text.contains("input  changed"), "{text}");
    assert!(
        text.contains("output different  leverantorsreskontra-2024-05.csv"),
        "{text}"
    );
    // the inputs can also be found by name in another folder
    let moved = dir.path().join("elsewhere");
    std::fs::create_dir_all(&moved).expect("mkdir");
    std::fs::copy(
        root().join("samples/city-csv/leverantorsfakturor-202405.csv"),
        moved.join("leverantorsfakturor-202405.csv"),
    )
    .expect("copy");
    std::fs::copy(
        root().join("samples/policy.toml"),
        moved.join("policy.toml"),
    )
    .expect("copy");
    let run = reskontra()
        .arg("verify")
        .arg(out.join("report.json"))
        .arg("--inputs")
        .arg(&moved)
        .output()
        .expect("run");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

/// One input holding several months out of order (and a row of another year): the year's CSV
/// has them month by month, each month's rows in file order, and each month its partition.
#[test]
fn an_input_with_months_out_of_order_is_sorted_into_months() {
    let dir = temp();
    let input = dir.path().join("export.csv");
    let row = |v: &str, datum: &str| {
        format!(
            "2120000142,Exempelby kommun,{v},Kontor AB,5566101233,6110,Kontor,10.00,{datum},KS,F-1,,,0180,\n"
        )
    };
    let text = [
        format!("{}\n", reskontra::spec::HEADER),
        row("V3a", "2024-03-05"),
        row("V1", "2024-01-09"),
        row("V0", "2023-12-30"),
        row("V3b", "2024-03-01"),
        row("V2", "2024-02-14"),
    ]
    .concat();
    std::fs::write(&input, text).expect("write");
    let out = dir.path().join("year");
    let r = build_ok(&[&input], &out, &[]);
    let csv = std::fs::read_to_string(out.join("leverantorsreskontra-2024.csv")).expect("csv");
    let order: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).expect("v"))
        .collect();
    assert_eq!(order, ["V1", "V2", "V3a", "V3b"]);
    assert_eq!(r["rows"], 4);
    assert_eq!(r["rows_outside_year"], 1);
    assert_eq!(r["months"]["03"]["rows"], 2);
    assert_eq!(r["months"]["03"]["amount"], "20.00");
    for (month, rows) in [("01", 1), ("02", 1), ("03", 2)] {
        let part = out.join(format!(
            "parquet/kopare_id=2120000142/ar=2024/manad={month}/data.parquet"
        ));
        let entry = r["outputs"]
            .as_array()
            .expect("outputs")
            .iter()
            .find(|o| part.ends_with(o["path"].as_str().expect("path")))
            .expect("listed");
        assert_eq!(entry["rows"], rows, "{month}");
    }
}

/// Building a dataset tells each input's stage (validating, which also sorts its rows into
/// months) and each month written.
#[test]
fn building_tells_its_progress() {
    use reskontra::convert::{Progress, ProgressEvent};
    use std::sync::{Arc, Mutex};
    let dir = temp();
    let monthly = twelve_months(dir.path());
    let stages: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&stages);
    let mut opts =
        reskontra::dataset::DatasetOptions::new(vec![monthly], 2024, dir.path().join("year"));
    opts.progress = Progress::new(move |event| {
        if let ProgressEvent::Stage(name) = event {
            seen.lock().expect("lock").push(name.to_string());
        }
    });
    reskontra::dataset::build(&opts).expect("builds");
    let stages = stages.lock().expect("lock");
    for want in [
        "validating leverantorsreskontra-2024-01.csv",
        "validating leverantorsreskontra-2024-12.csv",
        "writing 2024-01",
        "writing 2024-12",
    ] {
        assert!(stages.iter().any(|s| s == want), "{want}: {stages:?}");
    }
    assert_eq!(stages.len(), 12 * 2, "{stages:?}");
}

/// A spec CSV row of Exempelby kommun (`belopp` 10.00) with the given text in `fakturanummer`.
fn spec_row(v: &str, datum: &str, text: &str) -> String {
    format!("2120000142,Exempelby kommun,{v},Kontor AB,5566101233,6110,Kontor,10.00,{datum},KS,{text},,,0180,\n")
}

/// A yearly file whose month is replaced by a later monthly delivery: the year's CSV holds the
/// yearly file's lines for the other months and the monthly file's for that one, byte for byte
/// (quoted fields with commas, quotes and line breaks included), and the partitions hold the
/// same values.
#[test]
fn a_monthly_delivery_replaces_a_month_of_a_yearly_file() {
    use polars::prelude::*;
    let dir = temp();
    let header = format!("{}\n", reskontra::spec::HEADER);
    let yearly = dir.path().join("a-leverantorsreskontra-2024.csv");
    let yearly_rows = [
        spec_row("Y1", "2024-01-09", "\"F-1, del \"\"a\"\"\""),
        spec_row("Y2", "2024-02-14", "\"F-2\nrad två\""),
        spec_row("Y3", "2024-03-01", "F-3"),
        spec_row("Y1b", "2024-01-31", "F-4"),
    ];
    std::fs::write(&yearly, [header.clone(), yearly_rows.concat()].concat()).expect("write");
    let march = dir.path().join("b-leverantorsreskontra-2024-03.csv");
    let march_rows = [
        spec_row("M1", "2024-03-02", "\"F-5,\nx\""),
        spec_row("M2", "2024-03-30", "F-6"),
    ];
    std::fs::write(&march, [header.clone(), march_rows.concat()].concat()).expect("write");
    let out = dir.path().join("year");
    let r = build_ok(&[&yearly, &march], &out, &["--replace-months"]);
    let csv = std::fs::read_to_string(out.join("leverantorsreskontra-2024.csv")).expect("csv");
    let want = [
        header,
        yearly_rows[0].clone(),
        yearly_rows[3].clone(),
        yearly_rows[1].clone(),
        march_rows.concat(),
    ]
    .concat();
    assert_eq!(csv, want);
    assert_eq!(r["rows"], 5);
    assert_eq!(
        r["months"]["03"]["source"],
        "b-leverantorsreskontra-2024-03.csv"
    );
    assert_eq!(
        r["replaced_months"]["03"][1],
        "b-leverantorsreskontra-2024-03.csv"
    );
    let invoices = |month: &str| -> Vec<String> {
        let part = out.join(format!(
            "parquet/kopare_id=2120000142/ar=2024/manad={month}/data.parquet"
        ));
        let df = ParquetReader::new(std::fs::File::open(&part).expect("open"))
            .finish()
            .expect("parquet");
        let column = df.column("fakturanummer").expect("column");
        column
            .str()
            .expect("text")
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect()
    };
    // verify builds it again, with the inputs in the recorded order and --replace-months
    let verified = reskontra()
        .arg("verify")
        .arg(out.join("report.json"))
        .output()
        .expect("verify");
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert_eq!(invoices("01"), ["F-1, del \"a\"", "F-4"]);
    assert_eq!(invoices("02"), ["F-2\nrad två"]);
    assert_eq!(invoices("03"), ["F-5,\nx", "F-6"]);
}

/// A file named `.csv` that holds JSON is refused with a message naming it, and no output
/// folder is left behind.
#[test]
fn a_json_input_is_refused() {
    let dir = temp();
    let input = dir.path().join("leverantorsreskontra-2024-01.csv");
    std::fs::write(&input, "[]\n").expect("write");
    let out = dir.path().join("year");
    let run = build(&[&input], &out, &[]);
    assert_eq!(run.status.code(), Some(1), "{:?}", run);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("leverantorsreskontra-2024-01.csv") && stderr.contains("is JSON"),
        "{stderr}"
    );
    assert!(!out.exists());
}

fn verify(report: &Path, inputs: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd = reskontra();
    cmd.arg("verify").arg(report);
    if let Some(dir) = inputs {
        cmd.arg("--inputs").arg(dir);
    }
    let run = cmd.output().expect("verify");
    let text = String::from_utf8_lossy(&run.stdout).into_owned();
    (
        run.status.code(),
        text + &String::from_utf8_lossy(&run.stderr),
    )
}

/// `verify` on a dataset's report builds the dataset again from the recorded inputs (beside
/// the report's recorded paths, or by name in --inputs) with the recorded options (licence,
/// base URL), and says which outputs differ once an input changes.
#[test]
fn verify_rebuilds_a_year_dataset() {
    let dir = temp();
    let monthly = twelve_months(dir.path());
    let out = dir.path().join("year");
    let licence = ["--licence", "https://creativecommons.org/licenses/by/4.0/"];
    let base = ["--base-url", "https://data.exempelby.se/lev/"];
    let r = build_ok(&[&monthly], &out, &[licence, base].concat());
    let report_path = out.join("report.json");
    assert_eq!(r["options"]["licence"], licence[1]);
    assert_eq!(
        r["inputs"][0]["path"],
        "../monthly/leverantorsreskontra-2024-01.csv"
    );
    let (code, text) = verify(&report_path, None);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("output identical  leverantorsreskontra-2024-12.csv"),
        "{text}"
    );
    assert!(
        text.contains("verified: every output is identical"),
        "{text}"
    );
    // moved elsewhere: found by name with --inputs, and missing without it
    let moved = dir.path().join("moved");
    std::fs::rename(&monthly, &moved).expect("move");
    let (code, text) = verify(&report_path, None);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("a recorded input is missing"), "{text}");
    let (code, text) = verify(&report_path, Some(&moved));
    assert_eq!(code, Some(0), "{text}");
    // one amount changed by one öre in March
    let march = moved.join("leverantorsreskontra-2024-03.csv");
    let csv = std::fs::read_to_string(&march).expect("read");
    let changed = csv.replacen("3214.32", "3214.33", 1);
    assert_ne!(changed, csv, "the sample has an amount of 3214.32");
    std::fs::write(&march, changed).expect("write");
    let (code, text) = verify(&report_path, Some(&moved));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("input  changed    ../monthly/leverantorsreskontra-2024-03.csv"),
        "{text}"
    );
    for different in [
        "leverantorsreskontra-2024.csv",
        "parquet/kopare_id=2120000142/ar=2024/manad=03/data.parquet",
    ] {
        assert!(
            text.contains(&format!("output different  {different}")),
            "{text}"
        );
    }
    assert!(
        text.contains(
            "output identical  parquet/kopare_id=2120000142/ar=2024/manad=02/data.parquet"
        ),
        "{text}"
    );
}

/// A folder of monthly run folders (each with its report.json and internal/ review files) builds
/// the year: folders are searched below, internal/ left out.
#[test]
fn a_folder_of_run_folders_builds_the_year() {
    let dir = temp();
    let runs = dir.path().join("runs");
    for m in ["01", "02"] {
        let out = runs.join(format!("out-{m}"));
        convert_ok(
            &root().join("samples/city-csv/leverantorsfakturor-202405.csv"),
            &out,
            &[
                "--policy",
                "samples/policy.toml",
                "--period",
                &format!("2024-{m}"),
                "--formats",
                "csv",
            ],
        );
        assert!(out.join("internal/review.csv").exists());
    }
    let year = dir.path().join("year");
    let r = build_ok(&[&runs], &year, &[]);
    assert_eq!(r["rows"], 18);
    let inputs: Vec<&str> = r["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        inputs,
        [
            "../runs/out-01/leverantorsreskontra-2024-01.csv",
            "../runs/out-02/leverantorsreskontra-2024-02.csv"
        ]
    );
}
