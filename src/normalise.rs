//! Stage 4: normalise the mapped columns in polars: text trimmed and inner white space
//! collapsed (lazy string expressions), amounts to `Decimal(38, 2)`, dates to `Date`,
//! identifiers and codes to their spec forms. Rows that cannot be typed get a reject reason;
//! nothing is dropped here.

use crate::amount::AmountReader;
use crate::batch::{column, Batch, Col, Reject};
use crate::date::{parse_date_with, DateRules};
use crate::error::Result;
use crate::ident::{classify_id, contains_personal_number, IdKind};
use crate::spec::{self, COLUMNS};
use crate::workers::parallel_map;
use chrono::NaiveDate;
use polars::prelude::*;

/// Scale of the `belopp` decimal column.
pub const AMOUNT_SCALE: usize = 2;
/// Precision of the `belopp` decimal column.
pub const AMOUNT_PRECISION: usize = 38;

/// Counts the normalise stage reports (never values).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NormaliseInfo {
    /// Amounts that had more than two decimals and were rounded.
    pub amounts_rounded: u64,
    /// Dates given as a month only (`YYYYMM`), set to the first day.
    pub month_only_dates: u64,
    /// `kommun_id` values that were no municipality code and were left empty.
    pub invalid_kommun_id: u64,
    /// Amounts written with the other decimal mark than the layout declares, read as written
    /// because the layout allows it (`mixed_decimal_marks = true`).
    pub amounts_with_other_mark: u64,
}

impl NormaliseInfo {
    /// Add the counts of another batch of rows.
    pub fn merge(&mut self, other: &NormaliseInfo) {
        self.amounts_rounded += other.amounts_rounded;
        self.month_only_dates += other.month_only_dates;
        self.invalid_kommun_id += other.invalid_kommun_id;
        self.amounts_with_other_mark += other.amounts_with_other_mark;
    }
}

pub use crate::date::{date_from_days, days_since_epoch};

/// Bytes that may be white space other than a single space: ASCII tab to CR, or the first
/// byte of U+0085, U+00A0, U+1680, U+2000.., U+3000, U+FEFF in UTF-8 (Swedish letters start
/// otherwise).
const MAYBE_OTHER_SPACE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'\t';
    while b <= b'\r' {
        table[b as usize] = true;
        b += 1;
    }
    table[0xC2] = true;
    table[0xE1] = true;
    table[0xE2] = true;
    table[0xE3] = true;
    table[0xEF] = true;
    table
};

/// Whether a text needs trimming or white-space collapsing.
fn needs_cleaning(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' {
        return true;
    }
    // one branch-free pass over the bytes: a double space, or a byte that may be other white
    // space (then the characters decide)
    let (mut double, mut other, mut previous_space) = (false, false, false);
    for &b in bytes {
        let space = b == b' ';
        double |= previous_space & space;
        previous_space = space;
        other |= MAYBE_OTHER_SPACE[usize::from(b)];
    }
    double || (other && needs_cleaning_by_chars(s))
}

/// [`needs_cleaning`] character by character.
fn needs_cleaning_by_chars(s: &str) -> bool {
    let mut previous_space = true; // a leading space counts as "after a space"
    for c in s.chars() {
        let space = c.is_whitespace() || c == '\u{feff}';
        if space && (previous_space || c != ' ') {
            return true;
        }
        previous_space = space;
    }
    previous_space && !s.is_empty()
}

/// Trim and collapse white space in the text columns that need it, as one lazy polars pass.
fn clean_text(df: DataFrame) -> Result<DataFrame> {
    // the columns are checked side by side
    // (a null's slot holds an empty text, which needs no cleaning)
    let is_dirty = |c: &str| -> Result<bool> {
        Ok(df
            .column(c)?
            .str()?
            .downcast_iter()
            .any(|values| values.values_iter().any(needs_cleaning)))
    };
    let dirty: Vec<bool> = parallel_map(&COLUMNS, |c| is_dirty(c))
        .map_err(|_| crate::error::Error::Internal("the text check thread failed".into()))?
        .into_iter()
        .collect::<Result<_>>()?;
    let mut exprs: Vec<Expr> = Vec::new();
    for (c, dirty) in COLUMNS.into_iter().zip(dirty) {
        if dirty {
            exprs.push(
                col(c)
                    .str()
                    .replace_all(lit(r"[\s\u{feff}]+"), lit(" "), false)
                    .str()
                    .replace_all(lit(r"^ | $"), lit(""), false)
                    .alias(c),
            );
        }
    }
    if exprs.is_empty() {
        return Ok(df);
    }
    Ok(df.lazy().with_columns(exprs).collect()?)
}

