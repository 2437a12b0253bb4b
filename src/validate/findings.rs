//! What validate finds: the findings of a file, the report of every file, and their printing.

use super::Severity;
use crate::rules::{self, Rule};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How many row numbers are kept per finding.
pub const ROWS_SHOWN: usize = 10;

/// One kind of problem, with its count and the first rows where it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// A stable key (`belopp_format`, `personal_number`, ...).
    pub check: String,
    /// What is wrong, in words.
    pub message: String,
    /// How many rows (or 1 for a file-level finding).
    pub count: u64,
    /// The first rows (CSV: line numbers; JSON: object numbers; Parquet: row numbers from 1;
    /// xlsx: sheet rows, the header being row 1), at most [`ROWS_SHOWN`].
    pub rows: Vec<u64>,
}

/// The result for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    pub file: PathBuf,
    /// Data rows checked (a DCAT catalogue: its datasets).
    pub rows: u64,
    /// `valid` or `invalid` or `unreadable`.
    pub status: String,
    /// `csv`, `json`, `parquet` or `xlsx`, as the file's content shows (none when it cannot be
    /// read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// SHA-256 of the file's bytes, to cite which file was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    /// Findings, errors first.
    pub findings: Vec<Finding>,
}

impl FileReport {
    pub(super) fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// What a finding's row numbers count in this file: a CSV file's lines (the header is line
    /// 1), a JSON file's objects, a Parquet file's rows (from 1).
    pub(super) fn row_unit(&self) -> &'static str {
        match self.format {
            Some("csv") => "lines",
            Some("json") => "objects",
            _ => "rows",
        }
    }
}

/// The result for all files.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// One per file.
    pub files: Vec<FileReport>,
}

impl Outcome {
    /// 0 when every file is valid, 2 when one could not be read, else 1.
    pub fn exit_code(&self) -> u8 {
        if self.files.iter().any(|f| f.unreadable.is_some()) {
            2
        } else if self.files.iter().any(|f| f.errors() > 0) {
            1
        } else {
            0
        }
    }

    /// The machine report.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The human summary, grouped by problem.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for f in &self.files {
            let warnings = f.findings.len() - f.errors();
            let counted = if f.format == Some("dcat") {
                "datasets"
            } else {
                "rows"
            };
            s.push_str(&format!(
                "{}: {} ({} {counted}, {} errors, {} warnings)\n",
                f.file.display(),
                f.status,
                f.rows,
                f.errors(),
                warnings
            ));
            if let Some(u) = &f.unreadable {
                s.push_str(&format!("  error: {u}\n"));
            }
            for finding in &f.findings {
                let level = finding.severity.key();
                let rows = if finding.rows.is_empty() {
                    String::new()
                } else {
                    let list: Vec<String> = finding.rows.iter().map(u64::to_string).collect();
                    let more = if finding.count as usize > finding.rows.len() {
                        ", ..."
                    } else {
                        ""
                    };
                    format!(" ({} {}{more})", f.row_unit(), list.join(", "))
                };
                s.push_str(&format!(
                    "  {level}: {} [{}]: {} x{}\n",
                    finding.message, finding.check, finding.count, rows
                ));
            }
        }
        if self.files.len() > 1 {
            s.push_str(&self.tally());
        }
        s
    }

    /// The closing line for several files: `12 files: 10 valid, 1 invalid, 1 unreadable`.
    pub(super) fn tally(&self) -> String {
        let count = |status: &str| self.files.iter().filter(|f| f.status == status).count();
        format!(
            "{} files: {} valid, {} invalid, {} unreadable\n",
            self.files.len(),
            count("valid"),
            count("invalid"),
            count("unreadable")
        )
    }
}

/// Collects findings by check.
#[derive(Default)]
pub(super) struct Findings {
    pub(super) by_check: BTreeMap<(Severity, String), Finding>,
}

impl Findings {
    pub(super) fn add(&mut self, severity: Severity, check: &str, message: &str, row: Option<u64>) {
        let f = self
            .by_check
            .entry((severity, check.to_string()))
            .or_insert_with(|| Finding {
                severity,
                check: check.to_string(),
                message: message.to_string(),
                count: 0,
                rows: Vec::new(),
            });
        f.count += 1;
        if let Some(r) = row {
            if f.rows.len() < ROWS_SHOWN {
                f.rows.push(r);
            }
        }
    }

    /// A finding of a catalogued rule: its key, severity and message (`{column}` filled in).
    pub(super) fn rule(&mut self, rule: &Rule, column: &str, row: Option<u64>) {
        self.add(
            rule.severity,
            &rule.key_for(column),
            &rule.message_for(column),
            row,
        );
    }

    /// A finding of a catalogued rule whose message has details (`{encoding}`, ...) filled in.
    pub(super) fn rule_with(&mut self, rule: &Rule, fills: &[(&str, &str)], row: Option<u64>) {
        self.add(
            rule.severity,
            rule.key,
            &rules::fill_in(rule.message, fills),
            row,
        );
    }

    pub(super) fn error(&mut self, check: &str, message: &str, row: Option<u64>) {
        self.add(Severity::Error, check, message, row);
    }

    pub(super) fn warning(&mut self, check: &str, message: &str, row: Option<u64>) {
        self.add(Severity::Warning, check, message, row);
    }

    pub(super) fn into_vec(self) -> Vec<Finding> {
        self.by_check.into_values().collect()
    }
}
