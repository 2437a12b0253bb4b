//! Money amounts as written in ERP exports, parsed to exact decimals.
//!
//! Accepted: decimal comma or point (`3270,50`, `3270.50`), thousands separated by any space
//! character, an apostrophe, or the other mark (`1 234,50`, `1.234,50`, `1,234.50`), a leading
//! or trailing minus (also U+2212 and the other dashes), accounting parentheses `(12,00)`, a
//! `kr`/`SEK` unit, and digits of any script (full-width `１２３`). Excel float cells arrive as
//! the shortest decimal text of the float (`3270.5`), so money never goes through f64
//! arithmetic. Results are rounded half away from zero to two decimals.
//!
//! Nothing is ever read at another magnitude than it was written with:
//! - **Strict grouping.** A thousands separator stands only between groups of exactly three
//!   digits (the first group one to three), the same separator through the value;
//!   `12.34.56` and `1.23,45` are rejected ([`AmountError::MalformedGrouping`]).
//! - **The decimal mark** is the last `,` or `.` when it cannot be a thousands separator: it is
//!   followed by one or two digits, or by four or more, or another separator stands before it,
//!   or the digits before it are no group of one to three. Three decimals or more are rounded
//!   (and counted).
//! - **A declared mark is a promise** ([`MarkRule::Declared`]): in a comma-decimal layout
//!   `1234.56` is rejected ([`AmountError::OtherDecimalMark`]) unless the layout allows the
//!   other mark (`mixed_decimal_marks = true`), when it is read as written and counted.
//! - **Ambiguous values** (`1,234`, `12.500`: one mark followed by exactly three digits) are
//!   read by the file's convention ([`FileConvention`], learnt from its unambiguous values by
//!   [`notation`]), and rejected when the file has none ([`AmountError::Ambiguous`]).

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// A parsed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// The value rounded to two decimals.
    pub value: Decimal,
    /// Whether the source had more than two decimals (and so was rounded).
    pub rounded: bool,
    /// Whether the value was written with the other decimal mark than the layout declares,
    /// and read so because the layout allows it (`mixed_decimal_marks`).
    pub other_mark: bool,
}

/// Why a text is not an amount. The messages carry no value: they are grouped in the
/// published report (the value itself is in `internal/rejected.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// Nothing there.
    Empty,
    /// Not a number.
    NotANumber,
    /// Too large for a decimal.
    OutOfRange,
    /// Thousands separators that do not stand between groups of three digits, or more than
    /// one kind of them (`12.34.56`, `1.23,45`).
    MalformedGrouping,
    /// Written with the decimal mark the layout does not declare (`1234.56` in a
    /// comma-decimal layout).
    OtherDecimalMark {
        /// The mark the layout declares.
        declared: Mark,
    },
    /// `1,234`: a decimal mark or a thousands separator, and the file does not say which.
    Ambiguous {
        /// Whether the file writes its other amounts in both conventions.
        conflicting: bool,
    },
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => write!(f, "empty amount"),
            AmountError::NotANumber => write!(f, "not an amount"),
            AmountError::OutOfRange => write!(f, "amount out of range"),
            AmountError::MalformedGrouping => write!(
                f,
                "malformed digit grouping (thousands separators stand only between groups of three digits)"
            ),
            AmountError::OtherDecimalMark { declared } => write!(
                f,
                "written with a decimal {} but the layout declares a decimal {} (set mixed_decimal_marks = true in the layout's [read] to read both)",
                declared.other().name(),
                declared.name()
            ),
            AmountError::Ambiguous { conflicting: false } => write!(
                f,
                "ambiguous: one mark followed by three digits may be a decimal mark or a thousands separator, and the file's other amounts do not say which (set decimal_mark in the layout, or --decimal-mark)"
            ),
            AmountError::Ambiguous { conflicting: true } => write!(
                f,
                "ambiguous: one mark followed by three digits may be a decimal mark or a thousands separator, and the file writes its other amounts both ways (set decimal_mark in the layout, or --decimal-mark)"
            ),
        }
    }
}

/// Which mark separates the decimals, as a layout or `--decimal-mark` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecimalMark {
    /// Each value as it is written; an ambiguous one (`1,234`) by the file's convention.
    #[default]
    Auto,
    /// `,` is the decimal mark.
    Comma,
    /// `.` is the decimal mark.
    Point,
}

impl DecimalMark {
    /// The mark named `auto`, `comma` or `point` (as `--decimal-mark` and the desk take it).
    pub fn parse(name: &str) -> Option<DecimalMark> {
        match name {
            "auto" => Some(DecimalMark::Auto),
            "comma" => Some(DecimalMark::Comma),
            "point" => Some(DecimalMark::Point),
            _ => None,
        }
    }
}

/// A decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    /// `,`
    Comma,
    /// `.`
    Point,
}

impl Mark {
    fn of(c: char) -> Option<Mark> {
        match c {
            ',' => Some(Mark::Comma),
            '.' => Some(Mark::Point),
            _ => None,
        }
    }

    /// The other mark.
    pub fn other(self) -> Mark {
        match self {
            Mark::Comma => Mark::Point,
            Mark::Point => Mark::Comma,
        }
    }

    /// `comma` or `point`.
    pub fn name(self) -> &'static str {
        match self {
            Mark::Comma => "comma",
            Mark::Point => "point",
        }
    }
}

