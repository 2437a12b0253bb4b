//! Analysis 1, the largest suppliers: per buyer and year each supplier's sum, rows, invoices and
//! share of the buyer's spend, ranked; the masked persons one line of their own, never ranked.
//! The sums per buyer, year and supplier ([`SupplierYear`]) serve the limits, the concentration
//! and the new suppliers too.

use super::common::{cell, kr, percent, Context, Table};
use super::data::Collected;
use super::data::{counts, integers, ore, texts, MASKED_KEY};
use crate::error::Result;
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// One supplier's year at one buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierYear {
    /// The buyer.
    pub buyer: String,
    /// The year.
    pub year: i32,
    /// The supplier's key.
    pub key: String,
    /// The sum in öre.
    pub ore: i128,
    /// Rows.
    pub rows: u64,
    /// Distinct invoices.
    pub invoices: u64,
    /// Rows whose supplier was matched by name to an organisation number.
    pub name_matched: u64,
    /// Rows that name a contract (`avtal`).
    pub with_contract: u64,
    /// Rows that name a basis of purchase (`grund`).
    pub with_ground: u64,
}

/// Sum the keyed rows per buyer, year and supplier.
pub fn supplier_years(keyed: &LazyFrame) -> Result<Vec<SupplierYear>> {
    let df = keyed
        .clone()
        .group_by([col("kopare_id"), col("ar"), col("lev_nyckel")])
        .agg([
            col("belopp").sum().alias("summa"),
            len().alias("rader"),
            col("faktura_nyckel")
                .drop_nulls()
                .n_unique()
                .alias("fakturor"),
            col("namnmatch")
                .cast(DataType::UInt64)
                .sum()
                .alias("namnmatchade"),
            col("avtal")
                .is_not_null()
                .cast(DataType::UInt64)
                .sum()
                .alias("med_avtal"),
            col("grund")
                .is_not_null()
                .cast(DataType::UInt64)
                .sum()
                .alias("med_grund"),
        ])
        .collected()?;
    let mut out = years_of(&df)?;
    out.sort_by(|a, b| (&a.buyer, a.year, &a.key).cmp(&(&b.buyer, b.year, &b.key)));
    Ok(out)
}

/// The supplier years of the query's result.
fn years_of(df: &DataFrame) -> Result<Vec<SupplierYear>> {
    let buyers = texts(df, "kopare_id")?;
    let years = integers(df, "ar")?;
    let keys = texts(df, "lev_nyckel")?;
    let sums = ore(df, "summa")?;
    let rows = counts(df, "rader")?;
    let invoices = counts(df, "fakturor")?;
    let matched = counts(df, "namnmatchade")?;
    let contract = counts(df, "med_avtal")?;
    let ground = counts(df, "med_grund")?;
    Ok((0..df.height())
        .map(|i| SupplierYear {
            buyer: buyers[i].clone(),
            year: i32::try_from(years[i]).unwrap_or_default(),
            key: keys[i].clone(),
            ore: sums[i],
            rows: rows[i],
            invoices: invoices[i],
            name_matched: matched[i],
            with_contract: contract[i],
            with_ground: ground[i],
        })
        .collect())
}

/// The supplier years grouped by buyer and year, the largest sum first (then by key), the
/// masked persons last.
pub fn by_buyer_year(years: &[SupplierYear]) -> BTreeMap<(String, i32), Vec<&SupplierYear>> {
    let mut grouped: BTreeMap<(String, i32), Vec<&SupplierYear>> = BTreeMap::new();
    for y in years {
        grouped
            .entry((y.buyer.clone(), y.year))
            .or_default()
            .push(y);
    }
    for list in grouped.values_mut() {
        list.sort_by(|a, b| {
            (a.key == MASKED_KEY, std::cmp::Reverse(a.ore), &a.key).cmp(&(
                b.key == MASKED_KEY,
                std::cmp::Reverse(b.ore),
                &b.key,
            ))
        });
    }
    grouped
}

/// A row of `storsta-leverantorer.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year.
    pub ar: i32,
    /// The rank among the buyer's suppliers that year (none for the masked persons).
    pub rang: Option<u32>,
    /// The supplier's key: its organisation number, `namn:` and its normalised name, or
    /// `maskerad`.
    pub leverantor_nyckel: String,
    /// The supplier's name.
    pub leverantor: String,
    /// Its organisation number (or foreign id), when it has one.
    pub leverantor_id: Option<String>,
    /// How its rows were matched: `organisationsnummer`, `namn`, `organisationsnummer och namn`
    /// (some rows by their number, some by their name), `maskerad`.
    pub matchning: String,
    /// Rows matched to the organisation number by their name alone.
    pub rader_namnmatchade: u64,
    /// The sum, kronor.
    pub summa: Decimal,
    /// Rows.
    pub rader: u64,
    /// Distinct invoices.
    pub fakturor: u64,
    /// Share of the buyer's spend that year, per cent.
    pub andel_procent: Decimal,
}

impl Table for SupplierRow {
    const FILE: &'static str = "storsta-leverantorer.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "ar",
        "rang",
        "leverantor_nyckel",
        "leverantor",
        "leverantor_id",
        "matchning",
        "rader_namnmatchade",
        "summa",
        "rader",
        "fakturor",
        "andel_procent",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.ar.to_string(),
            self.rang.map(|r| r.to_string()).unwrap_or_default(),
            self.leverantor_nyckel.clone(),
            self.leverantor.clone(),
            cell(&self.leverantor_id),
            self.matchning.clone(),
            self.rader_namnmatchade.to_string(),
            self.summa.to_string(),
            self.rader.to_string(),
            self.fakturor.to_string(),
            self.andel_procent.to_string(),
        ]
    }
}

/// How a supplier's rows were matched.
fn matching(y: &SupplierYear) -> &'static str {
    if y.key == MASKED_KEY {
        "maskerad"
    } else if y.key.starts_with("namn:") {
        "namn"
    } else if y.name_matched == 0 {
        "organisationsnummer"
    } else if y.name_matched == y.rows {
        "namn"
    } else {
        "organisationsnummer och namn"
    }
}

/// Every supplier of each buyer and year (of the year chosen), ranked by sum.
pub fn largest_suppliers(years: &[SupplierYear], ctx: &Context<'_>) -> Vec<SupplierRow> {
    let mut out = Vec::new();
    for ((buyer, year), list) in by_buyer_year(years) {
        if !ctx.wants_year(year) {
            continue;
        }
        let total: i128 = list.iter().map(|y| y.ore).sum();
        let mut rank = 0;
        for y in list {
            let masked = y.key == MASKED_KEY;
            if !masked {
                rank += 1;
            }
            out.push(SupplierRow {
                kopare_id: buyer.clone(),
                kopare: ctx.buyer_name(&buyer),
                ar: year,
                rang: (!masked).then_some(rank),
                leverantor_nyckel: y.key.clone(),
                leverantor: ctx.keys.name(&y.key),
                leverantor_id: ctx.keys.id(&y.key),
                matchning: matching(y).to_string(),
                rader_namnmatchade: y.name_matched,
                summa: kr(y.ore),
                rader: y.rows,
                fakturor: y.invoices,
                andel_procent: percent(y.ore, total),
            });
        }
    }
    out
}
