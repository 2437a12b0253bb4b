//! SIE 4: the sample's vouchers, the messages for files that give no rows, the `#KSUMMA` over
//! the file's bytes, and a property test of the tokenizer.

use crate::common::*;
use proptest::prelude::*;
use reskontra::read::sie::{format_record, tokenize_line, Field, Record};
use std::path::Path;

/// The text of the `#KSUMMA` warning for a file.
fn ksumma_warning(file: &str) -> String {
    format!(
        "{file}: the #KSUMMA checksum does not match the file's contents (the file may have been \
         altered after export); the rows were converted"
    )
}

/// The warnings of a report that speak of `#KSUMMA`.
fn ksumma_warnings(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.contains("#KSUMMA"))
        .map(str::to_string)
        .collect()
}

#[test]
fn sie_sample_rows_reconcile_with_the_cost_lines() {
    let sample = sample("sie4");
    let dir = temp();
    let out = dir.path().join("out");
    assert!(convert_sample(sample, &out).status.success());
    let r = report(&out);
    // cost lines in the file: A1 4010 8000 + 4020 4500, A2 4010 -1000, A3 7010 5000,
    // A4 4010 900 (unbalanced), A5 4010 300
    assert_eq!(r["rows"]["read"], 6);
    assert_eq!(r["amount"]["read"], "17700.00");
    assert_eq!(r["rows"]["rejected"], 1);
    assert_eq!(
        r["rejected_by_reason"]["SIE_STATUS is 'unbalanced voucher (sum -100)', not OK"],
        1
    );
    assert_eq!(r["inputs"][0]["format"]["encoding"], "CP437");
    assert_eq!(
        r["skipped_lines"]["SIE voucher without a supplier-debt line"],
        1
    );
    // the sample's #KSUMMA is that of its CP437 bytes
    assert!(ksumma_warnings(&r).is_empty(), "{}", r["warnings"]);
    let skipped = r["skipped_lines"].as_object().expect("skipped_lines");
    assert!(skipped.keys().all(|k| !k.contains("KSUMMA")), "{skipped:?}");
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(
        csv.contains("Inköp material och varor"),
        "CP437 decoded: {csv}"
    );
    assert!(csv.contains("Förbrukningsinventarier"));
    // the removed transaction (#BTRANS) and the #TRANS repeating an #RTRANS are not rows
    assert_eq!(csv.matches(",7010,").count(), 1);
    assert!(!csv.contains("Fel kostnadsställe"));
    assert_eq!(r["supplier_register"]["matched"], 5);
    assert_eq!(r["supplier_register"]["unmatched"], 1);
}

/// One changed amount in the sample: a warning in report.json and on stderr (the rows are
/// still converted), nothing in `skipped_lines`.
#[test]
fn an_altered_sie_file_fails_its_ksumma() {
    let bytes = std::fs::read(root().join("samples/sie4/exempelby-2024-09.se")).expect("sample");
    let at = bytes
        .windows(7)
        .position(|w| w == b"8000.00")
        .expect("the amount");
    let mut altered = bytes.clone();
    altered[at + 3] = b'1';
    let dir = temp();
    let input = dir.path().join("altered-2024-09.se");
    std::fs::write(&input, &altered).expect("write");
    let out = dir.path().join("out");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let warning = ksumma_warning("altered-2024-09.se");
    assert!(stderr.contains(&format!("warning: {warning}")), "{stderr}");
    let r = report(&out);
    assert_eq!(ksumma_warnings(&r), vec![warning]);
    let skipped = r["skipped_lines"].as_object().expect("skipped_lines");
    assert!(skipped.keys().all(|k| !k.contains("KSUMMA")), "{skipped:?}");
    // and the voucher no longer balances
    assert_eq!(r["rows"]["rejected"], 3);
}

/// A field as written in a test SIE file; the `#KSUMMA` runs over the content's bytes.
enum Written<'a> {
    Plain(&'a str),
    Quoted(&'a str),
    List(&'a [&'a str]),
}

