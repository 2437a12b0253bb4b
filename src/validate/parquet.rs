//! Validating a Parquet file (and a Hive-partitioned year dataset): the spec's columns and
//! types, and each row as the CSV would write it.

use super::checks::{check_columns, RowChecker};
use super::findings::Findings;
use crate::date::Period;
use crate::error::{Error, Result};
use crate::progress::Progress;
#[cfg(test)]
pub(super) use crate::read::parquet::{decimal_text, percent_decoded};
pub(super) use crate::read::parquet::{hive_keys, parquet_texts};
use crate::spec::COLUMNS;
use polars::prelude::*;
use std::path::Path;

/// Rows of a Parquet file checked at a time.
pub(super) const PARQUET_SLICE_ROWS: usize = 1 << 17;

/// Validate a Parquet file (this tool's third format; the spec itself publishes CSV and JSON):
/// the spec's columns in order, their types (`belopp` an exact decimal with 2 decimals, `datum`
/// a date, the rest text), and every row as a CSV row is checked, amounts and dates written as
/// the CSV has them. Rows are numbered from 1 and read a slice at a time.
pub(super) fn validate_parquet<R: polars::io::mmap::MmapBytesReader>(
    path: &Path,
    open: impl Fn() -> Result<R>,
    period_span: Option<(Period, Period)>,
    progress: &Progress,
) -> Result<(Findings, u64)> {
    let unreadable =
        |e: PolarsError| Error::unreadable(path, format!("not a readable Parquet file: {e}"));
    let mut reader = ParquetReader::new(open()?);
    let schema = reader.schema().map_err(unreadable)?;
    let total = reader.num_rows().map_err(unreadable)?;
    let mut findings = Findings::default();
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    // a partition of a Hive-partitioned dataset keeps its keys in the path, not in the file
    let all_keys = hive_keys(path);
    let period_span = period_span.or_else(|| partition_month(&all_keys).map(|p| (p, p)));
    let keys: Vec<(String, String)> = all_keys
        .into_iter()
        .filter(|(k, _)| COLUMNS.contains(&k.as_str()) && !names.contains(&k.as_str()))
        .collect();
    let from_path: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    let positions = check_columns(&names, &from_path, None, &mut findings);
    let path_value = |c: &str| keys.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone());
    let path_values: Vec<Option<String>> = COLUMNS.iter().map(|c| path_value(c)).collect();
    let mut checker = RowChecker::new(period_span);
    let mut start = 0;
    while start < total {
        let df = ParquetReader::new(open()?)
            .with_slice(Some((start, PARQUET_SLICE_ROWS)))
            .finish()
            .map_err(unreadable)?;
        if df.height() == 0 {
            break;
        }
        if start == 0 {
            check_parquet_types(&df, &mut findings);
        }
        let columns: Vec<Option<StringChunked>> = positions
            .iter()
            .map(|p| p.map(|i| parquet_texts(&df.columns()[i])).transpose())
            .collect::<Result<_>>()?;
        // each spec column's texts, walked side by side (a key from the path where there are none)
        let mut walks: Vec<_> = columns
            .iter()
            .map(|texts| texts.as_ref().map(StringChunked::iter))
            .collect();
        for i in 0..df.height() {
            let values: Vec<Option<&str>> = walks
                .iter_mut()
                .zip(&path_values)
                .map(|(walk, from_path)| match walk {
                    Some(texts) => texts.next().flatten(),
                    None => from_path.as_deref(),
                })
                .collect();
            checker.check((start + i + 1) as u64, &values, &mut findings);
        }
        start += df.height();
        progress.done(start as u64, total as u64);
    }
    Ok((findings, start as u64))
}

/// The month of a year dataset's partition, from its `ar=YYYY/manad=MM` folders.
pub(super) fn partition_month(keys: &[(String, String)]) -> Option<Period> {
    let key = |name: &str| {
        keys.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    Period::parse(&format!("{}-{}", key("ar")?, key("manad")?))
}

/// A finding for each spec column a Parquet file stores in another type than this tool writes:
/// an error when the values may have lost something (a float amount, a number for a code that
/// may have leading zeros), a warning for amounts or dates stored as text (checked as text).
pub(super) fn check_parquet_types(df: &DataFrame, findings: &mut Findings) {
    for column in df.columns() {
        let name = column.name().as_str();
        if !COLUMNS.contains(&name) {
            continue;
        }
        let dtype = column.dtype();
        let wanted = match name {
            "belopp" => "a decimal with 2 decimals",
            "datum" => "a date",
            _ => "text",
        };
        let fits = match (name, dtype) {
            (_, DataType::Null) => true,
            ("belopp", DataType::Decimal(_, scale)) => *scale == 2,
            ("belopp", _) => false,
            ("datum", dtype) => *dtype == DataType::Date,
            (_, dtype) => *dtype == DataType::String,
        };
        if fits {
            continue;
        }
        let check = format!("{name}_type");
        let message = format!("{name} is stored as {dtype}, not as {wanted}");
        if *dtype == DataType::String {
            findings.warning(&check, &message, None);
        } else {
            findings.error(&check, &message, None);
        }
    }
}
