//! The defects a journalist met combining publishers' files, each kept fixed: the same file
//! given twice, a corrected month losing to the original, a publisher's supplier numbers
//! dropped without a word, a buyer given that relabels the rows, several buyers in one
//! published file, and `validate` misreading a file with the names publishers use.

use crate::common::*;
use std::path::Path;

/// Run `reskontra ARGS...` from the repository root.
fn run(args: &[&str]) -> std::process::Output {
    reskontra().args(args).output().expect("run reskontra")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_same_file_twice_is_refused_by_either_name() {
    let dir = temp();
    let city = "samples/city-csv/leverantorsfakturor-202405.csv";
    let copy = dir.path().join("kopia-202405.csv");
    std::fs::copy(root().join(city), &copy).expect("copy");
    let out = dir.path().join("out");
    let copy = copy.to_string_lossy().into_owned();
    let out_arg = out.to_string_lossy().into_owned();
    for inputs in [[city, city], [city, copy.as_str()]] {
        let r = run(&[
            "convert",
            inputs[0],
            inputs[1],
            "--policy",
            "samples/policy.toml",
            "-o",
            &out_arg,
        ]);
        assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
        let text = stderr(&r);
        assert!(text.contains("are the same file"), "{text}");
        assert!(text.contains("leverantorsfakturor-202405.csv"), "{text}");
        assert!(text.contains("counted twice"), "{text}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn rows_of_two_buyers_in_one_conversion_are_refused_with_a_pointer_to_collect() {
    let dir = temp();
    let out = dir.path().join("out");
    let r = run(&[
        "convert",
        "samples/spec-1.1/leverantorsreskontra-2024-01.csv",
        "samples/region/region-exempel-2024-02.csv",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    let text = stderr(&r);
    assert!(text.contains("region-exempel-2024-02.csv"), "{text}");
    assert!(
        text.contains("2321000164") && text.contains("2120000142"),
        "{text}"
    );
    assert!(text.contains("one buyer's"), "{text}");
    assert!(text.contains("reskontra collect"), "{text}");
    assert!(!out.exists());
}

#[test]
fn a_buyer_given_that_contradicts_the_rows_is_an_error_not_a_relabelling() {
    let dir = temp();
    let out = dir.path().join("out");
    let region = "samples/region/region-exempel-2024-02.csv";
    let r = run(&[
        "convert",
        region,
        "--policy",
        "samples/policy.toml",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    let text = stderr(&r);
    assert!(text.contains("row 2, column kopare_id"), "{text}");
    assert!(
        text.contains("2321000164") && text.contains("2120000142"),
        "{text}"
    );
    assert!(!out.exists());
    // the buyer the rows carry, given: converts, every row the region's
    let r = run(&[
        "convert",
        region,
        "--buyer-id",
        "232100-0164",
        "-q",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(csv.lines().skip(1).all(|l| l.starts_with("2321000164,")));
    // a buyer column holding a code, not an organisation number: the buyer given replaces
    // it, and the report says so
    let source = std::fs::read_to_string(root().join(region)).expect("read");
    let coded = dir.path().join("region-kod-2024-02.csv");
    std::fs::write(&coded, source.replace("\r2321000164;", "\rREG-01;")).expect("write");
    let lines = source.matches("\r2321000164;").count() as u64;
    assert!(lines > 1);
    let out = dir.path().join("coded");
    let r = run(&[
        "convert",
        &coded.to_string_lossy(),
        "--buyer-id",
        "232100-0164",
        "-q",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    let warnings = report(&out)["warnings"].to_string();
    assert!(
        warnings.contains(&format!(
            "{lines} rows had a buyer of their own that is no organisation number"
        )),
        "{warnings}"
    );
}

#[test]
fn a_publishers_supplier_numbers_left_out_are_counted_and_listed_internally() {
    let dir = temp();
    let out = dir.path().join("out");
    let r = run(&[
        "convert",
        "samples/rowstore/leverantorsreskontra-2024-10-sida1.json",
        "samples/rowstore/leverantorsreskontra-2024-10-sida2.json",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    let report = report(&out);
    let removed = &report["supplier_ids_removed"]["internal_number"];
    assert_eq!(removed["rows"], 3, "{report:#}");
    assert_eq!(removed["suppliers"], 3);
    assert!(report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w
            .as_str()
            .is_some_and(|w| w.contains("supplier-numbers.csv"))));
    let listed = std::fs::read_to_string(out.join("internal/supplier-numbers.csv")).expect("list");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "kind,leverantor,leverantor_id_raw,rows,belopp");
    assert_eq!(lines.len(), 4, "{listed}");
    assert!(listed.contains("internal_number,Nordisk Kontorsvaror AB,10000017,1,1250.00"));
    // the numbers reach no published file
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(!csv.contains("10000017"), "{csv}");
}

/// Two deliveries of February 2025: the corrected one sorts before the original by name.
fn corrected_february(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("nedladdat");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let header = reskontra::spec::HEADER;
    let row = |ver: &str, amount: &str| {
        format!("2120000142,Exempelby kommun,{ver},Nordisk Kontorsvaror AB,5566101233,6110,Kontorsmateriel,{amount},2025-02-05,Kommunstyrelsen,F-1,,,0180,\n")
    };
    let original = format!("{header}\n{}{}", row("V1", "100.00"), row("V2", "200.00"));
    let corrected = format!("{header}\n{}{}", row("V1", "100.00"), row("V2", "250.00"));
    std::fs::write(folder.join("leverantorsreskontra-2025-02.csv"), original).expect("write");
    std::fs::write(
        folder.join("leverantorsreskontra-2025-02-rattad.csv"),
        corrected,
    )
    .expect("write");
    assert!("leverantorsreskontra-2025-02-rattad.csv" < "leverantorsreskontra-2025-02.csv");
    folder
}

#[test]
fn a_corrected_month_wins_over_the_original_whatever_the_names_sort_as() {
    let dir = temp();
    let folder = corrected_february(dir.path());
    let out = dir.path().join("year");
    let build = |extra: &[&str]| {
        let mut args = vec![
            "dataset".to_string(),
            "build".into(),
            folder.to_string_lossy().into_owned(),
            "--year".into(),
            "2025".into(),
            "--replace".into(),
            "-o".into(),
            out.to_string_lossy().into_owned(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        reskontra().args(&args).output().expect("run")
    };
    let r = build(&[]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(stderr(&r).contains("--replace-months"));
    let r = build(&["--replace-months"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let report = report(&out);
    let feb = &report["months"]["02"];
    assert_eq!(feb["source"], "leverantorsreskontra-2025-02-rattad.csv");
    assert_eq!(feb["ground"], "named_correction");
    assert_eq!(feb["amount"], "350.00");
    assert!(
        stderr(&r).contains("named as a correction"),
        "{}",
        stderr(&r)
    );
    // the user may prefer the original
    let original = folder.join("leverantorsreskontra-2025-02.csv");
    let r = build(&["--prefer", &original.to_string_lossy()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let report = self::report(&out);
    assert_eq!(
        report["months"]["02"]["source"],
        "leverantorsreskontra-2025-02.csv"
    );
    assert_eq!(report["months"]["02"]["ground"], "preferred");
    assert_eq!(report["months"]["02"]["amount"], "300.00");
    // and the dataset is built again the same way
    let v = reskontra()
        .arg("verify")
        .arg(out.join("report.json"))
        .output()
        .expect("verify");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn validate_reads_the_names_publishers_use_and_compares_duplicates_over_every_column() {
    let dir = temp();
    let file = dir.path().join("region-2024-02.csv");
    // the region's names and order, bare CR; rows 3 and 4 differ only in nettobelopp,
    // rows 4 and 5 in nothing at all
    let header = "kopare_id;kopare;verifikationsnummer;leverantor;leverantor_id;konto_nr;konto_text;bokforingsdatum;forvaltning;fakturanummer;nettobelopp;grund;avtal;kommun_id;s_kod_nr";
    let row = |amount: &str| {
        format!("2321000164;Region Exempel;R-1;Medicinteknik Syd AB;5566101233;46362;Material;2024-02-02;Vård;-;{amount};;;;S11001")
    };
    let text = [header.to_string(), row("10.00"), row("20.00"), row("20.00")].join("\r");
    std::fs::write(&file, text).expect("write");
    let (code, report) = validate_report(&file);
    assert_eq!(code, 1, "the names and the delimiter are not the spec's");
    let findings = report["files"][0]["findings"].as_array().expect("findings");
    let checks: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["check"].as_str())
        .collect();
    assert!(!checks.contains(&"belopp_missing"), "{checks:?}");
    assert!(!checks.contains(&"datum_missing"), "{checks:?}");
    let header_finding = findings
        .iter()
        .find(|f| f["check"] == "header")
        .expect("a header finding");
    let message = header_finding["message"].as_str().unwrap_or_default();
    assert!(message.contains("nettobelopp holds belopp"), "{message}");
    assert!(message.contains("bokforingsdatum holds datum"), "{message}");
    let duplicates = findings
        .iter()
        .find(|f| f["check"] == "duplicate_row")
        .expect("the one real duplicate");
    assert_eq!(duplicates["count"], 1, "{duplicates:#}");
    let convertible = findings
        .iter()
        .find(|f| f["check"] == "convertible")
        .expect("a pointer to the commands that read it");
    let text = convertible["message"].as_str().unwrap_or_default();
    assert!(
        text.contains("reskontra convert") && text.contains("reskontra collect"),
        "{text}"
    );
}
