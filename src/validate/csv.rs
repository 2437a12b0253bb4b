//! Validating a CSV file: its encoding, byte-order mark, line endings and delimiter, then each
//! row, read a piece at a time.

use super::checks::{check_header, suggest_layout, RowChecker};
use super::findings::Findings;
use crate::date::Period;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::read::encoding::TextEncoding;
use crate::read::{Input, RawRow, RawTable, ReadOptions};
use crate::rules;
use crate::spec::COLUMNS;
use std::path::Path;

/// Validate a CSV input; returns the findings, the number of data rows and the file's SHA-256.
pub(super) fn validate_csv(
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
pub(super) fn check_line_endings(endings: &str, findings: &mut Findings) {
    match endings {
        "LF" | "none" => {}
        "CRLF" => findings.rule_with(&rules::LINE_ENDINGS_CRLF, &[], None),
        other => findings.rule_with(&rules::LINE_ENDINGS, &[("endings", other)], None),
    }
}

/// The encoding a delimited file was read in.
pub(super) fn encoding_of(table: &RawTable) -> &str {
    table.format.encoding.as_deref().unwrap_or_default()
}

/// Findings on a text file's byte-order mark and encoding.
pub(super) fn check_text_format(bom: bool, encoding: &str, findings: &mut Findings) {
    if bom {
        findings.rule_with(&rules::BOM, &[], None);
    }
    if encoding != TextEncoding::Utf8.name() {
        findings.rule_with(&rules::ENCODING, &[("encoding", encoding)], None);
    }
}

/// The spec column names of a UTF-8 file's first line that hold a byte-order mark (besides
/// one at the very start of the file, which is the file's own and reported as `bom`).
pub(super) fn bom_header_names(path: &Path, delimiter: &str) -> Vec<String> {
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

/// Whether a file's columns are exactly the spec's, in order (then a row's values are its
/// cells).
fn cells_are_values(positions: &[Option<usize>], width: usize) -> bool {
    width == positions.len() && positions.iter().enumerate().all(|(i, p)| *p == Some(i))
}

pub(super) fn csv_rows(
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
        findings.rule_with(&rules::DELIMITER, &[("delimiter", delimiter)], None);
    }
    let mut header: Option<(usize, Vec<Option<usize>>)> = None;
    let mut count = 0u64;
    let told = |part, whole| progress.done(part, whole);
    table.for_each_row_telling(told, |r| {
        let Some((width, positions)) = &header else {
            let cells: Vec<&str> = r.cells.iter().collect();
            header = Some((r.cells.len(), check_header(&cells, findings)));
            if cells != COLUMNS {
                suggest_layout(r, findings);
            }
            return Ok(());
        };
        if r.is_blank() {
            findings.error("blank_line", "blank line", Some(r.line));
            return Ok(());
        }
        if r.cells.len() != *width {
            let width = width.to_string();
            findings.rule_with(&rules::FIELD_COUNT, &[("width", &width)], Some(r.line));
        }
        let mut values = [None; COLUMNS.len()];
        for (value, p) in values.iter_mut().zip(positions) {
            *value = p.and_then(|i| r.cells.get(i));
        }
        checker.check_values(r.line, &values, findings);
        if cells_are_values(positions, *width) {
            checker.check_duplicate(r.line, &values, findings);
        } else {
            // a duplicate repeats every cell of the file's own columns
            let cells: Vec<Option<&str>> = r.cells.iter().map(Some).collect();
            checker.check_duplicate(r.line, &cells, findings);
        }
        count += 1;
        on_row(r)
    })?;
    if header.is_none() {
        return Err(Error::unreadable(path, "the file holds no rows"));
    }
    Ok(count)
}
