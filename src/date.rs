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
    /// A real date before 1900 or after 2100: no ledger's booking date.
    OutOfRange,
    /// A day and a month name without a year (`12 maj`).
    NoYear,
    /// A bare number, which is an Excel day number only in a workbook or where the layout
    /// says so (`serial_dates`).
    BareNumber,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Empty => write!(f, "empty date"),
            DateError::UnknownForm => write!(f, "not a date"),
            DateError::Impossible => write!(f, "impossible date"),
            DateError::OutOfRange => write!(f, "date before 1900 or after 2100"),
            DateError::NoYear => write!(f, "a day and month without a year"),
            DateError::BareNumber => write!(
                f,
                "a bare number is not a date (it is read as an Excel day number only from a workbook, or when the layout sets serial_dates = true)"
            ),
        }
    }
}

/// The first and last years a date may have.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// How a column's dates are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateRules {
    /// Whether a bare number (`45292`, `45292.5`) is an Excel serial day number: true for a
    /// workbook's cells, or when the layout sets `serial_dates = true`.
    pub serials: bool,
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
    /// The month after.
    pub fn next(self) -> Period {
        if self.month >= 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

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

/// The Swedish names of the months, January first.
pub const SWEDISH_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// The Swedish name of a month (1-12).
pub fn swedish_month(month: usize) -> Option<&'static str> {
    SWEDISH_MONTHS.get(month.checked_sub(1)?).copied()
}