/// A text column's values, borrowed, with empty texts as `None`.
fn texts(df: &DataFrame, c: Col) -> Result<StringChunked> {
    Ok(df.texts(c)?.clone())
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

/// An amount in öre, whether it was rounded and whether it had the other decimal mark; or
/// why it is rejected.
type AmountOutcome = Result<(i128, bool, bool), Reject>;

/// Each amount in öre (and whether it was rounded or had the other mark), or why it is
/// rejected, read in order by the file's amount reader.
/// Ambiguous values before the batch's first telling one are read by the mark the caller
/// gave [`AmountReader::expect`] (the batcher surveys each batch once).
fn parse_amounts(texts: &StringChunked, reader: &mut AmountReader) -> Vec<AmountOutcome> {
    texts
        .iter()
        .map(non_empty)
        .map(|v| match v.map(|s| (s, reader.read(s))) {
            // an amount whose digits form a personal number is not published as money
            Some((s, Ok(_))) if contains_personal_number(s) => Err(Reject::AmountIsPersonalNumber),
            Some((_, Ok(a))) => Ok((crate::amount::to_ore(a.value), a.rounded, a.other_mark)),
            Some((_, Err(e))) => Err(Reject::Amount(e.to_string())),
            None => Err(Reject::EmptyAmount),
        })
        .collect()
}

/// A date as days since 1970-01-01 and whether only a month was given, or why it is rejected.
type DateOutcome = Result<(i32, bool), Reject>;

/// Each date as days since 1970-01-01 (and whether only a month was given), or why it is
/// rejected.
fn parse_dates(texts: &StringChunked, rules: DateRules) -> Vec<DateOutcome> {
    // a month has few dates and rows often come in date order: reuse the last row's
    let mut last: Option<(&str, DateOutcome)> = None;
    texts
        .iter()
        .map(non_empty)
        .map(|v| {
            let Some(text) = v else {
                return Err(Reject::EmptyDate);
            };
            if let Some((seen, parsed)) = &last {
                if *seen == text {
                    return parsed.clone();
                }
            }
            let parsed = match parse_date_with(text, rules) {
                Ok(d) => Ok((days_since_epoch(d.date), d.month_only)),
                Err(e) => Err(Reject::Date(e)),
            };
            last = Some((text, parsed.clone()));
            parsed
        })
        .collect()
}

/// Record the first reason a row is rejected.
fn reject(reasons: &mut [Option<String>], row: usize, reason: impl FnOnce() -> Reject) {
    if reasons[row].is_none() {
        reasons[row] = Some(reason().to_string());
    }
}

/// How one file's amounts and dates are read: its amount reader (which learns the file's
/// decimal convention as its batches pass) and its date rules.
#[derive(Debug, Clone)]
pub struct FileRules {
    /// The file's amounts, read in order.
    pub amounts: AmountReader,
    /// The file's dates.
    pub dates: DateRules,
    /// Reject a row that misses a mandatory text (`kopare`, `verifikationsnummer`, `konto_nr`,
    /// `konto_text`); without, the row is kept with the value missing (a collected dataset).
    /// A row without a buyer's organisation number is rejected either way.
    pub complete_rows: bool,
}

/// The raw `belopp` texts of a mapped frame (to learn the file's decimal convention from).
pub fn amount_texts(df: &DataFrame) -> Result<StringChunked> {
    texts(df, Col::Belopp)
}

/// Normalise a mapped frame. Returns the frame with `belopp` as `Decimal(38, 2)`, `datum` as
/// `Date`, and reject reasons filled in.
pub fn normalise(df: DataFrame, rules: &mut FileRules) -> Result<(DataFrame, NormaliseInfo)> {
    let mut df = clean_text(df)?;
    let mut info = NormaliseInfo::default();
    let mut reasons: Vec<Option<String>> = df
        .reject_texts()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect();
    let (cents, days) = amounts_and_dates(&df, rules, &mut reasons, &mut info)?;
    let buyer = buyer_ids(&df, &mut reasons)?;
    let kommun = municipality_codes(&df, &mut info)?;
    let konto = account_numbers(&df)?;
    reject_empty_mandatory(&df, rules.complete_rows, &mut reasons)?;
    df.with_column(amount_column(Col::Belopp.named(), &cents)?)?;
    df.with_column(date_column(Col::Datum.named(), &days))?;
    df.with_column(buyer)?;
    df.with_column(kommun)?;
    if let Some(konto) = konto {
        df.put(Col::KontoNr, column(Col::KontoNr, &konto))?;
    }
    df.put(Col::Reject, column(Col::Reject, &reasons))?;
    Ok((df, info))
}

/// Per row, the amount in öre and the date in days since 1970-01-01 (none where unread).
type AmountsAndDates = (Vec<Option<i128>>, Vec<Option<i32>>);

/// Per row, the amount in öre and the date in days, each parsed by the file's rules (a row
/// whose amount or date cannot be read gets the reason). The amounts (exact decimals, rounded
/// half away from zero) are parsed on a second thread while this one parses the dates; the
/// reasons are merged afterwards, amounts first.
fn amounts_and_dates(
    df: &DataFrame,
    rules: &mut FileRules,
    reasons: &mut [Option<String>],
    info: &mut NormaliseInfo,
) -> Result<AmountsAndDates> {
    let height = df.height();
    let belopp_texts = texts(df, Col::Belopp)?;
    let datum_texts = texts(df, Col::Datum)?;
    let date_rules = rules.dates;
    let reader = &mut rules.amounts;
    let (amounts, dates) = std::thread::scope(|s| {
        let amounts = s.spawn(|| parse_amounts(&belopp_texts, reader));
        let dates = parse_dates(&datum_texts, date_rules);
        (amounts.join(), dates)
    });
    let amounts = amounts
        .map_err(|_| crate::error::Error::Internal("the amount parser thread failed".into()))?;
    let mut cents: Vec<Option<i128>> = Vec::with_capacity(height);
    for (i, outcome) in amounts.into_iter().enumerate() {
        match outcome {
            Ok((value, rounded, other_mark)) => {
                info.amounts_rounded += u64::from(rounded);
                info.amounts_with_other_mark += u64::from(other_mark);
                cents.push(Some(value));
            }
            Err(reason) => {
                reject(reasons, i, || reason);
                cents.push(None);
            }
        }
    }
    let mut days: Vec<Option<i32>> = Vec::with_capacity(height);
    for (i, outcome) in dates.into_iter().enumerate() {
        match outcome {
            Ok((day, month_only)) => {
                info.month_only_dates += u64::from(month_only);
                days.push(Some(day));
            }
            Err(reason) => {
                reject(reasons, i, || reason);
                days.push(None);
            }
        }
    }
    Ok((cents, days))
}

/// The buyer's organisation number as ten digits; a row whose buyer is not one is rejected.
fn buyer_ids(df: &DataFrame, reasons: &mut [Option<String>]) -> Result<Column> {
    let mut buyer = StringChunkedBuilder::new(Col::KopareId.named(), df.height());
    let mut last: Option<(&str, IdKind)> = None;
    let buyer_texts = texts(df, Col::KopareId)?;
    for (i, v) in buyer_texts.iter().map(non_empty).enumerate() {
        let Some(raw) = v else {
            buyer.append_null();
            continue;
        };
        // the buyer is the same on (nearly) every row: classify each value once
        if last.as_ref().is_none_or(|(seen, _)| *seen != raw) {
            last = Some((raw, classify_id(raw)));
        }
        match last.as_ref().map(|(_, kind)| kind) {
            Some(IdKind::Organisation(ten)) => buyer.append_value(ten),
            _ => {
                reject(reasons, i, || Reject::BuyerId);
                buyer.append_null();
            }
        }
    }
    Ok(buyer.finish().into_column())
}

/// The municipality code as four digits, one of the 290 (like the buyer, the same on most
/// rows); one that is not is left empty and counted.
fn municipality_codes(df: &DataFrame, info: &mut NormaliseInfo) -> Result<Column> {
    let mut kommun = StringChunkedBuilder::new(Col::KommunId.named(), df.height());
    let mut last: Option<(&str, Option<String>)> = None;
    let kommun_texts = texts(df, Col::KommunId)?;
    for v in kommun_texts.iter().map(non_empty) {
        let Some(raw) = v else {
            kommun.append_null();
            continue;
        };
        if last.as_ref().is_none_or(|(seen, _)| *seen != raw) {
            last = Some((raw, spec::normalise_municipality_code(raw)));
        }
        let code = last.as_ref().and_then(|(_, code)| code.as_deref());
        info.invalid_kommun_id += u64::from(code.is_none());
        kommun.append_option(code);
    }
    Ok(kommun.finish().into_column())
}

/// Account numbers with their spaces removed (digits kept as text); `None` when no account
/// number has a space (the column stays as it is).
fn account_numbers(df: &DataFrame) -> Result<Option<Vec<Option<String>>>> {
    let konto_texts = texts(df, Col::KontoNr)?;
    let konto_has_spaces = konto_texts
        .iter()
        .flatten()
        .any(|s| s.contains(char::is_whitespace));
    Ok(konto_has_spaces.then(|| {
        konto_texts
            .iter()
            .map(non_empty)
            .map(|v| v.map(|s| s.chars().filter(|c| !c.is_whitespace()).collect()))
            .collect()
    }))
}

/// Reject the rows missing a mandatory value (the buyer's id always; with `complete_rows`
/// also the buyer's name, the voucher and the account; the supplier is the protect stage's).
fn reject_empty_mandatory(
    df: &DataFrame,
    complete_rows: bool,
    reasons: &mut [Option<String>],
) -> Result<()> {
    let mandatory: &[Col] = if complete_rows {
        &[
            Col::KopareId,
            Col::Kopare,
            Col::Verifikationsnummer,
            Col::KontoNr,
            Col::KontoText,
        ]
    } else {
        &[Col::KopareId]
    };
    for &c in mandatory {
        let values = df.texts(c)?;
        for (i, v) in values.iter().enumerate() {
            if v.is_none_or(str::is_empty) {
                reject(reasons, i, || Reject::EmptyMandatory(c));
            }
        }
    }
    Ok(())
}

/// The amounts of a frame's `belopp` column in öre (hundredths), null for missing.
pub fn cents(df: &DataFrame) -> Result<Vec<Option<i128>>> {
    Ok(df.ore()?.iter().collect())
}

/// The sum of a frame's `belopp` column in öre (missing amounts count nothing).
pub fn cents_sum(df: &DataFrame) -> Result<i128> {
    Ok(df.ore()?.iter().flatten().sum())
}

/// The first and last date of a frame's `datum` column (none when it has no dates).
pub fn date_span(df: &DataFrame) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let days = df.days()?;
    Ok(days
        .min()
        .zip(days.max())
        .map(|(first, last)| (date_from_days(first), date_from_days(last))))
}

