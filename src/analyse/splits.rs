//! Analysis 3, possible split purchases: a buyer's invoices from one supplier within a window
//! of days, each below a limit and together above it, listed with their invoices.
//!
//! An invoice is a supplier's invoice number, else a voucher ([`super::data::invoice_key`]);
//! its amount the sum of its rows, its date its earliest row's. Every invoice date starts a
//! window (that day and the `window_days - 1` days after it); the invoices in it above 0 and
//! below the limit (the `--split-limit`, else the LOU direct-procurement limit in force on the
//! window's first day) form a group when there are at least `min_invoices` of them and their
//! sum is above the limit. A group that falls inside an earlier group's window is the same
//! purchase seen again and is not listed twice. Masked persons are left out.

use super::common::{cell, kr, Context, Table};
use super::data::Collected;
use super::data::{dates, ore, strings, texts, MASKED_KEY};
use crate::error::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The options of the analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitOptions {
    /// The window, in days (default 30).
    pub window_days: u32,
    /// The limit each invoice is below and the group above, kronor (default: the LOU
    /// direct-procurement limit in force on the window's first day).
    pub limit: Option<Decimal>,
    /// The fewest invoices a group has (default 2).
    pub min_invoices: u32,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            window_days: 30,
            limit: None,
            min_invoices: 2,
        }
    }
}

/// A row of `mojliga-uppdelade-kop.csv`: one invoice of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitRow {
    /// The group's number (from 1, in order of buyer, supplier and first day).
    pub grupp: u32,
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The supplier's key.
    pub leverantor_nyckel: String,
    /// The supplier's name.
    pub leverantor: String,
    /// The window's first day (the group's first invoice).
    pub grupp_fran: String,
    /// The group's last invoice's day.
    pub grupp_till: String,
    /// Invoices in the group.
    pub grupp_fakturor: u64,
    /// The group's sum, kronor.
    pub grupp_summa: Decimal,
    /// The limit, kronor.
    pub grans: Decimal,
    /// The invoice number (empty for an invoice known by its voucher only).
    pub fakturanummer: Option<String>,
    /// The voucher (the first, if the invoice has several).
    pub verifikationsnummer: Option<String>,
    /// The invoice's date.
    pub datum: String,
    /// The invoice's amount, kronor.
    pub belopp: Decimal,
}

impl Table for SplitRow {
    const FILE: &'static str = "mojliga-uppdelade-kop.csv";
    const COLUMNS: &'static [&'static str] = &[
        "grupp",
        "kopare_id",
        "kopare",
        "leverantor_nyckel",
        "leverantor",
        "grupp_fran",
        "grupp_till",
        "grupp_fakturor",
        "grupp_summa",
        "grans",
        "fakturanummer",
        "verifikationsnummer",
        "datum",
        "belopp",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.grupp.to_string(),
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.leverantor_nyckel.clone(),
            self.leverantor.clone(),
            self.grupp_fran.clone(),
            self.grupp_till.clone(),
            self.grupp_fakturor.to_string(),
            self.grupp_summa.to_string(),
            self.grans.to_string(),
            cell(&self.fakturanummer),
            cell(&self.verifikationsnummer),
            self.datum.clone(),
            self.belopp.to_string(),
        ]
    }
}

/// One invoice.
#[derive(Debug, Clone)]
struct Invoice {
    day: NaiveDate,
    ore: i128,
    number: Option<String>,
    voucher: Option<String>,
}

/// The highest limit that can apply: the one given, else the highest of the table.
fn highest_limit(ctx: &Context<'_>, opts: &SplitOptions) -> Decimal {
    opts.limit.unwrap_or_else(|| {
        ctx.limits
            .0
            .iter()
            .map(|l| l.amount)
            .max()
            .unwrap_or_default()
    })
}

/// The invoices above 0 and below the highest limit that could apply, of the suppliers (the
/// masked persons left out) that have at least the fewest a group has: their sums, earliest
/// dates, numbers and first vouchers.
fn invoice_query(keyed: &LazyFrame, ctx: &Context<'_>, opts: &SplitOptions) -> Result<LazyFrame> {
    let highest_ore = crate::amount::to_ore(highest_limit(ctx, opts));
    let mut rows = keyed.clone().filter(
        col("lev_nyckel")
            .neq(lit(MASKED_KEY))
            .and(col("faktura_nyckel").is_not_null()),
    );
    if let Some(year) = ctx.year {
        rows = rows.filter(col("ar").eq(lit(year)));
    }
    let pair = [col("kopare_id"), col("lev_nyckel")];
    Ok(rows
        .group_by([col("kopare_id"), col("lev_nyckel"), col("faktura_nyckel")])
        .agg([
            col("belopp").sum().alias("belopp"),
            col("datum").min().alias("datum"),
            col("fakturanummer").min().alias("fakturanummer"),
            col("verifikationsnummer")
                .min()
                .alias("verifikationsnummer"),
        ])
        .with_column(col("belopp").to_physical().alias("ore"))
        .filter(
            col("ore")
                .gt(lit(0))
                .and(col("ore").lt(lit(highest_ore)))
                .and(col("datum").is_not_null()),
        )
        .filter(len().over(pair)?.gt_eq(lit(opts.min_invoices.max(1)))))
}

