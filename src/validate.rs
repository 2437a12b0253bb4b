//! `reskontra validate`: check published files against the specification, and the privacy
//! scan that `convert` runs on every file it is about to publish.
//!
//! Any encoding and delimiter can be read; every deviation from `SPEC.md` is reported as an
//! error (the file does not follow the spec) or a warning (it does, but something needs a look).
//! Messages carry row numbers and never the offending values, since those may be personal.

use crate::date::Period;
use crate::error::{Error, Result};
use crate::ident::{classify_id, contains_personal_number, is_organisation_number, IdKind};
use crate::names::is_person_shaped;
use crate::progress::Progress;
use crate::read::encoding::{decode_file, first_visible_char, TextEncoding};
use crate::read::json::stream as json_stream;
use crate::read::{Input, RawRow, RawTable, ReadOptions};
use crate::spec::{self, COLUMNS};
use crate::write::is_formula_like;
use polars::prelude::*;
use serde::Serialize;
use sha2::Digest as _;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::scan::damaged_parquet;
pub use crate::scan::personal_number_hits;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file does not follow the specification.
    Error,
    /// The file follows it, but something needs a look.
    Warning,
}

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
    /// Data rows checked.
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
    fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// What a finding's row numbers count in this file: a CSV file's lines (the header is line
    /// 1), a JSON file's objects, a Parquet file's rows (from 1).
    fn row_unit(&self) -> &'static str {
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
            s.push_str(&format!(
                "{}: {} ({} rows, {} errors, {} warnings)\n",
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
                let level = match finding.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
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
    fn tally(&self) -> String {
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
struct Findings {
    by_check: BTreeMap<(Severity, String), Finding>,
}

impl Findings {
    fn add(&mut self, severity: Severity, check: &str, message: &str, row: Option<u64>) {
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

    fn error(&mut self, check: &str, message: &str, row: Option<u64>) {
        self.add(Severity::Error, check, message, row);
    }

    fn warning(&mut self, check: &str, message: &str, row: Option<u64>) {
        self.add(Severity::Warning, check, message, row);
    }

    fn into_vec(self) -> Vec<Finding> {
        self.by_check.into_values().collect()
    }
}

/// The files to validate among `paths`: files as given, and the published files in folders
/// (see [`published_files`]).
pub fn files_to_validate(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    published_files(paths, &["csv", "json", "parquet", "xlsx"])
}

/// Files as given, and in each folder (and the folders below it, in name order) the files with
/// one of the extensions `exts` that a run publishes: not the run's own metadata
/// (`report.json`, `datapackage.json`), the `internal/` review files (never published) or
/// hidden folders (a run's staging area).
pub fn published_files(paths: &[PathBuf], exts: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_published(path, exts, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect_published(dir: &Path, exts: &[&str], files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let name = crate::read::file_name(&entry);
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            if name != "internal" {
                collect_published(&entry, exts, files)?;
            }
            continue;
        }
        let ext = entry
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let metadata = matches!(name.as_str(), "report.json" | "datapackage.json");
        if exts.contains(&ext.as_str()) && !metadata {
            files.push(entry);
        }
    }
    Ok(())
}

/// Validate files; a file that cannot be read is reported, not an error.
pub fn validate_files(files: &[PathBuf]) -> Result<Outcome> {
    validate_files_telling(files, &Progress::default())
}

/// [`validate_files`], telling `progress` which file is checked and how much of it is done.
pub fn validate_files_telling(files: &[PathBuf], progress: &Progress) -> Result<Outcome> {
    let mut out = Vec::new();
    for file in files {
        progress.stage(&format!("validating {}", crate::read::file_name(file)));
        out.push(match validate_file_telling(file, progress) {
            Ok(r) => r,
            Err(e) => FileReport {
                file: file.clone(),
                rows: 0,
                status: "unreadable".into(),
                format: None,
                // a pipe cannot be read again
                sha256: std::fs::metadata(file)
                    .is_ok_and(|m| m.is_file())
                    .then(|| crate::read::sha256_file(file).ok().map(|(sha, _)| sha))
                    .flatten(),
                unreadable: Some(e.to_string()),
                findings: Vec::new(),
            },
        });
    }
    Ok(Outcome { files: out })
}

/// Validate one file (CSV, JSON, Parquet or xlsx by its content). A CSV file is read a piece at
/// a time, so files of any size can be checked.
pub fn validate_file(path: &Path) -> Result<FileReport> {
    validate_file_telling(path, &Progress::default())
}

/// [`validate_file`], telling `progress` how much of the file is done.
pub fn validate_file_telling(path: &Path, progress: &Progress) -> Result<FileReport> {
    let input = Input::open(path, 1 << 16)?;
    let period_span = period_span_of(path);
    let (format, (findings, rows, sha256)) = if input.start().starts_with(b"PAR1") {
        let sha256 = input.sha256()?;
        // polars panics on some damaged Parquet files
        let (findings, rows) = crate::error::catch_panics(
            || match input.in_memory() {
                Some(bytes) => {
                    let open = || Ok(std::io::Cursor::new(bytes.clone()));
                    validate_parquet(path, open, period_span, progress)
                }
                None => {
                    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, e));
                    validate_parquet(path, open, period_span, progress)
                }
            },
            |message| damaged_parquet(path, &message),
        )?;
        ("parquet", (findings, rows, sha256))
    } else if input.start().starts_with(b"PK\x03\x04") {
        ("xlsx", validate_xlsx(path, input, period_span)?)
    } else if matches!(first_visible_char(input.start()), Some('[') | Some('{')) {
        let bom = input.start().starts_with(b"\xEF\xBB\xBF");
        let checked = match stream_json(path, &input, bom, period_span, progress)? {
            Some(streamed) => streamed,
            None => {
                let sha256 = input.sha256()?;
                let (findings, rows) = validate_json_whole(path, input, period_span)?;
                (findings, rows, sha256)
            }
        };
        ("json", checked)
    } else {
        let checked = validate_csv(path, input, period_span, progress, &mut |_| Ok(()))?;
        ("csv", checked)
    };
    Ok(file_report(path, format, findings, rows, sha256))
}

/// Validate a CSV file as [`validate_file_telling`] does, handing each data row to `on_row` as
/// soon as it is checked (so before the whole file is known to be valid); returns the report
/// and the file's SHA-256, taken in the same read. A JSON file is an error.
pub(crate) fn validate_csv_file_with(
    path: &Path,
    progress: &Progress,
    on_row: &mut dyn FnMut(&RawRow) -> Result<()>,
) -> Result<(FileReport, String)> {
    let input = Input::open(path, 1 << 16)?;
    if matches!(first_visible_char(input.start()), Some('[') | Some('{')) {
        return Err(Error::input(path, "is JSON; a CSV file is needed here"));
    }
    let period_span = period_span_of(path);
    let (findings, rows, sha256) = validate_csv(path, input, period_span, progress, on_row)?;
    Ok((
        file_report(path, "csv", findings, rows, sha256.clone()),
        sha256,
    ))
}

/// The period a file's name gives: a span (`2024-01--2024-06`) or one month.
fn period_span_of(path: &Path) -> Option<(Period, Period)> {
    let name = crate::read::file_name(path);
    period_span(&name).or(Period::from_file_name(&name).map(|p| (p, p)))
}

/// Validate a CSV input; returns the findings, the number of data rows and the file's SHA-256.
fn validate_csv(
    path: &Path,
    input: Input,
    period_span: Option<(Period, Period)>,
    progress: &Progress,
    on_row: &mut dyn FnMut(&RawRow) -> Result<()>,
) -> Result<(Findings, u64, String)> {
    let mut findings = Findings::default();
    let mut checker = RowChecker::new(period_span);
    let table = input.delimited_head(&ReadOptions::default(), 1)?;
    let sha256 = table.sha256.clone();
    check_text_format(table.format.bom, encoding_of(&table), &mut findings);
    check_line_endings(
        table.format.line_endings.as_deref().unwrap_or("none"),
        &mut findings,
    );
    let rows = csv_rows(path, table, &mut findings, &mut checker, progress, on_row)?;
    Ok((findings, rows, sha256))
}

/// The line-ending finding: LF is the spec's, CRLF a warning, anything else an error.
fn check_line_endings(endings: &str, findings: &mut Findings) {
    match endings {
        "LF" | "none" => {}
        "CRLF" => findings.warning(
            "line_endings",
            "CRLF line endings (the spec wants LF)",
            None,
        ),
        other => findings.error(
            "line_endings",
            &format!("{other} line endings (the spec wants LF)"),
            None,
        ),
    }
}

/// Rows of a Parquet file checked at a time.
const PARQUET_SLICE_ROWS: usize = 1 << 17;

/// Validate a Parquet file (this tool's third format; the spec itself publishes CSV and JSON):
/// the spec's columns in order, their types (`belopp` an exact decimal with 2 decimals, `datum`
/// a date, the rest text), and every row as a CSV row is checked, amounts and dates written as
/// the CSV has them. Rows are numbered from 1 and read a slice at a time.
fn validate_parquet<R: polars::io::mmap::MmapBytesReader>(
    path: &Path,
    open: impl Fn() -> Result<R>,
    period_span: Option<(Period, Period)>,
    progress: &Progress,
) -> Result<(Findings, u64)> {
    let unreadable =
        |e: PolarsError| Error::unreadable(path, format!("not a readable Parquet file: {e}"));
    let mut reader = ParquetReader::new(open()?);
    let schema = reader.schema().map_err(unreadable)?;
    let total = reader.num_rows().map_err(unreadable)?;
    let mut findings = Findings::default();
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    // a partition of a Hive-partitioned dataset keeps its keys in the path, not in the file
    let all_keys = hive_keys(path);
    let period_span = period_span.or_else(|| partition_month(&all_keys).map(|p| (p, p)));
    let keys: Vec<(String, String)> = all_keys
        .into_iter()
        .filter(|(k, _)| COLUMNS.contains(&k.as_str()) && !names.contains(&k.as_str()))
        .collect();
    let from_path: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    let positions = check_columns(&names, &from_path, None, &mut findings);
    let path_value = |c: &str| keys.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone());
    let path_values: Vec<Option<String>> = COLUMNS.iter().map(|c| path_value(c)).collect();
    let mut checker = RowChecker::new(period_span);
    let mut start = 0;
    while start < total {
        let df = ParquetReader::new(open()?)
            .with_slice(Some((start, PARQUET_SLICE_ROWS)))
            .finish()
            .map_err(unreadable)?;
        if df.height() == 0 {
            break;
        }
        if start == 0 {
            check_parquet_types(&df, &mut findings);
        }
        let columns: Vec<Option<StringChunked>> = positions
            .iter()
            .map(|p| p.map(|i| parquet_texts(&df.columns()[i])).transpose())
            .collect::<Result<_>>()?;
        // each spec column's texts, walked side by side (a key from the path where there are none)
        let mut walks: Vec<_> = columns
            .iter()
            .map(|texts| texts.as_ref().map(StringChunked::iter))
            .collect();
        for i in 0..df.height() {
            let values: Vec<Option<&str>> = walks
                .iter_mut()
                .zip(&path_values)
                .map(|(walk, from_path)| match walk {
                    Some(texts) => texts.next().flatten(),
                    None => from_path.as_deref(),
                })
                .collect();
            checker.check((start + i + 1) as u64, &values, &mut findings);
        }
        start += df.height();
        progress.done(start as u64, total as u64);
    }
    Ok((findings, start as u64))
}

/// The `key=value` folders of a path (Hive partitioning), values percent-decoded as far as
/// they are ASCII.
fn hive_keys(path: &Path) -> Vec<(String, String)> {
    path.parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| {
            let part = c.as_os_str().to_str()?;
            let (key, value) = part.split_once('=')?;
            Some((key.to_string(), percent_decoded(value)))
        })
        .collect()
}

