//! Stage 7: the run report (`report.json`) and its short human summary. The report holds
//! counts, sums, hashes and reasons, never a masked or withheld value.

use crate::amount::ore_text;
use crate::read::SourceFormat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::read::sha256_hex;

/// Rows in each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    /// Data rows read (skipped lines not counted).
    pub read: u64,
    /// Rows in the published files (masked ones included).
    pub published: u64,
    /// Rows left out of the published files (secret, deny-list).
    pub withheld: u64,
    /// Rows that could not be converted (see `internal/rejected.csv`).
    pub rejected: u64,
}

/// Sums of amounts in öre for each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    /// Read.
    pub read: i128,
    /// Published.
    pub published: i128,
    /// Withheld.
    pub withheld: i128,
    /// Rejected (rows whose amount could be read).
    pub rejected: i128,
}

/// Sums as decimal strings, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountCounts {
    /// Read.
    pub read: String,
    /// Published.
    pub published: String,
    /// Withheld.
    pub withheld: String,
    /// Rejected.
    pub rejected: String,
}

impl From<Sums> for AmountCounts {
    fn from(s: Sums) -> Self {
        AmountCounts {
            read: ore_text(s.read),
            published: ore_text(s.published),
            withheld: ore_text(s.withheld),
            rejected: ore_text(s.rejected),
        }
    }
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct InputEntry {
    /// Path relative to the report's folder (forward slashes).
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// `main` or `lookup:<name>`.
    pub role: String,
    /// How it was read.
    pub format: SourceFormat,
    /// Line or sheet row of the header.
    pub header_line: u64,
    /// The period used when the layout has no date column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// One output file.
#[derive(Debug, Clone, Serialize)]
pub struct OutputEntry {
    /// Path relative to the output folder.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Data rows in it.
    pub rows: u64,
    /// Whether it is for publishing (`false` for files under `internal/`).
    pub published: bool,
}

/// The chosen layout and why.
#[derive(Debug, Clone, Serialize)]
pub struct LayoutEntry {
    /// Name.
    pub name: String,
    /// Why it was chosen.
    pub reason: String,
    /// Where each spec column came from.
    pub sources: BTreeMap<String, String>,
}

/// The options of the run, as given (paths relative to the report).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OptionsEntry {
    /// `--layout`.
    pub layout: Option<String>,
    /// `--buyer-id`.
    pub buyer_id: Option<String>,
    /// `--buyer-name`.
    pub buyer_name: Option<String>,
    /// `--kommun-id`.
    pub kommun_id: Option<String>,
    /// `--period`.
    pub period: Option<String>,
    /// `--encoding`.
    pub encoding: Option<String>,
    /// `--sheet`.
    pub sheet: Option<String>,
    /// `--formats`.
    pub formats: Vec<String>,
    /// `--policy` path and hash.
    pub policy: Option<InputRef>,
    /// Whether the formula guard was on.
    pub formula_guard: bool,
    /// `--decimal-mark`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decimal_mark: Option<crate::amount::DecimalMark>,
}

/// How one input's amounts were read: the decimal convention and why.
#[derive(Debug, Clone, Serialize)]
pub struct AmountConvention {
    /// The input's file name.
    pub file: String,
    /// `comma`, `point`, `both` (the file writes its amounts both ways) or `unknown` (no
    /// value shows one).
    pub decimal_mark: String,
    /// Why: declared by the layout or `--decimal-mark`, or learnt from the file's values.
    pub basis: String,
    /// Values that showed a decimal comma (learnt conventions only).
    pub values_with_decimal_comma: u64,
    /// Values that showed a decimal point (learnt conventions only).
    pub values_with_decimal_point: u64,
    /// Ambiguous values (`1,234`) read by the file's convention.
    pub ambiguous_read: u64,
}

/// A referenced file with its hash.
#[derive(Debug, Clone, Serialize)]
pub struct InputRef {
    /// Path relative to the report's folder.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
}

/// The run report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `reskontra`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// The specification written.
    pub specification: String,
    /// The layout.
    pub layout: LayoutEntry,
    /// The options.
    pub options: OptionsEntry,
    /// Inputs.
    pub inputs: Vec<InputEntry>,
    /// Outputs (the report itself excluded).
    pub outputs: Vec<OutputEntry>,
    /// Lines that were not data rows, by reason.
    pub skipped_lines: BTreeMap<String, u64>,
    /// Rows per outcome.
    pub rows: RowCounts,
    /// Sums of `belopp` per outcome (decimal strings, SEK).
    pub amount: AmountCounts,
    /// Rejected rows by reason.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Privacy counts.
    pub privacy: crate::protect::PrivacyInfo,
    /// Normalisation counts.
    pub normalise: crate::normalise::NormaliseInfo,
    /// How each input's amounts were read.
    pub amount_conventions: Vec<AmountConvention>,
    /// Lookup keys not found, by lookup.
    pub lookup_misses: BTreeMap<String, u64>,
    /// Supplier register matches (`--suppliers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_register: Option<crate::map::RegisterCounts>,
    /// Text cells guarded against formula injection.
    pub formula_guarded_cells: u64,
    /// Suppliers published by name whose id was no organisation number (an internal supplier
    /// number, a wrong check digit, text) and was left empty: rows and suppliers per kind of
    /// id (listed in `internal/supplier-numbers.csv`).
    pub supplier_ids_removed: BTreeMap<String, crate::protect::ReasonCount>,
    /// Things a publisher should look at.
    pub warnings: Vec<String>,
}

impl Report {
    /// The report as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A short human summary for stderr.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "layout {}: {}\n",
            self.layout.name, self.layout.reason
        ));
        s.push_str(&format!(
            "rows: {} read = {} published + {} withheld + {} rejected\n",
            self.rows.read, self.rows.published, self.rows.withheld, self.rows.rejected
        ));
        s.push_str(&format!(
            "amount: {} read = {} published + {} withheld + {} rejected\n",
            self.amount.read, self.amount.published, self.amount.withheld, self.amount.rejected
        ));
        if !self.skipped_lines.is_empty() {
            let parts: Vec<String> = self
                .skipped_lines
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            s.push_str(&format!("skipped lines: {}\n", parts.join(", ")));
        }
        if !self.privacy.by_reason.is_empty() {
            let parts: Vec<String> = self
                .privacy
                .by_reason
                .iter()
                .map(|(k, c)| format!("{k} {} rows/{} suppliers", c.rows, c.suppliers))
                .collect();
            s.push_str(&format!("privacy: {}\n", parts.join(", ")));
        }
        let removed: u64 = self.privacy.numbers_removed_from_text.values().sum();
        if removed > 0 {
            s.push_str(&format!(
                "personal numbers removed from text cells: {removed}\n"
            ));
        }
        for w in &self.warnings {
            s.push_str(&format!("warning: {w}\n"));
        }
        for o in &self.outputs {
            if o.path.ends_with(".txt") {
                s.push_str(&format!("wrote {}\n", o.path));
            } else {
                s.push_str(&format!("wrote {} ({} rows)\n", o.path, o.rows));
            }
        }
        s
    }
}