/// The candidate invoices per buyer and supplier, in order of date.
fn candidate_invoices(
    keyed: &LazyFrame,
    ctx: &Context<'_>,
    opts: &SplitOptions,
) -> Result<BTreeMap<(String, String), Vec<Invoice>>> {
    let df = invoice_query(keyed, ctx, opts)?.collected()?;
    let buyers = texts(&df, "kopare_id")?;
    let keys = texts(&df, "lev_nyckel")?;
    let amounts = ore(&df, "belopp")?;
    let days = dates(&df, "datum")?;
    let numbers = strings(&df, "fakturanummer")?;
    let vouchers = strings(&df, "verifikationsnummer")?;
    let mut out: BTreeMap<(String, String), Vec<Invoice>> = BTreeMap::new();
    for i in 0..df.height() {
        let Some(day) = days[i] else { continue };
        out.entry((buyers[i].clone(), keys[i].clone()))
            .or_default()
            .push(Invoice {
                day,
                ore: amounts[i],
                number: numbers[i].clone(),
                voucher: vouchers[i].clone(),
            });
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| {
            (a.day, &a.number, &a.voucher, a.ore).cmp(&(b.day, &b.number, &b.voucher, b.ore))
        });
    }
    Ok(out)
}

/// A group found: its first day, limit and invoices.
struct Group<'a> {
    from: NaiveDate,
    limit_ore: i128,
    members: Vec<&'a Invoice>,
}

/// The groups of one supplier's invoices at one buyer.
fn groups_of<'a>(
    invoices: &'a [Invoice],
    ctx: &Context<'_>,
    opts: &SplitOptions,
) -> Vec<Group<'a>> {
    let window = i64::from(opts.window_days.max(1)) - 1;
    let mut starts: Vec<NaiveDate> = invoices.iter().map(|i| i.day).collect();
    starts.dedup();
    let mut qualifying: Vec<Group<'a>> = Vec::new();
    let mut listed = Vec::new();
    for from in starts {
        let Some(limit) = opts.limit.or_else(|| ctx.limits.lou_on(from)) else {
            continue;
        };
        let limit_ore = crate::amount::to_ore(limit);
        let last_day = from + chrono::Duration::days(window);
        let members: Vec<&Invoice> = invoices
            .iter()
            .filter(|i| i.day >= from && i.day <= last_day && i.ore < limit_ore)
            .collect();
        let sum: i128 = members.iter().map(|i| i.ore).sum();
        if members.len() < opts.min_invoices as usize || sum <= limit_ore {
            continue;
        }
        let to = members.iter().map(|i| i.day).max().unwrap_or(from);
        let seen = qualifying
            .iter()
            .any(|g| g.from + chrono::Duration::days(window) >= to);
        if !seen {
            listed.push(qualifying.len());
        }
        qualifying.push(Group {
            from,
            limit_ore,
            members,
        });
    }
    let mut out = Vec::new();
    for (i, group) in qualifying.into_iter().enumerate() {
        if listed.contains(&i) {
            out.push(group);
        }
    }
    out
}

/// Every group of possible split purchases, numbered, with its invoices.
pub fn splits(keyed: &LazyFrame, ctx: &Context<'_>, opts: &SplitOptions) -> Result<Vec<SplitRow>> {
    let candidates = candidate_invoices(keyed, ctx, opts)?;
    let mut out = Vec::new();
    let mut number = 0;
    for ((buyer, key), invoices) in &candidates {
        for group in groups_of(invoices, ctx, opts) {
            number += 1;
            let sum: i128 = group.members.iter().map(|i| i.ore).sum();
            let to = group
                .members
                .iter()
                .map(|i| i.day)
                .max()
                .unwrap_or(group.from);
            for invoice in &group.members {
                out.push(SplitRow {
                    grupp: number,
                    kopare_id: buyer.clone(),
                    kopare: ctx.buyer_name(buyer),
                    leverantor_nyckel: key.clone(),
                    leverantor: ctx.keys.name(key),
                    grupp_fran: group.from.to_string(),
                    grupp_till: to.to_string(),
                    grupp_fakturor: group.members.len() as u64,
                    grupp_summa: kr(sum),
                    grans: kr(group.limit_ore),
                    fakturanummer: invoice.number.clone(),
                    verifikationsnummer: invoice.voucher.clone(),
                    datum: invoice.day.to_string(),
                    belopp: kr(invoice.ore),
                });
            }
        }
    }
    Ok(out)
}
