//! The batch between stages: a polars frame of the 15 spec columns and the bookkeeping
//! columns the stages add (where a row came from, what becomes of it and why), hidden from
//! every published file.
//!
//! Every column is named by [`Col`] and read or replaced through [`Batch`]; what becomes of a
//! row is an [`Action`], why a row is rejected a [`Reject`]. The frame stores their keys (the
//! texts the outputs show), so the outputs read as before.

use crate::date::DateError;
use crate::error::Result;
use crate::rules::{self, Rejection};
use polars::prelude::*;
use std::borrow::Cow;
use std::fmt;

/// A column of the batch: one of the 15 spec columns or a bookkeeping column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Col {
    /// `kopare_id`.
    KopareId,
    /// `kopare`.
    Kopare,
    /// `verifikationsnummer`.
    Verifikationsnummer,
    /// `leverantor`.
    Leverantor,
    /// `leverantor_id`.
    LeverantorId,
    /// `konto_nr`.
    KontoNr,
    /// `konto_text`.
    KontoText,
    /// `belopp`.
    Belopp,
    /// `datum`.
    Datum,
    /// `forvaltning`.
    Forvaltning,
    /// `fakturanummer`.
    Fakturanummer,
    /// `grund`.
    Grund,
    /// `avtal`.
    Avtal,
    /// `kommun_id`.
    KommunId,
    /// `s_kod_nr`.
    SKodNr,
    /// The row's origin: its source file's name.
    File,
    /// The row's origin: its line or sheet row in that file.
    Row,
    /// Whether the row is flagged secret in the source.
    Secret,
    /// Why a row is rejected ([`Reject`]'s text; null when it is not).
    Reject,
    /// What becomes of the row ([`Action`]'s key).
    Action,
    /// Why a supplier was masked or withheld ([`crate::protect::Reason`]'s key; null when
    /// published as is).
    Privacy,
    /// The supplier name as read (for internal review only).
    RawName,
    /// The supplier id as read (for internal review only).
    RawId,
    /// The scanned text columns in which a personal number was replaced, comma separated
    /// (null when none): where a published file leaked one, never the number.
    Redacted,
}

impl Col {
    /// The 15 spec columns, in order.
    pub const SPEC: [Col; 15] = [
        Col::KopareId,
        Col::Kopare,
        Col::Verifikationsnummer,
        Col::Leverantor,
        Col::LeverantorId,
        Col::KontoNr,
        Col::KontoText,
        Col::Belopp,
        Col::Datum,
        Col::Forvaltning,
        Col::Fakturanummer,
        Col::Grund,
        Col::Avtal,
        Col::KommunId,
        Col::SKodNr,
    ];

    /// The column's name in the frame (a spec column's is its spec name).
    pub const fn name(self) -> &'static str {
        match self {
            Col::KopareId => "kopare_id",
            Col::Kopare => "kopare",
            Col::Verifikationsnummer => "verifikationsnummer",
            Col::Leverantor => "leverantor",
            Col::LeverantorId => "leverantor_id",
            Col::KontoNr => "konto_nr",
            Col::KontoText => "konto_text",
            Col::Belopp => "belopp",
            Col::Datum => "datum",
            Col::Forvaltning => "forvaltning",
            Col::Fakturanummer => "fakturanummer",
            Col::Grund => "grund",
            Col::Avtal => "avtal",
            Col::KommunId => "kommun_id",
            Col::SKodNr => "s_kod_nr",
            Col::File => "_file",
            Col::Row => "_row",
            Col::Secret => "_secret",
            Col::Reject => "_reject",
            Col::Action => "_action",
            Col::Privacy => "_privacy",
            Col::RawName => "_raw_leverantor",
            Col::RawId => "_raw_leverantor_id",
            Col::Redacted => "_redacted",
        }
    }

    /// The name as polars takes it.
    pub fn named(self) -> PlSmallStr {
        self.name().into()
    }

    /// The spec column of a spec name.
    pub fn spec(name: &str) -> Option<Col> {
        Col::SPEC.into_iter().find(|c| c.name() == name)
    }

    /// A spec column's position among the 15 (none for a bookkeeping column).
    pub const fn spec_index(self) -> Option<usize> {
        let at = self as usize;
        if at < Col::SPEC.len() {
            Some(at)
        } else {
            None
        }
    }

    /// A spec column's position among the 15 (the declaration's order; a bookkeeping
    /// column's is past them).
    pub const fn position(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Col {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What becomes of a row that is not rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Published (its supplier perhaps masked).
    Publish,
    /// Left out of every published file (counted and summed in the report).
    Withhold,
}

impl Action {
    /// The stable key the frame stores.
    pub const fn key(self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Withhold => "withhold",
        }
    }

    /// The action of a key.
    pub fn of_key(key: &str) -> Option<Action> {
        [Action::Publish, Action::Withhold]
            .into_iter()
            .find(|a| a.key() == key)
    }
}