/// Month names and abbreviations, Swedish and English, with their numbers.
const MONTH_NAMES: &[(&str, u32)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("augusti", 8),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// The month a name or abbreviation (any case, an abbreviation's point allowed) stands for.
fn month_number(word: &str) -> Option<u32> {
    let w = word.strip_suffix('.').unwrap_or(word).to_lowercase();
    MONTH_NAMES.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

/// Whether a text is a time of day as exports append it: `00:00`, `13:05:09`, `00.00.00`,
/// with a fraction of a second or a zone (`Z`, `+01:00`).
fn is_time(t: &str) -> bool {
    let t = t.trim_end_matches('Z');
    let t = match t.rfind(['+', '-']) {
        Some(i) if i >= 4 => &t[..i],
        _ => t,
    };
    let mut parts = t.split([':', '.']);
    let two = |p: Option<&str>| p.is_some_and(|p| (1..=2).contains(&p.len()) && all_digits(p));
    let (h, m) = (parts.next(), parts.next());
    if !(two(h) && two(m)) {
        return false;
    }
    parts.all(all_digits)
}

/// Dates written with a month name: `5 mars 2024`, `5. mar 2024`, `March 5, 2024`, and the
/// month alone `mars 2024` (a month-only date). `Ok(None)` when no word is a month name.
fn named_month(t: &str) -> Result<Option<ParsedDate>, DateError> {
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let Some((at, month)) = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| month_number(w).map(|m| (i, m)))
    else {
        return Ok(None);
    };
    let number = |w: &str| {
        let w = w.strip_suffix('.').unwrap_or(w);
        if all_digits(w) {
            w.parse::<u32>().ok()
        } else {
            None
        }
    };
    let mut others = Vec::with_capacity(2);
    for (i, w) in words.iter().enumerate() {
        if i != at {
            others.push(number(w).ok_or(DateError::UnknownForm)?);
        }
    }
    let is_year = |y: u32| (1000..=9999).contains(&y);
    let (day, year) = match others.as_slice() {
        [y] if is_year(*y) => (None, *y),
        [d] if *d <= 31 => return Err(DateError::NoYear),
        [d, y] | [y, d] if is_year(*y) && *d <= 31 => (Some(*d), *y),
        _ => return Err(DateError::UnknownForm),
    };
    let year = i32::try_from(year).map_err(|_| DateError::UnknownForm)?;
    let date =
        NaiveDate::from_ymd_opt(year, month, day.unwrap_or(1)).ok_or(DateError::Impossible)?;
    Ok(Some(ParsedDate {
        date,
        month_only: day.is_none(),
    }))
}

/// Parse a date: `YYYY-MM-DD` (also with `/` or `.`, and a trailing time), `YYYYMMDD`,
/// `YYYYMM`, `YYYY-MM`, `DD.MM.YYYY`, `DD/MM/YYYY`, a month name (`5 mars 2024`,
/// `5 mar 2024`, `mars 2024`, English names too), digits and dashes of any script; a bare
/// number (1-5 digits, optionally with a fraction) only as an Excel serial when
/// `rules.serials`. Dates outside 1900-2100 are rejected.
pub fn parse_date_with(text: &str, rules: DateRules) -> Result<ParsedDate, DateError> {
    let parsed = parse_any(text, rules)?;
    if YEARS.contains(&parsed.date.year()) {
        Ok(parsed)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// [`parse_date_with`] for a text file: no bare number is a date.
pub fn parse_date(text: &str) -> Result<ParsedDate, DateError> {
    parse_date_with(text, DateRules::default())
}

fn parse_any(text: &str, rules: DateRules) -> Result<ParsedDate, DateError> {
    let folded = crate::chars::fold(text);
    let t = folded.trim();
    if t.is_empty() {
        return Err(DateError::Empty);
    }
    // drop a time part: "2024-01-31 00:00:00" or "2024-01-31T00:00" (and nothing else)
    let t = match t.split_once([' ', 'T']) {
        Some((date, time)) if is_time(time.trim()) => date,
        _ => t,
    };
    let day = |date| {
        Ok(ParsedDate {
            date,
            month_only: false,
        })
    };
    let serial = |int: &str| {
        if !rules.serials {
            return Err(DateError::BareNumber);
        }
        int.parse::<i64>()
            .ok()
            .and_then(from_excel_serial)
            .map_or(Err(DateError::Impossible), day)
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
            1..=5 => serial(t),
            _ => Err(DateError::UnknownForm),
        };
    }
    // Excel serial with a fraction: "45292.5"
    if let Some((int, frac)) = t.split_once(['.', ',']) {
        if all_digits(int) && int.len() <= 5 && all_digits(frac) {
            return serial(int);
        }
    }
    if let Some(named) = named_month(t)? {
        return Ok(named);
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

/// How far (in months) a date may stand from its run's period before it is warned about.
pub const FAR_MONTHS: i32 = 12;

/// Where a run's reference period comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodBasis {
    /// `--period`.
    Option,
    /// A `YYYY-MM` in the input's file name.
    FileName,
    /// The month most of the input's rows are dated in.
    Majority,
}

impl PeriodBasis {
    fn describe(self) -> &'static str {
        match self {
            PeriodBasis::Option => "--period",
            PeriodBasis::FileName => "the file name",
            PeriodBasis::Majority => "the month of most rows",
        }
    }
}

/// The months an input's dated rows fall in, with the first rows of each (to name rows that
/// stand far from the run's period).
#[derive(Debug, Clone, Default)]
pub struct MonthTally {
    /// Per input file: per month, the rows and the first few row numbers.
    months: std::collections::BTreeMap<String, std::collections::BTreeMap<Period, (u64, Vec<u64>)>>,
}

/// Row numbers kept per month for a warning.
const FIRST_ROWS: usize = 5;

impl MonthTally {
    /// Count one dated row of `file` (its line or sheet row).
    pub fn add(&mut self, file: &str, date: NaiveDate, row: u64) {
        let months = match self.months.get_mut(file) {
            Some(m) => m,
            None => self.months.entry(file.to_string()).or_default(),
        };
        let (count, rows) = months.entry(Period::of(date)).or_default();
        *count += 1;
        if rows.len() < FIRST_ROWS {
            rows.push(row);
        }
    }

    /// For each input with rows dated more than [`FAR_MONTHS`] months from its period (the
    /// `option`, else one in its file name, else its rows' most common month): a warning with
    /// the count and the first rows.
    pub fn far_from_period(&self, option: Option<Period>) -> Vec<String> {
        let mut warnings = Vec::new();
        for (file, months) in &self.months {
            let (reference, basis) = match (option, Period::from_file_name(file)) {
                (Some(p), _) => (p, PeriodBasis::Option),
                (None, Some(p)) => (p, PeriodBasis::FileName),
                (None, None) => {
                    // the most common month; the earliest of a tie
                    let Some((p, _)) = months
                        .iter()
                        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.0.cmp(a.0)))
                    else {
                        continue;
                    };
                    (*p, PeriodBasis::Majority)
                }
            };
            let far: Vec<(&Period, &(u64, Vec<u64>))> = months
                .iter()
                .filter(|(p, _)| months_apart(**p, reference) > FAR_MONTHS)
                .collect();
            let count: u64 = far.iter().map(|(_, (n, _))| n).sum();
            if count == 0 {
                continue;
            }
            let mut first: Vec<u64> = far.iter().flat_map(|(_, (_, rows))| rows.clone()).collect();
            first.sort_unstable();
            first.truncate(FIRST_ROWS);
            let rows: Vec<String> = first.iter().map(u64::to_string).collect();
            warnings.push(format!(
                "{file}: {count} rows are dated more than a year from {reference} ({}); the first at lines/rows {}",
                basis.describe(),
                rows.join(", ")
            ));
        }
        warnings
    }
}