/// The bytes of a text in a test file's encoding (written here, not with the reader's tables).
fn encoded(text: &str, encoding: &str) -> Vec<u8> {
    match encoding {
        "CP437" => text
            .chars()
            .map(|c| match c {
                'å' => 0x86,
                'ä' => 0x84,
                'ö' => 0x94,
                'Å' => 0x8F,
                'Ä' => 0x8E,
                'Ö' => 0x99,
                c if c.is_ascii() => c as u8,
                c => panic!("no CP437 byte for {c} in this test"),
            })
            .collect(),
        "Windows-1252" => encoding_rs::WINDOWS_1252.encode(text).0.into_owned(),
        _ => text.as_bytes().to_vec(),
    }
}

/// An SIE 4 file in `encoding` (`#FORMAT format`) with å, ä and ö in `#FNAMN`, `#KONTO` and
/// `#OBJEKT` names and a supplier invoice, closed by the `#KSUMMA` that `crc32fast` gives over
/// the bytes of each label and field content (no quotes, braces or separators).
fn sie_with_checksum(format: &str, encoding: &str) -> Vec<u8> {
    sie_written(format, encoding, &Form::default())
}

/// How an SIE file separates its fields and writes its `#KSUMMA`.
struct Form {
    /// Between a label and its fields, and between fields.
    sep: &'static str,
    /// Between the items of an object list.
    list_sep: &'static str,
    /// Before the lines inside a voucher's braces.
    indent: &'static str,
    /// After the last field of a line.
    trailing: &'static str,
    /// The checksum as the closing `#KSUMMA` states it.
    sum: fn(u32) -> String,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            sep: " ",
            list_sep: " ",
            indent: "",
            trailing: "",
            sum: |crc| crc.to_string(),
        }
    }
}

/// [`sie_with_checksum`] written in `form`.
fn sie_written(format: &str, encoding: &str, form: &Form) -> Vec<u8> {
    use Written::*;
    let records: Vec<(&str, Vec<Written>)> = vec![
        ("#FLAGGA", vec![Plain("0")]),
        ("#FORMAT", vec![Plain(format)]),
        ("#SIETYP", vec![Plain("4")]),
        ("#FNAMN", vec![Quoted("Östra Åby kommun")]),
        ("#ORGNR", vec![Plain("212000-0142")]),
        ("#KONTO", vec![Plain("2440"), Quoted("Leverantörsskulder")]),
        (
            "#KONTO",
            vec![Plain("4010"), Quoted("Förbrukningsmaterial")],
        ),
        ("#DIM", vec![Plain("9"), Quoted("Leverantör")]),
        (
            "#OBJEKT",
            vec![Plain("1"), Quoted("100"), Quoted("Skötsel och återbruk")],
        ),
        (
            "#OBJEKT",
            vec![Plain("9"), Quoted("77"), Quoted("Märta Trädgård AB")],
        ),
        (
            "#VER",
            vec![
                Plain("A"),
                Plain("1"),
                Plain("20240902"),
                Quoted("Faktura 5"),
            ],
        ),
        ("{", vec![]),
        (
            "#TRANS",
            vec![
                Plain("2440"),
                List(&["9", "77", "10", "5"]),
                Plain("-250.00"),
            ],
        ),
        (
            "#TRANS",
            vec![
                Plain("4010"),
                List(&["1", "100", "9", "77"]),
                Plain("250.00"),
            ],
        ),
        ("}", vec![]),
    ];
    let mut hasher = crc32fast::Hasher::new();
    let mut bytes = b"#KSUMMA\r\n".to_vec();
    let mut put = |text: &str, quoted: bool, bytes: &mut Vec<u8>| {
        let raw = encoded(text, encoding);
        hasher.update(&raw);
        if quoted {
            bytes.push(b'"');
        }
        bytes.extend_from_slice(&raw);
        if quoted {
            bytes.push(b'"');
        }
    };
    for (label, fields) in &records {
        // the transactions of a voucher, between its braces, may be indented
        if *label == "#TRANS" {
            bytes.extend_from_slice(form.indent.as_bytes());
        }
        put(label, false, &mut bytes);
        for field in fields {
            bytes.extend_from_slice(form.sep.as_bytes());
            match field {
                Plain(t) => put(t, false, &mut bytes),
                Quoted(t) => put(t, true, &mut bytes),
                List(items) => {
                    bytes.push(b'{');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            bytes.extend_from_slice(form.list_sep.as_bytes());
                        }
                        put(item, i % 2 == 1, &mut bytes);
                    }
                    bytes.push(b'}');
                }
            }
        }
        bytes.extend_from_slice(form.trailing.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    let sum = hasher.finalize();
    let stated = (form.sum)(sum);
    bytes.extend_from_slice(format!("#KSUMMA{}{stated}\r\n", form.sep).as_bytes());
    bytes
}