/// The month of a year dataset's partition, from its `ar=YYYY/manad=MM` folders.
fn partition_month(keys: &[(String, String)]) -> Option<Period> {
    let key = |name: &str| {
        keys.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    Period::parse(&format!("{}-{}", key("ar")?, key("manad")?))
}

/// Validate an xlsx file (this tool's Excel copy; a zip file that is no workbook is unreadable):
/// the first sheet's header, and each of its rows checked as a CSV row, every cell turned into
/// the text a CSV would have ([`crate::xlsx::spec_text`]). A column stored in another type than
/// this tool writes is a finding: an amount or date stored as text a warning (checked as text),
/// a number in a text column an error (an identifier may have lost its leading zeros, as
/// `0180` becomes `180`), as a date or a true/false where none belongs. Other sheets are
/// scanned for personal numbers only. Rows are the sheet's rows (the header is row 1).
fn validate_xlsx(
    path: &Path,
    input: Input,
    period_span: Option<(Period, Period)>,
) -> Result<(Findings, u64, String)> {
    let bytes = input.bytes()?;
    let sha256 = crate::read::sha256_hex(&bytes);
    // calamine is third-party code fed with untrusted bytes
    let (findings, rows) = crate::error::catch_panics(
        || xlsx_findings(path, bytes, period_span),
        |_| Error::unreadable(path, "not a readable xlsx file (the reader gave up)"),
    )?;
    Ok((findings, rows, sha256))
}

/// The findings and data rows of an xlsx file's bytes (see [`validate_xlsx`]).
fn xlsx_findings(
    path: &Path,
    bytes: Vec<u8>,
    period_span: Option<(Period, Period)>,
) -> Result<(Findings, u64)> {
    use crate::xlsx::{for_each_row, spec_text};
    use calamine::{Data, Reader};
    let mut workbook = crate::xlsx::open(path, bytes)?;
    let sheets = workbook.sheet_names();
    let Some((first, others)) = sheets.split_first() else {
        return Err(Error::unreadable(path, "the workbook has no sheet"));
    };
    let mut findings = Findings::default();
    let mut checker = RowChecker::new(period_span);
    let mut header: Option<(usize, Vec<Option<usize>>)> = None;
    let (mut last_row, mut rows) = (0u32, 0u64);
    for_each_row(path, &mut workbook, first, |row, cells| {
        let number = u64::from(row) + 1;
        let Some((width, positions)) = &header else {
            let names: Vec<String> = cells.iter().map(crate::read::workbook::cell_text).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            header = Some((
                cells.len(),
                check_columns(&names, &[], Some(number), &mut findings),
            ));
            last_row = row;
            return Ok(());
        };
        for blank in last_row + 1..row {
            findings.error("blank_line", "blank row", Some(u64::from(blank) + 1));
        }
        last_row = row;
        if cells.len() > *width {
            findings.error(
                "field_count",
                &format!("the row has values beyond the header's {width} columns"),
                Some(number),
            );
        }
        let mut texts: Vec<Option<String>> = Vec::with_capacity(COLUMNS.len());
        for (column, position) in COLUMNS.iter().zip(positions) {
            let Some(at) = position else {
                texts.push(None);
                continue;
            };
            let (text, stored) = spec_text(column, cells.get(*at).unwrap_or(&Data::Empty));
            stored_finding(column, stored, number, &mut findings);
            texts.push(Some(text));
        }
        if texts.iter().flatten().all(|t| is_blank(t)) {
            findings.error("blank_line", "blank row", Some(number));
            return Ok(());
        }
        let values: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
        checker.check(number, &values, &mut findings);
        rows += 1;
        Ok(())
    })?;
    if header.is_none() {
        return Err(Error::unreadable(path, "the first sheet holds no rows"));
    }
    for sheet in others {
        for_each_row(path, &mut workbook, sheet, |row, cells| {
            for cell in cells {
                let text = crate::read::workbook::cell_text(cell);
                if contains_personal_number(&text) {
                    findings.error(
                        "personal_number",
                        "a personal identity number in another sheet",
                        Some(u64::from(row) + 1),
                    );
                }
            }
            Ok(())
        })?;
    }
    Ok((findings, rows))
}

/// The finding for a cell of an xlsx file stored in another type than this tool writes.
fn stored_finding(column: &str, stored: crate::xlsx::Stored, row: u64, findings: &mut Findings) {
    use crate::xlsx::Stored;
    let wanted = match column {
        "belopp" => "a number",
        "datum" => "a date",
        _ => "text",
    };
    let check = format!("{column}_type");
    let n = Some(row);
    match stored {
        Stored::AsWritten => {}
        Stored::Text => findings.warning(
            &check,
            &format!("{column} is stored as text, not as {wanted} (checked as text)"),
            n,
        ),
        Stored::Number if wanted == "text" => findings.error(
            &check,
            &format!(
                "{column} is stored as a number, not as text (a spreadsheet drops leading zeros)"
            ),
            n,
        ),
        Stored::Number => findings.error(
            &check,
            &format!("{column} is stored as a number, not as {wanted}"),
            n,
        ),
        Stored::Date => findings.error(
            &check,
            &format!("{column} is stored as a date, not as {wanted}"),
            n,
        ),
        Stored::Other => findings.error(
            &check,
            &format!("{column} holds a true/false or error value, not {wanted}"),
            n,
        ),
    }
}

/// `%XX` escapes of ASCII characters decoded (others left as they are).
fn percent_decoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match code {
            Some(b) if b.is_ascii() => {
                out.push(char::from(b));
                rest = &rest[at + 3..];
            }
            _ => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A finding for each spec column a Parquet file stores in another type than this tool writes:
/// an error when the values may have lost something (a float amount, a number for a code that
/// may have leading zeros), a warning for amounts or dates stored as text (checked as text).
fn check_parquet_types(df: &DataFrame, findings: &mut Findings) {
    for column in df.columns() {
        let name = column.name().as_str();
        if !COLUMNS.contains(&name) {
            continue;
        }
        let dtype = column.dtype();
        let wanted = match name {
            "belopp" => "a decimal with 2 decimals",
            "datum" => "a date",
            _ => "text",
        };
        let fits = match (name, dtype) {
            (_, DataType::Null) => true,
            ("belopp", DataType::Decimal(_, scale)) => *scale == 2,
            ("belopp", _) => false,
            ("datum", dtype) => *dtype == DataType::Date,
            (_, dtype) => *dtype == DataType::String,
        };
        if fits {
            continue;
        }
        let check = format!("{name}_type");
        let message = format!("{name} is stored as {dtype}, not as {wanted}");
        if *dtype == DataType::String {
            findings.warning(&check, &message, None);
        } else {
            findings.error(&check, &message, None);
        }
    }
}

/// A Parquet column's values as the CSV writes them: decimals with their decimals, dates as
/// `YYYY-MM-DD`, anything else as polars writes it as text.
fn parquet_texts(column: &Column) -> Result<StringChunked> {
    let name = column.name().clone();
    Ok(match column.dtype() {
        DataType::Decimal(_, scale) => {
            let scale = *scale;
            let values = column.decimal()?.physical();
            let mut texts = StringChunkedBuilder::new(name, values.len());
            for value in values.iter() {
                texts.append_option(value.map(|v| decimal_text(v, scale)).as_deref());
            }
            texts.finish()
        }
        DataType::Date => {
            // dates repeat: each distinct day is written once
            let days = column.date()?.physical();
            let mut texts = StringChunkedBuilder::new(name, days.len());
            let mut last: Option<(i32, String)> = None;
            for day in days.iter() {
                let Some(day) = day else {
                    texts.append_null();
                    continue;
                };
                if last.as_ref().is_none_or(|(seen, _)| *seen != day) {
                    let text = crate::date::date_from_days(day).to_string();
                    last = Some((day, text));
                }
                texts.append_option(last.as_ref().map(|(_, text)| text.as_str()));
            }
            texts.finish()
        }
        _ => column.cast(&DataType::String)?.str()?.clone(),
    })
}

/// A decimal's text from its unscaled value and scale (`12345`, 2 -> `123.45`).
fn decimal_text(unscaled: i128, scale: usize) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A file's report from its findings.
fn file_report(
    path: &Path,
    format: &'static str,
    findings: Findings,
    rows: u64,
    sha256: String,
) -> FileReport {
    let findings = findings.into_vec();
    let invalid = findings.iter().any(|f| f.severity == Severity::Error);
    FileReport {
        file: path.to_path_buf(),
        rows,
        status: if invalid { "invalid" } else { "valid" }.into(),
        format: Some(format),
        sha256: Some(sha256),
        unreadable: None,
        findings,
    }
}

/// Validate a JSON file read and decoded whole (any encoding).
fn validate_json_whole(
    path: &Path,
    input: Input,
    period_span: Option<(Period, Period)>,
) -> Result<(Findings, u64)> {
    let mut findings = Findings::default();
    let mut checker = RowChecker::new(period_span);
    let bytes = input.bytes()?;
    let decoded = decode_file(path, &bytes, None)?;
    check_text_format(decoded.bom, decoded.encoding.name(), &mut findings);
    let rows = json_rows(path, &decoded.text, &mut findings)?;
    for row in &rows {
        checker.check_row(row, &mut findings);
    }
    Ok((findings, rows.len() as u64))
}

/// The encoding a delimited file was read in.
fn encoding_of(table: &RawTable) -> &str {
    table.format.encoding.as_deref().unwrap_or_default()
}

/// Findings on a text file's byte-order mark and encoding.
fn check_text_format(bom: bool, encoding: &str, findings: &mut Findings) {
    if bom {
        findings.error(
            "bom",
            "the file starts with a byte-order mark (the spec wants UTF-8 without BOM)",
            None,
        );
    }
    if encoding != TextEncoding::Utf8.name() {
        findings.error(
            "encoding",
            &format!("the file is {encoding} (the spec wants UTF-8)"),
            None,
        );
    }
}

/// `...-YYYY-MM_YYYY-MM...` in a file name.
fn period_span(name: &str) -> Option<(Period, Period)> {
    let (a, b) = name.split_once('_')?;
    let first = Period::from_file_name(a)?;
    let last = Period::from_file_name(b)?;
    Some((first, last))
}

/// The spec column names of a UTF-8 file's first line that hold a byte-order mark (besides
/// one at the very start of the file, which is the file's own and reported as `bom`).
fn bom_header_names(path: &Path, delimiter: &str) -> Vec<String> {
    use std::io::Read as _;
    let Some(sep) = delimiter.chars().next() else {
        return Vec::new();
    };
    // a pipe cannot be read twice: only a regular file's header is looked at again
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&head);
    let first = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let line = first.lines().next().unwrap_or_default();
    line.split(sep)
        .map(|n| n.trim_matches('"'))
        .filter(|n| n.contains('\u{feff}'))
        .map(|n| n.replace('\u{feff}', ""))
        .filter(|n| COLUMNS.contains(&n.as_str()))
        .collect()
}

/// A data row: its number for messages and its 15 values (missing ones `None`).
struct Row {
    number: u64,
    values: Vec<Option<String>>,
}

fn csv_rows(
    path: &Path,
    table: RawTable,
    findings: &mut Findings,
    checker: &mut RowChecker,
    progress: &Progress,
    on_row: &mut dyn FnMut(&RawRow) -> Result<()>,
) -> Result<u64> {
    let delimiter = table.format.delimiter.as_deref().unwrap_or_default();
    // the reader takes a byte-order mark off every cell: look for one in the raw header names
    for name in bom_header_names(path, delimiter) {
        findings.error(
            "bom_in_name",
            &format!("the header name {name} holds a byte-order mark (U+FEFF), so readers do not find the column under its name: remove the mark"),
            Some(1),
        );
    }
    if delimiter != "," {
        findings.error(
            "delimiter",
            &format!("the delimiter is {delimiter} (the spec wants a comma)"),
            None,
        );
    }
    let mut header: Option<(usize, Vec<Option<usize>>)> = None;
    let mut count = 0u64;
    let told = |part, whole| progress.done(part, whole);
    table.for_each_row_telling(told, |r| {
        let Some((width, positions)) = &header else {
            let cells: Vec<&str> = r.cells.iter().collect();
            header = Some((r.cells.len(), check_header(&cells, findings)));
            if cells != COLUMNS {
                suggest_layout(&r, findings);
            }
            return Ok(());
        };
        if r.is_blank() {
            findings.error("blank_line", "blank line", Some(r.line));
            return Ok(());
        }
        if r.cells.len() != *width {
            findings.error(
                "field_count",
                &format!("the row does not have as many fields as the header ({width})"),
                Some(r.line),
            );
        }
        let values: Vec<Option<&str>> = positions
            .iter()
            .map(|p| p.and_then(|i| r.cells.get(i)))
            .collect();
        checker.check(r.line, &values, findings);
        count += 1;
        on_row(&r)
    })?;
    if header.is_none() {
        return Err(Error::unreadable(path, "the file holds no rows"));
    }
    Ok(count)
}

/// When a header that is not the spec's matches a built-in layout, say that `convert` turns the
/// file into the spec (a warning: the header finding already makes the file invalid).
fn suggest_layout(header: &RawRow, findings: &mut Findings) {
    let layouts = crate::layout::Layout::builtin();
    if let Ok(found) = crate::layout::detect(std::slice::from_ref(header), &layouts) {
        findings.warning(
            "convertible",
            &format!(
                "the columns match the built-in layout {}: reskontra convert turns the file into spec 1.1",
                found.layout.name
            ),
            None,
        );
    }
}

/// Check the header; returns, per spec column, its position in the file (if present).
fn check_header(header: &[&str], findings: &mut Findings) -> Vec<Option<usize>> {
    check_columns(header, &[], Some(1), findings)
}

/// Check that a file's columns are the spec's in order, but for those its path gives (Hive
/// partition keys); returns, per spec column, its position in the file (if present).
fn check_columns(
    header: &[&str],
    from_path: &[&str],
    row: Option<u64>,
    findings: &mut Findings,
) -> Vec<Option<usize>> {
    // a byte-order mark inside a name (not the file's first bytes, which the reader takes):
    // say so, and read the name it hides
    let cleaned: Vec<String> = header.iter().map(|h| h.replace('\u{feff}', "")).collect();
    for (raw, clean) in header.iter().zip(&cleaned) {
        if raw.len() != clean.len() && COLUMNS.contains(&clean.as_str()) {
            findings.error(
                "bom_in_name",
                &format!("the header name {clean} holds a byte-order mark (U+FEFF), so readers do not find the column under its name: remove the mark"),
                row,
            );
        }
    }
    let cleaned_refs: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    let header: &[&str] = if cleaned_refs.iter().zip(header).any(|(a, b)| a != b) {
        &cleaned_refs
    } else {
        header
    };
    let expected: Vec<&str> = COLUMNS
        .iter()
        .filter(|c| !from_path.contains(c))
        .copied()
        .collect();
    if header != expected.as_slice() {
        let missing: Vec<&str> = expected
            .iter()
            .filter(|c| !header.contains(c))
            .copied()
            .collect();
        let extra: Vec<&str> = header
            .iter()
            .filter(|h| !COLUMNS.contains(h))
            .copied()
            .collect();
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            parts.push(format!("unknown {}", extra.join(", ")));
        }
        if missing.is_empty() && extra.is_empty() {
            parts.push("columns out of order or repeated".to_string());
        }
        findings.error(
            "header",
            &format!(
                "the header is not exactly the spec's 15 columns: {}",
                parts.join("; ")
            ),
            row,
        );
    }
    COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h == c))
        .collect()
}

