//! A batch of published rows as rows of the collected dataset: missing values NULL (never
//! `''`), the kind of each supplier id and the publisher's own supplier number, where each row
//! came from, and which buyer's month it belongs to. Where a published file leaked a personal
//! number (masked by the privacy rules before it got here) is noted by file, line and column.

use crate::batch::{Batch, Col};
use crate::date::Period;
use crate::error::{Error, Result};
use crate::protect::{masks, supplier_id_kind};
use polars::prelude::*;
use std::collections::HashMap;

/// The columns of a collected dataset's Parquet files, in order. The partition keys
/// (`kopare_id`, `ar`, `manad`) are in the paths.
pub const COLUMNS: [&str; 19] = [
    "kopare",
    "verifikationsnummer",
    "leverantor",
    "leverantor_id",
    "konto_nr",
    "konto_text",
    "belopp",
    "datum",
    "forvaltning",
    "fakturanummer",
    "grund",
    "avtal",
    "kommun_id",
    "s_kod_nr",
    "leverantor_nr",
    "leverantor_id_typ",
    "kalla_fil",
    "kalla_rad",
    "kalla_sha256",
];

/// A partition of the dataset: one buyer's month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartKey {
    /// The buyer's organisation number.
    pub buyer: String,
    /// The month.
    pub month: Period,
}

impl PartKey {
    /// The partition's folder below `parquet/` (`kopare_id=…/ar=…/manad=MM`).
    pub fn folder(&self) -> String {
        format!(
            "kopare_id={}/ar={}/manad={:02}",
            self.buyer, self.month.year, self.month.month
        )
    }

    /// The key as the report writes it (`2120000142/2024-05`).
    pub fn label(&self) -> String {
        format!("{}/{}", self.buyer, self.month)
    }

    /// The key of a label written by [`PartKey::label`].
    pub fn parse(label: &str) -> Option<PartKey> {
        let (buyer, month) = label.split_once('/')?;
        Some(PartKey {
            buyer: buyer.to_string(),
            month: Period::parse(month)?,
        })
    }
}

/// Where a source's files are, by the file names its rows carry: the path as given and the
/// file's SHA-256.
#[derive(Debug, Default)]
pub struct Origins(pub HashMap<String, (String, String)>);

/// Where a published file leaked a personal number: never the number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Leak {
    /// The file, as given.
    pub file: String,
    /// Its line or sheet row (a JSON file's object, a Parquet file's row).
    pub line: u64,
    /// The spec column the value was in.
    pub column: String,
    /// `personnummer` or `samordningsnummer` (a supplier's id), `i_text` (in a text).
    pub kind: String,
}

/// A batch of the dataset: its frame (the [`COLUMNS`]), each row's partition (an index into
/// `parts`), and the leaks found in it.
pub struct DatasetRows {
    /// The rows.
    pub frame: DataFrame,
    /// Each row's partition, an index into `parts`.
    pub part_of: Vec<u32>,
    /// The partitions of the batch, in the order first met.
    pub parts: Vec<PartKey>,
    /// Personal numbers the privacy rules masked.
    pub leaks: Vec<Leak>,
}

/// Turn a batch of published rows (the spec columns typed, with the bookkeeping columns) into
/// the dataset's rows.
pub fn dataset_rows(published: &DataFrame, origins: &Origins) -> Result<DatasetRows> {
    let height = published.height();
    let mut columns: Vec<Column> = Vec::with_capacity(COLUMNS.len());
    // the spec's columns but the buyer's id (a partition key), the amount and the date typed
    for c in Col::SPEC.into_iter().filter(|c| *c != Col::KopareId) {
        columns.push(match c {
            Col::Belopp | Col::Datum => published.col(c)?.clone(),
            _ => nulls_for_empty(published.texts(c)?, c.name()),
        });
    }
    let (numbers, kinds) = id_kinds(published)?;
    columns.push(Column::new("leverantor_nr".into(), numbers));
    columns.push(Column::new("leverantor_id_typ".into(), kinds));
    columns.extend(provenance(published, origins)?);
    let frame = DataFrame::new(height, columns)?;
    let (part_of, parts) = partitions(published)?;
    let leaks = leaks(published, origins)?;
    Ok(DatasetRows {
        frame,
        part_of,
        parts,
        leaks,
    })
}

/// A text column with empty texts as NULL (the column itself when it has none).
fn nulls_for_empty(values: &StringChunked, name: &str) -> Column {
    if !values.iter().any(|v| v == Some("")) {
        return values.clone().with_name(name.into()).into_column();
    }
    let mut out = StringChunkedBuilder::new(name.into(), values.len());
    for v in values.iter() {
        out.append_option(v.filter(|s| !s.is_empty()));
    }
    out.finish().into_column()
}

/// A supplier id's kind, with the publisher's own number when the id is one.
type IdDecision = (crate::protect::SupplierIdKind, Option<String>);