/// The months between two periods, either way.
fn months_apart(a: Period, b: Period) -> i32 {
    let index = |p: Period| p.year * 12 + i32::try_from(p.month).unwrap_or(0);
    (index(a) - index(b)).abs()
}

/// The days from 1970-01-01 to a date (polars' `Date` representation).
pub fn days_since_epoch(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MIN)
}

/// The date of a polars `Date` value.
pub fn date_from_days(days: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(i64::from(days))
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

    fn serial(s: &str) -> String {
        parse_date_with(s, DateRules { serials: true })
            .expect(s)
            .date
            .to_string()
    }

    #[test]
    fn excel_serials() {
        assert_eq!(serial("45292"), "2024-01-01");
        assert_eq!(serial("45292.75"), "2024-01-01");
        assert_eq!(serial("1"), "1900-01-01");
        assert_eq!(serial("61"), "1900-03-01");
        assert_eq!(serial("73415"), "2100-12-31");
        let wide = DateRules { serials: true };
        assert_eq!(parse_date_with("73416", wide), Err(DateError::OutOfRange));
        // from a text file a bare number is no date
        assert_eq!(parse_date("45292"), Err(DateError::BareNumber));
        assert_eq!(parse_date("45292.5"), Err(DateError::BareNumber));
    }

    #[test]
    fn a_number_followed_by_text_is_never_a_date() {
        for text in [
            "5 mars",
            "12 maj",
            "3 st",
            "5 x 2024",
            "45292 kr",
            "1 januari",
        ] {
            let parsed = parse_date_with(text, DateRules { serials: true });
            assert!(parsed.is_err(), "{text}: {parsed:?}");
        }
        assert_eq!(parse_date("12 maj"), Err(DateError::NoYear));
        assert_eq!(parse_date("3 st"), Err(DateError::UnknownForm));
    }

    #[test]
    fn month_names() {
        assert_eq!(d("5 mars 2024"), "2024-03-05");
        assert_eq!(d("5 mar 2024"), "2024-03-05");
        assert_eq!(d("5. mar. 2024"), "2024-03-05");
        assert_eq!(d("31 December 2023"), "2023-12-31");
        assert_eq!(d("March 5, 2024"), "2024-03-05");
        assert_eq!(d("2024 maj 17"), "2024-05-17");
        assert_eq!(d("mars 2024"), "2024-03-01");
        assert!(parse_date("mars 2024").unwrap().month_only);
        assert_eq!(parse_date("30 februari 2024"), Err(DateError::Impossible));
    }

    #[test]
    fn the_years_1900_to_2100() {
        assert_eq!(parse_date("1899-12-31"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("9999-12-31"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("2101-01-01"), Err(DateError::OutOfRange));
        assert_eq!(d("1900-01-01"), "1900-01-01");
        assert_eq!(d("2100-12-31"), "2100-12-31");
    }

    #[test]
    fn times_and_other_scripts() {
        assert_eq!(d("2024-03-05T13:05:09Z"), "2024-03-05");
        assert_eq!(d("2024-03-05 13:05:09.123+01:00"), "2024-03-05");
        assert_eq!(d("2024-03-05 00.00.00"), "2024-03-05");
        assert_eq!(parse_date("2024-03-05 5 st"), Err(DateError::UnknownForm));
        assert_eq!(d("２０２４\u{2013}０３\u{2013}０５"), "2024-03-05");
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
    fn rows_far_from_the_period_are_named() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut tally = MonthTally::default();
        for row in 2..40 {
            tally.add("export.csv", day("2024-05-10"), row);
        }
        tally.add("export.csv", day("2023-05-31"), 40);
        tally.add("export.csv", day("2023-04-30"), 41);
        tally.add("export.csv", day("2026-01-01"), 42);
        let w = tally.far_from_period(None);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains(
                "2 rows are dated more than a year from 2024-05 (the month of most rows)"
            ),
            "{w:?}"
        );
        assert!(w[0].ends_with("lines/rows 41, 42"), "{w:?}");
        // the option's period wins
        let w = tally.far_from_period(Period::parse("2026-01"));
        assert!(w[0].starts_with("export.csv: 40 rows"), "{w:?}");
        // a file name's period
        let mut named = MonthTally::default();
        named.add("lev-2024-05.csv", day("1999-01-01"), 7);
        assert!(named.far_from_period(None)[0].contains("(the file name)"));
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

    mod generated {
        use super::super::*;
        use proptest::prelude::*;

        /// A date of the years a ledger's dates are read in: 1900-01-01 to 2100-12-31.
        fn date() -> impl Strategy<Value = NaiveDate> {
            (0i64..73414).prop_map(|n| {
                NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(n)
            })
        }

        fn month_name(month: u32, pick: usize, upper: bool) -> String {
            let names: Vec<&str> = MONTH_NAMES
                .iter()
                .filter(|(_, m)| *m == month)
                .map(|(n, _)| *n)
                .collect();
            let name = names[pick % names.len()];
            if upper {
                name.to_uppercase()
            } else {
                name.to_string()
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

            #[test]
            fn every_date_form_reads_back_to_itself(
                date in date(),
                form in 0usize..9,
                pick in 0usize..4,
                upper in any::<bool>(),
                time in prop::option::of(prop::sample::select(vec![" 00:00:00", "T13:05", " 00.00.00", "T08:00:00Z"])),
            ) {
                let (y, m, d) = (date.year(), date.month(), date.day());
                let name = month_name(m, pick, upper);
                let text = match form {
                    0 => format!("{y:04}-{m:02}-{d:02}"),
                    1 => format!("{y:04}{m:02}{d:02}"),
                    2 => format!("{d:02}.{m:02}.{y:04}"),
                    3 => format!("{d}/{m}/{y:04}"),
                    4 => format!("{y:04}/{m}/{d}"),
                    5 => format!("{d} {name} {y}"),
                    6 => format!("{d}. {name}. {y}"),
                    7 => format!("{name} {d}, {y}"),
                    _ => format!("{y:04}.{m:02}.{d:02}"),
                };
                let text = match (form, time) {
                    (0..=4 | 8, Some(t)) => format!("{text}{t}"),
                    _ => text,
                };
                let parsed = parse_date(&text);
                prop_assert_eq!(parsed.map(|p| p.date), Ok(date), "{:?}", text);
            }

            #[test]
            fn a_number_and_text_is_never_a_date(n in 1u32..100_000, word in "[a-zåäö]{1,8}") {
                prop_assume!(month_number(&word).is_none());
                for text in [format!("{n} {word}"), format!("{n}{word}"), format!("{word} {n}")] {
                    let parsed = parse_date_with(&text, DateRules { serials: true });
                    prop_assert!(parsed.is_err(), "{:?}: {:?}", text, parsed);
                }
            }

            #[test]
            fn no_date_outside_1900_to_2100(text in "[0-9]{1,8}([-./ ][0-9]{1,4}){0,2}") {
                if let Ok(p) = parse_date_with(&text, DateRules { serials: true }) {
                    prop_assert!(YEARS.contains(&p.date.year()), "{:?}", text);
                }
            }
        }
    }
}