/// What one written amount says about its file's decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Nothing: no mark, or only spaces between groups (`1234`, `1 234`).
    Silent,
    /// The mark is certainly this one (`12,50`, `1 234,56`, `1.234.567` for a comma, since a
    /// repeated point must separate thousands).
    Decimal(Mark),
    /// One mark followed by exactly three digits (`1,234`): this mark, or thousands.
    Ambiguous(Mark),
}

/// The decimal convention a file's unambiguous amounts show (see [`notation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileConvention {
    /// No evidence yet.
    #[default]
    Unknown,
    /// Only this mark.
    Only(Mark),
    /// Both marks.
    Conflicting,
}

impl FileConvention {
    /// Add the evidence of one more value.
    pub fn learn(self, notation: Notation) -> FileConvention {
        let Notation::Decimal(mark) = notation else {
            return self;
        };
        match self {
            FileConvention::Unknown => FileConvention::Only(mark),
            FileConvention::Only(seen) if seen == mark => self,
            _ => FileConvention::Conflicting,
        }
    }
}

/// How the decimal mark of a column's values is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkRule {
    /// The layout promises this mark; a value written with the other is rejected, or read as
    /// written when `allow_other` (`mixed_decimal_marks = true`).
    Declared {
        /// The declared mark.
        mark: Mark,
        /// Whether a value plainly written with the other mark is read as written.
        allow_other: bool,
    },
    /// Each value as written; ambiguous ones by the file's convention.
    Auto(FileConvention),
}

impl MarkRule {
    /// The rule of a layout's (or `--decimal-mark`'s) setting, for a file whose convention is
    /// `file`.
    pub fn new(mark: DecimalMark, allow_other: bool, file: FileConvention) -> MarkRule {
        match mark {
            DecimalMark::Auto => MarkRule::Auto(file),
            DecimalMark::Comma => MarkRule::Declared {
                mark: Mark::Comma,
                allow_other,
            },
            DecimalMark::Point => MarkRule::Declared {
                mark: Mark::Point,
                allow_other,
            },
        }
    }
}

/// A separator between digit groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// A space of any kind or an apostrophe: only ever a thousands separator.
    Space,
    /// `,` or `.`.
    Mark(Mark),
}

/// An amount's digits cut at its separators: `groups[i]` stands before `seps[i]`.
#[derive(Debug)]
struct Lexed {
    negative: bool,
    groups: Vec<String>,
    seps: Vec<Sep>,
}

/// Strip a currency unit, sign marks and parentheses; returns (negative, core text).
fn split_sign(text: &str) -> Result<(bool, &str), AmountError> {
    let mut s = text.trim();
    for unit in ["SEK", "kr", "Kr", "KR", ":-"] {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.trim_end();
        }
        if let Some(rest) = s.strip_prefix(unit) {
            s = rest.trim_start();
        }
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let is_minus = |c: char| c != '+' && crate::chars::is_dash(crate::chars::fold_width(c));
    if let Some(rest) = s.strip_prefix(is_minus) {
        negative = if negative {
            return Err(AmountError::NotANumber);
        } else {
            true
        };
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_suffix(is_minus) {
        negative = if negative {
            return Err(AmountError::NotANumber);
        } else {
            true
        };
        s = rest.trim_end();
    }
    if let Some(rest) = s.strip_prefix(['+', '\u{FF0B}']) {
        if negative {
            return Err(AmountError::NotANumber);
        }
        s = rest.trim_start();
    }
    Ok((negative, s))
}

/// Cut an amount text into digit groups and separators.
fn lex(text: &str) -> Result<Lexed, AmountError> {
    if text.trim().is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, core) = split_sign(text)?;
    let mut groups = vec![String::new()];
    let mut seps = Vec::new();
    for c in core.chars() {
        if let Some(d) = crate::chars::digit_value(c) {
            if let Some(last) = groups.last_mut() {
                last.push(char::from(b'0' + d));
            }
            continue;
        }
        let c = crate::chars::fold_width(c);
        let sep = if let Some(mark) = Mark::of(c) {
            Sep::Mark(mark)
        } else if crate::chars::is_space(c) || matches!(c, '\'' | '\u{2019}' | '\u{2032}') {
            Sep::Space
        } else {
            return Err(AmountError::NotANumber);
        };
        seps.push(sep);
        groups.push(String::new());
    }
    if groups.iter().all(String::is_empty) {
        return Err(AmountError::NotANumber);
    }
    // two separators in a row, or a space at either end of the digits
    let inner_empty = groups.len() > 2 && groups[1..groups.len() - 1].iter().any(String::is_empty);
    let space_at_end = matches!(seps.first(), Some(Sep::Space)) && groups[0].is_empty()
        || matches!(seps.last(), Some(Sep::Space)) && groups.last().is_some_and(String::is_empty);
    if inner_empty || space_at_end {
        return Err(AmountError::MalformedGrouping);
    }
    Ok(Lexed {
        negative,
        groups,
        seps,
    })
}

/// Where the decimal mark stands in a lexed amount, read as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// No decimal mark: every separator separates thousands.
    Whole,
    /// The last separator is the decimal mark.
    Decimals(Mark),
    /// The last separator is this mark followed by three digits; it may be either.
    Either(Mark),
}

