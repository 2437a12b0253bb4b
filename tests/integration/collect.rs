//! `reskontra collect`: a generated download folder of five publishers (every quirk of
//! `tests/publishers/gen.rs`) becomes one dataset that holds what the files hold, whatever the
//! order or the runs the files come in; personal numbers never enter it; re-publications are
//! never summed; and every way a run can fail leaves the dataset as it was.

use crate::common::*;
use crate::publishers::{write_publishers, Expected, Publishers};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// The publishers' files for `months` months of 2024 under `dir/pub`.
fn generate(dir: &Path, months: u32, rows: usize, duplicate: bool) -> Expected {
    write_publishers(
        &dir.join("pub"),
        &Publishers {
            months: (1..=months).map(|m| (2024, m)).collect(),
            rows,
            seed: 11,
            duplicate,
            raw_reports: true,
        },
    )
}

/// Run `reskontra collect ARGS...` in `dir` (so that the paths given are relative).
fn collect(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = reskontra();
    cmd.current_dir(dir).arg("collect").args(args);
    cmd.output().expect("run reskontra collect")
}

fn collect_ok(dir: &Path, args: &[&str]) -> String {
    let run = collect(dir, args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stderr).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The rows of every partition as text (one line per row, columns joined by `|`), by path.
fn partitions(dataset: &Path) -> Vec<(String, Vec<String>)> {
    use polars::prelude::*;
    let mut out = Vec::new();
    for (rel, _) in files_below(dataset) {
        if !rel.starts_with("parquet/") {
            continue;
        }
        let file = std::fs::File::open(dataset.join(&rel)).expect("open");
        let df = ParquetReader::new(file).finish().expect("read parquet");
        let texts: Vec<StringChunked> = df
            .columns()
            .iter()
            .map(|c| reskontra::read::parquet::parquet_texts(c).expect("texts"))
            .collect();
        let lines = (0..df.height())
            .map(|i| {
                texts
                    .iter()
                    .map(|t| t.get(i).unwrap_or("NULL"))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        out.push((rel, lines));
    }
    out
}

/// The dataset's report.
fn dataset_report(dataset: &Path) -> serde_json::Value {
    report(dataset)
}

#[test]
fn a_download_folder_becomes_one_dataset_that_holds_what_the_files_hold() {
    let dir = temp();
    let expected = generate(dir.path(), 3, 14, true);
    let summary = collect_ok(dir.path(), &["pub", "-o", "dataset"]);
    let dataset = dir.path().join("dataset");
    let r = dataset_report(&dataset);
    // every buyer's month, its rows and its sum to the öre, from the delivery it should be
    let buyers = r["buyers"].as_object().expect("buyers");
    assert_eq!(buyers.len(), expected.buyers.len(), "{summary}");
    let mut rows = 0;
    for ((buyer, month), (n, cents)) in &expected.months {
        let m = &r["buyers"][buyer]["months"][month];
        assert_eq!(m["rows"], *n, "{buyer} {month}: {m}");
        assert_eq!(
            m["amount"].as_str(),
            Some(reskontra::amount::ore_text(*cents).as_str()),
            "{buyer} {month}"
        );
        assert!(m["file"]
            .as_str()
            .is_some_and(|f| f.starts_with("parquet/kopare_id=")));
        rows += n;
    }
    assert_eq!(r["dataset"]["rows"], rows);
    for (id, name) in &expected.buyers {
        assert!(r["buyers"][id]["names"][name].as_u64().is_some(), "{id}");
    }
    // the corrected month: used, never summed, the difference shown
    let conflicts = r["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(c["used"], format!("pub/{}", expected.correction.0));
    assert_eq!(c["other"], format!("pub/{}", expected.correction.1));
    assert_eq!(c["ground"], "named_correction");
    assert_eq!(c["amount_changed"], 1);
    assert_eq!(c["only_in_used"], 1);
    assert_eq!(c["only_in_other"], 0);
    assert_eq!(c["identical_rows"], 14 - 1);
    assert_eq!(c["difference"], "1334.56");
    assert!(summary.contains("re-published"), "{summary}");
    // the same bytes twice count once
    assert_eq!(
        r["duplicate_files"],
        serde_json::json!([{
            "path": "pub/kommun/kopia/leverantorsreskontra-2024-01.csv",
            "same_as": "pub/kommun/leverantorsreskontra-2024-01.csv"
        }])
    );
    // the leaks, by file, line and column, and never the number anywhere in the dataset
    let leaks = std::fs::read_to_string(dataset.join("leaks.csv")).expect("leaks.csv");
    let mut want: Vec<String> = expected
        .leaks
        .iter()
        .map(|(file, line, column)| {
            let kind = if column == "leverantor_id" {
                "personnummer"
            } else {
                "i_text"
            };
            format!("pub/{file},{line},{column},{kind}")
        })
        .collect();
    want.sort();
    let listed: Vec<&str> = leaks.lines().skip(1).collect();
    assert_eq!(listed, want);
    assert_eq!(r["leaks"]["cells"], expected.leaks.len());
    for (rel, bytes) in files_below(&dataset) {
        let path = dataset.join(&rel);
        if rel.ends_with(".parquet") {
            assert_eq!(
                reskontra::scan::personal_number_hits(&path).expect("scan"),
                0,
                "{rel}"
            );
        } else {
            let text = String::from_utf8_lossy(&bytes);
            let found = reskontra::ident::find_personal_numbers(&text);
            assert!(found.is_empty(), "{rel} holds a personal number");
        }
        let raw = String::from_utf8_lossy(&bytes);
        for number in &expected.personal_numbers {
            let written = format!("{}-{}", &number[..6], &number[6..]);
            assert!(
                !raw.contains(number.as_str()) && !raw.contains(&written),
                "{rel}"
            );
        }
    }
    // the kinds of supplier ids, and the publisher's own numbers kept
    let stad_a = &expected.buyers[1].0;
    assert_eq!(r["buyers"][stad_a]["id_kinds"]["internt_nummer"], 3 * 14);
    assert_eq!(r["buyers"][stad_a]["fill_rate"]["leverantor_nr"], 1.0);
    assert_eq!(r["buyers"][stad_a]["fill_rate"]["avtal"], 0.0);
    let stad_b = &expected.buyers[2].0;
    assert!(r["buyers"][stad_b]["id_kinds"]["maskerad"].as_u64() > Some(0));
    assert!(r["buyers"][stad_b]["id_kinds"]["saknas"].as_u64() > Some(0));
    // the quirks each publisher's files were read with
    let sources = r["sources"].as_object().expect("sources");
    let quirks_of = |file: &str| -> String {
        sources
            .values()
            .find(|s| s["files"][0]["path"] == file)
            .map(|s| s["quirks"].to_string())
            .unwrap_or_else(|| panic!("no source {file}"))
    };
    let region = quirks_of("pub/region/region-2024-01.csv");
    for q in [
        "CR line endings",
        "nettobelopp for belopp",
        "bokforingsdatum for datum",
        "placeholder for empty in fakturanummer",
        "delimiter ';'",
    ] {
        assert!(region.contains(q), "{q}: {region}");
    }
    let rowstore = quirks_of("pub/stad-a/leverantorsreskontra-2024-01-sida1.json");
    for q in [
        "row-store JSON",
        "byte-order mark inside a column name",
        "decimal comma",
        "internal supplier numbers",
    ] {
        assert!(rowstore.contains(q), "{q}: {rowstore}");
    }
    let utf16 = quirks_of("pub/stad-b/leverantorsreskontra-2024-01.csv");
    for q in ["UTF-16LE", "decimal comma", "masked by the publisher"] {
        assert!(utf16.contains(q), "{q}: {utf16}");
    }
    // the pages of one month are one source
    let pages = sources
        .values()
        .find(|s| s["files"][0]["path"] == "pub/stad-a/leverantorsreskontra-2024-01-sida1.json")
        .expect("the pages");
    assert_eq!(pages["files"].as_array().map(Vec::len), Some(2));
    // the raw report's buyer came from sources.toml
    let raw = sources
        .values()
        .find(|s| s["layout"] == "municipality-report")
        .expect("the raw report");
    assert_eq!(raw["buyer_from"], "sources file");
    // missing values are NULL, never ''; the rows keep where they came from
    for (rel, lines) in partitions(&dataset) {
        for line in lines {
            assert!(!line.split('|').any(str::is_empty), "{rel}: {line}");
        }
    }
    assert!(dataset.join("report.txt").exists());
}

#[test]
fn duckdb_reads_the_dataset_as_its_report_says() {
    let dir = temp();
    generate(dir.path(), 2, 9, false);
    collect_ok(dir.path(), &["pub", "-o", "dataset", "-q"]);
    let check = std::process::Command::new("python3")
        .arg(root().join("scripts/check_collect.py"))
        .arg(dir.path().join("dataset"))
        .output();
    let check = match check {
        Ok(c) if c.status.success() || std::env::var_os("CI").is_some() => c,
        _ => {
            eprintln!("skipped: python3 with duckdb is not installed");
            return;
        }
    };
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{text}{}", stderr(&check));
    assert!(text.contains(" 0 failed"), "{text}");
}

/// The sources of the generated folder as groups of paths, each group collected as one unit:
/// the pages of a month together (a dataset's pages are one source), and a file together with
/// its copy under another name (the dataset names a file as it was first collected).
fn source_groups(expected: &Expected) -> Vec<Vec<String>> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in expected.files.iter().filter(|f| *f != "sources.toml") {
        let key = f.split("-sida").next().unwrap_or(f).replace("kopia/", "");
        groups.entry(key).or_default().push(format!("pub/{f}"));
    }
    groups.into_values().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]

    /// The dataset is the same, byte for byte, whatever order the files are given in and
    /// however they are split into runs.
    #[test]
    fn any_order_and_any_split_into_runs_give_the_same_dataset(
        order in any::<u64>(),
        cuts in proptest::collection::vec(0usize..100, 0..3),
    ) {
        let dir = temp();
        let expected = generate(dir.path(), 2, 6, true);
        let mut groups = source_groups(&expected);
        // a shuffle by the drawn number
        let mut state = order;
        for i in (1..groups.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            groups.swap(i, (state >> 33) as usize % (i + 1));
        }
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % groups.len()).collect();
        cuts.sort();
        cuts.dedup();
        let mut runs: Vec<Vec<String>> = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([groups.len()]) {
            if cut > start {
                runs.push(groups[start..cut].iter().flatten().cloned().collect());
                start = cut;
            }
        }
        for run in &runs {
            let mut args: Vec<&str> = run.iter().map(String::as_str).collect();
            args.extend(["--sources", "pub/sources.toml", "-o", "split", "-q"]);
            collect_ok(dir.path(), &args);
        }
        collect_ok(dir.path(), &["pub", "-o", "whole", "-q"]);
        let (split, whole) = (files_below(&dir.path().join("split")), files_below(&dir.path().join("whole")));
        prop_assert_eq!(
            split.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
            whole.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
        );
        for ((name, a), (_, b)) in split.iter().zip(&whole) {
            prop_assert!(a == b, "{} differs after {} runs", name, runs.len());
        }
    }
}

#[test]
fn a_later_run_adds_only_the_months_its_files_touch() {
    let dir = temp();
    let expected = generate(dir.path(), 3, 5, false);
    let first: Vec<String> = expected
        .files
        .iter()
        .filter(|f| !f.contains("2024-03") && *f != "sources.toml")
        .map(|f| format!("pub/{f}"))
        .collect();
    let mut args: Vec<&str> = first.iter().map(String::as_str).collect();
    args.extend(["--sources", "pub/sources.toml", "-o", "dataset", "-q"]);
    collect_ok(dir.path(), &args);
    let dataset = dir.path().join("dataset");
    let january = dataset.join(format!(
        "parquet/kopare_id={}/ar=2024/manad=01/data.parquet",
        expected.buyers[0].0
    ));
    let before = std::fs::metadata(&january).expect("january");
    let summary = collect_ok(dir.path(), &["pub", "-o", "dataset"]);
    assert!(summary.contains("wrote 5 partitions"), "{summary}");
    // five publishers' two months and the corrected one, the pages of a month one source
    assert_eq!(
        summary.matches("already in the dataset").count(),
        11,
        "{summary}"
    );
    let after = std::fs::metadata(&january).expect("january");
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            before.ino(),
            after.ino(),
            "an untouched month is not written again"
        );
    }
    assert_eq!(before.len(), after.len());
    // the same as one run of everything
    collect_ok(dir.path(), &["pub", "-o", "whole", "-q"]);
    assert_eq!(
        files_below(&dataset),
        files_below(&dir.path().join("whole"))
    );
    // and a run of files it holds changes nothing
    let again = collect_ok(dir.path(), &["pub", "-o", "dataset"]);
    assert!(again.contains("wrote 0 partitions"), "{again}");
    assert_eq!(
        files_below(&dataset),
        files_below(&dir.path().join("whole"))
    );
}

