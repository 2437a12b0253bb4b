//! What the analyses share: exact kronor and shares, the names of buyers and suppliers, the
//! year chosen, and the form of a table (its file, its columns, its rows as text).

use super::data::SupplierKeys;
use super::limits::Limits;
use crate::error::{Error, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::path::Path;

/// An amount in öre as exact kronor with two decimals.
pub fn kr(ore: i128) -> Decimal {
    // every sum of a dataset fits: 96 bits hold 7.9e28 öre
    Decimal::try_from_i128_with_scale(ore, 2).unwrap_or(Decimal::MAX)
}

/// `part` as a percentage of `whole`, rounded half away from zero to two decimals (0 when
/// `whole` is 0).
pub fn percent(part: i128, whole: i128) -> Decimal {
    if whole == 0 {
        return Decimal::new(0, 2);
    }
    let share = kr(part)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(kr(whole)))
        .unwrap_or_default();
    rounded(share)
}

/// A number rounded half away from zero to two decimals, written with both.
pub fn rounded(value: Decimal) -> Decimal {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if v.is_zero() {
        v = Decimal::ZERO;
    }
    v.rescale(2);
    v
}

/// What every analysis needs besides its rows.
pub struct Context<'a> {
    /// The supplier keys and names.
    pub keys: &'a SupplierKeys,
    /// The buyers' names (the one most rows carry).
    pub buyers: &'a BTreeMap<String, String>,
    /// The direct-procurement limits.
    pub limits: &'a Limits,
    /// The year chosen (`--year`), if any.
    pub year: Option<i32>,
}

impl Context<'_> {
    /// A buyer's name (empty when unknown).
    pub fn buyer_name(&self, buyer: &str) -> String {
        self.buyers.get(buyer).cloned().unwrap_or_default()
    }

    /// Whether a year is the one chosen (every year when none is).
    pub fn wants_year(&self, year: i32) -> bool {
        self.year.is_none_or(|y| y == year)
    }
}

/// A table an analysis writes: a CSV file of these columns, one line per row.
pub trait Table {
    // (a reference to a row is a row too: see the blanket impl below)
    /// The file in the output folder.
    const FILE: &'static str;
    /// Its columns.
    const COLUMNS: &'static [&'static str];
    /// A row's cells as the CSV writes them.
    fn cells(&self) -> Vec<String>;
}

impl<T: Table> Table for &T {
    const FILE: &'static str = T::FILE;
    const COLUMNS: &'static [&'static str] = T::COLUMNS;
    fn cells(&self) -> Vec<String> {
        (*self).cells()
    }
}

/// An optional text as a cell.
pub fn cell(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// Write a table as CSV (UTF-8, comma, LF, quoted only where needed).
pub fn write_csv<T: Table>(path: &Path, rows: impl IntoIterator<Item = T>) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::new(file));
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
    writer.write_record(T::COLUMNS).map_err(io)?;
    for row in rows {
        writer.write_record(row.cells()).map_err(io)?;
    }
    writer.flush().map_err(|e| Error::io(path, e))
}

/// A flag as a cell: `ja` or `nej`.
pub fn yes_no(flag: bool) -> String {
    if flag { "ja" } else { "nej" }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_exact_and_rounded_half_away_from_zero() {
        assert_eq!(percent(1, 3).to_string(), "33.33");
        assert_eq!(percent(2, 3).to_string(), "66.67");
        assert_eq!(percent(1, 8).to_string(), "12.50");
        assert_eq!(percent(5, 0).to_string(), "0.00");
        assert_eq!(kr(-12345).to_string(), "-123.45");
    }
}