/// Per row, the publisher's own supplier number (when the id is one) and the kind of the id.
type IdColumns = (Vec<Option<String>>, Vec<&'static str>);

fn id_kinds(published: &DataFrame) -> Result<IdColumns> {
    let raw_ids = published.texts(Col::RawId)?;
    let reasons = published.texts(Col::Privacy)?;
    let mut numbers = Vec::with_capacity(published.height());
    let mut kinds = Vec::with_capacity(published.height());
    let mut last: Option<(Option<&str>, bool, IdDecision)> = None;
    for (raw, reason) in raw_ids.iter().zip(reasons.iter()) {
        let masked = reason.is_some_and(masks);
        let decided = match &last {
            Some((seen, was_masked, decided)) if *seen == raw && *was_masked == masked => {
                decided.clone()
            }
            _ => {
                let decided = supplier_id_kind(raw, masked);
                last = Some((raw, masked, decided.clone()));
                decided
            }
        };
        kinds.push(decided.0.key());
        numbers.push(decided.1);
    }
    Ok((numbers, kinds))
}

/// Per row, its file as given, its line, and the file's SHA-256: `kalla_fil`, `kalla_rad`,
/// `kalla_sha256`.
fn provenance(published: &DataFrame, origins: &Origins) -> Result<[Column; 3]> {
    let height = published.height();
    let names = published.files()?;
    let mut files = StringChunkedBuilder::new("kalla_fil".into(), height);
    let mut shas = StringChunkedBuilder::new("kalla_sha256".into(), height);
    let mut last: Option<(&str, Option<&(String, String)>)> = None;
    for name in names.iter() {
        // a batch's rows come from one file: it is looked up once
        let origin = match (name, last) {
            (Some(n), Some((seen, origin))) if seen == n => origin,
            (Some(n), _) => {
                let origin = origins.0.get(n);
                last = Some((n, origin));
                origin
            }
            (None, _) => None,
        };
        files.append_option(origin.map(|(given, _)| given.as_str()));
        shas.append_option(origin.map(|(_, sha)| sha.as_str()));
    }
    let lines: Int64Chunked = published
        .rows()?
        .iter()
        .map(|row| row.and_then(|r| i64::try_from(r).ok()))
        .collect();
    Ok([
        files.finish().into_column(),
        lines.with_name("kalla_rad".into()).into_column(),
        shas.finish().into_column(),
    ])
}

/// Each row's partition (buyer and month) as an index into the partitions met.
fn partitions(published: &DataFrame) -> Result<(Vec<u32>, Vec<PartKey>)> {
    let buyers = published.texts(Col::KopareId)?;
    let days = published.days()?;
    let mut parts: Vec<PartKey> = Vec::new();
    let mut index: HashMap<(&str, i32), u32> = HashMap::new();
    let mut part_of = Vec::with_capacity(published.height());
    let mut last: Option<((&str, i32), u32)> = None;
    for (buyer, day) in buyers.iter().zip(days.iter()) {
        let (Some(buyer), Some(day)) = (buyer, day) else {
            return Err(Error::Internal(
                "a published row without a buyer or a date".into(),
            ));
        };
        let month = Period::of(crate::date::date_from_days(day));
        let at = (buyer, month.year * 100 + month.month as i32);
        let i = match last {
            Some((seen, i)) if seen == at => i,
            _ => *index.entry(at).or_insert_with(|| {
                parts.push(PartKey {
                    buyer: buyer.to_string(),
                    month,
                });
                (parts.len() - 1) as u32
            }),
        };
        last = Some((at, i));
        part_of.push(i);
    }
    Ok((part_of, parts))
}

/// The personal numbers the privacy rules took out of a batch: a supplier masked for its
/// personal number (in `leverantor_id`), and numbers replaced in text columns.
fn leaks(published: &DataFrame, origins: &Origins) -> Result<Vec<Leak>> {
    let reasons = published.texts(Col::Privacy)?;
    let redacted = published.texts(Col::Redacted)?;
    let names = published.files()?;
    let rows = published.rows()?;
    let mut leaks = Vec::new();
    for (i, (reason, columns)) in reasons.iter().zip(redacted.iter()).enumerate() {
        let id_leak = reason.filter(|r| matches!(*r, "personnummer" | "samordningsnummer"));
        if id_leak.is_none() && columns.is_none() {
            continue;
        }
        let file = names
            .get(i)
            .and_then(|n| origins.0.get(n))
            .map_or_else(String::new, |(given, _)| given.clone());
        let line = rows.get(i).unwrap_or(0);
        if let Some(kind) = id_leak {
            leaks.push(Leak {
                file: file.clone(),
                line,
                column: "leverantor_id".into(),
                kind: kind.into(),
            });
        }
        for column in columns.into_iter().flat_map(|c| c.split(',')) {
            leaks.push(Leak {
                file: file.clone(),
                line,
                column: column.into(),
                kind: "i_text".into(),
            });
        }
    }
    Ok(leaks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_read_back_from_their_labels() {
        let key = PartKey {
            buyer: "2120000142".into(),
            month: Period::parse("2024-05").unwrap(),
        };
        assert_eq!(key.label(), "2120000142/2024-05");
        assert_eq!(key.folder(), "kopare_id=2120000142/ar=2024/manad=05");
        assert_eq!(PartKey::parse(&key.label()), Some(key));
        assert_eq!(PartKey::parse("x"), None);
    }
}