/// Convert an SIE file (without -q, so that the summary and warnings are on stderr); returns
/// the report, stderr and the published CSV.
fn convert_sie(dir: &Path, name: &str, bytes: &[u8]) -> (serde_json::Value, String, String) {
    let input = dir.join(name);
    std::fs::write(&input, bytes).expect("write");
    let out = dir.join(format!("out-{name}"));
    let register = dir.join("register.csv");
    std::fs::write(
        &register,
        "levnr;namn;orgnr\n77;Märta Trädgård AB;5566101233\n",
    )
    .expect("write");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .arg("--suppliers")
        .arg(&register)
        .args(["--formats", "csv", "-o"])
        .arg(&out)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(
        csv.contains("Skötsel och återbruk"),
        "{name}: decoded: {csv}"
    );
    (report(&out), stderr, csv)
}

/// A correct `#KSUMMA` is judged right in every field-separator form real files use (tabs as
/// a Norstedts SIE 4E export writes them, several tabs, aligned spaces, indented voucher lines,
/// trailing white space) and whichever way the number is written (unsigned, as a signed 32-bit
/// integer, padded); one byte changed still gives the warning.
#[test]
fn a_correct_ksumma_is_judged_right_in_every_separator_form() {
    let dir = temp();
    let sums: [fn(u32) -> String; 4] = [
        |crc| crc.to_string(),
        |crc| (crc as i32).to_string(),
        |crc| format!("  {crc}"),
        |crc| format!("{:011}", crc),
    ];
    let mut i = 0;
    for sep in [" ", "\t", "\t\t", "    ", " \t "] {
        for (list_sep, indent, trailing) in [(" ", "", ""), ("\t", "\t", "\t"), (" ", "  ", " ")] {
            let sum = sums[i % sums.len()];
            i += 1;
            let form = Form {
                sep,
                list_sep,
                indent,
                trailing,
                sum,
            };
            let bytes = sie_written("PC8", "CP437", &form);
            let name = format!("form-{i}-2024-09.se");
            let (r, stderr, _) = convert_sie(dir.path(), &name, &bytes);
            assert!(
                ksumma_warnings(&r).is_empty(),
                "{sep:?} {list_sep:?} {indent:?} {trailing:?}: {}",
                r["warnings"]
            );
            assert!(!stderr.contains("KSUMMA"), "{stderr}");
            assert_eq!(r["rows"]["read"], 1);
            // the company's name changed by one letter: the checksum no longer matches
            let at = bytes
                .windows(6)
                .position(|w| w == b"kommun")
                .expect("the name");
            let mut altered = bytes.clone();
            altered[at + 5] = b'N';
            let name = format!("altered-{name}");
            let (r, _, _) = convert_sie(dir.path(), &name, &altered);
            assert_eq!(ksumma_warnings(&r), vec![ksumma_warning(&name)], "{sep:?}");
        }
    }
    // a signed number is the same 32 bits only: one off is a mismatch
    let form = Form {
        sum: |crc| (i64::from(crc) - 1).to_string(),
        ..Form::default()
    };
    let (r, _, _) = convert_sie(
        dir.path(),
        "off-2024-09.se",
        &sie_written("PC8", "CP437", &form),
    );
    assert_eq!(ksumma_warnings(&r), vec![ksumma_warning("off-2024-09.se")]);
}