fn reading(lexed: &Lexed) -> Reading {
    let Some(&last) = lexed.seps.last() else {
        return Reading::Whole;
    };
    let Sep::Mark(mark) = last else {
        return Reading::Whole;
    };
    let n = lexed.seps.len();
    let before = &lexed.seps[..n - 1];
    // a mark that also stands earlier separates thousands
    if before.contains(&last) {
        return Reading::Whole;
    }
    // another separator before it: that one separates thousands, this one the decimals
    if !before.is_empty() {
        return Reading::Decimals(mark);
    }
    let (whole, decimals) = (&lexed.groups[0], &lexed.groups[1]);
    let could_be_group = (1..=3).contains(&whole.len()) && !whole.starts_with('0');
    if decimals.len() == 3 && could_be_group {
        Reading::Either(mark)
    } else {
        Reading::Decimals(mark)
    }
}

/// What a written amount says about its file's decimal mark, or why it is not an amount.
pub fn notation(text: &str) -> Result<Notation, AmountError> {
    let lexed = lex(text)?;
    Ok(match reading(&lexed) {
        Reading::Either(mark) => Notation::Ambiguous(mark),
        Reading::Decimals(mark) if lexed.groups.last().is_some_and(|g| !g.is_empty()) => {
            Notation::Decimal(mark)
        }
        Reading::Decimals(_) => Notation::Silent,
        Reading::Whole => match lexed.seps.iter().find_map(|s| match s {
            Sep::Mark(m) => Some(*m),
            Sep::Space => None,
        }) {
            // a repeated mark separates thousands: the decimal mark is the other one
            Some(thousands) => Notation::Decimal(thousands.other()),
            None => Notation::Silent,
        },
    })
}

/// Check the thousands groups of `groups` (the integer part): the first one to three digits,
/// each other exactly three.
fn check_groups(groups: &[String]) -> Result<(), AmountError> {
    if groups.len() < 2 {
        return Ok(());
    }
    let first_ok = (1..=3).contains(&groups[0].len());
    if first_ok && groups[1..].iter().all(|g| g.len() == 3) {
        Ok(())
    } else {
        Err(AmountError::MalformedGrouping)
    }
}

/// Parse an amount under a mark rule, rounding half away from zero to two decimals.
pub fn parse_amount_with(text: &str, rule: MarkRule) -> Result<Amount, AmountError> {
    let lexed = lex(text)?;
    let read = reading(&lexed);
    // the decimal mark, if any, and whether it is the other one than the layout declares
    let (decimal, other_mark) = match (read, rule) {
        (Reading::Whole, MarkRule::Declared { mark, .. }) => {
            // thousands separated by the declared decimal mark: the other convention
            if lexed.seps.contains(&Sep::Mark(mark)) {
                return Err(AmountError::OtherDecimalMark { declared: mark });
            }
            (None, false)
        }
        (Reading::Whole, MarkRule::Auto(_)) => (None, false),
        (Reading::Either(m), MarkRule::Declared { mark, .. }) => {
            (if m == mark { Some(m) } else { None }, false)
        }
        (Reading::Either(m), MarkRule::Auto(FileConvention::Only(mark))) => {
            (if m == mark { Some(m) } else { None }, false)
        }
        (Reading::Either(_), MarkRule::Auto(file)) => {
            return Err(AmountError::Ambiguous {
                conflicting: file == FileConvention::Conflicting,
            })
        }
        (Reading::Decimals(m), MarkRule::Declared { mark, allow_other }) => {
            if m == mark {
                (Some(m), false)
            } else if allow_other {
                (Some(m), true)
            } else {
                return Err(AmountError::OtherDecimalMark { declared: mark });
            }
        }
        (Reading::Decimals(m), MarkRule::Auto(_)) => (Some(m), false),
    };
    let n = lexed.groups.len();
    let (whole_groups, decimals) = match decimal {
        Some(_) => (&lexed.groups[..n - 1], lexed.groups[n - 1].as_str()),
        None => (&lexed.groups[..], ""),
    };
    // the thousands separators must be one kind
    let thousands = match decimal {
        Some(_) => &lexed.seps[..lexed.seps.len() - 1],
        None => &lexed.seps[..],
    };
    if thousands.windows(2).any(|w| w[0] != w[1]) {
        return Err(AmountError::MalformedGrouping);
    }
    // a leading decimal mark (`,5`) has no whole part to group
    if !(whole_groups.len() == 1 && whole_groups[0].is_empty()) {
        check_groups(whole_groups)?;
    }
    let mut plain = String::with_capacity(text.len() + 2);
    if lexed.negative {
        plain.push('-');
    }
    let whole: String = whole_groups.concat();
    plain.push_str(if whole.is_empty() { "0" } else { &whole });
    if !decimals.is_empty() {
        plain.push('.');
        plain.push_str(decimals);
    }
    let value = Decimal::from_str(&plain).map_err(|_| AmountError::OutOfRange)?;
    let rounded_value = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Ok(Amount {
        value: rounded_value,
        rounded: value.normalize().scale() > 2,
        other_mark,
    })
}