fn json_rows(path: &Path, text: &str, findings: &mut Findings) -> Result<Vec<Row>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::unreadable(path, format!("not valid JSON: {e}")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => match map.remove("results") {
            Some(serde_json::Value::Array(items)) => {
                envelope_finding(findings);
                items
            }
            _ => return Err(no_results(path)),
        },
        _ => return Err(not_an_array(path)),
    };
    Ok(items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| json_row(i as u64 + 1, item, findings))
        .collect())
}

fn envelope_finding(findings: &mut Findings) {
    findings.error(
        "json_shape",
        "a row-store envelope, not a top-level array",
        None,
    );
}

fn no_results(path: &Path) -> Error {
    Error::unreadable(
        path,
        "JSON is neither an array nor an envelope with results",
    )
}

fn not_an_array(path: &Path) -> Error {
    Error::unreadable(path, "JSON is not an array of objects")
}

/// The row of the `number`th element of a JSON file (`None` for an element that is not an
/// object), with findings on its keys and value types.
fn json_row(number: u64, item: serde_json::Value, findings: &mut Findings) -> Option<Row> {
    let serde_json::Value::Object(mut map) = item else {
        findings.error("json_shape", "an element is not an object", Some(number));
        return None;
    };
    // a byte-order mark inside a key (left by a tool that joined files): say so, and read
    // the key as the name it hides, so that its values are checked rather than called missing
    let with_bom: Vec<String> = map
        .keys()
        .filter(|k| k.contains('\u{feff}') && COLUMNS.contains(&k.replace('\u{feff}', "").as_str()))
        .cloned()
        .collect();
    for key in with_bom {
        let name = key.replace('\u{feff}', "");
        findings.error(
            "bom_in_name",
            &format!("the key {name} holds a byte-order mark (U+FEFF), so readers do not find it under its name: remove the mark"),
            Some(number),
        );
        if let Some(v) = map.remove(&key) {
            map.entry(name).or_insert(v);
        }
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    if keys.len() != COLUMNS.len() || keys.iter().any(|k| !COLUMNS.contains(k)) {
        findings.error(
            "json_keys",
            "the object does not have exactly the 15 spec keys",
            Some(number),
        );
    }
    let values = COLUMNS
        .iter()
        .map(|c| match map.remove(*c) {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => {
                findings.error("json_type", "a value is not a string", Some(number));
                Some(other.to_string())
            }
        })
        .collect();
    Some(Row { number, values })
}

/// Validate a JSON file row by row as it is parsed, without holding it: for UTF-8 files (the
/// spec's encoding; serde checks it as it parses) whose top level is an array or a row-store
/// envelope. `None` when the file is anything else (another encoding, not JSON, another
/// shape): the caller then reads it whole, which gives the same findings or error as ever.
fn stream_json(
    path: &Path,
    input: &Input,
    bom: bool,
    period_span: Option<(Period, Period)>,
    progress: &Progress,
) -> Result<Option<(Findings, u64, String)>> {
    let mut reader = TellingReader {
        inner: input.reader()?,
        read: 0,
        told: 0,
        whole: input.size(),
        progress,
        hasher: sha2::Sha256::new(),
    };
    let mut findings = Findings::default();
    let mut checker = RowChecker::new(period_span);
    let (mut elements, mut rows) = (0u64, 0u64);
    let on_event = |event: json_stream::Event| match event {
        json_stream::Event::Envelope => envelope_finding(&mut findings),
        json_stream::Event::Element(item) => {
            elements += 1;
            if let Some(row) = json_row(elements, item, &mut findings) {
                checker.check_row(&row, &mut findings);
                rows += 1;
            }
        }
    };
    // anything but rows, or JSON that does not parse, is left to the whole reading
    match crate::read::json::each_event(path, &mut reader, bom, on_event) {
        Ok(json_stream::Shape::Array | json_stream::Shape::Envelope) => {}
        _ => return Ok(None),
    }
    check_text_format(bom, TextEncoding::Utf8.name(), &mut findings);
    let sha256 = if reader.read == input.size() {
        crate::read::hex(&reader.hasher.finalize())
    } else {
        // the file changed while it was read: its hash is of what it is now
        input.sha256()?
    };
    Ok(Some((findings, rows, sha256)))
}

/// A reader that tells a [`Progress`] how many bytes are read (every MiB), and hashes them.
struct TellingReader<'p, R> {
    inner: R,
    read: u64,
    told: u64,
    whole: u64,
    progress: &'p Progress,
    hasher: sha2::Sha256,
}

