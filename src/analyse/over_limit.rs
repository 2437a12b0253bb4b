//! Analysis 2, over the direct-procurement limit: per buyer, supplier and year, the year's sum
//! against the limit in force, with how many of the supplier's rows name a contract or a basis
//! of purchase. A screening, not a finding: a contract register may omit contracts, framework
//! call-offs are legal, and since 2022-02-01 the law judges a contract's value, not a year's
//! purchases of the same kind.

use super::common::{cell, kr, yes_no, Context, Table};
use super::data::MASKED_KEY;
use super::limits::YearLimits;
use super::suppliers::SupplierYear;
use rust_decimal::Decimal;
use serde::Serialize;

/// A row of `over-direktupphandlingsgransen.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverLimitRow {
    /// The buyer.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year.
    pub ar: i32,
    /// The supplier's key.
    pub leverantor_nyckel: String,
    /// The supplier's name.
    pub leverantor: String,
    /// Its organisation number, when it has one.
    pub leverantor_id: Option<String>,
    /// The year's sum, kronor.
    pub summa: Decimal,
    /// The LOU limit compared with: the lowest in force during the year.
    pub grans_lou: Decimal,
    /// The LUF limit (the lowest in force during the year).
    pub grans_luf: Decimal,
    /// Whether the sum is over the LUF limit too.
    pub over_luf: bool,
    /// Whether two limits were in force during the year (2022: 626 284 kr in January,
    /// 700 000 kr from 1 February).
    pub tva_granser: bool,
    /// The LOU limits in force during the year, with their days.
    pub granser_under_aret: String,
    /// Rows.
    pub rader: u64,
    /// Rows that name a contract (`avtal`).
    pub rader_med_avtal: u64,
    /// Rows that name a basis of purchase (`grund`).
    pub rader_med_grund: u64,
}

impl Table for OverLimitRow {
    const FILE: &'static str = "over-direktupphandlingsgransen.csv";
    const COLUMNS: &'static [&'static str] = &[
        "kopare_id",
        "kopare",
        "ar",
        "leverantor_nyckel",
        "leverantor",
        "leverantor_id",
        "summa",
        "grans_lou",
        "grans_luf",
        "over_luf",
        "tva_granser",
        "granser_under_aret",
        "rader",
        "rader_med_avtal",
        "rader_med_grund",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.kopare_id.clone(),
            self.kopare.clone(),
            self.ar.to_string(),
            self.leverantor_nyckel.clone(),
            self.leverantor.clone(),
            cell(&self.leverantor_id),
            self.summa.to_string(),
            self.grans_lou.to_string(),
            self.grans_luf.to_string(),
            yes_no(self.over_luf),
            yes_no(self.tva_granser),
            self.granser_under_aret.clone(),
            self.rader.to_string(),
            self.rader_med_avtal.to_string(),
            self.rader_med_grund.to_string(),
        ]
    }
}

/// The LOU limits of a year as text: `586907.00 (2018-01-01–2019-12-31)`, joined by `; `.
pub fn limits_text(limits: &YearLimits) -> String {
    limits
        .lou
        .iter()
        .map(|l| {
            let to = l.to.map(|d| d.to_string()).unwrap_or_default();
            format!("{} ({}–{to})", rounded2(l.amount), l.from)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn rounded2(d: Decimal) -> Decimal {
    super::common::rounded(d)
}

/// The suppliers whose year's sum at a buyer is over the lowest LOU limit in force that
/// year (the masked persons are many people, never one supplier: left out). Years the table
/// of limits does not reach are left out; [`years_without_limit`] names them.
pub fn over_limit(years: &[SupplierYear], ctx: &Context<'_>) -> Vec<OverLimitRow> {
    let mut out = Vec::new();
    for ((buyer, year), list) in super::suppliers::by_buyer_year(years) {
        if !ctx.wants_year(year) {
            continue;
        }
        let limits = ctx.limits.of_year(year);
        let (Some(lou), Some(luf)) = (limits.lowest_lou(), limits.lowest_luf()) else {
            continue;
        };
        for y in list {
            if y.key == MASKED_KEY || kr(y.ore) <= lou {
                continue;
            }
            out.push(OverLimitRow {
                kopare_id: buyer.clone(),
                kopare: ctx.buyer_name(&buyer),
                ar: year,
                leverantor_nyckel: y.key.clone(),
                leverantor: ctx.keys.name(&y.key),
                leverantor_id: ctx.keys.id(&y.key),
                summa: kr(y.ore),
                grans_lou: rounded2(lou),
                grans_luf: rounded2(luf),
                over_luf: kr(y.ore) > luf,
                tva_granser: limits.spans_two(),
                granser_under_aret: limits_text(&limits),
                rader: y.rows,
                rader_med_avtal: y.with_contract,
                rader_med_grund: y.with_ground,
            });
        }
    }
    out
}

/// The years of the analysis that the table of limits does not reach.
pub fn years_without_limit(years: &[SupplierYear], ctx: &Context<'_>) -> Vec<i32> {
    let mut out: Vec<i32> = years
        .iter()
        .map(|y| y.year)
        .filter(|y| ctx.wants_year(*y) && ctx.limits.of_year(*y).lou.is_empty())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
