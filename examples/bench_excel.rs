//! Writes a synthetic municipality-report Excel export of N rows for the benchmark:
//! `cargo run --release --example bench_excel -- 70000 OUT.xlsx`

// an example: a failed step may stop it with a message (Cargo.toml's [lints] deny this in the library)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reskontra::ident::luhn_check_digit;
use rust_xlsxwriter::Workbook;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u32 = args[1].parse().expect("rows");
    let out = &args[2];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "RN1/FÖRVALTNING",
        "LEVERANTÖR",
        "ORGANISATIO",
        "FAKT NR",
        "KONTO",
        "UTFALL",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write(0, c as u16, *h).expect("cell");
    }
    let forv = [
        "KS Kommunstyrelsen",
        "TN Tekniska nämnden",
        "SN Socialnämnden",
        "UN Utbildningsnämnden",
    ];
    let konton = [
        "61100 Kontorsmateriel",
        "70100 Entreprenad",
        "46300 Städtjänster",
        "65400 IT-tjänster",
    ];
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as u32
    };
    for r in 1..=rows {
        let n = next();
        let supplier = n % 3000;
        let nine = format!("55{}{:06}", 60 + supplier % 40, supplier);
        let id = if supplier % 25 == 0 {
            // a sole trader: a personnummer
            let nine = format!(
                "7{}0{}1{}{:03}",
                supplier % 10,
                1 + supplier % 9,
                supplier % 3,
                supplier % 1000
            );
            format!("{nine}{}", luhn_check_digit(nine.as_bytes()) as char)
        } else {
            format!("{nine}{}", luhn_check_digit(nine.as_bytes()) as char)
        };
        ws.write(r, 0, forv[(n % 4) as usize]).expect("cell");
        ws.write(r, 1, format!("Leverantör {supplier} AB").as_str())
            .expect("cell");
        ws.write(r, 2, id.as_str()).expect("cell");
        ws.write(r, 3, f64::from(1_000_000 + r)).expect("cell");
        ws.write(r, 4, konton[(n / 7 % 4) as usize]).expect("cell");
        ws.write(r, 5, f64::from(next() % 10_000_000) / 100.0)
            .expect("cell");
    }
    wb.save(out).expect("save");
}