impl<R: std::io::Read> std::io::Read for TellingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if self.read - self.told >= 1 << 20 {
            self.told = self.read;
            self.progress.done(self.read, self.whole);
        }
        Ok(n)
    }
}

fn is_amount(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    match body.split_once('.') {
        Some((int, dec)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && dec.len() == 2
                && dec.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn has_many_decimals(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    body.split_once('.').is_some_and(|(int, dec)| {
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && dec.len() > 2
            && dec.bytes().all(|b| b.is_ascii_digit())
    })
}

fn is_iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(&b[..4])?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..])?)
}

/// Whether a value is empty or white space only (most values start with a visible character).
fn is_blank(value: &str) -> bool {
    match value.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => value.trim().is_empty(),
    }
}

/// Row-level checks, one row at a time (so that large files stream).
struct RowChecker {
    period: Option<(Period, Period)>,
    buyer: Option<(String, String)>,
    /// A 64-bit hash of each row so far (a fixed seed: the same findings on every run).
    seen: HashSet<u64, foldhash::fast::FixedState>,
}

impl RowChecker {
    fn new(period: Option<(Period, Period)>) -> RowChecker {
        RowChecker {
            period,
            buyer: None,
            seen: HashSet::default(),
        }
    }

    /// Check a row read from JSON.
    fn check_row(&mut self, row: &Row, findings: &mut Findings) {
        let values: Vec<Option<&str>> = row.values.iter().map(Option::as_deref).collect();
        self.check(row.number, &values, findings);
    }