/// Why a row is rejected. Its text (the [`fmt::Display`], from the catalogue of
/// [`crate::rules`]) is what `rejected.csv` and the report's counts show; [`Reject::rule_key`]
/// is the key of the spec rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reject {
    /// The source line does not split into the header's columns (the reader's words).
    Broken(String),
    /// A status column's value is not one the layout keeps.
    Filtered {
        /// The status column.
        column: String,
        /// The value, at most 40 characters, personal numbers removed.
        shown: String,
        /// The values kept, as the layout lists them.
        kept: String,
    },
    /// No amount.
    EmptyAmount,
    /// The amount cannot be read (the amount reader's words).
    Amount(String),
    /// The amount's digits form a personal identity number.
    AmountIsPersonalNumber,
    /// No date.
    EmptyDate,
    /// The date cannot be read, or is no ledger's (the date parser's words).
    Date(DateError),
    /// The buyer's id in the data is not an organisation number.
    BuyerId,
    /// A mandatory value is empty.
    EmptyMandatory(Col),
}

impl Reject {
    /// The catalogue's entry for the case: its text and the rule the row breaks.
    pub fn rejection(&self) -> &'static Rejection {
        match self {
            Reject::Broken(_) => &rules::REJECT_FIELD_COUNT,
            Reject::Filtered { .. } => &rules::REJECT_STATUS,
            Reject::EmptyAmount => &rules::REJECT_EMPTY_AMOUNT,
            Reject::Amount(_) => &rules::REJECT_AMOUNT,
            Reject::AmountIsPersonalNumber => &rules::REJECT_AMOUNT_PERSONAL_NUMBER,
            Reject::EmptyDate => &rules::REJECT_EMPTY_DATE,
            Reject::Date(DateError::OutOfRange) => &rules::REJECT_DATE_RANGE,
            Reject::Date(_) => &rules::REJECT_DATE,
            Reject::BuyerId => &rules::REJECT_BUYER_ID,
            Reject::EmptyMandatory(_) => &rules::REJECT_EMPTY_MANDATORY,
        }
    }

    /// The key of the rule the row breaks (`belopp_format`, `konto_text_missing`, ...): the
    /// key `validate` reports for the same rule.
    pub fn rule_key(&self) -> Cow<'static, str> {
        let column = match self {
            Reject::EmptyAmount | Reject::Amount(_) => Col::Belopp,
            Reject::EmptyDate | Reject::Date(_) => Col::Datum,
            Reject::BuyerId => Col::KopareId,
            Reject::EmptyMandatory(c) => *c,
            // rules about no column in particular
            Reject::Broken(_) | Reject::Filtered { .. } | Reject::AmountIsPersonalNumber => {
                return Cow::Borrowed(self.rejection().rule.key)
            }
        };
        self.rejection().rule.key_for(column.name())
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.rejection().text;
        match self {
            // the reader's words are the text
            Reject::Broken(reason) => f.write_str(reason),
            Reject::Filtered {
                column,
                shown,
                kept,
            } => f.write_str(
                &text
                    .replace("{column}", column)
                    .replace("{value}", shown)
                    .replace("{kept}", kept),
            ),
            Reject::Amount(why) => f.write_str(&text.replace("{detail}", why)),
            Reject::Date(why) => f.write_str(&text.replace("{detail}", &why.to_string())),
            Reject::EmptyMandatory(col) => f.write_str(&text.replace("{column}", col.name())),
            Reject::EmptyAmount
            | Reject::AmountIsPersonalNumber
            | Reject::EmptyDate
            | Reject::BuyerId => f.write_str(text),
        }
    }
}

/// The actions of a batch's rows, read row by row.
#[derive(Debug, Clone, Copy)]
pub struct Actions<'a>(&'a StringChunked);

impl Actions<'_> {
    /// A row's action (none where the privacy stage has not decided).
    pub fn get(&self, row: usize) -> Option<Action> {
        self.0.get(row).and_then(Action::of_key)
    }
}

/// The typed columns of a batch frame.
pub trait Batch {
    /// A column.
    fn col(&self, c: Col) -> Result<&Column>;

    /// A text column.
    fn texts(&self, c: Col) -> Result<&StringChunked> {
        Ok(self.col(c)?.str()?)
    }

