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
    for sample in SAMPLES.iter() {
        let dir = temp();
        let out = dir.path().join("out");
        assert!(convert_sample(sample, &out).status.success());
        check_books(&out, &sample.name);
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
    convert_ok(&input, &out, BUYER);
    check_books(&out, "hostile");
    let r = report(&out);
    assert_eq!(r["rows"]["read"], 11);
    assert_eq!(r["rows"]["rejected"], 6);
    assert_eq!(r["skipped_lines"]["totals or subtotal line"], 1);
    assert_eq!(r["skipped_lines"]["blank line"], 1);
}

/// Past the rows read with the file's head (1000), a delimited file is parsed batch by batch:
/// skipped, broken and rejected rows there are counted and placed exactly as in the head,
/// whatever the line endings and the batch size.
#[test]
fn rows_past_the_head_are_read_batch_by_batch_without_loss() {
    const REPEATS: usize = 300;
    let rows = [
        "KS;A AB;5566101233;1;6110;Kontor;1 000,50",
        "KS;B AB;5566101233;2;6110;Kontor;",
        "KS;C AB;5566101233;3;6110;Kontor;tusen",
        "KS;D AB;5566101233;4;6110;Kontor;7803121230",
        "KS;E AB;5566101233;5;6110;;99,99",
        "KS;F AB;5566101233;6;6110;Kontor;5,00;extra",
        "KS;G AB;5566101233;7;6110;Kontor",
        "KS;\"H; \"\"citat\"\" AB\";5566101233;8;6110;Kontor;2,50",
        "KS;;;9;6110;Kontor;3,00",
        "KS;A AB;5566101233;1;6110;Kontor;1 000,50",
        "Summa;;;;;;1 111,49",
        "",
        "KS;I AB;5566101233;10;6110;Kontor;-0,004",
    ];
    let dir = temp();
    let mut published_csv: Option<Vec<u8>> = None;
    for (ending, batch_rows) in [("\n", "250"), ("\r\n", "262144"), ("\r", "999")] {
        let mut text = format!("{HEADER}{ending}");
        for _ in 0..REPEATS {
            text.push_str(&rows.join(ending));
            text.push_str(ending);
        }
        // a quoted line break far past the head: the lines after it count one more
        text.push_str(&format!(
            "KS;\"Två{ending}rader AB\";5566101233;11;6110;Kontor;1,00{ending}"
        ));
        text.push_str(&format!(
            "KS;J AB;5566101233;12;6110;Kontor;1,00;extra{ending}"
        ));
        let input = dir.path().join("stor-2024-01.csv");
        std::fs::write(&input, &text).expect("write");
        let out = dir.path().join(format!("out-{batch_rows}"));
        convert_ok(
            &input,
            &out,
            &[BUYER, &["--batch-rows", batch_rows]].concat(),
        );
        let label = format!("ending {ending:?}, batches of {batch_rows}");
        check_books(&out, &label);
        let r = report(&out);
        let reps = REPEATS as u64;
        assert_eq!(r["rows"]["read"], 11 * reps + 2, "{label}");
        assert_eq!(r["rows"]["rejected"], 6 * reps + 1, "{label}");
        assert_eq!(
            r["skipped_lines"]["totals or subtotal line"], reps,
            "{label}"
        );
        assert_eq!(r["skipped_lines"]["blank line"], reps, "{label}");
        // the broken rows come last, with their lines: the header is line 1, each repeat
        // takes 13 lines, and the quoted line break takes two
        let rejected =
            std::fs::read_to_string(out.join("internal/rejected.csv")).expect("rejected.csv");
        let last = rejected.lines().last().expect("a rejected row");
        let want_line = 1 + 13 * REPEATS + 2 + 1;
        assert!(
            last.starts_with(&format!("stor-2024-01.csv,{want_line},row has 8 fields")),
            "{label}: {last}"
        );
        let first_extra = 1 + 6;
        assert!(
            rejected.contains(&format!("stor-2024-01.csv,{first_extra},row has 8 fields")),
            "{label}"
        );
        let csv = std::fs::read(published(&out, "csv")).expect("csv");
        match &published_csv {
            Some(first) => assert!(*first == csv, "{label}: the published CSV differs"),
            None => published_csv = Some(csv),
        }
    }
}

#[test]
fn secret_and_denied_rows_are_withheld_but_summed() {
    let dir = temp();
    let out = dir.path().join("out");
    let proceedo = sample("proceedo");
    assert!(convert_sample(proceedo, &out).status.success());
    check_books(&out, "proceedo");
    let r = report(&out);
    assert_eq!(r["rows"]["withheld"], 1);
    assert_eq!(r["amount"]["withheld"], "31000.00");
    let csv = std::fs::read_to_string(published(&out, "csv")).expect("csv");
    assert!(!csv.contains("Jourhem"), "a secret row is not published");
}
