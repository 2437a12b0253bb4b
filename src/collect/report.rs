//! The collect report (`report.json` of a collected dataset): what the dataset holds, where
//! each buyer's month came from and why, the re-publications and how they differ, where
//! published files leaked personal numbers (never the numbers), and how often each publisher
//! fills each column. It is also the dataset's state: a later run reads it back and adds to it.
//! It depends only on the set of sources collected, never on the order they came in.

use super::deliveries::Difference;
use super::pieces::PieceStats;
use crate::protect::ReasonCount;
use crate::read::SourceFormat;
use crate::report::{AmountCounts, RowCounts};
use crate::republish::Ground;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind a collected dataset's report says it is.
pub const KIND: &str = "collect";

/// The report of a collected dataset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectReport {
    /// `reskontra`.
    pub tool: String,
    /// The tool's version that wrote the report last.
    pub version: String,
    /// `collect`.
    pub kind: String,
    /// What the dataset holds, in all.
    pub dataset: Totals,
    /// What every run into the dataset must share.
    pub options: CollectOptionsRecord,
    /// Every file collected (for each, its source's key).
    pub inputs: Vec<InputRecord>,
    /// Every source collected, by key: what it held and how it was read.
    pub sources: BTreeMap<String, SourceRecord>,
    /// Files left out because another file with the same bytes was collected.
    pub duplicate_files: Vec<DuplicateFile>,
    /// Per buyer (organisation number): its months, where each came from, how often each
    /// column is filled.
    pub buyers: BTreeMap<String, BuyerRecord>,
    /// Months delivered by more than one source: the delivery used, why, and how each other
    /// differs.
    pub conflicts: Vec<Conflict>,
    /// Personal numbers found in published files (listed in `leaks.csv`: file, line, column).
    pub leaks: LeakSummary,
    /// Every file of the dataset (the report itself aside).
    pub outputs: Vec<OutputRecord>,
    /// The leaks this run found, until they are written to `leaks.csv`.
    #[serde(skip)]
    pub(crate) leaks_found: Vec<super::rows::Leak>,
}

/// The dataset in all.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Rows in the dataset's partitions.
    pub rows: u64,
    /// Their sum.
    pub amount: String,
    /// Buyers.
    pub buyers: u64,
    /// Partitions (buyers' months).
    pub months: u64,
    /// Sources collected (including those whose months all lost to another's).
    pub sources: u64,
}

/// The options every run into a dataset shares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectOptionsRecord {
    /// The privacy policy's SHA-256 (none: the default rules).
    pub policy_sha256: Option<String>,
    /// The sources preferred (`--prefer`) by this run and the runs before, by key, the one
    /// preferred last at the end (it wins): a preference holds in later runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred: Vec<String>,
}

/// A file collected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputRecord {
    /// The path as given.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// `source` (what the staging of output folders reads).
    pub role: String,
    /// The key of the source it belongs to.
    pub source: String,
}

/// A source collected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceRecord {
    /// Its files, in the order read.
    pub files: Vec<SourceFile>,
    /// The layout it was read with.
    pub layout: String,
    /// Why that layout.
    pub layout_reason: String,
    /// Where each spec column came from, in words.
    pub columns: BTreeMap<String, String>,
    /// Where the buyer came from: `rows` or `sources file`.
    pub buyer_from: String,
    /// Rows per outcome.
    pub rows: RowCounts,
    /// Sums per outcome.
    pub amount: AmountCounts,
    /// Rejected rows by reason (listed in `internal/`).
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Masked or withheld suppliers by reason.
    pub privacy: BTreeMap<String, ReasonCount>,
    /// What is unusual about how it is published (encoding, names, placeholders, ...).
    pub quirks: Vec<String>,
    /// What the conversion warned of.
    pub warnings: Vec<String>,
    /// Personal numbers its published files held (masked here).
    pub leaks: u64,
    /// The latest month of its rows.
    pub last_month: Option<String>,
    /// Its rows per partition (`buyer/YYYY-MM`), whether used or not.
    pub partitions: BTreeMap<String, PieceStats>,
}

/// A file of a source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceFile {
    /// The path as given.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// How it was read.
    pub format: SourceFormat,
}

/// A file left out: the same bytes as another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DuplicateFile {
    /// The file left out, as given.
    pub path: String,
    /// The file collected with the same bytes.
    pub same_as: String,
}

/// A buyer of the dataset.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuyerRecord {
    /// The names its rows give it, with their rows.
    pub names: BTreeMap<String, u64>,
    /// Rows.
    pub rows: u64,
    /// Sum.
    pub amount: String,
    /// Per month (`YYYY-MM`), where it came from.
    pub months: BTreeMap<String, MonthRecord>,
    /// Months between the first and the last with no rows.
    pub gaps: Vec<String>,
    /// Per column, the share of rows with a value (0 to 1, four decimals): "this publisher
    /// never names a contract" is a finding of its own.
    pub fill_rate: BTreeMap<String, f64>,
    /// Rows per kind of supplier id.
    pub id_kinds: BTreeMap<String, u64>,
}

