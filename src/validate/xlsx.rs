//! Validating the Excel copy: each cell as stored (text, number, date) and each row.

use super::checks::{check_columns, is_blank, RowChecker};
use super::findings::Findings;
use crate::date::Period;
use crate::error::{Error, Result};
use crate::ident::contains_personal_number;
use crate::read::Input;
use crate::spec::COLUMNS;
use std::path::Path;

/// Validate an xlsx file (this tool's Excel copy; a zip file that is no workbook is unreadable):
/// the first sheet's header, and each of its rows checked as a CSV row, every cell turned into
/// the text a CSV would have ([`crate::xlsx::spec_text`]). A column stored in another type than
/// this tool writes is a finding: an amount or date stored as text a warning (checked as text),
/// a number in a text column an error (an identifier may have lost its leading zeros, as
/// `0180` becomes `180`), as a date or a true/false where none belongs. Other sheets are
/// scanned for personal numbers only. Rows are the sheet's rows (the header is row 1).
pub(super) fn validate_xlsx(
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
pub(super) fn xlsx_findings(
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
pub(super) fn stored_finding(
    column: &str,
    stored: crate::xlsx::Stored,
    row: u64,
    findings: &mut Findings,
) {
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