/// An amount column from öre: `Decimal(38, 2)`, the type of `belopp` in every frame written.
pub fn amount_column(name: PlSmallStr, ore: &[Option<i128>]) -> Result<Column> {
    Ok(Int128Chunked::from_slice_options(name, ore)
        .into_decimal(AMOUNT_PRECISION, AMOUNT_SCALE)?
        .into_series()
        .into_column())
}

/// A date column from days since 1970-01-01: polars' `Date`, the type of `datum`.
pub fn date_column(name: PlSmallStr, days: &[Option<i32>]) -> Column {
    Int32Chunked::from_slice_options(name, days)
        .into_date()
        .into_series()
        .into_column()
}

#[cfg(test)]
mod tests {
    use super::needs_cleaning;

    #[test]
    fn cleaning_is_needed_only_for_stray_white_space() {
        assert!(!needs_cleaning("Kontor AB"));
        assert!(!needs_cleaning(""));
        assert!(needs_cleaning(" Kontor"));
        assert!(needs_cleaning("Kontor "));
        assert!(needs_cleaning("Kontor  AB"));
        assert!(needs_cleaning("Kontor\tAB"));
        assert!(needs_cleaning("Kontor\u{a0}AB"));
        assert!(needs_cleaning("\u{feff}Kontor"));
    }

    proptest::proptest! {
        #[test]
        fn cleaning_is_needed_exactly_when_cleaning_changes_the_text(
            s in "[a-zö0-9 \t\n\u{a0}\u{feff}\u{2003}\u{3000}\u{85}é]{0,12}"
        ) {
            let cleaned = s
                .split(|c: char| c.is_whitespace() || c == '\u{feff}')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            proptest::prop_assert_eq!(needs_cleaning(&s), cleaned != s);
        }
    }
}
