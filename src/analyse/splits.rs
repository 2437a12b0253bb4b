//! Analysis 3, possible split purchases: a buyer's invoices from one supplier within a window
//! of days, each below a limit and together above it, listed with their invoices.
//!
//! An invoice is a supplier's invoice number, else a voucher ([`super::data::invoice_key`]);
//! its amount the sum of its rows, its date its earliest row's. A window is an invoice's date
//! and the `window_days - 1` days after it; the invoices in it above 0 and below the limit (the
//! `--split-limit`, else the LOU direct-procurement limit in force on the window's first day)
//! qualify it when there are at least `min_invoices` of them and their sum is above the limit.
//! Windows are tried in date order: the first that qualifies is a group, and the next group is
//! the first qualifying window that starts after the group's last invoice (an invoice is in one
//! group at most). Masked persons are left out.
//!
//! The invoices come sorted by buyer, supplier and date; each supplier's are scanned once, the
//! window's end and its sum moving forward with its start.

use super::common::{cell, kr, Context, Table};
use super::data::Collected;
use super::data::{dates, MASKED_KEY};
use crate::error::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

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

/// A group of possible split purchases: a buyer's invoices from one supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitGroup {
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
    pub fran: String,
    /// The group's last invoice's day.
    pub till: String,
    /// The group's sum, kronor.
    pub summa: Decimal,
    /// The limit, kronor.
    pub grans: Decimal,
    /// Its invoices, in order of date.
    pub fakturor: Vec<SplitInvoice>,
}

/// An invoice of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitInvoice {
    /// The invoice number (none for an invoice known by its voucher only).
    pub fakturanummer: Option<String>,
    /// The voucher (the first, if the invoice has several).
    pub verifikationsnummer: Option<String>,
    /// The invoice's date.
    pub datum: String,
    /// The invoice's amount, kronor.
    pub belopp: Decimal,
}

/// A line of `mojliga-uppdelade-kop.csv`: one invoice of a group, with the group.
pub struct SplitLine<'a> {
    /// The group.
    pub group: &'a SplitGroup,
    /// The invoice.
    pub invoice: &'a SplitInvoice,
}

/// The lines of the groups, one per invoice.
pub fn lines(groups: &[SplitGroup]) -> impl Iterator<Item = SplitLine<'_>> {
    groups.iter().flat_map(|group| {
        group
            .fakturor
            .iter()
            .map(move |invoice| SplitLine { group, invoice })
    })
}

impl Table for SplitLine<'_> {
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
        let (g, i) = (self.group, self.invoice);
        vec![
            g.grupp.to_string(),
            g.kopare_id.clone(),
            g.kopare.clone(),
            g.leverantor_nyckel.clone(),
            g.leverantor.clone(),
            g.fran.clone(),
            g.till.clone(),
            g.fakturor.len().to_string(),
            g.summa.to_string(),
            g.grans.to_string(),
            cell(&i.fakturanummer),
            cell(&i.verifikationsnummer),
            i.datum.clone(),
            i.belopp.to_string(),
        ]
    }
}

/// One invoice of a buyer's supplier.
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

/// The lowest limit that can apply: the one given, else the lowest of the table.
fn lowest_limit(ctx: &Context<'_>, opts: &SplitOptions) -> Decimal {
    opts.limit.unwrap_or_else(|| {
        ctx.limits
            .0
            .iter()
            .map(|l| l.amount)
            .min()
            .unwrap_or_default()
    })
}

/// The invoices above 0 and below the highest limit that could apply, of the suppliers (the
/// masked persons left out) that have at least the fewest a group has and more than the lowest
/// limit in them: their sums, earliest dates, numbers and first vouchers, sorted by buyer,
/// supplier and date.
fn invoice_query(keyed: &LazyFrame, ctx: &Context<'_>, opts: &SplitOptions) -> Result<LazyFrame> {
    let highest_ore = crate::amount::to_ore(highest_limit(ctx, opts));
    let lowest_ore = crate::amount::to_ore(lowest_limit(ctx, opts));
    let mut rows = keyed.clone().filter(
        col("lev_nyckel")
            .neq(lit(MASKED_KEY))
            .and(col("faktura_nyckel").is_not_null()),
    );
    if let Some(year) = ctx.year {
        rows = rows.filter(col("ar").eq(lit(year)));
    }
    let pair = [col("kopare_id"), col("lev_nyckel")];
    let order = [
        "kopare_id",
        "lev_nyckel",
        "datum",
        "fakturanummer",
        "verifikationsnummer",
        "faktura_nyckel",
    ];
    Ok(rows
        .group_by([col("kopare_id"), col("lev_nyckel"), col("faktura_nyckel")])
        .agg([
            col("belopp").sum().to_physical().alias("ore"),
            col("datum").min().alias("datum"),
            col("fakturanummer").min().alias("fakturanummer"),
            col("verifikationsnummer")
                .min()
                .alias("verifikationsnummer"),
        ])
        .filter(
            col("ore")
                .gt(lit(0))
                .and(col("ore").lt(lit(highest_ore)))
                .and(col("datum").is_not_null()),
        )
        .filter(
            len()
                .over(pair.clone())?
                .gt_eq(lit(opts.min_invoices.max(1)))
                .and(col("ore").sum().over(pair)?.gt(lit(lowest_ore))),
        )
        .sort(order, SortMultipleOptions::default().with_nulls_last(false))
        .select([
            col("kopare_id"),
            col("lev_nyckel"),
            col("datum"),
            col("ore"),
            col("fakturanummer"),
            col("verifikationsnummer"),
        ]))
}