/// `#KSUMMA` over the file's own bytes: a CP437 (`#FORMAT PC8`), a Windows-1252 and a UTF-8
/// file with å, ä and ö in their names match the checksum an independent CRC-32 gives over
/// their bytes (no warning), and the same files with one byte changed give the warning in
/// report.json and on stderr, their rows still converted.
#[test]
fn ksumma_is_checked_over_the_bytes_of_the_files_encoding() {
    let dir = temp();
    for (format, encoding) in [
        ("PC8", "CP437"),
        ("ANSI", "Windows-1252"),
        ("UTF-8", "UTF-8"),
    ] {
        let bytes = sie_with_checksum(format, encoding);
        let name = format!("{}-2024-09.se", encoding.to_lowercase());
        let (r, stderr, csv) = convert_sie(dir.path(), &name, &bytes);
        assert!(
            csv.contains("Förbrukningsmaterial"),
            "{encoding}: decoded: {csv}"
        );
        assert_eq!(r["inputs"][0]["format"]["encoding"], encoding);
        assert!(
            ksumma_warnings(&r).is_empty(),
            "{encoding}: {}",
            r["warnings"]
        );
        assert!(!stderr.contains("KSUMMA"), "{encoding}: {stderr}");
        assert_eq!(r["rows"]["read"], 1, "{encoding}");

        // one byte of the account name changed: Förbruknings- becomes Forbruknings-
        let mut altered = encoded("#KONTO 4010 \"Fo", encoding);
        let start = encoded("#KONTO 4010 \"F", encoding);
        let at = bytes
            .windows(start.len())
            .position(|w| w == start.as_slice())
            .expect("the account");
        let o_length = encoded("ö", encoding).len();
        altered = [
            &bytes[..at],
            &altered,
            &bytes[at + start.len() + o_length..],
        ]
        .concat();
        let name = format!("altered-{name}");
        let (r, stderr, csv) = convert_sie(dir.path(), &name, &altered);
        assert!(csv.contains("Forbrukningsmaterial"), "{encoding}: {csv}");
        let warning = ksumma_warning(&name);
        assert_eq!(ksumma_warnings(&r), vec![warning.clone()], "{encoding}");
        assert!(stderr.contains(&format!("warning: {warning}")), "{stderr}");
        assert_eq!(r["rows"]["read"], 1, "{encoding}");
    }
}

