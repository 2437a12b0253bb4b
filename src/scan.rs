//! The privacy scan of a published file: how many of its cells hold a personal number, read
//! back from disk (CSV, JSON, Parquet or xlsx). `convert` runs it on every file it is about to
//! publish, `dataset` on every file it gathers, and `validate` reports it.

use crate::error::{Error, Result};
use crate::ident::contains_personal_number;
use crate::workers::parallel_map;
use polars::prelude::*;
use std::path::Path;

/// Count the cells of a published file (CSV, JSON, Parquet or xlsx, by its extension) holding a
/// personal number.
pub fn personal_number_hits(path: &Path) -> Result<u64> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "parquet" => crate::error::catch_panics(
            || parquet_hits(path),
            |message| crate::read::parquet::damaged(path, &message),
        ),
        "json" => json_hits(path),
        "xlsx" => crate::xlsx::personal_number_hits(path),
        _ => csv_hits(path),
    }
}

fn csv_hits(path: &Path) -> Result<u64> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::unreadable(path, e.to_string()))?;
    let mut hits = 0;
    for record in reader.byte_records() {
        let record = record.map_err(|e| Error::unreadable(path, e.to_string()))?;
        // the scanner rules most cells out on their bytes itself (digits of any script count)
        hits += record
            .iter()
            .filter(|cell| contains_personal_number(&String::from_utf8_lossy(cell)))
            .count() as u64;
    }
    Ok(hits)
}

fn json_value_hits(value: &serde_json::Value) -> u64 {
    match value {
        serde_json::Value::String(s) => u64::from(contains_personal_number(s)),
        serde_json::Value::Array(items) => items.iter().map(json_value_hits).sum(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| u64::from(contains_personal_number(k)) + json_value_hits(v))
            .sum(),
        serde_json::Value::Number(n) => u64::from(contains_personal_number(&n.to_string())),
        _ => 0,
    }
}

fn json_hits(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::unreadable(path, format!("not valid JSON: {e}")))?;
    Ok(json_value_hits(&value))
}

/// Cells of a Parquet file holding a personal number. The file is read back one column of one
/// row group at a time (so memory stays at a row group's column, whatever the rows), the pieces
/// shared among the cores.
fn parquet_hits(path: &Path) -> Result<u64> {
    let unreadable = |e: PolarsError| Error::unreadable(path, e.to_string());
    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, e));
    let mut reader = ParquetReader::new(open()?);
    let metadata = reader.get_metadata().map_err(unreadable)?.clone();
    // only text columns can hold a personal number written as text (our amounts and dates are
    // typed; validate checks other files' numbers as the texts a CSV would have)
    let texts: Vec<usize> = reader
        .schema()
        .map_err(unreadable)?
        .iter_values()
        .enumerate()
        .filter(|(_, field)| {
            matches!(
                field.dtype(),
                ArrowDataType::Utf8View | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8
            )
        })
        .map(|(index, _)| index)
        .collect();
    // the rows of each row group: (first row, rows)
    let mut groups = Vec::with_capacity(metadata.row_groups.len());
    let mut first = 0;
    for group in &metadata.row_groups {
        groups.push((first, group.num_rows()));
        first += group.num_rows();
    }
    let pieces: Vec<(usize, (usize, usize))> = texts
        .iter()
        .flat_map(|&index| groups.iter().map(move |&rows| (index, rows)))
        .collect();
    let piece_hits = |&(index, rows): &(usize, (usize, usize))| -> Result<u64> {
        let mut reader = ParquetReader::new(open()?);
        reader.set_metadata(metadata.clone());
        let df = reader
            .with_projection(Some(vec![index]))
            .with_slice(Some(rows))
            .finish()
            .map_err(unreadable)?;
        Ok(df
            .columns()
            .iter()
            .filter_map(|c| c.str().ok())
            .map(|strings| {
                strings
                    .iter()
                    .flatten()
                    .filter(|s| contains_personal_number(s))
                    .count() as u64
            })
            .sum())
    };
    parallel_map(&pieces, piece_hits)
        .map_err(|_| Error::Internal("the scanning thread failed".into()))?
        .into_iter()
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Luhn-valid fake personnummer (ten digits) built from nine.
    fn fake_personnummer() -> String {
        let nine = "811218987";
        format!(
            "{nine}{}",
            crate::ident::luhn_check_digit(nine.as_bytes()) as char
        )
    }

    /// The Parquet file is read back a row group at a time: a personal number in any group,
    /// in any text column, is counted once, and typed columns are not read as text.
    #[test]
    fn every_row_group_of_a_parquet_file_is_scanned() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.parquet");
        let pnr = fake_personnummer();
        let texts: Vec<String> = (0..7)
            .map(|i| match i {
                0 | 6 => format!("faktura {pnr}"),
                _ => format!("rad {i}"),
            })
            .collect();
        let others: Vec<&str> = (0..7)
            .map(|i| if i == 3 { pnr.as_str() } else { "" })
            .collect();
        // a typed column is not read as text, even where its number is a personal number's
        let as_number: i64 = pnr.parse().expect("ten digits");
        let amounts: Vec<i64> = (0..7).map(|i| if i == 5 { as_number } else { i }).collect();
        let mut df = df!("a" => texts, "b" => others, "n" => amounts).expect("frame");
        let file = std::fs::File::create(&path).expect("create");
        ParquetWriter::new(file)
            .with_row_group_size(Some(2))
            .finish(&mut df)
            .expect("write");
        let sizes: Vec<usize> = ParquetReader::new(std::fs::File::open(&path).expect("open"))
            .get_metadata()
            .expect("metadata")
            .row_groups
            .iter()
            .map(|g| g.num_rows())
            .collect();
        // rows 0, 3 and 6 (the numbers) lie in three different row groups
        let group_of = |row: usize| {
            let mut end = 0;
            sizes.iter().position(|n| {
                end += n;
                row < end
            })
        };
        let hit_groups: std::collections::BTreeSet<_> = [0, 3, 6].map(group_of).into();
        assert_eq!(hit_groups.len(), 3, "row groups {sizes:?}");
        assert_eq!(parquet_hits(&path).expect("scan"), 3);
    }
}
