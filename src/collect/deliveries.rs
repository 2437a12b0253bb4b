//! The deliveries of one partition (a buyer's month) by several sources: which one the dataset
//! uses, by the rule of [`crate::republish`], and how each other one differs from it.

use crate::date::Period;
use crate::error::{Error, Result};
use crate::republish::{Delivery, Ground};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A source's delivery of a partition.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The source's key.
    pub source: String,
    /// The source's name (its first file, as given).
    pub name: String,
    /// The latest month of any of the source's rows.
    pub last_month: Option<Period>,
    /// Its rows in the partition.
    pub rows: u64,
    /// Its place among the preferred files (1 for the first), 0 when not preferred.
    pub preferred: usize,
    /// Where its rows are now.
    pub file: PathBuf,
}

/// The candidate the dataset uses, and why.
pub fn choose(candidates: &[Candidate]) -> Result<(usize, Ground)> {
    let deliveries: Vec<Delivery> = candidates
        .iter()
        .map(|c| Delivery {
            path: &c.name,
            last_month: c.last_month,
            rows: c.rows,
            sha256: &c.source,
            preferred: c.preferred,
        })
        .collect();
    crate::republish::choose(&deliveries)
        .ok_or_else(|| Error::Internal("a partition without deliveries".into()))
}

/// How another delivery of a month differs from the one used. Rows are matched first as
/// wholes (every column but the provenance), then by what names a posting (voucher, account,
/// date and supplier): a matched pair differs in its amount or in another column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// Rows the same in both.
    pub identical_rows: u64,
    /// Postings in both whose amount differs.
    pub amount_changed: u64,
    /// Postings in both that differ in another column only.
    pub other_changed: u64,
    /// Rows only in the delivery used.
    pub only_in_used: u64,
    /// Rows only in the other delivery.
    pub only_in_other: u64,
    /// The sum of the delivery used.
    pub sum_used: String,
    /// The sum of the other delivery.
    pub sum_other: String,
    /// `sum_used - sum_other`.
    pub difference: String,
}

/// A row of a delivery as the comparison sees it.
struct Posting {
    /// Every column but the amount and the provenance, joined.
    whole: String,
    /// Voucher, account, date and supplier (id, else name), joined.
    posting: String,
    /// The amount in öre.
    cents: i128,
}

/// The columns that say where a row came from, left out of the comparison.
const PROVENANCE: [&str; 3] = ["kalla_fil", "kalla_rad", "kalla_sha256"];

/// The postings of a delivery's file.
fn postings(path: &Path) -> Result<Vec<Posting>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let df = ParquetReader::new(file).finish()?;
    let texts: Vec<(String, StringChunked)> = df
        .columns()
        .iter()
        .filter(|c| !PROVENANCE.contains(&c.name().as_str()) && c.name() != "belopp")
        .map(|c| {
            Ok((
                c.name().to_string(),
                crate::read::parquet::parquet_texts(c)?,
            ))
        })
        .collect::<Result<_>>()?;
    let at = |name: &str| texts.iter().position(|(n, _)| n == name);
    let key_columns: Vec<usize> = ["verifikationsnummer", "konto_nr", "datum"]
        .iter()
        .filter_map(|c| at(c))
        .collect();
    let (id, name) = (at("leverantor_id"), at("leverantor"));
    let cents = df.column("belopp")?.decimal()?.physical().clone();
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let value = |c: usize| texts[c].1.get(i).unwrap_or("\u{0}");
        let mut whole = String::new();
        for c in 0..texts.len() {
            whole.push_str(value(c));
            whole.push('\u{1f}');
        }
        let mut posting = String::new();
        for c in &key_columns {
            posting.push_str(value(*c));
            posting.push('\u{1f}');
        }
        let supplier = id.map(value).filter(|v| *v != "\u{0}");
        posting.push_str(supplier.or_else(|| name.map(value)).unwrap_or_default());
        out.push(Posting {
            whole,
            posting,
            cents: cents.get(i).unwrap_or(0),
        });
    }
    Ok(out)
}

/// Compare another delivery of a partition with the one used.
pub fn compare(used: &Path, other: &Path) -> Result<Difference> {
    let (a, b) = (postings(used)?, postings(other)?);
    let sum = |rows: &[Posting]| rows.iter().map(|p| p.cents).sum::<i128>();
    let (sum_a, sum_b) = (sum(&a), sum(&b));
    let mut d = Difference {
        sum_used: crate::amount::ore_text(sum_a),
        sum_other: crate::amount::ore_text(sum_b),
        difference: crate::amount::ore_text(sum_a - sum_b),
        ..Difference::default()
    };
    // whole rows, as multisets
    let mut in_used: HashMap<(&str, i128), u64> = HashMap::new();
    for p in &a {
        *in_used.entry((p.whole.as_str(), p.cents)).or_insert(0) += 1;
    }
    let mut rest_b: HashMap<&str, Vec<&Posting>> = HashMap::new();
    let mut left_b = 0u64;
    for p in &b {
        match in_used.get_mut(&(p.whole.as_str(), p.cents)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                d.identical_rows += 1;
            }
            _ => {
                rest_b.entry(p.posting.as_str()).or_default().push(p);
                left_b += 1;
            }
        }
    }
    // the rows of the delivery used that no whole row of the other matched
    let mut rest_a = Vec::new();
    for p in &a {
        if let Some(n) = in_used.get_mut(&(p.whole.as_str(), p.cents)) {
            if *n > 0 {
                *n -= 1;
                rest_a.push(p);
            }
        }
    }
    for list in rest_b.values_mut() {
        list.reverse(); // popped in the file's order
    }
    for p in rest_a {
        match rest_b
            .get_mut(p.posting.as_str())
            .and_then(|list| list.pop())
        {
            Some(q) => {
                left_b -= 1;
                if q.cents != p.cents {
                    d.amount_changed += 1;
                } else {
                    d.other_changed += 1;
                }
            }
            None => d.only_in_used += 1,
        }
    }
    d.only_in_other = left_b;
    Ok(d)
}
