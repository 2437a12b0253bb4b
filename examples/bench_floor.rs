//! The benchmark's I/O floor: polars alone reading a `;` export as strings and writing it back,
//! untransformed, as CSV and as Parquet (polars' default writer, zstd, as convert writes it),
//! both fsynced (as convert does before it moves its outputs into place): the files convert
//! writes, with none of the work in between.
//!
//! `cargo run --release --example bench_floor -- IN.csv OUT_STEM` writes OUT_STEM.csv and
//! OUT_STEM.parquet; `bench_floor --read-only FILE.csv` only reads a spec CSV (`,`) as strings,
//! the floor of `reskontra validate`; `bench_floor --xlsx FILE.xlsx` only reads the first sheet
//! of a workbook with calamine's cell reader, every cell turned into its text: the least any
//! conversion of a workbook through calamine can take (nothing can be written before it is read,
//! and calamine's XML parse of the sheet is one thread's work).

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

/// Read a workbook's first sheet cell by cell, each cell as its text; returns the bytes of text.
fn read_xlsx_cells(path: &str) -> Result<usize, calamine::XlsxError> {
    use calamine::{Data, DataRef, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path)?;
    let name = book.sheet_names()[0].clone();
    let mut cells = book.worksheet_cells_reader(&name)?;
    let mut bytes = 0;
    while let Some(cell) = cells.next_cell()? {
        bytes += match cell.get_value() {
            DataRef::Empty => 0,
            DataRef::String(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            // the text reskontra's reader gives a number or a date
            other => reskontra::read::workbook::cell_text(&Data::from(other.clone())).len(),
        };
    }
    Ok(bytes)
}

fn main() -> PolarsResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--xlsx") {
        let bytes = read_xlsx_cells(&args[2]).map_err(|e| polars_err!(ComputeError: "{e}"))?;
        eprintln!("{bytes} bytes of text");
        return Ok(());
    }
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
