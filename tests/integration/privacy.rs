//! Property tests of the privacy rules over every built-in layout: personal numbers in any
//! written form, in any column, never reach a published output; organisation numbers in any
//! written form are published as ten digits.

use crate::common::*;
use proptest::prelude::*;
use reskontra::convert::{convert, ConvertOptions};
use reskontra::ident::{find_personal_numbers, luhn_check_digit};
use reskontra::layout::{detect, Layout};
use reskontra::read::{read_table, ReadOptions};
use std::path::{Path, PathBuf};

/// A sample reduced to its header and first data row, to inject values into.
struct Baseline {
    sample: &'static Sample,
    header: Vec<String>,
    row: Vec<String>,
}

fn baseline(sample: &'static Sample) -> Baseline {
    let path = root().join(sample.inputs[0]);
    let table = read_table(&path, &ReadOptions::default()).expect("sample reads");
    let d = detect(&table.rows, &Layout::builtin()).expect("layout");
    let header = table.rows[d.header_index].cells.to_vec();
    let row = table.rows[d.header_index + 1].cells.to_vec();
    Baseline {
        sample,
        header,
        row,
    }
}

fn csv_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Write the baseline with `value` in column `col` and convert it; returns the output folder.
fn convert_injected(
    b: &Baseline,
    col: usize,
    value: &str,
    dir: &Path,
) -> reskontra::Result<PathBuf> {
    let mut row = b.row.clone();
    row[col] = value.to_string();
    let text = format!(
        "{}\n{}\n",
        b.header
            .iter()
            .map(|h| csv_quote(h))
            .collect::<Vec<_>>()
            .join(";"),
        row.iter()
            .map(|c| csv_quote(c))
            .collect::<Vec<_>>()
            .join(";")
    );
    let input = dir.join("injected-2024-01.csv");
    std::fs::write(&input, text).expect("write");
    let mut inputs = vec![input];
    // lookup tables (not further pages of the same export) go along
    if b.sample.layout == "raindance" {
        inputs.extend(b.sample.inputs[1..].iter().map(|p| root().join(p)));
    }
    let out = dir.join("out");
    let mut opts = ConvertOptions::new(inputs, out.clone());
    opts.formats = vec![
        reskontra::write::Format::Csv,
        reskontra::write::Format::Json,
        reskontra::write::Format::Parquet,
    ];
    opts.layout = Some(b.sample.layout.to_string());
    opts.overrides.buyer_id = Some("2120000142".into());
    opts.overrides.buyer_name = Some("Exempelby kommun".into());
    convert(&opts)?;
    Ok(out)
}

fn baselines() -> Vec<Baseline> {
    SAMPLES.iter().map(baseline).collect()
}

fn with_check(nine: &str) -> String {
    format!("{nine}{}", luhn_check_digit(nine.as_bytes()) as char)
}

/// A personnummer or samordningsnummer (10 digits).
fn personal_number() -> impl Strategy<Value = String> {
    (0u32..100, 1u32..=12, 1u32..=28, any::<bool>(), 0u32..1000).prop_map(
        |(yy, mm, dd, coord, serial)| {
            let day = if coord { dd + 60 } else { dd };
            with_check(&format!("{yy:02}{mm:02}{day:02}{serial:03}"))
        },
    )
}

/// Every written form of a personal number, alone or in text.
fn written_personal(p: &str, form: usize, century: &str) -> String {
    let (a, b) = (&p[..6], &p[6..]);
    match form {
        0 => p.to_string(),
        1 => format!("{a}-{b}"),
        2 => format!("{a}+{b}"),
        3 => format!("{a} {b}"),
        4 => format!("{century}{p}"),
        5 => format!("{century}{a}-{b}"),
        6 => format!("SE{p}01"),
        7 => format!("SE {a}-{b} 01"),
        _ => format!("Avser {a}-{b} enligt avtal"),
    }
}

/// A valid organisation number (10 digits).
fn organisation_number() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!['2', '3', '5', '6', '7', '8', '9']),
        0u32..10,
        20u32..100,
        0u32..100_000,
    )
        .prop_map(|(g, d2, d34, rest)| with_check(&format!("{g}{d2}{d34:02}{rest:05}")))
}

fn written_organisation(o: &str, form: usize) -> String {
    let (a, b) = (&o[..6], &o[6..]);
    match form {
        0 => o.to_string(),
        1 => format!("{a}-{b}"),
        2 => format!("16{o}"),
        3 => format!("SE{o}01"),
        4 => format!("SE {a}-{b} 01"),
        _ => format!("{a} {b}"),
    }
}

/// report.json without its SHA-256 values: a hash's hex digits can happen to contain ten
/// digits in a row that pass the Luhn check, which is not personal data.
fn report_without_hashes(out: &Path) -> String {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("sha256");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(out.join("report.json")).expect("report");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("report json");
    strip(&mut value);
    assert!(!value.to_string().contains("sha256"));
    value.to_string()
}