/// One buyer's month.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonthRecord {
    /// The source used (its first file, as given).
    pub source: String,
    /// Its key.
    pub source_key: String,
    /// Rows.
    pub rows: u64,
    /// Sum.
    pub amount: String,
    /// How many sources delivered the month.
    pub deliveries: u64,
    /// Why this source, when several delivered it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ground: Option<Ground>,
    /// The partition's file.
    pub file: String,
}

/// Another delivery of a month than the one used.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conflict {
    /// The buyer.
    pub kopare_id: String,
    /// The month.
    pub month: String,
    /// The source used.
    pub used: String,
    /// The other source.
    pub other: String,
    /// Why the one used.
    pub ground: Ground,
    /// How the other differs.
    #[serde(flatten)]
    pub difference: Difference,
}

/// The leaks found, in all (each is a line of `leaks.csv`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeakSummary {
    /// Cells that held a personal number.
    pub cells: u64,
    /// Per column.
    pub by_column: BTreeMap<String, u64>,
    /// Per file, as given.
    pub by_file: BTreeMap<String, u64>,
    /// The file that lists them.
    pub file: String,
}

/// A file of the dataset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutputRecord {
    /// Path relative to the dataset folder.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Rows.
    pub rows: u64,
    /// Whether it is part of what the dataset offers for use (the partitions, the leak list);
    /// superseded deliveries and `internal/` are not.
    pub published: bool,
}

impl CollectReport {
    /// The report as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// A short summary of the dataset (`report.txt`, and the end of what a run prints).
    pub fn summary(&self) -> String {
        let t = &self.dataset;
        let mut s = format!(
            "dataset: {} rows, {} SEK, {} buyers, {} buyer-months, from {} sources\n",
            t.rows, t.amount, t.buyers, t.months, t.sources
        );
        for (id, buyer) in &self.buyers {
            let name = buyer
                .names
                .iter()
                .max_by_key(|(_, rows)| **rows)
                .map_or("", |(n, _)| n.as_str());
            let first = buyer.months.keys().next().map_or("", String::as_str);
            let last = buyer.months.keys().next_back().map_or("", String::as_str);
            s.push_str(&format!(
                "  {id} {name}: {} rows, {} SEK, {} months {first}..{last}",
                buyer.rows,
                buyer.amount,
                buyer.months.len()
            ));
            if !buyer.gaps.is_empty() {
                s.push_str(&format!(
                    " (no rows in {} months: {})",
                    buyer.gaps.len(),
                    month_ranges(&buyer.gaps)
                ));
            }
            s.push('\n');
            let never: Vec<&str> = ["avtal", "grund", "forvaltning", "fakturanummer"]
                .into_iter()
                .filter(|c| buyer.fill_rate.get(*c).is_none_or(|r| *r == 0.0))
                .collect();
            if !never.is_empty() {
                s.push_str(&format!("    never filled: {}\n", never.join(", ")));
            }
        }
        for c in &self.conflicts {
            s.push_str(&format!(
                "re-published: {} {}: used {} ({}) over {}: {} rows only in the one used, {} only in the other, {} amounts changed, sum difference {}\n",
                c.kopare_id,
                c.month,
                c.used,
                c.ground.describe(),
                c.other,
                c.difference.only_in_used,
                c.difference.only_in_other,
                c.difference.amount_changed,
                c.difference.difference
            ));
        }
        for d in &self.duplicate_files {
            s.push_str(&format!(
                "left out {}: the same bytes as {}\n",
                d.path, d.same_as
            ));
        }
        if self.leaks.cells > 0 {
            s.push_str(&format!(
                "personal numbers in published files: {} cells in {} files, masked here; {} lists file, line and column\n",
                self.leaks.cells,
                self.leaks.by_file.len(),
                self.leaks.file
            ));
        }
        s
    }
}

/// Months (`YYYY-MM`, in order) as ranges: `2019-06..2023-12, 2024-02`.
fn month_ranges(months: &[String]) -> String {
    let periods: Vec<crate::date::Period> = months
        .iter()
        .filter_map(|m| crate::date::Period::parse(m))
        .collect();
    let mut ranges: Vec<(crate::date::Period, crate::date::Period)> = Vec::new();
    for p in periods {
        match ranges.last_mut() {
            Some((_, last)) if last.next() == p => *last = p,
            _ => ranges.push((p, p)),
        }
    }
    ranges
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}..{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