    /// Check a row's values (one per spec column, in order; `None` where the file has none).
    fn check(&mut self, number: u64, values: &[Option<&str>], findings: &mut Findings) {
        let idx = |name: &str| spec::column_index(name).unwrap_or(0);
        let period = self.period;
        let n = Some(number);
        let get = |name: &str| values[idx(name)].unwrap_or("");
        for (i, column) in COLUMNS.iter().enumerate().take(spec::MANDATORY_COUNT) {
            if values[i].is_none_or(is_blank) {
                if *column == "leverantor_id" {
                    findings.warning(
                        "leverantor_id_empty",
                        "leverantor_id is empty (a masked supplier, or none in the source)",
                        n,
                    );
                } else {
                    findings.error(
                        &format!("{column}_missing"),
                        &format!("mandatory {column} is empty"),
                        n,
                    );
                }
            }
        }
        let kopare_id = get("kopare_id");
        // (a plain valid organisation number, the usual case, needs no classifying)
        if !kopare_id.is_empty()
            && !is_organisation_number(kopare_id)
            && !matches!(classify_id(kopare_id), IdKind::Organisation(ref t) if t == kopare_id)
        {
            findings.error(
                "kopare_id_format",
                "kopare_id is not a valid 10-digit organisation number",
                n,
            );
        }
        let lev_id = get("leverantor_id");
        if !lev_id.is_empty() && !is_organisation_number(lev_id) {
            match classify_id(lev_id) {
                IdKind::Organisation(ref t) if t == lev_id => {}
                IdKind::Foreign(ref f) if f == lev_id => {}
                IdKind::Personal(_) => {} // reported by the privacy check below
                _ => findings.error(
                    "leverantor_id_format",
                    "leverantor_id is not a valid 10-digit organisation number or foreign id",
                    n,
                ),
            }
        }
        let belopp = get("belopp");
        if !belopp.is_empty() {
            if has_many_decimals(belopp) {
                findings.warning("belopp_decimals", "belopp has more than 2 decimals", n);
            } else if !is_amount(belopp) {
                findings.error(
                    "belopp_format",
                    "belopp is not a point-decimal amount with 2 decimals (-?digits.dd)",
                    n,
                );
            }
        }
        let datum = get("datum");
        if !datum.is_empty() {
            match is_iso_date(datum) {
                None => findings.error("datum_format", "datum is not a real date YYYY-MM-DD", n),
                Some(d) if !crate::date::YEARS.contains(&chrono::Datelike::year(&d)) => {
                    findings.error("datum_range", "datum is before 1900 or after 2100", n)
                }
                Some(d) => {
                    if let Some((first, last)) = period {
                        let p = Period::of(d);
                        if p < first || p > last {
                            findings.warning(
                                "datum_outside_period",
                                "datum is outside the period in the file name",
                                n,
                            );
                        }
                    }
                }
            }
        }
        let kommun = get("kommun_id");
        if !kommun.is_empty() && !spec::is_municipality_code(kommun) {
            findings.error(
                "kommun_id",
                "kommun_id is not one of the 290 municipality codes",
                n,
            );
        }
        let kopare = get("kopare");
        match &self.buyer {
            None => self.buyer = Some((kopare_id.to_string(), kopare.to_string())),
            Some((id, name)) if id != kopare_id || name != kopare => findings.error(
                "buyer_not_constant",
                "kopare_id/kopare differ from the first row",
                n,
            ),
            Some(_) => {}
        }
        for (i, value) in values.iter().enumerate() {
            let Some(v) = value else { continue };
            if contains_personal_number(v) {
                findings.error(
                    "personal_number",
                    &format!("a personal identity number in {}", COLUMNS[i]),
                    n,
                );
            }
            let is_text = spec::TEXT_COLUMNS.contains(&COLUMNS[i]) || COLUMNS[i] == "kopare";
            // a lone `-` (a placeholder for "none") runs nothing in a spreadsheet
            if is_text && is_formula_like(v) && v.trim() != "-" {
                findings.warning(
                    "formula_like",
                    &format!("{} starts with =, +, -, @ or a control character (spreadsheet formula risk)", COLUMNS[i]),
                    n,
                );
            }
        }
        let name = get("leverantor");
        if lev_id.is_empty() && is_person_shaped(name) {
            findings.error(
                "person_name",
                "leverantor is written as a person's name (SURNAME;FIRSTNAME or Surname, Firstname)",
                n,
            );
        }
        let hash =
            std::hash::BuildHasher::hash_one(&foldhash::quality::FixedState::default(), values);
        if !self.seen.insert(hash) {
            findings.warning("duplicate_row", "the row repeats an earlier row exactly", n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_and_month_from_the_path() {
        let path = Path::new("all/kopare_id=2120000142/ar=2024/manad=07/data.parquet");
        let keys = hive_keys(path);
        assert_eq!(
            keys,
            [
                ("kopare_id".to_string(), "2120000142".to_string()),
                ("ar".to_string(), "2024".to_string()),
                ("manad".to_string(), "07".to_string())
            ]
        );
        assert_eq!(partition_month(&keys), Period::parse("2024-07"));
        assert_eq!(partition_month(&keys[..2]), None);
        // engines escape characters that a folder name cannot hold
        assert_eq!(percent_decoded("A%2FB%20AB"), "A/B AB");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%C3%A5"), "%C3%A5"); // not ASCII: left as it is
    }

    #[test]
    fn parquet_dates_are_written_as_iso_dates() -> Result<()> {
        let days = [
            -800_000, -1, 0, 19_783, 19_784, 19_784, 2_932_896, 3_000_000,
        ];
        let column = Column::new("datum".into(), days).cast(&DataType::Date)?;
        let texts: Vec<Option<String>> = parquet_texts(&column)?
            .iter()
            .map(|t| t.map(str::to_string))
            .collect();
        let want: Vec<Option<String>> = days
            .iter()
            .map(|d| {
                let date = crate::date::date_from_days(*d);
                Some(date.format("%Y-%m-%d").to_string())
            })
            .collect();
        assert_eq!(texts, want);
        Ok(())
    }

    #[test]
    fn decimal_texts() {
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(0, 2), "0.00");
        assert_eq!(decimal_text(1005, 3), "1.005");
        assert_eq!(decimal_text(-42, 0), "-42");
    }

    #[test]
    fn amount_forms() {
        assert!(is_amount("0.00"));
        assert!(is_amount("-12.50"));
        assert!(!is_amount("12,50"));
        assert!(!is_amount("12.5"));
        assert!(!is_amount(".50"));
        assert!(!is_amount("1 200.00"));
        assert!(has_many_decimals("1.005"));
    }

    #[test]
    fn dates() {
        assert!(is_iso_date("2024-02-29").is_some());
        assert!(is_iso_date("2023-02-29").is_none());
        assert!(is_iso_date("20240229").is_none());
        // a sign or a space is no digit
        assert!(is_iso_date("-202-01-01").is_none());
        assert!(is_iso_date("+202-01-01").is_none());
        assert!(is_iso_date("2024-1-01 ").is_none());
        assert!(is_iso_date("2024-01-1å").is_none());
    }

    #[test]
    fn blank_values() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\u{a0}"));
        assert!(!is_blank("x"));
        assert!(!is_blank(" x"));
        assert!(!is_blank("Åkeri"));
    }

    proptest::proptest! {
        /// Every `YYYY-MM-DD` text is the date chrono makes of its numbers, or none.
        #[test]
        fn iso_dates_are_chronos(year in 0i32..10_000, month in 0u32..14, day in 0u32..33) {
            let text = format!("{year:04}-{month:02}-{day:02}");
            proptest::prop_assert_eq!(
                is_iso_date(&text),
                chrono::NaiveDate::from_ymd_opt(year, month, day)
            );
        }

        /// A row is a duplicate exactly when its values repeat an earlier row's.
        #[test]
        fn duplicates_are_repeated_rows(
            rows in proptest::collection::vec(
                proptest::collection::vec(proptest::option::of("[ab]{0,2}"), 15), 1..30)
        ) {
            let mut checker = RowChecker::new(None);
            let mut findings = Findings::default();
            let mut want = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let values: Vec<Option<&str>> = row.iter().map(Option::as_deref).collect();
                checker.check(i as u64 + 1, &values, &mut findings);
                if rows[..i].contains(row) {
                    want.push(i as u64 + 1);
                }
            }
            let got = findings
                .into_vec()
                .into_iter()
                .find(|f| f.check == "duplicate_row")
                .map(|f| (f.count, f.rows));
            let shown = want.iter().copied().take(ROWS_SHOWN).collect::<Vec<_>>();
            proptest::prop_assert_eq!(got, (!want.is_empty()).then_some((want.len() as u64, shown)));
        }
    }

