//! Analysis 4, possible duplicate payments: a buyer's vouchers to one supplier for the same
//! amount, either with the same invoice number or on the same date; each group listed with its
//! vouchers. A voucher's amount is the sum of its rows for one invoice number (an invoice booked
//! on several accounts is one payment, not several); credits and zero sums are left out, and so
//! are the masked persons (many people, never one supplier).

use super::common::{cell, kr, Context, Table};
use super::data::Collected;
use super::data::{counts, dates, ore, strings, texts, MASKED_KEY};
use crate::error::Result;
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The two kinds of group.
pub const SAME_INVOICE: &str = "samma fakturanummer";
/// Same date, different vouchers.
pub const SAME_DATE: &str = "samma datum";

/// A row of `mojliga-dubbelbetalningar.csv`: one voucher of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateRow {
    /// The group's number (from 1, in order of kind, buyer, supplier, amount).
    pub grupp: u32,
    /// `samma fakturanummer` or `samma datum`.
    pub typ: String,
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The supplier's key.
    pub leverantor_nyckel: String,
    /// The supplier's name.
    pub leverantor: String,
    /// The amount every voucher of the group has, kronor.
    pub belopp: Decimal,
    /// The voucher.
    pub verifikationsnummer: String,
    /// The invoice number, if the rows carry one.
    pub fakturanummer: Option<String>,
    /// The voucher's date (its earliest row's).
    pub datum: String,
    /// The voucher's rows.
    pub rader: u64,
}

impl Table for DuplicateRow {
    const FILE: &'static str = "mojliga-dubbelbetalningar.csv";
    const COLUMNS: &'static [&'static str] = &[
        "grupp",
        "typ",
        "kopare_id",
        "kopare",
        "leverantor_nyckel",
        "leverantor",
        "belopp",
        "verifikationsnummer",
        "fakturanummer",
        "datum",
        "rader",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.grupp.to_string(),
            self.typ.clone(),
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.leverantor_nyckel.clone(),
            self.leverantor.clone(),
            self.belopp.to_string(),
            self.verifikationsnummer.clone(),
            cell(&self.fakturanummer),
            self.datum.clone(),
            self.rader.to_string(),
        ]
    }
}

/// The payments: per buyer, supplier, voucher and invoice number, the sum (above 0), the
/// earliest date and the rows.
fn payments(keyed: &LazyFrame, ctx: &Context<'_>) -> LazyFrame {
    let mut rows = keyed.clone().filter(
        col("lev_nyckel")
            .neq(lit(MASKED_KEY))
            .and(col("verifikationsnummer").is_not_null()),
    );
    if let Some(year) = ctx.year {
        rows = rows.filter(col("ar").eq(lit(year)));
    }
    rows.group_by([
        col("kopare_id"),
        col("lev_nyckel"),
        col("verifikationsnummer"),
        col("fakturanummer"),
    ])
    .agg([
        col("belopp").sum().alias("belopp"),
        col("datum").min().alias("datum"),
        len().alias("rader"),
    ])
    .with_column(col("belopp").to_physical().alias("ore"))
    .filter(col("ore").gt(lit(0)))
}

/// The payments in groups of one kind: same buyer, supplier and amount, and the same `by`
/// (invoice number or date), under at least two vouchers.
fn grouped(payments: &LazyFrame, by: &str) -> Result<DataFrame> {
    let keys = [col("kopare_id"), col("lev_nyckel"), col(by), col("ore")];
    let groups = payments
        .clone()
        .filter(col(by).is_not_null())
        .group_by(keys.clone())
        .agg([col("verifikationsnummer")
            .n_unique()
            .alias("verifikationer")])
        .filter(col("verifikationer").gt_eq(lit(2)));
    payments
        .clone()
        .join(groups, keys.clone(), keys, JoinArgs::new(JoinType::Inner))
        .collected()
}

/// Every group of possible duplicate payments, numbered.
pub fn duplicates(keyed: &LazyFrame, ctx: &Context<'_>) -> Result<Vec<DuplicateRow>> {
    // the payments once (one pass over the rows), then grouped both ways from memory: a
    // payment is a voucher, far fewer than the rows
    let payments = payments(keyed, ctx).collected()?.lazy();
    let mut out = Vec::new();
    for (kind, by) in [(SAME_INVOICE, "fakturanummer"), (SAME_DATE, "datum")] {
        let df = grouped(&payments, by)?;
        let first = out.last().map_or(0, |r: &DuplicateRow| r.grupp);
        out.extend(rows_of(&df, kind, by, first, ctx)?);
    }
    Ok(out)
}

/// The groups of one kind as rows, numbered from `after + 1`, in order of buyer, supplier,
/// amount and the value they share; each group's vouchers in order of date.
fn rows_of(
    df: &DataFrame,
    kind: &str,
    by: &str,
    after: u32,
    ctx: &Context<'_>,
) -> Result<Vec<DuplicateRow>> {
    let buyers = texts(df, "kopare_id")?;
    let keys = texts(df, "lev_nyckel")?;
    let vouchers = texts(df, "verifikationsnummer")?;
    let invoices = strings(df, "fakturanummer")?;
    let days = dates(df, "datum")?;
    let amounts = ore(df, "belopp")?;
    let rows = counts(df, "rader")?;
    let day = |i: usize| days[i].map(|d| d.to_string()).unwrap_or_default();
    // group → its payments
    let mut groups: BTreeMap<(&str, &str, i128, String), Vec<usize>> = BTreeMap::new();
    for i in 0..df.height() {
        let shared = match by {
            "datum" => day(i),
            _ => invoices[i].clone().unwrap_or_default(),
        };
        groups
            .entry((&buyers[i], &keys[i], amounts[i], shared))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for (number, ((buyer, key, amount, _), mut members)) in (after + 1..).zip(groups) {
        members.sort_by(|a, b| {
            (&days[*a], &vouchers[*a], &invoices[*a]).cmp(&(
                &days[*b],
                &vouchers[*b],
                &invoices[*b],
            ))
        });
        out.extend(members.into_iter().map(|i| DuplicateRow {
            grupp: number,
            typ: kind.to_string(),
            kopare_id: buyer.to_string(),
            kopare: ctx.buyer_name(buyer),
            leverantor_nyckel: key.to_string(),
            leverantor: ctx.keys.name(key),
            belopp: kr(amount),
            verifikationsnummer: vouchers[i].clone(),
            fakturanummer: invoices[i].clone(),
            datum: day(i),
            rader: rows[i],
        }));
    }
    Ok(out)
}
