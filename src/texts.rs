//! The published rows as the spec's texts: each of the 15 columns as the text the CSV and JSON
//! files write (amounts with two decimals, dates `YYYY-MM-DD`, text cells guarded against
//! formula injection). The writers ([`crate::write`], [`crate::xlsx`]) take them from here.

use crate::amount::push_ore;
use crate::batch::{Batch, Col};
use crate::date::date_from_days;
use crate::error::Result;
use crate::spec::{is_guarded_text, COLUMNS};
use polars::prelude::*;
use std::borrow::Cow;

/// The texts of one spec column.
#[derive(Debug, Clone)]
pub enum SpecColumn<'a> {
    /// The frame's own texts (null written as empty): no copy.
    Frame(StringChunked),
    /// Texts borrowed from the frame, owned where the formula guard changed one.
    Texts(Vec<Cow<'a, str>>),
    /// Texts made here (amounts, dates), one after the other, with where each ends.
    Made {
        /// The texts.
        text: String,
        /// The end of each text in `text`.
        ends: Vec<usize>,
    },
}

impl Default for SpecColumn<'_> {
    fn default() -> Self {
        SpecColumn::Made {
            text: String::new(),
            ends: Vec::new(),
        }
    }
}

impl SpecColumn<'_> {
    /// Number of texts.
    pub fn len(&self) -> usize {
        match self {
            SpecColumn::Frame(ca) => ca.len(),
            SpecColumn::Texts(v) => v.len(),
            SpecColumn::Made { ends, .. } => ends.len(),
        }
    }

    /// Whether the column has no texts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The texts in order.
    pub fn iter(&self) -> SpecTexts<'_> {
        match self {
            SpecColumn::Frame(ca) => SpecTexts(Walk::Frame {
                chunks: ca.downcast_iter().collect(),
                chunk: 0,
                at: 0,
            }),
            SpecColumn::Texts(v) => SpecTexts(Walk::Texts(v.iter())),
            SpecColumn::Made { text, ends } => SpecTexts(Walk::Made {
                text,
                ends: ends.iter(),
                start: 0,
            }),
        }
    }

    /// A made column: each value written by `write` into one shared text (null: empty).
    fn made<T>(
        values: impl ExactSizeIterator<Item = Option<T>>,
        mut write: impl FnMut(&mut String, T),
    ) -> Self {
        let mut text = String::with_capacity(values.len() * 10);
        let mut ends = Vec::with_capacity(values.len());
        for value in values {
            if let Some(v) = value {
                write(&mut text, v);
            }
            ends.push(text.len());
        }
        SpecColumn::Made { text, ends }
    }
}

/// The texts of a [`SpecColumn`] in order (null as empty), without a boxed iterator per cell.
pub struct SpecTexts<'a>(Walk<'a>);

/// Where a [`SpecTexts`] is in its column.
enum Walk<'a> {
    /// A frame column's arrays, the array being walked and the next position in it.
    Frame {
        chunks: Vec<&'a <StringType as PolarsDataType>::Array>,
        chunk: usize,
        at: usize,
    },
    /// Owned or borrowed texts.
    Texts(std::slice::Iter<'a, Cow<'a, str>>),
    /// Made texts one after the other, the ends still to come and where the next text starts.
    Made {
        text: &'a str,
        ends: std::slice::Iter<'a, usize>,
        start: usize,
    },
}

impl<'a> Iterator for SpecTexts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match &mut self.0 {
            Walk::Frame { chunks, chunk, at } => loop {
                let values = chunks.get(*chunk)?;
                if *at < values.len() {
                    let i = *at;
                    *at += 1;
                    return Some(values.get(i).unwrap_or_default());
                }
                *chunk += 1;
                *at = 0;
            },
            Walk::Texts(texts) => texts.next().map(AsRef::as_ref),
            Walk::Made { text, ends, start } => {
                let end = *ends.next()?;
                let value = text.get(*start..end).unwrap_or_default();
                *start = end;
                Some(value)
            }
        }
    }
}

/// The published rows as the 15 texts the spec wants, column by column. Texts borrow from the
/// frame where they can.
#[derive(Debug, Clone, Default)]
pub struct SpecTable<'a> {
    /// One column per spec column, all the same length.
    pub columns: Vec<SpecColumn<'a>>,
    /// Per column, whether some text differs from the frame's (formula guard).
    pub changed: Vec<bool>,
}

impl SpecTable<'_> {
    /// Number of rows.
    pub fn height(&self) -> usize {
        self.columns.iter().map(SpecColumn::len).max().unwrap_or(0)
    }

    /// Hand each row's texts to `f`, in order (the columns are walked side by side).
    pub fn for_each_row<E>(
        &self,
        mut f: impl FnMut(&[&str]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut columns: Vec<_> = self.columns.iter().map(SpecColumn::iter).collect();
        let mut row: Vec<&str> = Vec::with_capacity(columns.len());
        for _ in 0..self.height() {
            row.clear();
            row.extend(columns.iter_mut().map(|c| c.next().unwrap_or_default()));
            f(&row)?;
        }
        Ok(())
    }
}