/// A window's invoices that are below its limit: how many, and their sum.
#[derive(Default)]
struct Window {
    count: usize,
    ore: i128,
}

impl Window {
    fn add(&mut self, invoice: &Invoice, limit_ore: i128) {
        if invoice.ore < limit_ore {
            self.count += 1;
            self.ore += invoice.ore;
        }
    }

    fn remove(&mut self, invoice: &Invoice, limit_ore: i128) {
        if invoice.ore < limit_ore {
            self.count -= 1;
            self.ore -= invoice.ore;
        }
    }
}

/// A group found: its first day, limit and invoices (indexes).
struct Group {
    from: NaiveDate,
    limit_ore: i128,
    members: Vec<usize>,
}

/// The groups of one supplier's invoices at one buyer (in date order), by one scan.
fn groups_of(
    invoices: &[Invoice],
    limit_on: impl Fn(NaiveDate) -> Option<Decimal>,
    opts: &SplitOptions,
) -> Vec<Group> {
    let span = chrono::Duration::days(i64::from(opts.window_days.max(1)) - 1);
    let mut groups: Vec<Group> = Vec::new();
    // the window is invoices[lo..hi], its sums are for the limit `limit_ore`
    let (mut lo, mut hi, mut limit_ore, mut window) = (0, 0, 0i128, Window::default());
    let mut after: Option<NaiveDate> = None;
    for start in 0..invoices.len() {
        let from = invoices[start].day;
        if start > 0 && invoices[start - 1].day == from {
            continue; // the same window as the invoice before
        }
        while lo < start {
            window.remove(&invoices[lo], limit_ore);
            lo += 1;
        }
        while hi < invoices.len() && invoices[hi].day <= from + span {
            window.add(&invoices[hi], limit_ore);
            hi += 1;
        }
        if after.is_some_and(|last| from <= last) {
            continue;
        }
        let Some(limit) = opts.limit.or_else(|| limit_on(from)) else {
            continue;
        };
        let limit_now = crate::amount::to_ore(limit);
        if limit_now != limit_ore {
            limit_ore = limit_now;
            window = Window::default();
            invoices[lo..hi]
                .iter()
                .for_each(|i| window.add(i, limit_ore));
        }
        if window.count < opts.min_invoices as usize || window.ore <= limit_ore {
            continue;
        }
        let members: Vec<usize> = (lo..hi).filter(|i| invoices[*i].ore < limit_ore).collect();
        after = members.iter().map(|i| invoices[*i].day).max();
        groups.push(Group {
            from,
            limit_ore,
            members,
        });
    }
    groups
}

/// Every group of possible split purchases, numbered, with its invoices: a buyer at a time
/// (`rows_of` gives a buyer's rows, keyed), so that only one buyer's invoices are held.
pub fn splits(
    buyers: &[String],
    rows_of: impl Fn(&str) -> Result<LazyFrame>,
    ctx: &Context<'_>,
    opts: &SplitOptions,
) -> Result<Vec<SplitGroup>> {
    let mut out = Vec::new();
    for buyer in buyers {
        let df = invoice_query(&rows_of(buyer)?, ctx, opts)?.collected()?;
        groups_of_buyer(&df, ctx, opts, &mut out)?;
    }
    Ok(out)
}

/// The groups of a buyer's candidate invoices (sorted by supplier and date), each supplier's
/// invoices gathered and scanned in turn.
fn groups_of_buyer(
    df: &DataFrame,
    ctx: &Context<'_>,
    opts: &SplitOptions,
    out: &mut Vec<SplitGroup>,
) -> Result<()> {
    let buyers = df.column("kopare_id")?.str()?;
    let keys = df.column("lev_nyckel")?.str()?;
    let numbers = df.column("fakturanummer")?.str()?;
    let vouchers = df.column("verifikationsnummer")?.str()?;
    let days = dates(df, "datum")?;
    let amounts = integers_128(df, "ore")?;
    let mut pair: Option<(&str, &str)> = None;
    let mut invoices: Vec<Invoice> = Vec::new();
    let rows = buyers
        .iter()
        .zip(keys.iter())
        .zip(numbers.iter().zip(vouchers.iter()))
        .zip(days.into_iter().zip(amounts));
    for (((buyer, key), (number, voucher)), (day, ore)) in rows {
        let (Some(buyer), Some(key), Some(day)) = (buyer, key, day) else {
            continue;
        };
        if pair.is_some_and(|p| p != (buyer, key)) {
            if let Some((b, k)) = pair {
                listed(&invoices, b, k, ctx, opts, out);
            }
            invoices.clear();
        }
        pair = Some((buyer, key));
        invoices.push(Invoice {
            day,
            ore,
            number: number.map(str::to_string),
            voucher: voucher.map(str::to_string),
        });
    }
    if let Some((b, k)) = pair {
        listed(&invoices, b, k, ctx, opts, out);
    }
    Ok(())
}

