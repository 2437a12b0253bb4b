//! The benchmark's I/O floor: polars alone reading a `;` export as strings and writing it back,
//! untransformed, as CSV and as Parquet (polars' default writer, zstd, as convert writes it),
//! both fsynced (as convert does before it moves its outputs into place): the files convert
//! writes, with none of the work in between.
//!
//! `cargo run --release --example bench_floor -- IN.csv OUT_STEM` writes OUT_STEM.csv and
//! OUT_STEM.parquet; `bench_floor --read-only FILE.csv` only reads a spec CSV (`,`) as strings,
//! the floor of `reskontra validate`.

// an example: a failed step may stop it with a message (Cargo.toml's [lints] deny this in the library)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use polars::prelude::*;

fn read_strings(path: &str, separator: u8) -> PolarsResult<DataFrame> {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| p.with_separator(separator))
        .try_into_reader_with_file_path(Some(path.into()))?
        .finish()
}

fn main() -> PolarsResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--read-only") {
        let df = read_strings(&args[2], b',')?;
        eprintln!("{} rows", df.height());
        return Ok(());
    }
    let (input, stem) = (&args[1], &args[2]);
    let mut df = read_strings(input, b';')?;
    let csv_path = format!("{stem}.csv");
    let mut csv = std::fs::File::create(&csv_path)?;
    CsvWriter::new(&mut csv).finish(&mut df)?;
    csv.sync_all()?;
    let parquet_path = format!("{stem}.parquet");
    let mut parquet = std::fs::File::create(&parquet_path)?;
    ParquetWriter::new(&mut parquet).finish(&mut df)?;
    parquet.sync_all()?;
    eprintln!("{} rows", df.height());
    Ok(())
}
