//! Analysis 6, invoices and rows: per buyer and month the rows against the distinct invoices
//! (by invoice number, else voucher) and vouchers, so that a total is never counted per row by
//! mistake (one invoice booked on three accounts is three rows).

use super::common::{kr, rounded, Context, Table};
use super::data::Collected;
use super::data::{counts, integers, ore, texts};
use crate::error::Result;
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

/// A row of `fakturor-och-rader.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year.
    pub ar: i32,
    /// The month, 1-12.
    pub manad: u32,
    /// Rows.
    pub rader: u64,
    /// Distinct invoices: a supplier's invoice number, else the voucher.
    pub fakturor: u64,
    /// Distinct vouchers.
    pub verifikationer: u64,
    /// Rows with neither an invoice number nor a voucher (no invoice of their own).
    pub rader_utan_nummer: u64,
    /// Rows per invoice, two decimals.
    pub rader_per_faktura: Decimal,
    /// The month's sum, kronor.
    pub summa: Decimal,
}

impl Table for InvoiceRow {
    const FILE: &'static str = "fakturor-och-rader.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "ar",
        "manad",
        "rader",
        "fakturor",
        "verifikationer",
        "rader_utan_nummer",
        "rader_per_faktura",
        "summa",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.ar.to_string(),
            format!("{:02}", self.manad),
            self.rader.to_string(),
            self.fakturor.to_string(),
            self.verifikationer.to_string(),
            self.rader_utan_nummer.to_string(),
            self.rader_per_faktura.to_string(),
            self.summa.to_string(),
        ]
    }
}

/// Rows, invoices and vouchers per buyer and month (of the year chosen).
pub fn invoices_and_rows(keyed: &LazyFrame, ctx: &Context<'_>) -> Result<Vec<InvoiceRow>> {
    let mut rows = keyed.clone();
    if let Some(year) = ctx.year {
        rows = rows.filter(col("ar").eq(lit(year)));
    }
    let df = rows
        .group_by([col("kopare_id"), col("ar"), col("manad")])
        .agg([
            len().alias("rader"),
            col("faktura_nyckel")
                .drop_nulls()
                .n_unique()
                .alias("fakturor"),
            col("verifikationsnummer")
                .drop_nulls()
                .n_unique()
                .alias("verifikationer"),
            col("faktura_nyckel")
                .is_null()
                .cast(DataType::UInt64)
                .sum()
                .alias("utan"),
            col("belopp").sum().alias("summa"),
        ])
        .collected()?;
    let mut out = rows_of(&df, ctx)?;
    out.sort_by(|a, b| (&a.kopare_id, a.ar, a.manad).cmp(&(&b.kopare_id, b.ar, b.manad)));
    Ok(out)
}

/// The table's rows of the query's result.
fn rows_of(df: &DataFrame, ctx: &Context<'_>) -> Result<Vec<InvoiceRow>> {
    let buyers = texts(df, "kopare_id")?;
    let years = integers(df, "ar")?;
    let months = integers(df, "manad")?;
    let n = counts(df, "rader")?;
    let invoices = counts(df, "fakturor")?;
    let vouchers = counts(df, "verifikationer")?;
    let without = counts(df, "utan")?;
    let sums = ore(df, "summa")?;
    Ok((0..df.height())
        .map(|i| InvoiceRow {
            kopare_id: buyers[i].clone(),
            kopare: ctx.buyer_name(&buyers[i]),
            ar: i32::try_from(years[i]).unwrap_or_default(),
            manad: u32::try_from(months[i]).unwrap_or_default(),
            rader: n[i],
            fakturor: invoices[i],
            verifikationer: vouchers[i],
            rader_utan_nummer: without[i],
            rader_per_faktura: ratio(n[i], invoices[i]),
            summa: kr(sums[i]),
        })
        .collect())
}

/// `a / b` to two decimals (0 when `b` is 0).
fn ratio(a: u64, b: u64) -> Decimal {
    if b == 0 {
        return rounded(Decimal::ZERO);
    }
    rounded(Decimal::from(a) / Decimal::from(b))
}
