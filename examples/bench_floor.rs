//! The benchmark's floor: polars alone reading a `;` CSV as strings and writing it back as CSV.
//! `cargo run --release --example bench_floor -- IN.csv OUT.csv`

// an example: a failed step may stop it with a message (Cargo.toml's [lints] deny this in the library)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .map_parse_options(|p| p.with_separator(b';'))
        .try_into_reader_with_file_path(Some(input.into()))?
        .finish()?;
    let mut file = std::fs::File::create(output)?;
    CsvWriter::new(&mut file).finish(&mut df)?;
    eprintln!("{} rows", df.height());
    Ok(())
}