/// Run `reskontra convert` on an SIE file that gives no rows; returns the exit code and stderr,
/// and checks that no output folder is left.
fn convert_refused(input: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = input.with_file_name("out");
    let run = reskontra()
        .arg("convert")
        .arg(input)
        .args(["-q", "-o"])
        .arg(&out)
        .args(args)
        .output()
        .expect("run");
    assert!(!out.exists(), "no output folder is left behind");
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// An SIE file's wording: no header, no line 0.
fn assert_sie_wording(stderr: &str) {
    assert!(!stderr.contains("header"), "{stderr}");
    assert!(!stderr.contains("line 0"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Vouchers, but none on a supplier-debt account of the default ranges (this ledger books
/// supplier debt on 2410): exit 1 with how many vouchers were read, the ranges used and how
/// to give others; a layout copied from mappings/sie4.toml with the ledger's range converts it.
#[test]
fn an_sie_file_without_supplier_invoices_says_what_was_read_and_how_to_set_the_accounts() {
    let text = "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n#FNAMN \"Exempelby kommun\"\n\
#ORGNR 212000-0142\n#OBJEKT 9 \"77\" \"Kontor AB\"\n\
#VER A 1 20240902 \"Faktura 1\"\n{\n#TRANS 2410 {9 \"77\"} -100.00\n#TRANS 4010 {} 100.00\n}\n\
#VER A 2 20240905 \"Faktura 2\"\n{\n#TRANS 2410 {9 \"77\"} -50.00\n#TRANS 5410 {} 50.00\n}\n\
#VER B 1 20240910 \"Betalning\"\n{\n#TRANS 2410 {9 \"77\"} 150.00\n#TRANS 1930 {} -150.00\n}\n";
    let dir = temp();
    let input = dir.path().join("kommun-2024-09.se");
    std::fs::write(&input, text).expect("write");
    let (code, stderr) = convert_refused(&input, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = format!(
        "{}: 3 vouchers read, none with a line on a supplier-debt account (2440-2449); if this \
         ledger books supplier debt on other accounts, copy mappings/sie4.toml, set [sie] debt = \
         [\"NNNN-NNNN\"] and give --layout my-sie.toml",
        input.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert_sie_wording(&stderr);

    // `detect` reads the file the same way and says the same
    let run = reskontra().arg("detect").arg(&input).output().expect("run");
    let detected = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{detected}");
    assert!(detected.contains(&expected), "{detected}");
    assert_sie_wording(&detected);

    // doing what the message says converts the file
    let layout = std::fs::read_to_string(root().join("mappings/sie4.toml"))
        .expect("sie4.toml")
        .replace("debt = [\"2440-2449\"]", "debt = [\"2410-2419\"]")
        .replace("name = \"sie4\"", "name = \"my-sie\"");
    let layout_path = dir.path().join("my-sie.toml");
    std::fs::write(&layout_path, layout).expect("write");
    let out = dir.path().join("converted");
    let layout_arg = layout_path.to_str().expect("utf-8 path");
    convert_ok(&input, &out, &["--layout", layout_arg, "--formats", "csv"]);
    let r = report(&out);
    assert_eq!(r["rows"]["read"], 2);
    assert_eq!(r["amount"]["read"], "150.00");
}

/// Supplier invoices whose other lines are on no cost account: the message names the cost
/// ranges and how to set them.
#[test]
fn an_sie_file_whose_invoices_have_no_cost_lines_says_so() {
    let text = "#FLAGGA 0\n#SIETYP 4\n#ORGNR 212000-0142\n\
#VER A 1 20240902 \"Faktura\"\n{\n#TRANS 2440 {9 \"77\"} -100.00\n#TRANS 1220 {} 100.00\n}\n";
    let dir = temp();
    let input = dir.path().join("inventarier-2024-09.se");
    std::fs::write(&input, text).expect("write");
    let (code, stderr) = convert_refused(&input, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(": 1 voucher read, 1 with a line on a supplier-debt account (2440-2449), but none of those has a line on a cost account (4000-7999; input VAT 2640-2649 left out)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("set [sie] cost = [\"NNNN-NNNN\"]"),
        "{stderr}"
    );
    assert_sie_wording(&stderr);
}

/// An SIE file with balances only (no `#VER`): exit 1, it holds no vouchers, SIE 4 is needed.
#[test]
fn an_sie_file_without_vouchers_says_that_sie_4_is_needed() {
    let text = "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 3\n#FNAMN \"Exempelby kommun\"\n\
#ORGNR 212000-0142\n#RAR 0 20240101 20241231\n#KONTO 1930 \"Bank\"\n#IB 0 1930 1000.00\n\
#UB 0 1930 1200.00\n";
    let dir = temp();
    let input = dir.path().join("saldon-2024-09.se");
    std::fs::write(&input, text).expect("write");
    let (code, stderr) = convert_refused(&input, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = format!(
        "{}: the SIE file holds no vouchers (#VER) (the file says #SIETYP 3); reskontra reads \
         the supplier invoices among the vouchers of an SIE 4 file (SIE 1, 2 and 3 files hold \
         balances only): export SIE 4 with the period's vouchers",
        input.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert_sie_wording(&stderr);
}

/// A cost line the table step takes for a totals row (its account is named "Summa" and it
/// names no supplier): the run fails with a message that speaks of records, not of a header.
#[test]
fn an_sie_file_whose_only_row_is_left_out_speaks_of_no_header() {
    let text = "#SIETYP 4\n#ORGNR 212000-0142\n#KONTO 4010 \"Summa\"\n\
#VER A 1 20240902 \"Faktura\"\n{\n#TRANS 2440 {} -100.00\n#TRANS 4010 {} 100.00\n}\n";
    let dir = temp();
    let input = dir.path().join("summa-2024-09.se");
    std::fs::write(&input, text).expect("write");
    let (code, stderr) = convert_refused(&input, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = format!(
        "{}: every record read was left out as a blank or totals row (or a copy of the column \
         names): there is no row to convert",
        input.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert_sie_wording(&stderr);
}

/// `detect` on an SIE file shows its kind, encoding and layout, and no header row (the reader
/// makes the columns).
#[test]
fn detect_on_an_sie_file_names_no_header_row() {
    let run = reskontra()
        .args(["detect", "samples/sie4/exempelby-2024-09.se"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(stdout.contains("kind:         sie"), "{stdout}");
    assert!(stdout.contains("encoding:     CP437"), "{stdout}");
    assert!(stdout.contains("layout:       sie4"), "{stdout}");
    assert!(!stdout.contains("header row"), "{stdout}");
}

fn field_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9.\\-]{1,12}",
        "[A-Za-zåäöÅÄÖ0-9 \\t\"{}.,\\-]{0,20}",
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        3 => field_text().prop_map(Field::Text),
        1 => prop::collection::vec(field_text(), 0..6).prop_map(Field::List),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    ("#[A-Z]{2,8}", prop::collection::vec(field(), 0..8))
        .prop_map(|(tag, fields)| Record { tag, fields })
}

proptest! {
    #[test]
    fn well_formed_records_parse_back(r in record(), tabs in any::<bool>()) {
        let mut line = format_record(&r);
        if tabs {
            // separators may be tabs: replace the first separator after the label
            line = line.replacen(' ', "\t", 1);
        }
        prop_assert_eq!(tokenize_line(&line), Some(r));
    }

    #[test]
    fn arbitrary_lines_never_panic(line in "\\PC{0,80}") {
        let _ = tokenize_line(&line);
    }
}

#[test]
fn a_supplier_dimension_declared_under_another_number_is_used() {
    let text = "#FLAGGA 0\n#SIETYP 4\n#FNAMN \"Testkommun\"\n#ORGNR 212000-0142\n#KONTO 4010 \"Material\"\n\
#DIM 20 \"Leverantor\"\n#DIM 30 \"Fakturanummer\"\n#OBJEKT 20 \"77\" \"Kontor AB\"\n\
#VER A 1 20240105 \"Faktura\"\n{\n#TRANS 2440 {20 \"77\" 30 \"F-9\"} -100.00\n#TRANS 4010 {} 100.00\n}\n";
    let dir = temp();
    let input = dir.path().join("test-2024-01.se");
    std::fs::write(&input, text).expect("write");
    let register = dir.path().join("register.csv");
    std::fs::write(&register, "levnr;namn;orgnr\n77;Kontor AB;5566101233\n").expect("write");
    let out = dir.path().join("out");
    let register = register.to_str().expect("utf-8 path");
    convert_ok(&input, &out, &["--suppliers", register, "--formats", "csv"]);
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(
        csv.contains("A1,Kontor AB,5566101233,4010,Material,100.00,2024-01-05,,F-9"),
        "{csv}"
    );
}