/// Reads one file's amounts in order, learning its decimal convention from its unambiguous
/// values (under `auto`) so that an ambiguous one is read by the file, never guessed per cell.
///
/// An ambiguous value is read by the convention of the values before it; when none before it
/// says, by the first one after it that does ([`AmountReader::expect`]), so the reading does
/// not depend on how the file is cut into batches.
#[derive(Debug, Clone)]
pub struct AmountReader {
    mark: DecimalMark,
    allow_other: bool,
    file: FileConvention,
    ahead: Option<Mark>,
    /// Ambiguous values read by the file's convention.
    read_by_convention: u64,
    /// Ambiguous values read before the file showed both conventions.
    decided_before_conflict: u64,
    /// Values that showed a decimal comma, and a decimal point.
    told: [u64; 2],
    /// Whether the values come from a workbook, whose number cells arrive as the shortest
    /// decimal text of their float (`1250.5`): such a text is a number, whatever the layout's
    /// mark for texts typed into cells.
    number_cells: bool,
    /// Number cells read.
    numbers_read: u64,
}

impl AmountReader {
    /// A reader for a layout's `decimal_mark` and `mixed_decimal_marks`.
    pub fn new(mark: DecimalMark, allow_other: bool) -> AmountReader {
        AmountReader {
            mark,
            allow_other,
            file: FileConvention::Unknown,
            ahead: None,
            read_by_convention: 0,
            decided_before_conflict: 0,
            told: [0; 2],
            number_cells: false,
            numbers_read: 0,
        }
    }

    /// The reader for a workbook's values: a number cell's text (`-1250.5`, digits and at most
    /// one point, as a float's shortest text is written) is read as the number it is.
    pub fn for_workbook(mut self) -> AmountReader {
        self.number_cells = true;
        self
    }

    /// How many values read so far showed a decimal comma, and how many a decimal point.
    pub fn told(&self) -> (u64, u64) {
        (self.told[0], self.told[1])
    }

    /// A workbook's number cells read (as numbers, whatever the mark).
    pub fn numbers_read(&self) -> u64 {
        self.numbers_read
    }

    /// The layout's (or `--decimal-mark`'s) setting.
    pub fn mark(&self) -> DecimalMark {
        self.mark
    }

    /// Whether the values' convention matters (`auto`) rather than being declared.
    pub fn learns(&self) -> bool {
        self.mark == DecimalMark::Auto
    }

    /// The convention the values read so far show.
    pub fn convention(&self) -> FileConvention {
        self.file
    }

    /// Ambiguous values read by the file's convention.
    pub fn read_by_convention(&self) -> u64 {
        self.read_by_convention
    }

    /// Ambiguous values read by the file's first convention before a later value showed the
    /// other one.
    pub fn decided_before_conflict(&self) -> u64 {
        self.decided_before_conflict
    }

    /// The mark that the first telling value among `texts` shows.
    pub fn first_evidence<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<Mark> {
        texts.into_iter().find_map(|t| match notation(t) {
            Ok(Notation::Decimal(mark)) => Some(mark),
            _ => None,
        })
    }

    /// What values say before they are read, in one pass: the mark of the first telling one,
    /// and whether one before it is ambiguous. A workbook's number cells say nothing, as
    /// [`read`](Self::read) learns nothing from them.
    pub fn survey<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> (Option<Mark>, bool) {
        let mut ambiguous = false;
        for t in texts {
            if self.number_cells && is_number_cell_text(t) {
                continue;
            }
            match notation(t) {
                Ok(Notation::Decimal(mark)) => return (Some(mark), ambiguous),
                Ok(Notation::Ambiguous(_)) => ambiguous = true,
                _ => {}
            }
        }
        (None, ambiguous)
    }

    /// Whether reading `texts` now would reject an ambiguous value only for want of a value
    /// after them that says: no convention known, an ambiguous value, and no telling one.
    pub fn needs_more<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        self.learns()
            && self.file == FileConvention::Unknown
            && matches!(self.survey(texts), (None, true))
    }

    /// The convention the next telling value (after the values given to [`read`](Self::read)
    /// so far and the ones still to come in this batch) shows, for ambiguous values before
    /// any telling one.
    pub fn expect(&mut self, ahead: Option<Mark>) {
        self.ahead = ahead;
    }

    /// Read the next value of the file.
    pub fn read(&mut self, text: &str) -> Result<Amount, AmountError> {
        if self.number_cells && is_number_cell_text(text) {
            let number = MarkRule::Declared {
                mark: Mark::Point,
                allow_other: false,
            };
            self.numbers_read += 1;
            return parse_amount_with(text, number);
        }
        if let Some(plain) = plain_amount(text) {
            return self.read_plain(plain);
        }
        self.read_written(text)
    }

    /// Read a value of the commonest form (see [`plain_amount`]) without cutting it up; the
    /// same result as [`AmountReader::read_written`] (a property test compares them).
    fn read_plain(&mut self, (ore, mark): (i128, Option<Mark>)) -> Result<Amount, AmountError> {
        let other_mark = match (self.mark, mark) {
            (DecimalMark::Comma, Some(Mark::Point)) | (DecimalMark::Point, Some(Mark::Comma)) => {
                if !self.allow_other {
                    let declared = if self.mark == DecimalMark::Comma {
                        Mark::Comma
                    } else {
                        Mark::Point
                    };
                    return Err(AmountError::OtherDecimalMark { declared });
                }
                true
            }
            _ => false,
        };
        if self.learns() {
            if let Some(m) = mark {
                self.told[usize::from(m == Mark::Point)] += 1;
                let before = self.file;
                self.file = before.learn(Notation::Decimal(m));
                if before != FileConvention::Conflicting && self.file == FileConvention::Conflicting
                {
                    self.decided_before_conflict = self.read_by_convention;
                }
            }
        }
        let value =
            Decimal::try_from_i128_with_scale(ore, 2).map_err(|_| AmountError::OutOfRange)?;
        Ok(Amount {
            value,
            rounded: false,
            other_mark,
        })
    }

    /// Read a value by its digit groups and separators.
    fn read_written(&mut self, text: &str) -> Result<Amount, AmountError> {
        if !self.learns() {
            let rule = MarkRule::new(self.mark, self.allow_other, FileConvention::Unknown);
            return parse_amount_with(text, rule);
        }
        let notation = notation(text)?;
        if let Notation::Decimal(mark) = notation {
            self.told[usize::from(mark == Mark::Point)] += 1;
        }
        let before = self.file;
        self.file = before.learn(notation);
        if before != FileConvention::Conflicting && self.file == FileConvention::Conflicting {
            self.decided_before_conflict = self.read_by_convention;
        }
        let file = match (self.file, self.ahead) {
            (FileConvention::Unknown, Some(mark)) => FileConvention::Only(mark),
            (file, _) => file,
        };
        let amount = parse_amount_with(text, MarkRule::Auto(file))?;
        if matches!(notation, Notation::Ambiguous(_)) {
            self.read_by_convention += 1;
        }
        Ok(amount)
    }
}

