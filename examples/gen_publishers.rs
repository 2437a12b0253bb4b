//! Writes a generated download folder of publishers' files (tests/publishers/gen.rs) for the
//! benchmark of `reskontra collect`:
//!
//! `cargo run --release --example gen_publishers -- DIR MONTHS ROWS [--raw] [--seed N]`
//!
//! MONTHS months from January 2020 on, ROWS rows per publisher and month; `--raw` adds the
//! raw ERP workbooks and their sources.toml (DuckDB cannot read those without an extension it
//! would download). Prints the files written and the rows per buyer.

// an example: a failed step may stop it with a message (Cargo.toml's [lints] deny this in the library)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/publishers/gen.rs"]
#[allow(dead_code)]
mod publishers;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [dir, months, rows, ..] = positional.as_slice() else {
        eprintln!("usage: gen_publishers DIR MONTHS ROWS [--raw] [--seed N]");
        std::process::exit(2);
    };
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let months: u32 = months.parse().expect("MONTHS");
    let config = publishers::Publishers {
        months: (0..months)
            .map(|i| (2020 + (i / 12) as i32, i % 12 + 1))
            .collect(),
        rows: rows.parse().expect("ROWS"),
        seed,
        duplicate: false,
        raw_reports: args.iter().any(|a| a == "--raw"),
    };
    let expected = publishers::write_publishers(std::path::Path::new(dir.as_str()), &config);
    let rows: u64 = expected.months.values().map(|(n, _)| n).sum();
    println!(
        "wrote {} files, {rows} rows in the months used, {} buyers",
        expected.files.len(),
        expected.buyers.len()
    );
}
