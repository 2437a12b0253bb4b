//! Analysis 5, one supplier over time: month by month and buyer by buyer, across every buyer
//! and year of the dataset, for a supplier chosen by its organisation number or name (by
//! default the largest supplier of the buyers analysed).

use super::common::{kr, Context, Table};
use super::data::Collected;
use super::data::{counts, integers, normalised_name, ore, texts, MASKED_KEY};
use super::suppliers::SupplierYear;
use crate::error::{Error, Result};
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A row of `leverantor-over-tid.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverTimeRow {
    /// The supplier's key.
    pub leverantor_nyckel: String,
    /// The supplier's name.
    pub leverantor: String,
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year.
    pub ar: i32,
    /// The month, 1-12.
    pub manad: u32,
    /// The sum, kronor.
    pub summa: Decimal,
    /// Rows.
    pub rader: u64,
    /// Distinct invoices.
    pub fakturor: u64,
}

impl Table for OverTimeRow {
    const FILE: &'static str = "leverantor-over-tid.csv";
    const COLUMNS: &'static [&'static str] = &[
        "leverantor_nyckel",
        "leverantor",
        "kopare_id",
        "kopare",
        "ar",
        "manad",
        "summa",
        "rader",
        "fakturor",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.leverantor_nyckel.clone(),
            self.leverantor.clone(),
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.ar.to_string(),
            format!("{:02}", self.manad),
            self.summa.to_string(),
            self.rader.to_string(),
            self.fakturor.to_string(),
        ]
    }
}

/// The supplier keys a `--supplier` value names: an organisation number (any separators) is
/// its key; a name matches the suppliers whose normalised name is the same, else those whose
/// normalised name contains it. Without a value, the largest supplier of `years`.
pub fn chosen_suppliers(
    query: Option<&str>,
    years: &[SupplierYear],
    ctx: &Context<'_>,
) -> Result<Vec<String>> {
    let Some(query) = query.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(largest(years).into_iter().collect());
    };
    let compact: String = query
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect::<String>()
        .to_uppercase();
    if ctx.keys.info.contains_key(&compact) && compact != MASKED_KEY {
        return Ok(vec![compact]);
    }
    let found = by_name(query, ctx);
    if found.is_empty() {
        return Err(Error::Usage(format!(
            "--supplier '{query}' matches no supplier in the dataset: give an organisation \
             number or a name as storsta-leverantorer.csv writes it"
        )));
    }
    Ok(found)
}

/// The supplier with the largest sum (the first key among equals), never the masked persons.
fn largest(years: &[SupplierYear]) -> Option<String> {
    let mut totals: BTreeMap<&str, i128> = BTreeMap::new();
    for y in years.iter().filter(|y| y.key != MASKED_KEY) {
        *totals.entry(&y.key).or_default() += y.ore;
    }
    totals
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(k, _)| k.to_string())
}

/// The keys whose normalised name is the query's, else contains it.
fn by_name(query: &str, ctx: &Context<'_>) -> Vec<String> {
    let wanted = normalised_name(query).unwrap_or_default();
    let named: Vec<(&String, String)> = ctx
        .keys
        .info
        .iter()
        .filter(|(_, info)| !info.masked)
        .map(|(key, info)| (key, normalised_name(&info.name).unwrap_or_default()))
        .collect();
    let exact: Vec<String> = named
        .iter()
        .filter(|(key, name)| *name == wanted || **key == format!("namn:{wanted}"))
        .map(|(key, _)| key.to_string())
        .collect();
    if !exact.is_empty() || wanted.is_empty() {
        return exact;
    }
    named
        .iter()
        .filter(|(_, name)| name.contains(&wanted))
        .map(|(key, _)| key.to_string())
        .collect()
}

/// The chosen suppliers' months at every buyer (`all`: every row of the dataset).
pub fn over_time(
    all: &LazyFrame,
    chosen: &[String],
    ctx: &Context<'_>,
) -> Result<Vec<OverTimeRow>> {
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let df = ctx
        .keys
        .keyed_only(all.clone(), chosen)?
        .group_by([col("lev_nyckel"), col("kopare_id"), col("ar"), col("manad")])
        .agg([
            col("belopp").sum().alias("summa"),
            len().alias("rader"),
            col("faktura_nyckel")
                .drop_nulls()
                .n_unique()
                .alias("fakturor"),
        ])
        .collected()?;
    let mut out = rows_of(&df, ctx)?;
    out.sort_by(|a, b| {
        (&a.leverantor_nyckel, &a.kopare_id, a.ar, a.manad).cmp(&(
            &b.leverantor_nyckel,
            &b.kopare_id,
            b.ar,
            b.manad,
        ))
    });
    Ok(out)
}

/// The table's rows of the query's result.
fn rows_of(df: &DataFrame, ctx: &Context<'_>) -> Result<Vec<OverTimeRow>> {
    let keys = texts(df, "lev_nyckel")?;
    let buyers = texts(df, "kopare_id")?;
    let years = integers(df, "ar")?;
    let months = integers(df, "manad")?;
    let sums = ore(df, "summa")?;
    let rows = counts(df, "rader")?;
    let invoices = counts(df, "fakturor")?;
    Ok((0..df.height())
        .map(|i| OverTimeRow {
            leverantor_nyckel: keys[i].clone(),
            leverantor: ctx.keys.name(&keys[i]),
            kopare_id: buyers[i].clone(),
            kopare: ctx.buyer_name(&buyers[i]),
            ar: i32::try_from(years[i]).unwrap_or_default(),
            manad: u32::try_from(months[i]).unwrap_or_default(),
            summa: kr(sums[i]),
            rader: rows[i],
            fakturor: invoices[i],
        })
        .collect())
}