    /// The source files' names.
    fn files(&self) -> Result<&StringChunked> {
        self.texts(Col::File)
    }

    /// The rows' lines or sheet rows.
    fn rows(&self) -> Result<&UInt64Chunked> {
        Ok(self.col(Col::Row)?.u64()?)
    }

    /// Whether each row is flagged secret in the source.
    fn secret(&self) -> Result<&BooleanChunked> {
        Ok(self.col(Col::Secret)?.bool()?)
    }

    /// The reject reasons' texts (null where a row is not rejected).
    fn reject_texts(&self) -> Result<&StringChunked> {
        self.texts(Col::Reject)
    }

    /// Whether each row is rejected.
    fn rejected(&self) -> Result<BooleanChunked> {
        Ok(self.col(Col::Reject)?.is_not_null())
    }

    /// Whether each row's action is `action`.
    fn action_is(&self, action: Action) -> Result<BooleanChunked> {
        Ok(self.texts(Col::Action)?.equal(action.key()))
    }

    /// The rows' actions.
    fn actions(&self) -> Result<Actions<'_>> {
        Ok(Actions(self.texts(Col::Action)?))
    }

    /// The `belopp` column as öre (the physical values of its `Decimal(38, 2)`).
    fn ore(&self) -> Result<&Int128Chunked> {
        Ok(self.col(Col::Belopp)?.decimal()?.physical())
    }

    /// The `datum` column as days since 1970-01-01 (the physical values of its `Date`).
    fn days(&self) -> Result<&Int32Chunked> {
        Ok(self.col(Col::Datum)?.date()?.physical())
    }

    /// Put `values` in as column `c` (replacing it if it is there).
    fn put(&mut self, c: Col, values: Column) -> Result<()>;
}

impl Batch for DataFrame {
    fn col(&self, c: Col) -> Result<&Column> {
        Ok(self.column(c.name())?)
    }

    fn put(&mut self, c: Col, values: Column) -> Result<()> {
        self.with_column(values.with_name(c.named()))?;
        Ok(())
    }
}

/// A column `c` of these values.
pub fn column<V, Phantom>(c: Col, values: V) -> Column
where
    Phantom: ?Sized,
    Series: NamedFrom<V, Phantom>,
{
    Column::new(c.named(), values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_columns_are_the_spec_s() {
        let names: Vec<&str> = Col::SPEC.iter().map(|c| c.name()).collect();
        assert_eq!(names, crate::spec::COLUMNS);
        for (i, c) in Col::SPEC.into_iter().enumerate() {
            assert_eq!(Col::spec(c.name()), Some(c));
            assert_eq!(c.spec_index(), Some(i));
        }
        assert_eq!(Col::spec("_reject"), None);
        assert_eq!(Col::Reject.spec_index(), None);
    }

    #[test]
    fn keys_and_texts_are_the_outputs() {
        assert_eq!(Action::of_key("withhold"), Some(Action::Withhold));
        assert_eq!(Action::of_key(Action::Publish.key()), Some(Action::Publish));
        assert_eq!(Action::of_key("mask"), None);
        assert_eq!(
            Reject::EmptyMandatory(Col::KontoText).to_string(),
            "konto_text: empty mandatory value"
        );
        assert_eq!(
            Reject::Filtered {
                column: "Huvudstatus".into(),
                shown: "Makulerad".into(),
                kept: "OK".into()
            }
            .to_string(),
            "Huvudstatus is 'Makulerad', not OK"
        );
        assert_eq!(
            Reject::Amount("not an amount".into()).to_string(),
            "belopp: not an amount"
        );
    }

    #[test]
    fn a_batch_is_read_and_written_by_column() -> Result<()> {
        let mut df = DataFrame::new(
            2,
            vec![
                column(Col::Reject, &[None, Some("belopp: empty amount")]),
                column(
                    Col::Action,
                    &[Action::Publish.key(), Action::Withhold.key()],
                ),
            ],
        )?;
        assert_eq!(
            df.rejected()?.iter().collect::<Vec<_>>(),
            [Some(false), Some(true)]
        );
        assert_eq!(df.actions()?.get(1), Some(Action::Withhold));
        assert_eq!(
            df.action_is(Action::Withhold)?.iter().collect::<Vec<_>>(),
            [Some(false), Some(true)]
        );
        df.put(Col::Reject, column(Col::File, &[Some("x"), None]))?;
        assert_eq!(df.reject_texts()?.get(0), Some("x"));
        Ok(())
    }
}
