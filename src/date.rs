//! Dates and periods as written in ERP exports.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// A parsed date, and whether the source gave only a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    /// The date (the first day of the month for a period).
    pub date: NaiveDate,
    /// The source held a month only (`YYYYMM`, `YYYY-MM`).
    pub month_only: bool,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Nothing there.
    Empty,
    /// No known date form.
    UnknownForm,
    /// A known form, but no such day (`2024-02-30`).
    Impossible,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Empty => write!(f, "empty date"),
            DateError::UnknownForm => write!(f, "not a date"),
            DateError::Impossible => write!(f, "impossible date"),
        }
    }
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// Year.
    pub year: i32,
    /// Month 1-12.
    pub month: u32,
}

impl Period {
    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// The month of a date.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parse `YYYY-MM` or `YYYYMM`.
    pub fn parse(text: &str) -> Option<Period> {
        let t = text.trim();
        let (y, m) = match t.len() {
            7 if t.as_bytes()[4] == b'-' => (&t[..4], &t[5..]),
            6 => (&t[..4], &t[4..]),
            _ => return None,
        };
        if !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        ((1..=12).contains(&month) && (1900..=2999).contains(&year))
            .then_some(Period { year, month })
    }

    /// Find a `YYYY-MM`, `YYYY_MM` or `YYYYMM` period in a file name (the last one wins).
    pub fn from_file_name(name: &str) -> Option<Period> {
        let b = name.as_bytes();
        let mut found = None;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let mut i = 0;
        while i + 6 <= b.len() {
            let boundary_before = i == 0 || !digit(i - 1);
            if boundary_before && (0..4).all(|k| digit(i + k)) {
                let y = &name[i..i + 4];
                // YYYY-MM / YYYY_MM / YYYY MM
                if matches!(b.get(i + 4), Some(b'-' | b'_' | b' ' | b'.'))
                    && digit(i + 5)
                    && digit(i + 6)
                    && !digit(i + 7)
                {
                    if let Some(p) = Period::parse(&format!("{y}{}", &name[i + 5..i + 7])) {
                        found = Some(p);
                    }
                } else if digit(i + 4) && digit(i + 5) && !digit(i + 6) {
                    if let Some(p) = Period::parse(&name[i..i + 6]) {
                        found = Some(p);
                    }
                }
            }
            i += 1;
        }
        found
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Result<NaiveDate, DateError> {
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(DateError::UnknownForm);
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Impossible)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Convert an Excel serial day number (1900 date system) to a date.
pub fn from_excel_serial(serial: i64) -> Option<NaiveDate> {
    if !(1..=2_958_465).contains(&serial) {
        return None;
    }
    // Excel counts 1900-02-29, which did not exist; serials after it are one day ahead.
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if serial < 61 { serial + 1 } else { serial };
    base.checked_add_signed(chrono::Duration::days(days))
}

/// Parse a date: `YYYY-MM-DD` (also with `/` or `.`, and a trailing time), `YYYYMMDD`,
/// `YYYYMM`, `YYYY-MM`, `DD.MM.YYYY`, `DD/MM/YYYY`, or an Excel serial (1-5 digits, optionally
/// with a fraction).
pub fn parse_date(text: &str) -> Result<ParsedDate, DateError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DateError::Empty);
    }
    // drop a time part: "2024-01-31 00:00:00" or "2024-01-31T00:00"
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let day = |date| {
        Ok(ParsedDate {
            date,
            month_only: false,
        })
    };
    if all_digits(t) {
        return match t.len() {
            8 => day(ymd(&t[..4], &t[4..6], &t[6..])?),
            6 => Period::parse(t)
                .map(|p| ParsedDate {
                    date: p.first_day(),
                    month_only: true,
                })
                .ok_or(DateError::Impossible),
            1..=5 => t
                .parse::<i64>()
                .ok()
                .and_then(from_excel_serial)
                .map_or(Err(DateError::Impossible), day),
            _ => Err(DateError::UnknownForm),
        };
    }
    // Excel serial with a fraction: "45292.5"
    if let Some((int, frac)) = t.split_once(['.', ',']) {
        if all_digits(int) && int.len() <= 5 && all_digits(frac) {
            return int
                .parse::<i64>()
                .ok()
                .and_then(from_excel_serial)
                .map_or(Err(DateError::Impossible), day);
        }
    }
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && all_digits(y) && all_digits(m) && all_digits(d) => {
            if m.len() > 2 || d.len() > 2 {
                return Err(DateError::UnknownForm);
            }
            day(ymd(y, m, d)?)
        }
        [d, m, y] if y.len() == 4 && all_digits(y) && all_digits(m) && all_digits(d) => {
            if m.len() > 2 || d.len() > 2 {
                return Err(DateError::UnknownForm);
            }
            day(ymd(y, m, d)?)
        }
        [y, m] if y.len() == 4 && m.len() == 2 && all_digits(y) && all_digits(m) => {
            Period::parse(&format!("{y}{m}"))
                .map(|p| ParsedDate {
                    date: p.first_day(),
                    month_only: true,
                })
                .ok_or(DateError::Impossible)
        }
        _ => Err(DateError::UnknownForm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        parse_date(s).expect(s).date.to_string()
    }

    #[test]
    fn forms() {
        assert_eq!(d("2024-03-05"), "2024-03-05");
        assert_eq!(d("20240305"), "2024-03-05");
        assert_eq!(d("202403"), "2024-03-01");
        assert!(parse_date("202403").unwrap().month_only);
        assert_eq!(d("2024-03"), "2024-03-01");
        assert_eq!(d("05.03.2024"), "2024-03-05");
        assert_eq!(d("2024-03-05 00:00:00"), "2024-03-05");
        assert_eq!(d("2024/3/5"), "2024-03-05");
    }

    #[test]
    fn excel_serials() {
        assert_eq!(d("45292"), "2024-01-01");
        assert_eq!(d("45292.75"), "2024-01-01");
        assert_eq!(d("1"), "1900-01-01");
        assert_eq!(d("61"), "1900-03-01");
    }

    #[test]
    fn errors() {
        assert_eq!(parse_date(""), Err(DateError::Empty));
        assert_eq!(parse_date("2024-02-30"), Err(DateError::Impossible));
        assert_eq!(parse_date("20241301"), Err(DateError::Impossible));
        assert_eq!(parse_date("202413"), Err(DateError::Impossible));
        assert_eq!(parse_date("igår"), Err(DateError::UnknownForm));
        assert_eq!(parse_date("1234567"), Err(DateError::UnknownForm));
    }

    #[test]
    fn periods_in_file_names() {
        let p = |s| Period::from_file_name(s).map(|p| p.to_string());
        assert_eq!(
            p("Leverantörsfakturor 2021-01.xlsx").as_deref(),
            Some("2021-01")
        );
        assert_eq!(p("lev-202005.csv").as_deref(), Some("2020-05"));
        assert_eq!(p("levstat_2023_11.txt").as_deref(), Some("2023-11"));
        assert_eq!(p("export.csv"), None);
        assert_eq!(p("data-20240101.csv"), None);
        assert_eq!(p("2024-13.csv"), None);
    }
}