fn published_files(out: &Path) -> Vec<PathBuf> {
    ["csv", "json", "parquet"]
        .iter()
        .map(|e| published(out, e))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn personal_numbers_never_reach_a_published_output(
        p in personal_number(),
        form in 0usize..9,
        century in prop::sample::select(vec!["19", "20"]),
        which in any::<prop::sample::Index>(),
        col in any::<prop::sample::Index>(),
    ) {
        let all = baselines();
        let b = which.get(&all);
        let col = col.index(b.header.len());
        let value = written_personal(&p, form, century);
        let dir = temp();
        let out = convert_injected(b, col, &value, dir.path())
            .unwrap_or_else(|e| panic!("{} column {}: {e}", b.sample.name, b.header[col]));
        for file in published_files(&out) {
            let hits = reskontra::validate::personal_number_hits(&file).expect("scan");
            prop_assert_eq!(hits, 0, "{} column {} form {}: {}", b.sample.name, b.header[col], form, file.display());
        }
        let report = report_without_hashes(&out);
        prop_assert!(find_personal_numbers(&report).is_empty(), "report.json carries a personal number: {} column {}", b.sample.name, b.header[col]);
    }

    #[test]
    fn organisation_numbers_publish_as_ten_digits(
        o in organisation_number(),
        form in 0usize..6,
        which in any::<prop::sample::Index>(),
    ) {
        // Raindance takes the id from its supplier table, not from the postings
        let all: Vec<Baseline> = baselines().into_iter().filter(|b| b.sample.layout != "raindance").collect();
        let b = which.get(&all);
        let layout = Layout::load(b.sample.layout).expect("layout");
        let names = layout.columns["leverantor_id"].names.clone();
        let col = reskontra::layout::find_column(&b.header, &names).expect("id column");
        let dir = temp();
        let value = written_organisation(&o, form);
        let out = convert_injected(b, col, &value, dir.path()).expect("converts");
        let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        prop_assert_eq!(rows.len(), 1, "{}: {}", b.sample.name, csv);
        prop_assert_eq!(&rows[0][4], o.as_str(), "{} form {}", b.sample.name, form);
        prop_assert_ne!(&rows[0][3], reskontra::protect::PERSON_MARKER);
    }
}

#[test]
fn review_lists_every_masked_and_withheld_supplier_but_published_files_do_not() {
    for sample in SAMPLES {
        let dir = temp();
        let out = dir.path().join("out");
        assert!(convert_sample(sample, &out).status.success());
        let review = std::fs::read_to_string(out.join("internal/review.csv")).expect("review");
        let report = report(&out);
        let by_reason = report["privacy"]["by_reason"].as_object().expect("object");
        let review_rows: u64 = review
            .lines()
            .skip(1)
            .map(|l| {
                l.rsplit(',')
                    .nth(1)
                    .expect("rows")
                    .parse::<u64>()
                    .expect("number")
            })
            .sum();
        let report_rows: u64 = by_reason
            .values()
            .map(|v| v["rows"].as_u64().expect("rows"))
            .sum();
        assert_eq!(review_rows, report_rows, "{}", sample.name);
        let readme = std::fs::read_to_string(out.join("internal/README.txt")).expect("readme");
        assert!(readme.contains("DO NOT PUBLISH"));
        for file in published_files(&out) {
            assert_eq!(
                reskontra::validate::personal_number_hits(&file).expect("scan"),
                0
            );
        }
    }
}

#[test]
fn the_final_scan_finds_personal_numbers_in_every_format() {
    use polars::prelude::*;
    let dir = temp();
    let p = with_check("640823323");
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, format!("a,b\nx,\"Avser {}-{}\"\n", &p[..6], &p[6..])).expect("csv");
    let json = dir.path().join("x.json");
    std::fs::write(&json, format!("[{{\"a\":\"x\",\"b\":\"19{p}\"}}]")).expect("json");
    let parquet = dir.path().join("x.parquet");
    // the text column comes after a typed one (only text columns are read back)
    let mut df = DataFrame::new(
        1,
        vec![
            Column::new("n".into(), &[7i64]),
            Column::new("b".into(), &[format!("SE{p}01")]),
        ],
    )
    .expect("df");
    ParquetWriter::new(std::fs::File::create(&parquet).expect("file"))
        .finish(&mut df)
        .expect("parquet");
    for f in [&csv, &json, &parquet] {
        assert_eq!(
            reskontra::validate::personal_number_hits(f).expect("scan"),
            1,
            "{}",
            f.display()
        );
    }
    let clean = dir.path().join("clean.csv");
    std::fs::write(&clean, "a,b\n5566101233,85010112.34\n").expect("csv");
    assert_eq!(
        reskontra::validate::personal_number_hits(&clean).expect("scan"),
        0
    );
}

/// A rejected row is counted as rejected only: not also as masked in the report's privacy
/// counts or in review.csv, even when its supplier is a person.
#[test]
fn rejected_rows_are_not_counted_as_masked() {
    let dir = temp();
    let person = with_check("780412123");
    let input = dir.path().join("leverantorsfakturor-202405.csv");
    let text = format!(
        "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp\n\
         KS;Eva Ek;{person};1;6110;Kontor;10,00\n\
         KS;Eva Ek;{person};2;6110;Kontor;inte ett belopp\n\
         KS;Kontor AB;5566101233;3;6110;Kontor;5,00\n"
    );
    std::fs::write(&input, text).expect("input");
    let out = dir.path().join("out");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .args(BUYER)
        .arg("-o")
        .arg(&out)
        .args(["--formats", "csv", "--quiet"])
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let r = report(&out);
    assert_eq!(r["rows"]["rejected"], 1);
    assert_eq!(r["rows"]["published"], 2);
    let by_reason = r["privacy"]["by_reason"].as_object().expect("object");
    let masked: u64 = by_reason
        .values()
        .map(|v| v["rows"].as_u64().expect("rows"))
        .sum();
    assert_eq!(masked, 1, "{by_reason:?}");
    let review = std::fs::read_to_string(out.join("internal/review.csv")).expect("review");
    assert_eq!(review.lines().count(), 2, "{review}");
    assert!(
        review
            .lines()
            .nth(1)
            .expect("a group")
            .ends_with(",1,10.00"),
        "{review}"
    );
}
