//! Excel and ODS workbooks through calamine.

use super::{RawRow, RawTable, ReadOptions, SourceFormat};
use crate::error::{Error, Result};
use calamine::{Data, Reader, Sheets};
use std::io::Cursor;
use std::path::Path;

/// The text of one cell. Floats use their shortest decimal text (`3270.5`), so amounts never
/// go through f64 arithmetic; dates become `YYYY-MM-DD` (with the time when it is not midnight).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                float_text(dt.as_f64())
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Shortest decimal text of a float, without exponent.
pub fn float_text(f: f64) -> String {
    if f.is_finite() {
        // Rust's Display gives the shortest text that round-trips, never an exponent.
        format!("{f}")
    } else {
        String::new()
    }
}

fn open(path: &Path, bytes: Vec<u8>) -> Result<Sheets<Cursor<Vec<u8>>>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let cursor = Cursor::new(bytes);
    let opened = match ext.as_str() {
        "xls" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xls)
            .map_err(calamine::Error::Xls),
        "xlsx" | "xlsm" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::Xlsx),
        "xlsb" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::Xlsb),
        "ods" => calamine::open_workbook_from_rs(cursor)
            .map(Sheets::Ods)
            .map_err(calamine::Error::Ods),
        _ => calamine::open_workbook_auto_from_rs(cursor),
    };
    opened.map_err(|e| workbook_error(path, &e))
}

fn workbook_error(path: &Path, e: &calamine::Error) -> Error {
    let text = e.to_string();
    let lower = text.to_lowercase();
    let message = if lower.contains("password") || lower.contains("encrypt") {
        "the workbook is password protected (encrypted); save an unprotected copy".to_string()
    } else {
        format!("cannot read the workbook (truncated or not a workbook?): {text}")
    };
    Error::unreadable(path, message)
}

/// Read a workbook sheet: `--sheet` if given, else the first visible sheet whose header a
/// layout (or the synonyms) recognises ([`ReadOptions::recognise`]), else the first visible
/// sheet holding data. The table's format says which sheet and why, and lists the others.
pub fn read_workbook(path: &Path, bytes: Vec<u8>, options: &ReadOptions) -> Result<RawTable> {
    let path_buf = path.to_path_buf();
    let sheet_opt = options.sheet.clone();
    let recognise = options.recognise.clone();
    // calamine is third-party code fed with untrusted bytes: never let it take the process down
    crate::error::catch_panics(
        move || read_workbook_inner(&path_buf, bytes, sheet_opt, &recognise),
        |_| Error::unreadable(path, "the workbook is malformed (the reader gave up)"),
    )
}

/// The rows of a sheet.
fn sheet_rows(
    workbook: &mut Sheets<Cursor<Vec<u8>>>,
    path: &Path,
    name: &str,
) -> Result<Vec<RawRow>> {
    let range = workbook
        .worksheet_range(name)
        .map_err(|e| workbook_error(path, &e))?;
    let (row0, _) = range.start().unwrap_or((0, 0));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| RawRow {
            line: u64::from(row0) + i as u64 + 1,
            cells: cells.iter().map(cell_text).collect(),
        })
        .collect())
}

fn read_workbook_inner(
    path: &Path,
    bytes: Vec<u8>,
    sheet: Option<String>,
    recognise: &super::Recogniser,
) -> Result<RawTable> {
    let mut workbook = open(path, bytes)?;
    let names = workbook.sheet_names();
    let hidden: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let others = |chosen: &str| -> Vec<String> {
        names
            .iter()
            .filter(|n| n.as_str() != chosen)
            .map(|n| {
                if hidden.contains(n) {
                    format!("{n} (hidden)")
                } else {
                    n.clone()
                }
            })
            .collect()
    };
    let table = |rows: Vec<RawRow>, name: &str, reason: Option<String>| {
        RawTable::new(
            path,
            SourceFormat {
                kind: "workbook".into(),
                sheet: Some(name.to_string()),
                sheet_reason: reason,
                other_sheets: others(name),
                ..SourceFormat::default()
            },
            rows,
        )
    };
    if sheet.is_none() {
        // the first visible sheet whose header is recognised; else the first holding data
        let mut first_with_data: Option<(String, Vec<RawRow>)> = None;
        for name in names.iter().filter(|n| !hidden.contains(n)) {
            let rows = sheet_rows(&mut workbook, path, name)?;
            let head = &rows[..rows.len().min(crate::read::HEADER_SEARCH_ROWS)];
            if let Some(by) = recognise.recognise(head) {
                let reason = format!("the first visible sheet whose header {by} recognises");
                return Ok(table(rows, name, Some(reason)));
            }
            if first_with_data.is_none() && rows.iter().any(|r| !r.is_blank()) {
                first_with_data = Some((name.clone(), rows));
            }
        }
        if let Some((name, rows)) = first_with_data {
            let reason =
                "the first visible sheet holding data (no layout recognises a header in any)"
                    .to_string();
            return Ok(table(rows, &name, Some(reason)));
        }
    }
    let candidates: Vec<String> = match &sheet {
        Some(wanted) => {
            if !names.iter().any(|n| n == wanted) {
                return Err(Error::Usage(format!(
                    "{}: no sheet named '{wanted}'; the sheets are: {}",
                    path.display(),
                    names.join(", ")
                )));
            }
            vec![wanted.clone()]
        }
        None => names.clone(),
    };
    for name in &candidates {
        let rows = sheet_rows(&mut workbook, path, name)?;
        // a hidden sheet is read only when named with --sheet
        if sheet.is_some() || (rows.iter().any(|r| !r.is_blank()) && !hidden.contains(name)) {
            let reason = sheet.as_ref().map(|_| "chosen with --sheet".to_string());
            return Ok(table(rows, name, reason));
        }
    }
    Err(Error::unreadable(
        path,
        "the workbook has no sheet holding data",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_shortest_text() {
        assert_eq!(float_text(3270.5), "3270.5");
        assert_eq!(float_text(46362.0), "46362");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(-12.34), "-12.34");
        assert_eq!(float_text(1e16), "10000000000000000");
        assert_eq!(float_text(f64::NAN), "");
    }
}