    mod json_streaming {
        use super::*;
        use proptest::prelude::*;

        /// A JSON value for a spec column: a text (sometimes an amount, a date or a personal
        /// number), null, or a number.
        fn value() -> impl Strategy<Value = serde_json::Value> {
            prop_oneof![
                Just(serde_json::json!("Kontor AB")),
                Just(serde_json::json!("12.50")),
                Just(serde_json::json!("2024-03-01")),
                Just(serde_json::json!("8503142396")),
                Just(serde_json::Value::Null),
                Just(serde_json::json!(7)),
            ]
        }

        /// An element: an object with some of the spec keys (and sometimes another key), or a
        /// scalar.
        fn element() -> impl Strategy<Value = serde_json::Value> {
            prop_oneof![
                4 => (proptest::collection::vec(value(), 15), any::<u16>(), any::<bool>())
                    .prop_map(|(values, keep, extra)| {
                        let mut map = serde_json::Map::new();
                        for (i, (c, v)) in COLUMNS.iter().zip(values).enumerate() {
                            if keep >> (i % 16) & 1 == 1 || i > 13 {
                                map.insert(c.to_string(), v);
                            }
                        }
                        if extra {
                            map.insert("extra".into(), serde_json::json!("x"));
                        }
                        serde_json::Value::Object(map)
                    }),
                1 => Just(serde_json::json!(1)),
                1 => Just(serde_json::json!("text")),
            ]
        }

