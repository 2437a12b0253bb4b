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
    let path = root().join(&sample.inputs[0]);
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
        reskontra::write::Format::Xlsx,
    ];
    opts.layout = Some(b.sample.layout.to_string());
    // a sample whose rows carry their buyer keeps it (a buyer given must not relabel them)
    let layout = Layout::load(&b.sample.layout).expect("layout");
    let carries_buyer = layout
        .columns
        .get("kopare_id")
        .is_some_and(|rule| reskontra::layout::find_column(&b.header, &rule.names).is_some());
    if !carries_buyer {
        opts.overrides.buyer_id = Some("2120000142".into());
        opts.overrides.buyer_name = Some("Exempelby kommun".into());
    }
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

/// The published files of a run: CSV, JSON and Parquet, and the xlsx copy when written.
fn published_files(out: &Path) -> Vec<PathBuf> {
    let has_xlsx = std::fs::read_dir(out)
        .expect("out")
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "xlsx"));
    ["csv", "json", "parquet", "xlsx"]
        .iter()
        .filter(|e| **e != "xlsx" || has_xlsx)
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
        let layout = Layout::load(&b.sample.layout).expect("layout");
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
    for sample in SAMPLES.iter() {
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

/// Characters of a Unicode class, from the regex crate's tables (independent of the scanner's).
fn chars_of(class: &str) -> Vec<char> {
    let re = regex::Regex::new(&format!("^{class}$")).expect("class");
    (0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|c| re.is_match(c.encode_utf8(&mut [0; 4])))
        .collect()
}

/// The separators a word processor, a spreadsheet or an input method puts between the groups
/// of a number: every dash (`Pd`) and the minus sign, every space (`Zs`), the punctuation
/// `/ _ . : + ,` and its full-width forms.
fn separator_chars() -> Vec<char> {
    let mut v = chars_of(r"\p{Pd}");
    v.extend(chars_of(r"\p{Zs}"));
    v.extend([
        '\u{2212}', '/', '_', '.', ':', '+', ',', '／', '＿', '．', '：', '＋',
    ]);
    v
}

/// The zero of every run of ten decimal digits (`Nd`).
fn digit_zeros() -> Vec<u32> {
    let nd = chars_of(r"\p{Nd}");
    let mut zeros = Vec::new();
    let mut run = 0;
    for (i, c) in nd.iter().enumerate() {
        if i == 0 || u32::from(nd[i - 1]) + 1 != u32::from(*c) {
            run = 0;
        }
        if run % 10 == 0 {
            zeros.push(u32::from(*c));
        }
        run += 1;
    }
    zeros
}

/// A separator run: a mark with spaces around it, or spaces alone.
fn separator() -> impl Strategy<Value = String> {
    let spaces = chars_of(r"\p{Zs}");
    (
        prop::sample::select(separator_chars()),
        prop::sample::select(spaces),
        0usize..4,
    )
        .prop_map(|(mark, space, spacing)| match spacing {
            0 => mark.to_string(),
            1 => format!("{space}{mark}{space}"),
            2 => format!("{space}{mark}"),
            _ => format!("{mark}{space}"),
        })
}

/// `digits` in the script whose zero is `zero`, with `sep` at each of `cuts`.
fn in_script(digits: &str, zero: u32, cuts: &[usize], sep: &str) -> String {
    let mut out = String::new();
    for (i, d) in digits.bytes().enumerate() {
        if cuts.contains(&i) {
            out.push_str(sep);
        }
        out.push(char::from_u32(zero + u32::from(d - b'0')).expect("digit"));
    }
    out
}

/// The ASCII digits of a text's NFKC form, what a reader of the text takes for digits.
fn nfkc_digits(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfkc().filter(char::is_ascii_digit).collect()
}

/// Every text cell of a published CSV, JSON, Parquet or xlsx file.
fn published_cells(file: &Path) -> Vec<String> {
    match file.extension().and_then(|e| e.to_str()) {
        Some("csv") => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_path(file)
                .expect("csv");
            reader
                .records()
                .flat_map(|r| {
                    r.expect("row")
                        .iter()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect()
        }
        Some("json") => {
            let text = std::fs::read_to_string(file).expect("json");
            let value: serde_json::Value = serde_json::from_str(&text).expect("json");
            value
                .as_array()
                .expect("array")
                .iter()
                .flat_map(|o| o.as_object().expect("object").values())
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        }
        Some("xlsx") => {
            use calamine::Reader as _;
            let mut book: calamine::Xlsx<_> = calamine::open_workbook(file).expect("xlsx");
            let sheets = book.sheet_names();
            sheets
                .iter()
                .flat_map(|name| {
                    let range = book.worksheet_range(name).expect("sheet");
                    range
                        .rows()
                        .flat_map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>())
                        .collect::<Vec<_>>()
                })
                .collect()
        }
        _ => {
            use polars::prelude::*;
            let df = ParquetReader::new(std::fs::File::open(file).expect("parquet"))
                .finish()
                .expect("parquet reads");
            df.columns()
                .iter()
                .filter_map(|c| c.str().ok())
                .flat_map(|s| s.iter().flatten().map(str::to_string).collect::<Vec<_>>())
                .collect()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Personal numbers as word processors, spreadsheets and input methods write them: any
    /// dash or space between any digit groups, spaced, full-width or other-script digits,
    /// 10 or 12 digits, alone or in text, in any column of any built-in layout.
    #[test]
    fn personal_numbers_in_any_written_form_never_reach_a_published_output(
        p in personal_number(),
        century in prop::sample::select(vec!["", "19", "20"]),
        zero in prop::sample::select(digit_zeros()),
        cuts in prop::sample::subsequence(vec![2usize, 4, 6, 8, 10], 1..3),
        sep in separator(),
        in_text in any::<bool>(),
        which in any::<prop::sample::Index>(),
        col in any::<prop::sample::Index>(),
    ) {
        let digits = format!("{century}{p}");
        let cuts: Vec<usize> = cuts.into_iter().filter(|c| *c < digits.len()).collect();
        let number = in_script(&digits, zero, &cuts, &sep);
        let value = if in_text { format!("Avser {number} enligt avtal") } else { number };
        let all = baselines();
        let b = which.get(&all);
        let col = col.index(b.header.len());
        let dir = temp();
        let out = convert_injected(b, col, &value, dir.path())
            .unwrap_or_else(|e| panic!("{} column {}: {e}", b.sample.name, b.header[col]));
        for file in published_files(&out) {
            let hits = reskontra::validate::personal_number_hits(&file).expect("scan");
            prop_assert_eq!(hits, 0, "{} column {}: {:?} in {}", b.sample.name, b.header[col], value, file.display());
            // an independent check: no cell's digits, as NFKC reads them, hold the number
            for cell in published_cells(&file) {
                prop_assert!(!nfkc_digits(&cell).contains(&p), "{} column {}: {:?} published as {:?}", b.sample.name, b.header[col], value, cell);
            }
        }
        let report = report_without_hashes(&out);
        prop_assert!(!nfkc_digits(&report).contains(&p), "report.json carries {:?}", value);
    }

    /// Organisation numbers written the same ways still publish, as ten digits.
    #[test]
    fn organisation_numbers_in_any_written_form_publish(
        o in organisation_number(),
        zero in prop::sample::select(vec![0x30u32, 0xFF10, 0x660, 0x966]),
        sep in separator(),
        which in any::<prop::sample::Index>(),
    ) {
        let all: Vec<Baseline> = baselines().into_iter().filter(|b| b.sample.layout != "raindance").collect();
        let b = which.get(&all);
        let layout = Layout::load(&b.sample.layout).expect("layout");
        let names = layout.columns["leverantor_id"].names.clone();
        let col = reskontra::layout::find_column(&b.header, &names).expect("id column");
        let dir = temp();
        let value = in_script(&o, zero, &[6], &sep);
        let out = convert_injected(b, col, &value, dir.path()).expect("converts");
        let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        prop_assert_eq!(rows.len(), 1, "{}: {}", b.sample.name, csv);
        prop_assert_eq!(&rows[0][4], o.as_str(), "{} {:?}", b.sample.name, value);
        prop_assert_ne!(&rows[0][3], reskontra::protect::PERSON_MARKER);
    }

    /// validate flags a personal number in any written form in any text column of a file
    /// that contains it.
    #[test]
    fn validate_flags_personal_numbers_in_any_written_form(
        p in personal_number(),
        century in prop::sample::select(vec!["", "19", "20"]),
        zero in prop::sample::select(digit_zeros()),
        cut in prop::sample::select(vec![2usize, 4, 6, 8]),
        sep in separator(),
        col in prop::sample::select(vec![1usize, 2, 3, 6, 9, 10, 11, 12, 14]),
    ) {
        let digits = format!("{century}{p}");
        let number = in_script(&digits, zero, &[cut], &sep);
        let mut fields: Vec<String> = "2120000142,Exempelby kommun,V1,Kontor AB,5566101233,6110,Kontor,100.00,2024-01-05,KS,F1,,,0180,"
            .split(',')
            .map(str::to_string)
            .collect();
        fields[col] = format!("\"Avser {number}\"");
        let dir = temp();
        let file = dir.path().join("leverantorsreskontra-2024-01.csv");
        std::fs::write(&file, format!("{}\n{}\n", reskontra::spec::HEADER, fields.join(","))).expect("write");
        let report = reskontra::validate::validate_file(&file).expect("validates");
        prop_assert_eq!(report.status.as_str(), "invalid");
        prop_assert!(report.findings.iter().any(|f| f.check == "personal_number"), "{:?}: {:?}", number, report.findings);
    }
}

#[test]
fn the_forms_of_the_issue_are_masked_in_free_text() {
    let p = with_check("811218987");
    let (a, b) = (&p[..6], &p[6..]);
    let wide: String = p
        .chars()
        .map(|c| char::from_u32(u32::from(c) - 0x30 + 0xFF10).expect("digit"))
        .collect();
    let forms = [
        format!("{a}\u{2013}{b}"),
        format!("{a}\u{2014}{b}"),
        format!("{a}\u{2012}{b}"),
        format!("{a}\u{2212}{b}"),
        format!("{a}\u{2010}{b}"),
        format!("{a}\u{2011}{b}"),
        format!("{a} - {b}"),
        format!("{a} \u{2013} {b}"),
        format!("{a}/{b}"),
        format!("{a}_{b}"),
        format!("{a}.{b}"),
        format!("{a}:{b}"),
        format!("{}－{}", &wide[..18], &wide[18..]),
    ];
    let spec = baselines()
        .into_iter()
        .find(|b| b.sample.name == "spec-1.1")
        .expect("spec sample");
    let col = spec
        .header
        .iter()
        .position(|h| h == "konto_text")
        .expect("konto_text");
    for form in forms {
        let dir = temp();
        let out =
            convert_injected(&spec, col, &format!("Avser {form}"), dir.path()).expect("converts");
        let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
        assert!(
            csv.contains("Avser [personnummer borttaget]"),
            "{form:?}: {csv}"
        );
        let removed = &report(&out)["privacy"]["numbers_removed_from_text"];
        assert_eq!(removed["konto_text"], 1, "{form:?}: {removed}");
    }
}

/// The final scan of a published CSV file reads digits of every script (it once ruled cells out
/// by their ASCII digits before the scanner saw them).
#[test]
fn the_final_scan_of_a_csv_reads_digits_of_every_script() {
    let dir = temp();
    let p = with_check("640823323");
    let wide: String = p
        .chars()
        .map(|c| char::from_u32(u32::from(c) - 0x30 + 0xFF10).expect("digit"))
        .collect();
    let csv = dir.path().join("wide.csv");
    std::fs::write(
        &csv,
        format!("a,b\nx,Avser {}－{}\n", &wide[..18], &wide[18..]),
    )
    .expect("csv");
    assert_eq!(
        reskontra::validate::personal_number_hits(&csv).expect("scan"),
        1
    );
}

/// Each way of publishing masked suppliers (policy `masked_suppliers`), end to end on the city
/// sample: rows and kronor reconcile, no person's name or personal number reaches a published
/// file, a blanked supplier is one warning to `validate` (not errors), and withheld rows are
/// counted and summed as withheld.
#[test]
fn masked_suppliers_the_publishers_way() {
    use rust_decimal::Decimal;
    let dir = temp();
    let policy_text = std::fs::read_to_string(root().join("samples/policy.toml")).expect("policy");
    let input = root().join("samples/city-csv/leverantorsfakturor-202405.csv");
    let decimal = |v: &serde_json::Value| {
        v.as_str()
            .expect("amount")
            .parse::<Decimal>()
            .expect("decimal")
    };
    let mut published_rows = Vec::new();
    for mode in ["marker", "blank", "withhold"] {
        let policy = dir.path().join(format!("{mode}.toml"));
        std::fs::write(
            &policy,
            policy_text.replacen(
                "mask_unidentified = true",
                &format!("mask_unidentified = true\nmasked_suppliers = \"{mode}\""),
                1,
            ),
        )
        .expect("write");
        let out = dir.path().join(mode);
        let policy_arg = policy.to_string_lossy().into_owned();
        convert_ok(
            &input,
            &out,
            &["--policy", &policy_arg, "--formats", "csv,json,parquet"],
        );
        let r = report(&out);
        let rows = &r["rows"];
        let n = |k: &str| rows[k].as_u64().expect("count");
        assert_eq!(
            n("read"),
            n("published") + n("withheld") + n("rejected"),
            "{mode}"
        );
        let amount = &r["amount"];
        assert_eq!(
            decimal(&amount["read"]),
            decimal(&amount["published"])
                + decimal(&amount["withheld"])
                + decimal(&amount["rejected"]),
            "{mode}"
        );
        // the published files hold no masked name and no personal number, in any mode
        for ext in ["csv", "json", "parquet"] {
            let file = published(&out, ext);
            let bytes = std::fs::read(&file).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            for secret in [
                "Familjehem Ek",
                "Okänd mottagare",
                "720185-8904",
                "7201858904",
                "5505059013",
            ] {
                assert!(
                    !text.contains(secret),
                    "{mode}: {secret} in {}",
                    file.display()
                );
            }
        }
        let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
        let (code, checked) = validate_report(&published(&out, "csv"));
        let checks: Vec<&str> = checked["files"][0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["check"].as_str().expect("check"))
            .collect();
        match mode {
            "marker" => {
                assert_eq!(
                    csv.matches("[innehåller personuppgifter]").count(),
                    3,
                    "{csv}"
                );
                assert_eq!(code, 0, "{checked}");
            }
            "blank" => {
                assert!(!csv.contains("[innehåller personuppgifter]"), "{csv}");
                let mut reader = csv::Reader::from_reader(csv.as_bytes());
                let blanked = reader
                    .records()
                    .map(|r| r.expect("record"))
                    .filter(|r| r[3].is_empty() && r[4].is_empty())
                    .count();
                assert_eq!(blanked, 3, "{csv}");
                // one warning per blanked row, no error
                assert_eq!(code, 0, "{checked}");
                assert!(checks.contains(&"leverantor_blanked"), "{checks:?}");
                assert!(
                    !checks.iter().any(|c| c.ends_with("_missing")),
                    "{checks:?}"
                );
            }
            _ => {
                assert!(!csv.contains("[innehåller personuppgifter]"), "{csv}");
                assert_eq!(code, 0, "{checked}");
            }
        }
        published_rows.push((n("published"), n("withheld"), decimal(&amount["withheld"])));
    }
    // marker and blank publish the same rows; withhold moves the three masked rows (and their
    // kronor) from published to withheld
    let (marker, blank, withhold) = (published_rows[0], published_rows[1], published_rows[2]);
    assert_eq!(marker, blank);
    assert_eq!(withhold.0 + 3, marker.0);
    assert_eq!(withhold.1, marker.1 + 3);
    assert!(withhold.2 > marker.2);
}
