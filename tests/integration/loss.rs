//! Nothing is lost: over every sample and a set of hostile inputs, read equals published plus
//! withheld plus rejected for rows and for the sum of amounts, to the öre, and every rejected row
//! is in internal/rejected.csv with a reason.

use crate::common::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

fn dec(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(v.as_str().expect("decimal string")).expect("decimal")
}

/// Check the books of one finished run in `out`.
fn check_books(out: &Path, label: &str) {
    let r = report(out);
    let rows = &r["rows"];
    let n = |k: &str| rows[k].as_u64().expect("count");
    assert_eq!(
        n("read"),
        n("published") + n("withheld") + n("rejected"),
        "{label}: rows"
    );
    let a = &r["amount"];
    assert_eq!(
        dec(&a["read"]),
        dec(&a["published"]) + dec(&a["withheld"]) + dec(&a["rejected"]),
        "{label}: amounts"
    );
    // the published CSV holds exactly the published rows and amount
    let csv = std::fs::read_to_string(published(out, "csv")).expect("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut count = 0u64;
    let mut sum = Decimal::ZERO;
    for record in reader.records() {
        let record = record.expect("record");
        count += 1;
        sum += Decimal::from_str(&record[7]).expect("belopp");
    }
    assert_eq!(count, n("published"), "{label}: published rows in the CSV");
    assert_eq!(
        sum,
        dec(&a["published"]),
        "{label}: published sum in the CSV"
    );
    // every rejected row is listed with a reason
    let rejected =
        std::fs::read_to_string(out.join("internal/rejected.csv")).expect("rejected.csv");
    let mut reader = csv::Reader::from_reader(rejected.as_bytes());
    let mut listed = 0u64;
    for record in reader.records() {
        let record = record.expect("record");
        assert!(
            !record[0].is_empty() && !record[2].is_empty(),
            "{label}: file and reason given"
        );
        assert!(record[1].parse::<u64>().expect("row number") > 0);
        listed += 1;
    }
    assert_eq!(listed, n("rejected"), "{label}: rejected rows listed");
    let by_reason: u64 = r["rejected_by_reason"]
        .as_object()
        .expect("object")
        .values()
        .map(|v| v.as_u64().expect("n"))
        .sum();
    assert_eq!(by_reason, n("rejected"), "{label}: rejected by reason");
}

#[test]
fn samples_balance() {
    for sample in SAMPLES {
        let dir = temp();
        let out = dir.path().join("out");
        assert!(convert_sample(sample, &out).status.success());
        check_books(&out, sample.name);
    }
}

const HEADER: &str = "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp";

#[test]
fn hostile_rows_balance() {
    let rows = [
        "KS;A AB;5566101233;1;6110;Kontor;1 000,50",
        "KS;B AB;5566101233;2;6110;Kontor;",      // no amount
        "KS;C AB;5566101233;3;6110;Kontor;tusen", // text amount
        "KS;D AB;5566101233;4;6110;Kontor;7803121230", // a personnummer as amount
        "KS;E AB;5566101233;5;6110;;99,99",       // empty mandatory konto_text
        "KS;F AB;5566101233;6;6110;Kontor;5,00;extra", // too many fields
        "KS;G AB;5566101233;7;6110;Kontor",       // too few fields
        "KS;\"H; \"\"citat\"\" AB\";5566101233;8;6110;Kontor;2,50", // quotes and a delimiter
        "KS;;;9;6110;Kontor;3,00",                // no supplier at all
        "KS;A AB;5566101233;1;6110;Kontor;1 000,50", // a duplicate row
        "Summa;;;;;;1 111,49",                    // a totals line
        "",                                       // blank
        "KS;I AB;5566101233;10;6110;Kontor;-0,004", // rounds to zero
    ];
    let dir = temp();
    let input = dir.path().join("hostile-2024-01.csv");
    std::fs::write(&input, format!("{HEADER}\n{}\n", rows.join("\n"))).expect("write");
    let out = dir.path().join("out");
    convert_ok(
        &input,
        &out,
        &["--buyer-id", "2120000142", "--buyer-name", "T"],
    );
    check_books(&out, "hostile");
    let r = report(&out);
    assert_eq!(r["rows"]["read"], 11);
    assert_eq!(r["rows"]["rejected"], 6);
    assert_eq!(r["skipped_lines"]["totals or subtotal line"], 1);
    assert_eq!(r["skipped_lines"]["blank line"], 1);
}

#[test]
fn secret_and_denied_rows_are_withheld_but_summed() {
    let dir = temp();
    let out = dir.path().join("out");
    let proceedo = SAMPLES
        .iter()
        .find(|s| s.name == "proceedo")
        .expect("sample");
    assert!(convert_sample(proceedo, &out).status.success());
    check_books(&out, "proceedo");
    let r = report(&out);
    assert_eq!(r["rows"]["withheld"], 1);
    assert_eq!(r["amount"]["withheld"], "31000.00");
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(!csv.contains("Jourhem"), "a secret row is not published");
}