        /// A file: an array, an envelope, an object without results, results that are not an
        /// array, a scalar, or broken JSON; with or without a BOM, in UTF-8 or Windows-1252.
        fn file() -> impl Strategy<Value = Vec<u8>> {
            let rows = proptest::collection::vec(element(), 0..6);
            (rows, 0..6u8, any::<bool>(), any::<bool>()).prop_map(|(rows, shape, bom, latin)| {
                let rows = serde_json::Value::Array(rows);
                let text = match shape {
                    0 => rows.to_string(),
                    1 => serde_json::json!({"next": null, "results": rows}).to_string(),
                    2 => serde_json::json!({"next": null}).to_string(),
                    3 => serde_json::json!({"results": {"a": rows}}).to_string(),
                    4 => "[\"unterminated\"".to_string(),
                    _ => format!("{rows} trailing"),
                };
                let mut bytes = if bom {
                    b"\xEF\xBB\xBF".to_vec()
                } else {
                    Vec::new()
                };
                if latin {
                    // a Windows-1252 letter inside a string
                    bytes.extend(text.replacen("Kontor", "K\u{e5}ntor", 1).chars().map(|c| {
                        if c == '\u{e5}' {
                            0xE5
                        } else {
                            c as u8
                        }
                    }));
                } else {
                    bytes.extend(text.bytes());
                }
                bytes
            })
        }