/// Append a date as `YYYY-MM-DD` (days since 1970-01-01), as chrono writes it.
fn push_date(out: &mut String, days: i32) {
    use chrono::Datelike;
    let date = date_from_days(days);
    if !(0..=9999).contains(&date.year()) {
        out.push_str(&date.to_string());
        return;
    }
    let year = date.year().unsigned_abs();
    push_two_digits(out, year / 100);
    push_two_digits(out, year % 100);
    out.push('-');
    push_two_digits(out, date.month());
    out.push('-');
    push_two_digits(out, date.day());
}

/// Append a number below 100 as two digits.
fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Whether a text would be read as a formula by a spreadsheet (OWASP CSV injection).
pub fn is_formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Turn a published frame into spec texts; with `formula_guard`, text cells that a
/// spreadsheet would run as formulas get a leading `'`. Returns the table and how many cells
/// were guarded.
pub fn spec_table(df: &DataFrame, formula_guard: bool) -> Result<(SpecTable<'_>, u64)> {
    spec_table_with(df, formula_guard, true)
}

/// What the Parquet file needs of the spec texts: the guarded text columns only (amounts and
/// dates keep their types there, so they are not formatted).
pub fn parquet_texts(df: &DataFrame, formula_guard: bool) -> Result<(SpecTable<'_>, u64)> {
    spec_table_with(df, formula_guard, false)
}

fn spec_table_with(
    df: &DataFrame,
    formula_guard: bool,
    format_numbers: bool,
) -> Result<(SpecTable<'_>, u64)> {
    let mut guarded = 0u64;
    let mut columns = Vec::with_capacity(COLUMNS.len());
    let mut changed = Vec::with_capacity(COLUMNS.len());
    for c in Col::SPEC {
        let before = guarded;
        let texts = match c {
            Col::Belopp | Col::Datum if !format_numbers => SpecColumn::default(),
            Col::Belopp => SpecColumn::made(df.ore()?.iter(), push_ore),
            Col::Datum => {
                // dates repeat: each distinct day is formatted once
                let mut last: Option<(i32, String)> = None;
                SpecColumn::made(df.days()?.iter(), |out, days| {
                    if last.as_ref().is_none_or(|(seen, _)| *seen != days) {
                        let mut text = String::with_capacity(10);
                        push_date(&mut text, days);
                        last = Some((days, text));
                    }
                    if let Some((_, text)) = &last {
                        out.push_str(text);
                    }
                })
            }
            _ => {
                let texts = df.texts(c)?;
                let guard = formula_guard
                    && is_guarded_text(c.name())
                    && texts.iter().flatten().any(is_formula_like);
                if guard {
                    let guarded_texts: Vec<Cow<'_, str>> = texts
                        .iter()
                        .map(|v| {
                            let s = v.unwrap_or("");
                            if is_formula_like(s) {
                                guarded += 1;
                                Cow::Owned(format!("'{s}"))
                            } else {
                                Cow::Borrowed(s)
                            }
                        })
                        .collect();
                    SpecColumn::Texts(guarded_texts)
                } else {
                    SpecColumn::Frame(texts.clone())
                }
            }
        };
        changed.push(guarded > before);
        columns.push(texts);
    }
    Ok((SpecTable { columns, changed }, guarded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like() {
        for s in ["=SUM(A1)", "+46", "-x", "@cmd", "\tx"] {
            assert!(is_formula_like(s));
        }
        assert!(!is_formula_like("AB"));
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for days in (-800_000..3_000_000)
            .step_by(997)
            .chain([0, -1, 19_000, 2_932_896])
        {
            let mut s = String::new();
            push_date(&mut s, days);
            assert_eq!(s, date_from_days(days).to_string(), "{days}");
        }
    }

    #[test]
    fn made_columns() -> Result<()> {
        let made = SpecColumn::made(
            [Some("a"), None, Some("åäö")].into_iter(),
            |text, v: &str| text.push_str(v),
        );
        assert_eq!(made.iter().collect::<Vec<_>>(), ["a", "", "åäö"]);
        assert_eq!(made.len(), 3);
        let frame = SpecColumn::Frame(StringChunked::from_slice_options(
            "x".into(),
            &[Some("a"), None],
        ));
        assert_eq!(frame.iter().collect::<Vec<_>>(), ["a", ""]);
        assert_eq!(frame.len(), 2);
        // a column of several chunks is walked chunk after chunk
        let mut chunked = StringChunked::from_slice_options("x".into(), &[Some("a"), None]);
        chunked.append(&StringChunked::from_slice_options(
            "x".into(),
            &[None, Some("b")],
        ))?;
        assert_eq!(chunked.chunks().len(), 2);
        let frame = SpecColumn::Frame(chunked);
        assert_eq!(frame.iter().collect::<Vec<_>>(), ["a", "", "", "b"]);
        assert_eq!(frame.len(), 4);
        Ok(())
    }
}
