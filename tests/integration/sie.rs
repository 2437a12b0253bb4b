//! SIE 4: the sample's vouchers, and a property test of the tokenizer.

use crate::common::*;
use proptest::prelude::*;
use reskontra::read::sie::{format_record, tokenize_line, Field, Record};

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
    assert!(r["skipped_lines"]
        .get("SIE #KSUMMA does not match (the file may have been altered)")
        .is_none());
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

#[test]
fn an_altered_sie_file_fails_its_ksumma() {
    let bytes = std::fs::read(root().join("samples/sie4/exempelby-2024-09.se")).expect("sample");
    let altered = String::from_utf8_lossy(&bytes).replace("8000.00", "8001.00");
    let dir = temp();
    let input = dir.path().join("altered-2024-09.se");
    std::fs::write(&input, altered.as_bytes()).expect("write");
    let out = dir.path().join("out");
    convert_ok(&input, &out, &[]);
    let r = report(&out);
    assert_eq!(
        r["skipped_lines"]["SIE #KSUMMA does not match (the file may have been altered)"],
        1
    );
    // and the voucher no longer balances
    assert_eq!(r["rows"]["rejected"], 3);
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