        fn outcome(r: Result<(Findings, u64)>) -> std::result::Result<(Vec<Finding>, u64), String> {
            r.map(|(f, n)| (f.into_vec(), n)).map_err(|e| e.to_string())
        }

        proptest! {
            /// Validating a JSON file as it is parsed gives the findings (or the error) of
            /// reading it whole.
            #[test]
            fn streaming_agrees_with_reading_whole(bytes in file()) {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("leverantorsreskontra-2024-03.json");
                std::fs::write(&path, &bytes).unwrap();
                let span = Period::from_file_name("leverantorsreskontra-2024-03.json")
                    .map(|p| (p, p));
                let input = Input::open(&path, 1 << 16).unwrap();
                let bom = input.start().starts_with(b"\xEF\xBB\xBF");
                let whole = outcome(validate_json_whole(&path, Input::open(&path, 1 << 16).unwrap(), span));
                match stream_json(&path, &input, bom, span, &Progress::default()).unwrap() {
                    Some((findings, rows, sha256)) => {
                        prop_assert_eq!(sha256, crate::read::sha256_hex(&bytes));
                        prop_assert_eq!(outcome(Ok((findings, rows))), whole);
                    }
                    // only what the whole reading refuses, or reads in another encoding, or
                    // with another shape, is left to it
                    None => prop_assert!(
                        whole.is_err()
                            || bytes.contains(&0xE5)
                    ),
                }
            }
        }
    }
}
