//! The reports the desk reads (a month's and a year's report.json) as typed structs, holding
//! only what the pages show, and the summary of a month (its checks against the spec and its
//! sums) made once when its conversion ends and kept beside it.

use super::charts::{self, Chart};
use super::texts;
use crate::error::{Error, Result};
use crate::report::{AmountCounts, RowCounts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the desk reads of a month's report.json.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunReport {
    /// Rows read, published, withheld, rejected.
    pub rows: RowCounts,
    /// The same in kronor (decimal texts).
    pub amount: AmountCounts,
    /// Files written.
    pub outputs: Vec<ReportOutput>,
    /// What the publisher should know (the library's English).
    pub warnings: Vec<String>,
    /// Masked and withheld suppliers.
    pub privacy: ReportPrivacy,
    /// The options the run was given.
    pub options: ReportOptions,
}

/// One file a run wrote.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportOutput {
    /// Its path below the output folder.
    pub path: String,
    /// Rows in it.
    pub rows: u64,
    /// Whether it is meant for publishing (not `internal/`).
    pub published: bool,
}

/// The masking counts of a run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportPrivacy {
    /// Per reason: rows and suppliers.
    pub by_reason: BTreeMap<String, ReasonCount>,
}

/// Rows and suppliers masked or withheld for one reason.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct ReasonCount {
    /// Rows.
    pub rows: u64,
    /// Suppliers.
    pub suppliers: u64,
}

/// The options of a run the desk looks at.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportOptions {
    /// The buyer's organisation number.
    pub buyer_id: Option<String>,
}

impl RunReport {
    /// The months of the run (`2024-05`, or `2024-01 – 2024-03`), from its published file's
    /// name (`leverantorsreskontra-2024-05.csv`).
    pub fn period(&self) -> Option<String> {
        self.outputs.iter().find_map(|o| {
            let stem = o.path.strip_prefix("leverantorsreskontra-")?;
            let stem = stem.rsplit_once('.')?.0;
            (stem != "utan-period").then(|| stem.replace('_', " – "))
        })
    }

    /// The published files (never `internal/`), as paths below `out`.
    pub fn published_files(&self, out: &Path) -> Vec<PathBuf> {
        self.outputs
            .iter()
            .filter(|o| o.published && !o.path.starts_with("internal"))
            .map(|o| out.join(&o.path))
            .collect()
    }

    /// The published CSV file.
    pub fn published_csv(&self, out: &Path) -> Option<PathBuf> {
        self.published_files(out)
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "csv"))
    }

    /// Rows masked or withheld by any reason.
    pub fn masked_rows(&self) -> u64 {
        self.privacy.by_reason.values().map(|c| c.rows).sum()
    }
}

/// What the desk reads of a year dataset's report.json.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearReport {
    /// Rows in the year.
    pub rows: u64,
    /// The year's sum (a decimal text).
    pub amount: String,
    /// Per month `MM`: its rows.
    pub months: BTreeMap<String, YearMonth>,
    /// The files written.
    pub outputs: Vec<ReportOutput>,
}

/// One month of a year dataset.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearMonth {
    /// Rows.
    pub rows: u64,
}