/// The commonest amount forms, read without cutting them up: an optional `-`, one to 26 ASCII
/// digits, whole or in groups of three after a first group of one to three (not starting with
/// `0`) joined by single spaces (`12 345`), and optionally one `.` or `,` with one or two
/// decimals (`-1234.5`, `12,50`, `29 016,11`); its value in öre and its decimal mark. `None`
/// for any other text (which [`AmountReader::read_written`] reads).
fn plain_amount(text: &str) -> Option<(i128, Option<Mark>)> {
    let b = text.as_bytes();
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (whole, end) = grouped_whole(digits)?;
    let (decimals, mark) = match digits.get(end) {
        None => (&[][..], None),
        Some(&c) => (&digits[end + 1..], Some(Mark::of(char::from(c))?)),
    };
    let plain = (mark.is_none() || (1..=2).contains(&decimals.len()))
        && decimals.iter().all(u8::is_ascii_digit);
    if !plain {
        return None;
    }
    let number = |d: &[u8]| d.iter().fold(0i128, |n, c| n * 10 + i128::from(c - b'0'));
    let cents = match decimals.len() {
        0 => 0,
        1 => number(decimals) * 10,
        _ => number(decimals),
    };
    let ore = whole * 100 + cents;
    Some((if negative { -ore } else { ore }, mark))
}

/// The whole part at the start of `digits` as [`plain_amount`] accepts it: its value and where
/// it ends. `None` when it has no digit, more than 26, or groups of another shape.
fn grouped_whole(digits: &[u8]) -> Option<(i128, usize)> {
    let (mut value, mut count, mut group, mut groups) = (0i128, 0usize, 0usize, 0usize);
    let mut end = digits.len();
    for (i, &c) in digits.iter().enumerate() {
        if c.is_ascii_digit() {
            value = value * 10 + i128::from(c - b'0');
            count += 1;
            group += 1;
            if count > 26 {
                return None;
            }
        } else if c == b' ' {
            let first_ok = groups > 0 || (group <= 3 && digits[0] != b'0');
            if group == 0 || !first_ok || (groups > 0 && group != 3) {
                return None;
            }
            groups += 1;
            group = 0;
        } else {
            end = i;
            break;
        }
    }
    (count > 0 && (groups == 0 || group == 3)).then_some((value, end))
}

