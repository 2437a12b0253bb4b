//! Analysis 7, coverage and concentration: the months each buyer's rows cover (the gaps named),
//! how often each column is filled, the ten largest suppliers' share and the Herfindahl index
//! per buyer and year, and the suppliers new since the previous year.

use super::common::{kr, percent, rounded, Context, Table};
use super::data::Collected;
use super::data::{counts, texts, FILLED_COLUMNS, MASKED_KEY};
use super::invoices::InvoiceRow;
use super::suppliers::{by_buyer_year, SupplierYear};
use crate::error::Result;
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A row of `tackning-manader.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthsRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The first month with rows (`YYYY-MM`).
    pub forsta_manad: String,
    /// The last month with rows.
    pub sista_manad: String,
    /// Months with rows.
    pub manader_med_rader: u64,
    /// The months without rows: between the first and the last, or (with `--year`) in the
    /// whole year, as `YYYY-MM` separated by spaces.
    pub saknade_manader: String,
}

impl Table for MonthsRow {
    const FILE: &'static str = "tackning-manader.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "forsta_manad",
        "sista_manad",
        "manader_med_rader",
        "saknade_manader",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.forsta_manad.clone(),
            self.sista_manad.clone(),
            self.manader_med_rader.to_string(),
            self.saknade_manader.clone(),
        ]
    }
}

/// A row of `tackning-kolumner.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FillRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The spec column.
    pub kolumn: String,
    /// The buyer's rows.
    pub rader: u64,
    /// Rows with a value in the column.
    pub ifyllda: u64,
    /// Their share, per cent.
    pub andel_procent: Decimal,
}

impl Table for FillRow {
    const FILE: &'static str = "tackning-kolumner.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "kolumn",
        "rader",
        "ifyllda",
        "andel_procent",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.kolumn.clone(),
            self.rader.to_string(),
            self.ifyllda.to_string(),
            self.andel_procent.to_string(),
        ]
    }
}

/// A row of `koncentration.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConcentrationRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year.
    pub ar: i32,
    /// The buyer's spend that year, kronor (the masked persons included).
    pub summa: Decimal,
    /// The masked persons' sum, kronor.
    pub maskerad_summa: Decimal,
    /// Suppliers with a sum above 0 (the masked persons not counted).
    pub leverantorer: u64,
    /// The ten largest suppliers' sum, kronor.
    pub topp10_summa: Decimal,
    /// Their share of the suppliers' sum (those above 0), per cent.
    pub topp10_andel_procent: Decimal,
    /// The Herfindahl-Hirschman index of the suppliers' sums (those above 0): the sum of
    /// the squared shares in per cent, 0-10 000, two decimals.
    pub hhi: Decimal,
}

impl Table for ConcentrationRow {
    const FILE: &'static str = "koncentration.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "ar",
        "summa",
        "maskerad_summa",
        "leverantorer",
        "topp10_summa",
        "topp10_andel_procent",
        "hhi",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.ar.to_string(),
            self.summa.to_string(),
            self.maskerad_summa.to_string(),
            self.leverantorer.to_string(),
            self.topp10_summa.to_string(),
            self.topp10_andel_procent.to_string(),
            self.hhi.to_string(),
        ]
    }
}

/// A row of `nya-leverantorer.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSupplierRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year the supplier is new in.
    pub ar: i32,
    /// The supplier's key.
    pub leverantor_nyckel: String,
    /// The supplier's name.
    pub leverantor: String,
    /// Its sum that year, kronor.
    pub summa: Decimal,
    /// Its rows that year.
    pub rader: u64,
}

impl Table for NewSupplierRow {
    const FILE: &'static str = "nya-leverantorer.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "ar",
        "leverantor_nyckel",
        "leverantor",
        "summa",
        "rader",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.ar.to_string(),
            self.leverantor_nyckel.clone(),
            self.leverantor.clone(),
            self.summa.to_string(),
            self.rader.to_string(),
        ]
    }
}

/// A month as `YYYY-MM`.
fn month_text(year: i32, month: u32) -> String {
    format!("{year}-{month:02}")
}

/// Per buyer, the months its rows cover and the gaps.
pub fn months_covered(invoices: &[InvoiceRow], ctx: &Context<'_>) -> Vec<MonthsRow> {
    let mut months: BTreeMap<&str, BTreeSet<(i32, u32)>> = BTreeMap::new();
    for row in invoices.iter().filter(|r| r.rader > 0) {
        months
            .entry(&row.kopare_id)
            .or_default()
            .insert((row.ar, row.manad));
    }
    months
        .into_iter()
        .filter_map(|(buyer, set)| {
            let first = *set.first()?;
            let last = *set.last()?;
            let (from, to) = match ctx.year {
                Some(y) => ((y, 1), (y, 12)),
                None => (first, last),
            };
            let mut missing = Vec::new();
            let mut at = from;
            while at <= to {
                if !set.contains(&at) {
                    missing.push(month_text(at.0, at.1));
                }
                at = if at.1 == 12 {
                    (at.0 + 1, 1)
                } else {
                    (at.0, at.1 + 1)
                };
            }
            Some(MonthsRow {
                kopare_id: buyer.to_string(),
                kopare: ctx.buyer_name(buyer),
                forsta_manad: month_text(first.0, first.1),
                sista_manad: month_text(last.0, last.1),
                manader_med_rader: set.len() as u64,
                saknade_manader: missing.join(" "),
            })
        })
        .collect()
}