/// A run's report.json, when it was converted.
pub fn read_report(out: &Path) -> Option<RunReport> {
    let text = std::fs::read_to_string(out.join("report.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// A year dataset's report, when it was built.
pub fn read_year_report(dir: &Path) -> Option<YearReport> {
    let text = std::fs::read_to_string(dir.join("report.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The result page's checks and charts of a month, made once when its conversion ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// The published files checked against the spec (or the words for why they could not be).
    pub checks: std::result::Result<Vec<FileCheck>, texts::Problem>,
    /// Sum per förvaltning, the ten largest suppliers, sum per day.
    pub charts: Vec<Chart>,
    /// The names on the profile's allow list that the published file shows (the names the
    /// publisher chose to publish).
    #[serde(default)]
    pub allowed: Vec<String>,
}

/// One file's check against the spec, in the page's words.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileCheck {
    /// The file's name.
    pub file: String,
    /// Why it could not be read (the library's English, for the details box).
    pub unreadable: Option<String>,
    /// `1 234 rader`.
    pub rows: String,
    /// The findings.
    pub findings: Vec<FindingView>,
    /// How many findings are errors.
    pub errors: usize,
    /// `En varning` or `3 varningar`.
    pub warnings_phrase: String,
    /// `2 fel och 1 varning.`
    pub summary: String,
}

/// One finding, in Swedish.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FindingView {
    /// `fel` or `varning`.
    pub severity: String,
    /// What is wrong and what to do.
    pub text: String,
    /// `1 611 rader`.
    pub count: String,
    /// The first rows.
    pub rows: String,
    /// The rule's key (details box).
    pub key: String,
    /// The library's message (details box).
    pub message: String,
}

/// The checks of a validation, in the page's words.
pub fn file_checks(outcome: &crate::validate::Outcome) -> Vec<FileCheck> {
    outcome.files.iter().map(file_check).collect()
}

fn file_check(f: &crate::validate::FileReport) -> FileCheck {
    use crate::validate::Severity;
    let findings: Vec<FindingView> = f
        .findings
        .iter()
        .map(|x| FindingView {
            severity: match x.severity {
                Severity::Error => "fel".into(),
                Severity::Warning => "varning".into(),
            },
            text: texts::finding_text(&x.check).unwrap_or_else(|| {
                "Avvikelse från specifikationen; se de tekniska detaljerna nedan.".into()
            }),
            count: texts::count_of(x.count, "rad", "rader"),
            rows: x
                .rows
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            key: x.check.clone(),
            message: x.message.clone(),
        })
        .collect();
    let errors = f
        .findings
        .iter()
        .filter(|x| x.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    FileCheck {
        file: crate::read::file_name(&f.file),
        unreadable: f.unreadable.clone(),
        rows: texts::count_of(f.rows, "rad", "rader"),
        errors,
        warnings_phrase: if warnings == 1 {
            "En varning".into()
        } else {
            format!("{} varningar", texts::number(warnings as u64))
        },
        summary: format!(
            "{} och {}.",
            texts::count_of(errors as u64, "fel", "fel"),
            texts::count_of(warnings as u64, "varning", "varningar")
        ),
        findings,
    }
}

/// Check a converted month's published files and add them up (the work of the result page,
/// done once when the conversion ends).
pub fn summarise(out: &Path, report: &RunReport, id: &str, allow: &[String]) -> Summary {
    let files = report.published_files(out);
    let checks = crate::validate::validate_files(&files)
        .map(|o| file_checks(&o))
        .map_err(|e| texts::problem(&e, Some(id)));
    let sums = report
        .published_csv(out)
        .and_then(|csv| charts::month_sums(&csv));
    let key = |n: &str| {
        n.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let allowed = sums
        .as_ref()
        .map(|s| {
            allow
                .iter()
                .filter(|a| s.per_supplier.keys().any(|n| key(n) == key(a)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let charts = sums
        .map(|s| {
            let days: Vec<_> = s.per_day.iter().map(|(k, v)| (k.clone(), *v)).collect();
            vec![
                charts::chart("Summa per förvaltning", &charts::largest(&s.per_unit, 15)),
                charts::chart(
                    "De tio största leverantörerna",
                    &charts::largest(&s.per_supplier, 10),
                ),
                charts::chart("Summa per dag", &days),
            ]
        })
        .unwrap_or_default();
    Summary {
        checks,
        charts,
        allowed,
    }
}

/// The stored summary of a run, when its conversion made one.
pub fn read_summary(run: &Path) -> Option<Summary> {
    let text = std::fs::read_to_string(run.join("summary.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Make and store the summary of a converted run.
pub fn write_summary(run: &Path, id: &str, allow: &[String]) -> Result<()> {
    let out = run.join("out");
    let Some(report) = read_report(&out) else {
        return Ok(());
    };
    let summary = summarise(&out, &report, id, allow);
    let text = serde_json::to_string(&summary).map_err(|e| Error::Internal(e.to_string()))?;
    let path = run.join("summary.json");
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}