#[test]
fn a_preferred_file_wins_its_months_and_the_other_delivery_is_kept_aside() {
    let dir = temp();
    let expected = generate(dir.path(), 2, 5, false);
    collect_ok(dir.path(), &["pub", "-o", "dataset", "-q"]);
    let original = format!("pub/{}", expected.correction.1);
    let summary = collect_ok(dir.path(), &["pub", "-o", "dataset", "--prefer", &original]);
    let r = dataset_report(&dir.path().join("dataset"));
    let kommun = &expected.buyers[3].0;
    let month = &r["buyers"][kommun]["months"]["2024-02"];
    assert_eq!(month["source"], original.as_str(), "{summary}");
    assert_eq!(month["ground"], "preferred");
    assert_eq!(month["rows"], 5);
    let c = &r["conflicts"][0];
    assert_eq!(c["used"], original.as_str());
    assert_eq!(c["only_in_other"], 1);
    let aside = files_below(&dir.path().join("dataset"))
        .into_iter()
        .filter(|(n, _)| n.starts_with("superseded/"))
        .count();
    assert_eq!(aside, 1);
}

#[test]
fn a_raw_export_without_its_buyer_is_refused_naming_the_file_and_the_way_on() {
    let dir = temp();
    generate(dir.path(), 1, 4, false);
    std::fs::remove_file(dir.path().join("pub/sources.toml")).expect("rm");
    let run = collect(dir.path(), &["pub", "-o", "dataset"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let text = stderr(&run);
    assert!(text.contains("Leverantörsfakturor 2024-01.xlsx"), "{text}");
    assert!(
        text.contains("sources file") && text.contains("kopare_id"),
        "{text}"
    );
    assert!(!dir.path().join("dataset").exists(), "nothing is written");
    // with --keep-going the rest is collected and the file named, with exit code 1 (also
    // with -q, which says nothing else)
    let run = collect(dir.path(), &["pub", "-o", "dataset", "--keep-going"]);
    assert_eq!(run.status.code(), Some(1));
    let summary = stderr(&run);
    assert!(
        summary.contains("NOT collected: pub/kommun-c/Leverantörsfakturor 2024-01.xlsx"),
        "{summary}"
    );
    let r = dataset_report(&dir.path().join("dataset"));
    assert_eq!(r["buyers"].as_object().map(|b| b.len()), Some(4));
    let quiet = collect(dir.path(), &["pub", "-o", "again", "--keep-going", "-q"]);
    assert_eq!(quiet.status.code(), Some(1));
    let said = stderr(&quiet);
    assert!(
        said.starts_with("not collected: pub/kommun-c/Leverantörsfakturor 2024-01.xlsx: ")
            && said.lines().count() == 1,
        "{said}"
    );
}

#[test]
fn a_damaged_file_stops_the_run_and_leaves_the_dataset_as_it_was() {
    let dir = temp();
    generate(dir.path(), 1, 4, false);
    collect_ok(dir.path(), &["pub", "-o", "dataset", "-q"]);
    let before = files_below(&dir.path().join("dataset"));
    let bad = dir.path().join("pub/region/region-2024-02.xlsx");
    std::fs::write(&bad, b"PK\x03\x04 a workbook cut short").expect("write");
    let run = collect(dir.path(), &["pub", "-o", "dataset"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("region-2024-02.xlsx"),
        "{}",
        stderr(&run)
    );
    assert_eq!(files_below(&dir.path().join("dataset")), before);
}

#[test]
fn a_folder_of_another_kind_or_another_policy_is_refused() {
    let dir = temp();
    generate(dir.path(), 1, 4, false);
    let out = dir.path().join("converted");
    convert_ok(
        &root().join("samples/spec-1.1/leverantorsreskontra-2024-01.csv"),
        &out,
        &[],
    );
    let run = collect(dir.path(), &["pub", "-o", "converted"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("not a collected dataset"),
        "{}",
        stderr(&run)
    );
    collect_ok(dir.path(), &["pub", "-o", "dataset", "-q"]);
    let policy = root().join("samples/policy.toml");
    let policy = policy.to_string_lossy();
    let run = collect(dir.path(), &["pub", "-o", "dataset", "--policy", &policy]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("another privacy policy"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_parquet_file_and_a_workbook_of_the_spec_are_collected_too() {
    let dir = temp();
    let out = dir.path().join("converted");
    convert_ok(
        &root().join("samples/spec-1.1/leverantorsreskontra-2024-01.csv"),
        &out,
        &["--formats", "parquet,xlsx"],
    );
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    std::fs::copy(
        out.join("leverantorsreskontra-2024-01.parquet"),
        inputs.join("a-2024-01.parquet"),
    )
    .expect("copy");
    std::fs::copy(
        out.join("leverantorsreskontra-2024-01.xlsx"),
        inputs.join("b-2024-01.xlsx"),
    )
    .expect("copy");
    collect_ok(dir.path(), &["in", "-o", "dataset", "-q"]);
    let r = dataset_report(&dir.path().join("dataset"));
    let month = &r["buyers"]["2120000142"]["months"]["2024-01"];
    assert_eq!(month["rows"], 8, "{r}");
    assert_eq!(month["deliveries"], 2);
    let c = &r["conflicts"][0];
    assert_eq!(c["identical_rows"], 8, "the same rows in both forms: {c}");
    assert_eq!(c["difference"], "0.00");
}

/// The golden dataset: a small generated folder collected, its report, summary, leak list and
/// every partition's rows as text, as stored in tests/golden-collect/ (UPDATE_GOLDEN=1 rewrites).
#[test]
fn the_golden_dataset() {
    let dir = temp();
    generate(dir.path(), 2, 4, true);
    collect_ok(dir.path(), &["pub", "-o", "dataset", "-q"]);
    let dataset = dir.path().join("dataset");
    let mut actual: Vec<(String, Vec<u8>)> = Vec::new();
    for name in ["report.txt", "leaks.csv"] {
        actual.push((
            name.into(),
            std::fs::read(dataset.join(name)).expect("read"),
        ));
    }
    let mut r = dataset_report(&dataset);
    r["version"] = "VERSION".into();
    actual.push((
        "report.json".into(),
        (serde_json::to_string_pretty(&r).expect("json") + "\n").into_bytes(),
    ));
    for (rel, lines) in partitions(&dataset) {
        let name = rel.replace('/', "_").replace(".parquet", ".txt");
        actual.push((name, (lines.join("\n") + "\n").into_bytes()));
    }
    actual.sort();
    let golden: PathBuf = root().join("tests/golden-collect");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        std::fs::create_dir_all(&golden).expect("mkdir");
        for (name, bytes) in &actual {
            std::fs::write(golden.join(name), bytes).expect("write");
        }
    }
    let expected = files_below(&golden);
    assert_eq!(
        actual.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        expected.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
    );
    for ((name, a), (_, e)) in actual.iter().zip(&expected) {
        assert!(
            a == e,
            "{name} differs from its golden file:\n--- actual\n{}\n--- golden\n{}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(e)
        );
    }
}

/// A `--prefer` holds in later runs (the dataset's report records it by source), and one that
/// names no file is refused.
#[test]
fn a_preference_holds_in_later_runs_and_must_name_a_file() {
    let dir = temp();
    let expected = generate(dir.path(), 2, 5, false);
    let original = format!("pub/{}", expected.correction.1);
    let run = collect(
        dir.path(),
        &["pub", "-o", "dataset", "--prefer", "pub/nothing.csv"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("--prefer pub/nothing.csv: no file"),
        "{}",
        stderr(&run)
    );
    assert!(!dir.path().join("dataset").exists());
    collect_ok(
        dir.path(),
        &["pub", "-o", "dataset", "-q", "--prefer", &original],
    );
    let r = dataset_report(&dir.path().join("dataset"));
    assert_eq!(r["options"]["preferred"].as_array().map(Vec::len), Some(1));
    // a later run brings another correction of the month, named as one: the preference holds
    let corrected = dir.path().join("pub").join(&expected.correction.0);
    let mut text = std::fs::read_to_string(&corrected).expect("read");
    let last = text.lines().last().expect("a row").to_string();
    text.push_str(&last);
    text.push('\n');
    let later = dir.path().join("later");
    std::fs::create_dir_all(&later).expect("mkdir");
    let name = corrected
        .file_name()
        .expect("name")
        .to_string_lossy()
        .replace(".csv", "-korrigerad.csv");
    std::fs::write(later.join(&name), text).expect("write");
    let summary = collect_ok(dir.path(), &["later", "-o", "dataset"]);
    let r = dataset_report(&dir.path().join("dataset"));
    let kommun = &expected.buyers[3].0;
    let month = &r["buyers"][kommun]["months"]["2024-02"];
    assert_eq!(month["source"], original.as_str(), "{summary}");
    assert_eq!(month["ground"], "preferred");
    assert_eq!(month["deliveries"], 3, "{month}");
}

/// Absolute inputs are named by their folder's or file's name in the dataset (no path of the
/// machine); a sources file given from another working folder matches relative to itself; the
/// rules of every folder's sources file apply; a collected dataset inside a folder of
/// downloads is not collected again; no masked person's name reaches any file of the dataset,
/// the internal ones included.
#[test]
fn paths_sources_and_names() {
    let dir = temp();
    let expected = generate(dir.path(), 1, 6, false);
    let pub_dir = dir.path().join("pub");
    // the sources file moved out of the folder, given relative to another working folder
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).expect("mkdir");
    let text = std::fs::read_to_string(pub_dir.join("sources.toml")).expect("read");
    std::fs::remove_file(pub_dir.join("sources.toml")).expect("rm");
    std::fs::write(
        config.join("sources.toml"),
        text.replace("path = \"kommun-c\"", "path = \"../pub/kommun-c\""),
    )
    .expect("write");
    let run = reskontra()
        .current_dir(&pub_dir)
        .arg("collect")
        .arg(&pub_dir)
        .args(["--sources", "../config/sources.toml", "-q", "-o"])
        .arg(dir.path().join("dataset"))
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", stderr(&run));
    let dataset = dir.path().join("dataset");
    let r = dataset_report(&dataset);
    assert_eq!(
        r["buyers"].as_object().map(|b| b.len()),
        Some(expected.buyers.len())
    );
    let machine = dir.path().to_string_lossy().into_owned();
    for (name, bytes) in files_below(&dataset) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&machine),
            "{name} names a folder of this machine"
        );
        assert!(!text.contains("Fotvård Lind"), "{name} holds a masked name");
        for number in &expected.personal_numbers {
            assert!(
                !text.contains(number.as_str()),
                "{name} holds a personal number"
            );
        }
    }
    let sources = r["sources"].as_object().expect("sources");
    assert!(sources.values().all(|s| s["files"][0]["path"]
        .as_str()
        .is_some_and(|p| p.starts_with("pub/"))));
    // the dataset put inside the download folder is left alone by a later run
    let inside = pub_dir.join("mine");
    std::fs::rename(&dataset, &inside).expect("move");
    let run = reskontra()
        .current_dir(dir.path())
        .args([
            "collect",
            "pub",
            "--sources",
            "config/sources.toml",
            "-o",
            "again",
        ])
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", stderr(&run));
    let again = dataset_report(&dir.path().join("again"));
    assert_eq!(
        again["sources"], r["sources"],
        "the dataset's own files are not collected"
    );
}

/// Two sources that cannot be read: the run stops on the first in name order, whichever
/// thread met its failure first.
#[test]
fn of_two_bad_files_the_first_is_named() {
    let dir = temp();
    generate(dir.path(), 1, 4, false);
    for bad in ["pub/region/aa-damaged.xlsx", "pub/stad-b/zz-damaged.xlsx"] {
        let path = dir.path().join(bad);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, b"PK\x03\x04 cut short").expect("write");
    }
    for _ in 0..3 {
        let run = collect(dir.path(), &["pub", "-o", "dataset"]);
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        let text = stderr(&run);
        assert!(
            text.contains("aa-damaged.xlsx") && !text.contains("zz-damaged"),
            "{text}"
        );
    }
}