/// Per buyer and spec column, the rows with a value.
pub fn fill_rates(rows: &LazyFrame, ctx: &Context<'_>) -> Result<Vec<FillRow>> {
    let mut rows = rows.clone();
    if let Some(year) = ctx.year {
        rows = rows.filter(col("ar").eq(lit(year)));
    }
    let mut aggs = vec![len().alias("rader")];
    aggs.extend(
        FILLED_COLUMNS
            .iter()
            .map(|c| col(*c).is_not_null().cast(DataType::UInt64).sum().alias(*c)),
    );
    let df = rows.group_by([col("kopare_id")]).agg(aggs).collected()?;
    let buyers = texts(&df, "kopare_id")?;
    let total = counts(&df, "rader")?;
    let mut filled = BTreeMap::new();
    for c in FILLED_COLUMNS {
        filled.insert(c, counts(&df, c)?);
    }
    let mut order: Vec<usize> = (0..df.height()).collect();
    order.sort_by(|a, b| buyers[*a].cmp(&buyers[*b]));
    let mut out = Vec::new();
    for i in order {
        for c in FILLED_COLUMNS {
            let n = filled.get(c).map_or(0, |v| v[i]);
            out.push(FillRow {
                kopare_id: buyers[i].clone(),
                kopare: ctx.buyer_name(&buyers[i]),
                kolumn: c.to_string(),
                rader: total[i],
                ifyllda: n,
                andel_procent: percent(i128::from(n), i128::from(total[i])),
            });
        }
    }
    Ok(out)
}

/// Per buyer and year, the ten largest suppliers' share and the Herfindahl index.
pub fn concentration(years: &[SupplierYear], ctx: &Context<'_>) -> Vec<ConcentrationRow> {
    let mut out = Vec::new();
    for ((buyer, year), list) in by_buyer_year(years) {
        if !ctx.wants_year(year) {
            continue;
        }
        let total: i128 = list.iter().map(|y| y.ore).sum();
        let masked: i128 = list
            .iter()
            .filter(|y| y.key == MASKED_KEY)
            .map(|y| y.ore)
            .sum();
        // the list is in order of sum: the positive suppliers first
        let positive: Vec<i128> = list
            .iter()
            .filter(|y| y.key != MASKED_KEY && y.ore > 0)
            .map(|y| y.ore)
            .collect();
        let whole: i128 = positive.iter().sum();
        let top: i128 = positive.iter().take(10).sum();
        out.push(ConcentrationRow {
            kopare_id: buyer.clone(),
            kopare: ctx.buyer_name(&buyer),
            ar: year,
            summa: kr(total),
            maskerad_summa: kr(masked),
            leverantorer: positive.len() as u64,
            topp10_summa: kr(top),
            topp10_andel_procent: percent(top, whole),
            hhi: herfindahl(&positive, whole),
        });
    }
    out
}

/// The sum of the squared shares in per cent, two decimals (exact until the rounding).
fn herfindahl(sums: &[i128], whole: i128) -> Decimal {
    if whole <= 0 {
        return rounded(Decimal::ZERO);
    }
    let whole = Decimal::from_i128_with_scale(whole, 0);
    let total = sums.iter().fold(Decimal::ZERO, |acc, s| {
        let share = Decimal::from_i128_with_scale(*s, 0)
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|p| p.checked_div(whole))
            .unwrap_or_default();
        acc + share * share
    });
    rounded(total)
}

/// Per buyer and year, the suppliers it did not pay the year before (only for years whose
/// previous year the buyer has rows in; the masked persons left out).
pub fn new_suppliers(years: &[SupplierYear], ctx: &Context<'_>) -> Vec<NewSupplierRow> {
    let grouped = by_buyer_year(years);
    let mut out = Vec::new();
    for ((buyer, year), list) in &grouped {
        if !ctx.wants_year(*year) {
            continue;
        }
        let Some(before) = grouped.get(&(buyer.clone(), year - 1)) else {
            continue;
        };
        let known: BTreeSet<&str> = before.iter().map(|y| y.key.as_str()).collect();
        for y in list {
            if y.key == MASKED_KEY || known.contains(y.key.as_str()) {
                continue;
            }
            out.push(NewSupplierRow {
                kopare_id: buyer.clone(),
                kopare: ctx.buyer_name(buyer),
                ar: *year,
                leverantor_nyckel: y.key.clone(),
                leverantor: ctx.keys.name(&y.key),
                summa: kr(y.ore),
                rader: y.rows,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_herfindahl_index_is_the_sum_of_squared_percent_shares() {
        assert_eq!(herfindahl(&[100], 100).to_string(), "10000.00");
        assert_eq!(herfindahl(&[50, 50], 100).to_string(), "5000.00");
        assert_eq!(herfindahl(&[1, 1, 1], 3).to_string(), "3333.33");
        assert_eq!(herfindahl(&[], 0).to_string(), "0.00");
    }
}
