//! Reading a Parquet file (a year dataset's partition, another tool's output in the spec's
//! columns) as rows of text cells, each value as a CSV of the same rows has it: decimals with
//! their decimals, dates as `YYYY-MM-DD`, anything else as polars writes it as text. The keys
//! of a Hive-partitioned path (`kopare_id=…/ar=…/manad=…`) that the file does not hold become
//! columns of their own. The file is read a slice of rows at a time.

use super::{RawRow, RawTable, RowSource, SourceFormat};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Whether a file's first bytes are Parquet's.
pub fn looks_like_parquet(head: &[u8]) -> bool {
    head.starts_with(b"PAR1")
}

/// The error for a Parquet file polars cannot read (or panics on).
pub(crate) fn damaged(path: &Path, message: &str) -> Error {
    let first_line = message.lines().next().unwrap_or_default();
    Error::unreadable(
        path,
        format!("not a readable Parquet file (damaged: {first_line})"),
    )
}

/// Read a Parquet file's header (its columns, then the path's Hive keys it lacks) and its
/// first `head_rows` rows; the rest is left in the table's stream. The header is line 0 (the
/// reader made it); rows are numbered from 1.
pub(crate) fn read_parquet_head(path: &Path, head_rows: usize) -> Result<RawTable> {
    let (sha256, size) = super::sha256_file(path).map_err(|e| Error::io(path, e))?;
    let (names, total) = crate::error::catch_panics(
        || {
            let mut reader = ParquetReader::new(open(path)?);
            let unreadable = |e: PolarsError| damaged(path, &e.to_string());
            let schema = reader.schema().map_err(unreadable)?;
            let total = reader.num_rows().map_err(unreadable)?;
            let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
            Ok((names, total))
        },
        |message| damaged(path, &message),
    )?;
    let keys: Vec<(String, String)> = hive_keys(path)
        .into_iter()
        .filter(|(k, _)| !names.contains(k))
        .collect();
    let mut header = names.clone();
    header.extend(keys.iter().map(|(k, _)| k.clone()));
    let mut rest = ParquetRows {
        path: path.to_path_buf(),
        keys: keys.into_iter().map(|(_, v)| v).collect(),
        next: 0,
        total,
    };
    let head = rest.next_rows(head_rows)?;
    let format = SourceFormat {
        kind: "parquet".into(),
        ..SourceFormat::default()
    };
    Ok(RawTable::streamed(
        path,
        format,
        &header,
        head,
        Box::new(rest),
        (sha256, size),
    ))
}

fn open(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| Error::io(path, e))
}

/// The rows of a Parquet file not read yet, read a slice at a time.
#[derive(Debug)]
struct ParquetRows {
    path: PathBuf,
    /// The values of the Hive keys the file lacks, appended to every row.
    keys: Vec<String>,
    /// The next row to read (0-based).
    next: usize,
    total: usize,
}

impl RowSource for ParquetRows {
    fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        if self.next >= self.total || max_rows == 0 {
            return Ok(Vec::new());
        }
        let path = &self.path;
        let df = crate::error::catch_panics(
            || {
                ParquetReader::new(open(path)?)
                    .with_slice(Some((self.next, max_rows)))
                    .finish()
                    .map_err(|e| damaged(path, &e.to_string()))
            },
            |message| damaged(path, &message),
        )?;
        // a column of a type that has no text (a nested list, a binary blob) makes the file
        // unreadable here, named as such
        let columns: Vec<StringChunked> = df
            .columns()
            .iter()
            .map(|column| {
                parquet_texts(column).map_err(|e| {
                    damaged(
                        path,
                        &format!("the column {} cannot be read as text: {e}", column.name()),
                    )
                })
            })
            .collect::<Result<_>>()?;
        let mut walks: Vec<_> = columns.iter().map(StringChunked::iter).collect();
        let mut rows = Vec::with_capacity(df.height());
        for i in 0..df.height() {
            let mut cells = super::Cells::new();
            for walk in &mut walks {
                cells.push(walk.next().flatten().unwrap_or(""));
            }
            for key in &self.keys {
                cells.push(key);
            }
            rows.push(RawRow {
                line: (self.next + i + 1) as u64,
                cells,
            });
        }
        self.next += df.height().max(1);
        Ok(rows)
    }

    fn position(&self) -> (u64, u64) {
        (self.next as u64, self.total as u64)
    }
}

/// The `key=value` folders of a path (Hive partitioning), values percent-decoded as far as
/// they are ASCII.
pub fn hive_keys(path: &Path) -> Vec<(String, String)> {
    path.parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| {
            let part = c.as_os_str().to_str()?;
            let (key, value) = part.split_once('=')?;
            Some((key.to_string(), percent_decoded(value)))
        })
        .collect()
}

/// `%XX` escapes of ASCII characters decoded (others left as they are).
pub fn percent_decoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match code {
            Some(b) if b.is_ascii() => {
                out.push(char::from(b));
                rest = &rest[at + 3..];
            }
            _ => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A Parquet column's values as the CSV writes them: decimals with their decimals, dates as
/// `YYYY-MM-DD`, anything else as polars writes it as text.
pub fn parquet_texts(column: &Column) -> Result<StringChunked> {
    let name = column.name().clone();
    Ok(match column.dtype() {
        DataType::Decimal(_, scale) => {
            let scale = *scale;
            let values = column.decimal()?.physical();
            let mut texts = StringChunkedBuilder::new(name, values.len());
            for value in values.iter() {
                texts.append_option(value.map(|v| decimal_text(v, scale)).as_deref());
            }
            texts.finish()
        }
        DataType::Date => {
            // dates repeat: each distinct day is written once
            let days = column.date()?.physical();
            let mut texts = StringChunkedBuilder::new(name, days.len());
            let mut last: Option<(i32, String)> = None;
            for day in days.iter() {
                let Some(day) = day else {
                    texts.append_null();
                    continue;
                };
                if last.as_ref().is_none_or(|(seen, _)| *seen != day) {
                    let text = crate::date::date_from_days(day).to_string();
                    last = Some((day, text));
                }
                texts.append_option(last.as_ref().map(|(_, text)| text.as_str()));
            }
            texts.finish()
        }
        _ => column.cast(&DataType::String)?.str()?.clone(),
    })
}

/// A decimal's text from its unscaled value and scale (`12345`, 2 -> `123.45`).
pub fn decimal_text(unscaled: i128, scale: usize) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}
