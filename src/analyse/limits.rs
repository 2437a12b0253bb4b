//! The direct-procurement limits (direktupphandlingsgränser), a dated table kept as data in
//! the repository (`data/limits/direktupphandling.csv`, with its sources) and compiled in.

use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

/// The table as the repository keeps it.
pub const LIMITS_CSV: &str = include_str!("../../data/limits/direktupphandling.csv");

/// The law a limit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Law {
    /// Lagen om offentlig upphandling (municipalities, regions, their authorities).
    #[serde(rename = "LOU")]
    Lou,
    /// Lagen om upphandling inom försörjningssektorerna (water, energy, transport, post).
    #[serde(rename = "LUF")]
    Luf,
}

/// One limit and the days it was in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limit {
    /// The law.
    pub law: Law,
    /// The first day in force.
    pub from: NaiveDate,
    /// The last day in force (none: still in force).
    pub to: Option<NaiveDate>,
    /// The limit, kronor excluding VAT.
    pub amount: Decimal,
    /// Where the figure comes from.
    pub source: String,
}

impl Limit {
    /// Whether the limit was in force on `day`.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }

    /// Whether the limit was in force on some day of `year`.
    pub fn in_force_during(&self, year: i32) -> bool {
        self.from.year() <= year && self.to.is_none_or(|to| year <= to.year())
    }
}

/// The limits of one law in force during a year, in date order: one, or two for a year in
/// which the limit changed (2022), none for a year the table does not reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearLimits {
    /// The year.
    pub year: i32,
    /// The LOU limits in force during it.
    pub lou: Vec<Limit>,
    /// The LUF limits in force during it.
    pub luf: Vec<Limit>,
}

impl YearLimits {
    /// The lowest LOU limit of the year (the one a year's sum is screened against).
    pub fn lowest_lou(&self) -> Option<Decimal> {
        self.lou.iter().map(|l| l.amount).min()
    }

    /// The lowest LUF limit of the year.
    pub fn lowest_luf(&self) -> Option<Decimal> {
        self.luf.iter().map(|l| l.amount).min()
    }

    /// Whether two limits were in force during the year.
    pub fn spans_two(&self) -> bool {
        self.lou.len() > 1
    }
}

/// The table of limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits(pub Vec<Limit>);

impl Limits {
    /// The table compiled into the program.
    pub fn builtin() -> Result<Limits> {
        Limits::parse(LIMITS_CSV)
    }

    /// A table in the repository's form (`lag,fran,till,belopp,kalla`).
    pub fn parse(text: &str) -> Result<Limits> {
        let bad = |line: usize, what: String| {
            Error::Internal(format!(
                "data/limits/direktupphandling.csv, line {line}: {what}"
            ))
        };
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut limits = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| bad(line, e.to_string()))?;
            let field = |n: usize| record.get(n).unwrap_or_default().trim();
            let law = match field(0) {
                "LOU" => Law::Lou,
                "LUF" => Law::Luf,
                other => return Err(bad(line, format!("unknown law '{other}'"))),
            };
            let date = |s: &str| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| bad(line, format!("'{s}' is not a date")))
            };
            let from = date(field(1))?;
            let to = match field(2) {
                "" => None,
                s => Some(date(s)?),
            };
            let amount = Decimal::from_str(field(3))
                .map_err(|_| bad(line, format!("'{}' is not an amount", field(3))))?;
            limits.push(Limit {
                law,
                from,
                to,
                amount,
                source: field(4).to_string(),
            });
        }
        Ok(Limits(limits))
    }

    /// The limits in force during a year.
    pub fn of_year(&self, year: i32) -> YearLimits {
        let of = |law: Law| -> Vec<Limit> {
            let mut v: Vec<Limit> = self
                .0
                .iter()
                .filter(|l| l.law == law && l.in_force_during(year))
                .cloned()
                .collect();
            v.sort_by_key(|l| l.from);
            v
        };
        YearLimits {
            year,
            lou: of(Law::Lou),
            luf: of(Law::Luf),
        }
    }

    /// The LOU limit in force on a day, if the table reaches it.
    pub fn lou_on(&self, day: NaiveDate) -> Option<Decimal> {
        self.0
            .iter()
            .find(|l| l.law == Law::Lou && l.in_force(day))
            .map(|l| l.amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_table_holds_the_limits_of_each_period_with_sources() {
        let limits = Limits::builtin().unwrap();
        assert_eq!(limits.0.len(), 8);
        assert!(limits.0.iter().all(|l| !l.source.is_empty()));
        let kr = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(limits.lou_on(d("2018-01-01")), Some(kr("586907")));
        assert_eq!(limits.lou_on(d("2019-12-31")), Some(kr("586907")));
        assert_eq!(limits.lou_on(d("2021-06-30")), Some(kr("615312")));
        assert_eq!(limits.lou_on(d("2022-01-31")), Some(kr("626284")));
        assert_eq!(limits.lou_on(d("2022-02-01")), Some(kr("700000")));
        assert_eq!(limits.lou_on(d("2030-01-01")), Some(kr("700000")));
        assert_eq!(limits.lou_on(d("2017-12-31")), None);
        let y2022 = limits.of_year(2022);
        assert!(y2022.spans_two());
        assert_eq!(y2022.lowest_lou(), Some(kr("626284")));
        assert_eq!(y2022.lowest_luf(), Some(kr("1165804")));
        let y2020 = limits.of_year(2020);
        assert!(!y2020.spans_two());
        assert_eq!(y2020.lowest_luf(), Some(kr("1142723")));
        assert!(limits.of_year(2017).lou.is_empty());
    }

    #[test]
    fn a_malformed_table_is_an_error_naming_the_line() {
        let err = Limits::parse("lag,fran,till,belopp,kalla\nLOV,2018-01-01,,1,x\n").unwrap_err();
        assert!(
            err.to_string().contains("line 2: unknown law 'LOV'"),
            "{err}"
        );
        let err = Limits::parse("lag,fran,till,belopp,kalla\nLOU,2018-13-01,,1,x\n").unwrap_err();
        assert!(err.to_string().contains("not a date"), "{err}");
    }
}