/// An `ore` column's values (the physical integers of a sum of `belopp`).
fn integers_128(df: &DataFrame, name: &str) -> Result<Vec<i128>> {
    let column = df.column(name)?.cast(&DataType::Int128)?;
    Ok(column
        .i128()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// The groups of one supplier at one buyer, numbered on from the groups before.
fn listed(
    invoices: &[Invoice],
    buyer: &str,
    key: &str,
    ctx: &Context<'_>,
    opts: &SplitOptions,
    out: &mut Vec<SplitGroup>,
) {
    for group in groups_of(invoices, |day| ctx.limits.lou_on(day), opts) {
        let members: Vec<&Invoice> = group.members.iter().map(|i| &invoices[*i]).collect();
        let to = members.iter().map(|i| i.day).max().unwrap_or(group.from);
        out.push(SplitGroup {
            grupp: out.last().map_or(1, |g| g.grupp + 1),
            kopare_id: buyer.to_string(),
            kopare: ctx.buyer_name(buyer),
            leverantor_nyckel: key.to_string(),
            leverantor: ctx.keys.name(key),
            fran: group.from.to_string(),
            till: to.to_string(),
            summa: kr(members.iter().map(|i| i.ore).sum()),
            grans: kr(group.limit_ore),
            fakturor: members
                .iter()
                .map(|i| SplitInvoice {
                    fakturanummer: i.number.clone(),
                    verifikationsnummer: i.voucher.clone(),
                    datum: i.day.to_string(),
                    belopp: kr(i.ore),
                })
                .collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 3, 1).unwrap() + chrono::Duration::days(i64::from(day))
    }

    fn invoices(list: &[(u32, i128)]) -> Vec<Invoice> {
        list.iter()
            .map(|(day, ore)| Invoice {
                day: d(*day),
                ore: *ore,
                number: None,
                voucher: None,
            })
            .collect()
    }

    fn groups(list: &[(u32, i128)], opts: &SplitOptions) -> Vec<(NaiveDate, Vec<usize>)> {
        let limit = |_: NaiveDate| Some(Decimal::new(1000, 0));
        groups_of(&invoices(list), limit, opts)
            .into_iter()
            .map(|g| (g.from, g.members))
            .collect()
    }

    #[test]
    fn a_window_holds_its_first_day_and_the_days_up_to_its_length() {
        let opts = SplitOptions::default();
        // 600 kr on day 0 and on day 29: the window of 30 days holds both
        assert_eq!(
            groups(&[(0, 60_000), (29, 60_000)], &opts),
            [(d(0), vec![0, 1])]
        );
        // on day 30 it does not
        assert!(groups(&[(0, 60_000), (30, 60_000)], &opts).is_empty());
        // together exactly the limit is not above it; an invoice of the limit itself is not below it
        assert!(groups(&[(0, 50_000), (1, 50_000)], &opts).is_empty());
        assert!(groups(&[(0, 100_000), (1, 60_000), (2, 1)], &opts).is_empty());
    }

    #[test]
    fn the_next_group_starts_after_the_last_invoice_of_the_one_before() {
        let opts = SplitOptions::default();
        // days 0, 10, 20 (one group); 25 belongs to it; 40 and 45 form the next
        let list = [
            (0, 40_000),
            (10, 40_000),
            (20, 40_000),
            (25, 10_000),
            (40, 60_000),
            (45, 60_000),
        ];
        assert_eq!(
            groups(&list, &opts),
            [(d(0), vec![0, 1, 2, 3]), (d(40), vec![4, 5])]
        );
        // three at least: the pair on days 40 and 45 is no group
        let three = SplitOptions {
            min_invoices: 3,
            ..SplitOptions::default()
        };
        assert_eq!(groups(&list, &three), [(d(0), vec![0, 1, 2, 3])]);
    }

    #[test]
    fn a_limit_given_applies_to_every_window() {
        let opts = SplitOptions {
            limit: Some(Decimal::new(500, 0)),
            window_days: 5,
            ..SplitOptions::default()
        };
        assert_eq!(
            groups(&[(0, 30_000), (4, 30_000)], &opts),
            [(d(0), vec![0, 1])]
        );
        assert!(groups(&[(0, 30_000), (5, 30_000)], &opts).is_empty());
    }
}