/// Whether a text is what a workbook's number cell becomes: an optional minus, digits, and
/// at most one point followed by decimals that do not end in 0 (a float's shortest text never
/// does). Exactly three decimals are left to the layout's rules: `1.234` typed into a cell of
/// a comma-decimal workbook is one thousand two hundred thirty-four.
fn is_number_cell_text(text: &str) -> bool {
    let t = text.strip_prefix('-').unwrap_or(text);
    let whole_ok = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    match t.split_once('.') {
        None => whole_ok(t),
        Some((whole, decimals)) => {
            whole_ok(whole)
                && !decimals.is_empty()
                && decimals.len() != 3
                && !decimals.ends_with('0')
                && decimals.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// Parse an amount with a layout's decimal mark and no knowledge of the file: under `Auto`
/// an ambiguous value (`1,234`) is rejected; a declared mark admits no value written with
/// the other.
pub fn parse_amount(text: &str, mark: DecimalMark) -> Result<Amount, AmountError> {
    parse_amount_with(text, MarkRule::new(mark, false, FileConvention::Unknown))
}

/// An amount in öre (hundredths): the integer behind a `Decimal(38, 2)` column.
pub fn to_ore(value: Decimal) -> i128 {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v.mantissa()
}

/// Append an amount given in öre as the spec writes it (`-1234.50`): the same text as
/// [`format_amount`], without going through a `Decimal` (this runs once per published row).
pub fn push_ore(out: &mut String, ore: i128) {
    if ore < 0 {
        out.push('-');
    }
    let abs = ore.unsigned_abs();
    push_digits(out, abs / 100);
    out.push('.');
    let cents = (abs % 100) as u8;
    out.push(char::from(b'0' + cents / 10));
    out.push(char::from(b'0' + cents % 10));
}

/// An amount in öre as the spec writes it.
pub fn ore_text(ore: i128) -> String {
    let mut s = String::new();
    push_ore(&mut s, ore);
    s
}

/// Append the decimal digits of a number.
fn push_digits(out: &mut String, mut n: u128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|d| char::from(*d)));
}

/// Format an amount as the spec wants it: point, exactly two decimals, minus for credits.
pub fn format_amount(value: Decimal) -> String {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if v.is_zero() {
        v = Decimal::ZERO;
    }
    v.rescale(2);
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        format_amount(parse_amount(s, DecimalMark::Auto).expect(s).value)
    }

    fn with(s: &str, mark: DecimalMark) -> String {
        format_amount(parse_amount(s, mark).expect(s).value)
    }

    #[test]
    fn swedish_forms() {
        assert_eq!(p("3270,50"), "3270.50");
        assert_eq!(p("3 214,32"), "3214.32");
        assert_eq!(p("3\u{a0}214,32"), "3214.32");
        assert_eq!(p("12 345 678,9"), "12345678.90");
        assert_eq!(p("-1 234,5"), "-1234.50");
        assert_eq!(p("1234,5-"), "-1234.50");
        assert_eq!(p("(12,00)"), "-12.00");
        assert_eq!(p("\u{2212}7"), "-7.00");
        assert_eq!(p("100 kr"), "100.00");
    }

    #[test]
    fn point_and_mixed_forms() {
        assert_eq!(p("3270.5"), "3270.50");
        assert_eq!(p("1.234,50"), "1234.50");
        assert_eq!(p("1,234.50"), "1234.50");
        assert_eq!(p("1.234.567"), "1234567.00");
        assert_eq!(p("1,234,567"), "1234567.00");
        assert_eq!(p("0"), "0.00");
        assert_eq!(p("-0"), "0.00");
        assert_eq!(p(",5"), "0.50");
        assert_eq!(p("5,"), "5.00");
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(p("0.005"), "0.01");
        assert_eq!(p("-0.005"), "-0.01");
        // one to three digits, a mark and three decimals is ambiguous under auto: the layout
        // (or the file) must say
        assert_eq!(with("2.675", DecimalMark::Point), "2.68");
        assert_eq!(p("2.6751"), "2.68");
        assert_eq!(p("0.30000000000000004"), "0.30");
        assert!(parse_amount("1,005", DecimalMark::Comma).unwrap().rounded);
        assert!(!parse_amount("1,50", DecimalMark::Auto).unwrap().rounded);
        assert!(!parse_amount("1,500", DecimalMark::Comma).unwrap().rounded);
    }

    #[test]
    fn ore() {
        let v = |s| to_ore(parse_amount(s, DecimalMark::Auto).expect(s).value);
        assert_eq!(v("3270,5"), 327_050);
        assert_eq!(v("-0,01"), -1);
        assert_eq!(v("12"), 1200);
    }

    #[test]
    fn hints() {
        let v = parse_amount("1,234", DecimalMark::Point).unwrap().value;
        assert_eq!(format_amount(v), "1234.00");
        let v = parse_amount("1.234", DecimalMark::Comma).unwrap().value;
        assert_eq!(format_amount(v), "1234.00");
    }

    #[test]
    fn errors() {
        assert_eq!(parse_amount("", DecimalMark::Auto), Err(AmountError::Empty));
        assert_eq!(
            parse_amount("abc", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount("--5", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount("1,2,3.4.5", DecimalMark::Auto),
            Err(AmountError::MalformedGrouping)
        );
        assert_eq!(
            parse_amount(".", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount("99999999999999999999999999999999", DecimalMark::Auto),
            Err(AmountError::OutOfRange)
        );
    }

    #[test]
    fn the_issue_table_is_rejected() {
        let comma = MarkRule::new(DecimalMark::Comma, false, FileConvention::Unknown);
        assert_eq!(
            parse_amount_with("1234.56", comma),
            Err(AmountError::OtherDecimalMark {
                declared: Mark::Comma
            })
        );
        let mixed = MarkRule::new(DecimalMark::Comma, true, FileConvention::Unknown);
        let read = parse_amount_with("1234.56", mixed).unwrap();
        assert_eq!(
            (format_amount(read.value).as_str(), read.other_mark),
            ("1234.56", true)
        );
        assert_eq!(
            parse_amount("12.34.56", DecimalMark::Auto),
            Err(AmountError::MalformedGrouping)
        );
        assert_eq!(
            parse_amount("1.23,45", DecimalMark::Auto),
            Err(AmountError::MalformedGrouping)
        );
        // 1,234 in a file whose amounts are written 1,234.56: the file's convention
        let mut reader = AmountReader::new(DecimalMark::Auto, false);
        assert_eq!(
            format_amount(reader.read("1,234.56").unwrap().value),
            "1234.56"
        );
        assert_eq!(
            format_amount(reader.read("1,234").unwrap().value),
            "1234.00"
        );
        assert_eq!(reader.read_by_convention(), 1);
        // with no other evidence it is rejected with how to resolve it
        let err = parse_amount("1,234", DecimalMark::Auto).unwrap_err();
        assert_eq!(err, AmountError::Ambiguous { conflicting: false });
        assert!(err.to_string().contains("--decimal-mark"));
    }

    #[test]
    fn strict_grouping() {
        for ok in [
            "1 234 567,89",
            "1.234.567",
            "1,234,567.5",
            "12\u{a0}345,00",
            "1'234.50",
            "999 999",
        ] {
            assert!(parse_amount(ok, DecimalMark::Auto).is_ok(), "{ok}");
        }
        for bad in [
            "12 34,56",
            "1 2345,00",
            "1234 567",
            "1.2345.678",
            "1,23,456",
            "1 234.567,00",
            "1,,5",
            "1 ,5",
            "1 234.567.890,12",
        ] {
            assert!(parse_amount(bad, DecimalMark::Auto).is_err(), "{bad}");
        }
        // a repeated declared decimal mark is the other convention
        assert!(parse_amount("1,234,567", DecimalMark::Comma).is_err());
        assert_eq!(with("1.234.567", DecimalMark::Comma), "1234567.00");
    }

    #[test]
    fn ambiguous_values_wait_for_the_first_telling_one() {
        let mut reader = AmountReader::new(DecimalMark::Auto, false);
        reader.expect(AmountReader::first_evidence(["1,234", "12,50"]));
        assert_eq!(format_amount(reader.read("1,234").unwrap().value), "1.23");
        assert_eq!(format_amount(reader.read("12,50").unwrap().value), "12.50");
        assert_eq!(reader.convention(), FileConvention::Only(Mark::Comma));
        // the file then shows the other convention: ambiguous values after it are rejected
        reader.read("1,234.56").unwrap();
        assert_eq!(reader.convention(), FileConvention::Conflicting);
        assert_eq!(
            reader.read("2,500"),
            Err(AmountError::Ambiguous { conflicting: true })
        );
        assert_eq!(reader.decided_before_conflict(), 1);
        let fresh = AmountReader::new(DecimalMark::Auto, false);
        assert!(fresh.needs_more(["1,234", "5"]));
        assert!(!fresh.needs_more(["1,234", "5,50"]));
        assert!(!AmountReader::new(DecimalMark::Comma, false).needs_more(["1,234"]));
    }

    #[test]
    fn a_workbooks_number_cells_are_numbers_under_any_declared_mark() {
        let mut reader = AmountReader::new(DecimalMark::Comma, false).for_workbook();
        let mut read = |text: &str| format_amount(reader.read(text).unwrap().value);
        assert_eq!(read("1250.5"), "1250.50");
        assert_eq!(read("-0.30000000000000004"), "-0.30");
        // texts typed into cells follow the layout's rules
        assert_eq!(read("12.500"), "12500.00");
        assert_eq!(read("1.234"), "1234.00");
        assert_eq!(read("1 234,50"), "1234.50");
        assert!(is_number_cell_text("46362") && !is_number_cell_text("1.50"));
        // a survey of a workbook's values learns nothing from its number cells
        let fresh = AmountReader::new(DecimalMark::Auto, false).for_workbook();
        assert_eq!(fresh.survey(["1250.5", "1,234"]), (None, true));
        let text = AmountReader::new(DecimalMark::Auto, false);
        assert_eq!(text.survey(["1,234", "1250.5"]), (Some(Mark::Point), true));
    }

    #[test]
    fn digits_of_any_script_and_typographic_minus() {
        assert_eq!(p("１ ２３４,５６"), "1234.56");
        assert_eq!(p("\u{2013}12,50"), "-12.50");
        assert_eq!(p("12,50\u{2212}"), "-12.50");
        assert_eq!(p("٣,٥٠"), "3.50");
    }

    mod generated {
        use super::super::*;
        use proptest::prelude::*;

        /// A thousands separator for a decimal mark: a space of some kind, an apostrophe, or
        /// the other mark.
        fn thousands(mark: char) -> impl Strategy<Value = Option<char>> {
            let other = if mark == ',' { '.' } else { ',' };
            prop::option::of(prop::sample::select(vec![
                ' ', '\u{a0}', '\u{2009}', '\u{202f}', '\'', other,
            ]))
        }

        fn grouped(whole: &str, sep: Option<char>) -> String {
            let Some(sep) = sep else {
                return whole.to_string();
            };
            let mut out = String::new();
            let first = whole.len() % 3;
            for (i, c) in whole.chars().enumerate() {
                if i > 0 && (i + 3 - first).is_multiple_of(3) {
                    out.push(sep);
                }
                out.push(c);
            }
            out
        }

        /// `ore` written with `mark`, thousands `sep`, `decimals` shown (0 only for whole
        /// kronor), and a sign form.
        fn written(
            ore: i64,
            mark: char,
            sep: Option<char>,
            decimals: usize,
            sign: usize,
        ) -> String {
            let abs = ore.unsigned_abs();
            let whole = grouped(&(abs / 100).to_string(), sep);
            let cents = format!("{:02}", abs % 100);
            let body = match decimals {
                0 => whole,
                1 => format!("{whole}{mark}{}", &cents[..1]),
                _ => format!("{whole}{mark}{cents}"),
            };
            if ore >= 0 {
                return if sign == 1 {
                    format!("{body} kr")
                } else {
                    body
                };
            }
            match sign {
                0 => format!("-{body}"),
                1 => format!("{body}-"),
                2 => format!("({body})"),
                _ => format!("\u{2212}{body}"),
            }
        }

        fn convention() -> impl Strategy<Value = (char, DecimalMark, Mark)> {
            prop_oneof![
                Just((',', DecimalMark::Comma, Mark::Comma)),
                Just(('.', DecimalMark::Point, Mark::Point)),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

            #[test]
            fn the_plain_form_reads_as_the_written_form_does(
                text in prop_oneof![
                    "-?[0-9]{1,27}([.,][0-9]{0,3})?",
                    // grouped by spaces, also wrongly (groups of other sizes, doubled or
                    // trailing spaces, a leading zero)
                    "-?[0-9]{1,4}(  ?[0-9]{2,4}){0,8} ?([.,][0-9]{0,3})?",
                ],
                mark in prop::sample::select(vec![DecimalMark::Auto, DecimalMark::Comma, DecimalMark::Point]),
                allow_other in any::<bool>(),
                first in prop::sample::select(vec!["", "1 234,50", "1,234.50"]),
            ) {
                let mut fast = AmountReader::new(mark, allow_other);
                let mut slow = fast.clone();
                if !first.is_empty() {
                    let _ = fast.read(first);
                    let _ = slow.read_written(first);
                }
                let a = fast.read(&text);
                let b = slow.read_written(&text);
                prop_assert_eq!(a.map(|x| (x.value, x.rounded, x.other_mark)), b.map(|x| (x.value, x.rounded, x.other_mark)), "{:?}", text);
                prop_assert_eq!(fast.convention(), slow.convention());
                prop_assert_eq!(fast.told(), slow.told());
                prop_assert_eq!(fast.decided_before_conflict(), slow.decided_before_conflict());
            }

            #[test]
            fn every_accepted_convention_reads_back_to_itself(
                ore in -1_000_000_000_000i64..1_000_000_000_000,
                (mark, declared, m) in convention(),
                sep in thousands(','),
                decimals in 0usize..3,
                sign in 0usize..4,
            ) {
                // the separator must differ from the decimal mark
                let sep = sep.map(|s| if s == mark { if mark == ',' { '.' } else { ',' } } else { s });
                let ore = match decimals {
                    0 => ore / 100 * 100,
                    1 => ore / 10 * 10,
                    _ => ore,
                };
                let text = written(ore, mark, sep, decimals, sign);
                let want = Decimal::from_i128_with_scale(i128::from(ore), 2);
                // the declared mark reads it
                let declared_read = parse_amount(&text, declared);
                prop_assert_eq!(declared_read.map(|a| a.value), Ok(want), "{:?}", text);
                // the file's convention reads it
                let mut reader = AmountReader::new(DecimalMark::Auto, false);
                reader.expect(Some(m));
                prop_assert_eq!(reader.read(&text).map(|a| a.value), Ok(want), "{:?}", text);
                // auto without evidence reads it, or says it is ambiguous: never another value
                match parse_amount(&text, DecimalMark::Auto) {
                    Ok(a) => prop_assert_eq!(a.value, want, "{:?}", text),
                    Err(e) => prop_assert_eq!(e, AmountError::Ambiguous { conflicting: false }, "{:?}", text),
                }
            }

            #[test]
            fn a_malformed_grouping_is_rejected_under_every_rule(
                first in 1u32..1000,
                groups in prop::collection::vec((0u32..100_000, prop::sample::select(vec![1usize, 2, 4, 5])), 1..3),
                good in prop::collection::vec(0u32..1000, 0..2),
                sep in prop::sample::select(vec![' ', '.', ',', '\'']),
                decimals in prop::option::of(0u32..100),
            ) {
                // one group of the wrong length among groups of three
                let mut text = first.to_string();
                for g in &good {
                    text.push(sep);
                    text.push_str(&format!("{g:03}"));
                }
                let (value, len) = groups[0];
                text.push(sep);
                text.push_str(&format!("{value:0len$}")[..len]);
                let mark = if sep == ',' { '.' } else { ',' };
                if let Some(d) = decimals {
                    text.push(mark);
                    text.push_str(&format!("{d:02}"));
                }
                for rule in [DecimalMark::Auto, DecimalMark::Comma, DecimalMark::Point] {
                    let read = parse_amount(&text, rule);
                    // a lone mark followed by one, two, four or five digits is a decimal mark
                    let lone_decimal = good.is_empty() && decimals.is_none() && sep != ' ' && sep != '\'';
                    if !lone_decimal {
                        prop_assert!(read.is_err(), "{:?} read as {:?} under {:?}", text, read, rule);
                    }
                }
            }

            #[test]
            fn auto_agrees_with_a_declared_reading(text in "[-(]?[0-9]{0,4}([ .,'][0-9]{0,4}){0,3}[)-]?") {
                if let Ok(auto) = parse_amount(&text, DecimalMark::Auto) {
                    let comma = parse_amount(&text, DecimalMark::Comma).map(|a| a.value);
                    let point = parse_amount(&text, DecimalMark::Point).map(|a| a.value);
                    prop_assert!(comma == Ok(auto.value) || point == Ok(auto.value), "{:?}", text);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn ore_text_matches_the_decimal_text(ore in proptest::num::i64::ANY) {
            let ore = i128::from(ore);
            let want = format_amount(Decimal::from_i128_with_scale(ore, 2));
            proptest::prop_assert_eq!(ore_text(ore), want);
        }
    }

    #[test]
    fn ore_text_edges() {
        assert_eq!(ore_text(0), "0.00");
        assert_eq!(ore_text(-5), "-0.05");
        assert_eq!(ore_text(123456), "1234.56");
        assert_eq!(ore_text(-100), "-1.00");
        assert_eq!(ore_text(i128::MIN).len(), 41);
    }
}
