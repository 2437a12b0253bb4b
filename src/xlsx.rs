//! The Excel copy of the published rows (`--formats xlsx`), for people who open the files in a
//! spreadsheet: identifiers stay text (`0180` keeps its zero), `belopp` is a number and `datum`
//! a date. And the reading back of an xlsx file with calamine, for the privacy scan before a run
//! publishes it and for `reskontra validate`.
//!
//! The CSV stays the exact source: the workbook's amount is the float nearest to the CSV's
//! decimal text.

use crate::error::{Error, Result};
use crate::read::workbook::{cell_text, float_text};
use crate::spec::COLUMNS;
use crate::texts::SpecTable;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, Workbook, XlsxError};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

/// The name of the workbook's one sheet.
pub const SHEET: &str = "leverantorsreskontra";

/// The rows an Excel sheet holds, the header row included.
pub const SHEET_ROWS: u64 = 1_048_576;

/// The creation time written into every workbook (`docProps/core.xml`): a fixed one, so that the
/// same rows give the same bytes.
const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// How a spec column is stored in the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A text cell formatted as text (`@`).
    Text,
    /// A number with two decimals (`0.00`).
    Amount,
    /// A date (`yyyy-mm-dd`).
    Date,
}

fn kind_of(column: &str) -> Kind {
    match column {
        "belopp" => Kind::Amount,
        "datum" => Kind::Date,
        _ => Kind::Text,
    }
}

/// Column widths (in characters) that show a typical value whole.
fn width_of(column: &str) -> f64 {
    match column {
        "kopare" | "leverantor" | "konto_text" | "forvaltning" | "grund" | "avtal" => 32.0,
        "belopp" | "datum" | "kopare_id" | "leverantor_id" => 12.0,
        _ => 10.0,
    }
}

/// An xlsx error on `path` as the crate's error.
fn write_error(path: &Path, e: XlsxError) -> Error {
    match e {
        XlsxError::IoError(io) => Error::io(path, io),
        XlsxError::MaxStringLengthExceeded => Error::Usage(format!(
            "{}: a text is longer than the 32,767 characters an Excel cell holds: leave xlsx out \
             of --formats (the CSV has every text whole)",
            path.display()
        )),
        other => Error::Internal(format!("writing {}: {other}", path.display())),
    }
}

/// The error for a run that publishes more rows than a sheet holds.
pub fn too_many_rows(rows: u64) -> Error {
    Error::Usage(format!(
        "the run publishes {rows} rows, more than the {} an Excel sheet holds: leave xlsx out of \
         --formats (the CSV and Parquet files have every row)",
        SHEET_ROWS - 1
    ))
}

/// The cell formats of the three kinds.
struct CellFormats {
    text: CellFormat,
    amount: CellFormat,
    date: CellFormat,
}

impl CellFormats {
    fn new() -> CellFormats {
        CellFormats {
            text: CellFormat::new().set_num_format("@"),
            amount: CellFormat::new().set_num_format("0.00"),
            date: CellFormat::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// The workbook of a run, written a batch at a time: the rows go to a temporary file beside it
/// (constant memory mode) and the workbook is put together when it is finished.
pub struct XlsxSink {
    path: PathBuf,
    workbook: Workbook,
    formats: CellFormats,
    kinds: Vec<Kind>,
    /// The sheet row the next data row goes to (row 0 is the header).
    next_row: u64,
}

impl XlsxSink {
    /// Start the workbook at `path`: its one sheet with the spec header.
    pub fn create(path: &Path) -> Result<XlsxSink> {
        let error = |e| write_error(path, e);
        let mut workbook = Workbook::new();
        let (year, month, day) = CREATED;
        let created = ExcelDateTime::from_ymd(year, month, day).map_err(error)?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            workbook.set_tempdir(dir).map_err(error)?;
        }
        let sheet = workbook.add_worksheet_with_constant_memory();
        sheet.set_name(SHEET).map_err(error)?;
        sheet.set_freeze_panes(1, 0).map_err(error)?;
        for (j, name) in COLUMNS.iter().enumerate() {
            let col = j as u16;
            sheet.set_column_width(col, width_of(name)).map_err(error)?;
            sheet.write_string(0, col, *name).map_err(error)?;
        }
        Ok(XlsxSink {
            path: path.to_path_buf(),
            workbook,
            formats: CellFormats::new(),
            kinds: COLUMNS.iter().map(|c| kind_of(c)).collect(),
            next_row: 1,
        })
    }

    /// Append a batch's rows (their spec texts, the formula guard already applied).
    pub fn write(&mut self, table: &SpecTable) -> Result<()> {
        let rows = self.next_row - 1 + table.height() as u64;
        if rows >= SHEET_ROWS {
            return Err(too_many_rows(rows));
        }
        let Self {
            path,
            workbook,
            formats,
            kinds,
            next_row,
        } = self;
        let sheet = workbook
            .worksheet_from_index(0)
            .map_err(|e| write_error(path, e))?;
        table.for_each_row(|row| {
            let at = u32::try_from(*next_row).map_err(|_| too_many_rows(*next_row))?;
            for (j, (text, kind)) in row.iter().zip(kinds.iter()).enumerate() {
                write_cell(sheet, formats, (at, j as u16), text, *kind)
                    .map_err(|e| write_error(path, e))?;
            }
            *next_row += 1;
            Ok::<(), Error>(())
        })
    }

    /// Put the workbook together and sync it; returns its SHA-256 as lower-case hex.
    pub fn finish(mut self) -> Result<String> {
        let path = &self.path;
        let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        let mut out = std::io::BufWriter::new(file);
        self.workbook
            .save_to_writer(&mut out)
            .map_err(|e| write_error(path, e))?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(path, e))?;
        let (sha256, _) = crate::read::sha256_file(path).map_err(|e| Error::io(path, e))?;
        Ok(sha256)
    }
}

/// Write one spec text into its cell: nothing for an empty text, else a text, a number or a
/// date. A text is always written as a string, never as a formula.
fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    formats: &CellFormats,
    (row, col): (u32, u16),
    text: &str,
    kind: Kind,
) -> std::result::Result<(), XlsxError> {
    if text.is_empty() {
        return Ok(());
    }
    match (kind, amount_value(text), date_value(text)) {
        (Kind::Amount, Some(value), _) => {
            sheet.write_number_with_format(row, col, value, &formats.amount)?;
        }
        (Kind::Date, _, Some(date)) => {
            sheet.write_datetime_with_format(row, col, date, &formats.date)?;
        }
        // (a spec text is always an amount or a date in these columns; anything else stays text)
        _ => {
            sheet.write_string_with_format(row, col, text, &formats.text)?;
        }
    }
    Ok(())
}

/// The number of an amount text `-?digits.dd` (the float nearest to it).
fn amount_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The date of a `YYYY-MM-DD` text, within Excel's dates.
fn date_value(text: &str) -> Option<ExcelDateTime> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse::<u16>().ok()?;
    let month = parts.next()?.parse::<u8>().ok()?;
    let day = parts.next()?.parse::<u8>().ok()?;
    ExcelDateTime::from_ymd(year, month, day).ok()
}

/// The error for a workbook calamine cannot read.
fn read_error(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::unreadable(path, format!("not a readable xlsx file: {e}"))
}

/// Open an xlsx workbook from bytes.
pub fn open(path: &Path, bytes: Vec<u8>) -> Result<Xlsx<std::io::Cursor<Vec<u8>>>> {
    Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| read_error(path, &e))
}

/// Hand each row of a sheet to `f`, in order: its sheet row (0 for the first) and its cells by
/// column (missing cells empty, up to the last cell the row has). Rows without cells are not
/// handed on. The sheet is read as a stream of cells, not held whole.
pub fn for_each_row<RS: Read + Seek>(
    path: &Path,
    workbook: &mut Xlsx<RS>,
    sheet: &str,
    mut f: impl FnMut(u32, &[Data]) -> Result<()>,
) -> Result<()> {
    let mut cells = workbook
        .worksheet_cells_reader(sheet)
        .map_err(|e| read_error(path, &e))?;
    let mut current: Option<(u32, Vec<Data>)> = None;
    while let Some(cell) = cells.next_cell().map_err(|e| read_error(path, &e))? {
        let (row, col) = cell.get_position();
        let value: Data = cell.get_value().clone().into();
        if value == Data::Empty {
            continue; // a formatted cell without a value
        }
        if current.as_ref().is_some_and(|(r, _)| *r != row) {
            if let Some((r, values)) = current.take() {
                f(r, &values)?;
            }
        }
        let (_, values) = current.get_or_insert_with(|| (row, Vec::new()));
        let col = col as usize;
        if values.len() <= col {
            values.resize(col + 1, Data::Empty);
        }
        values[col] = value;
    }
    if let Some((r, values)) = current {
        f(r, &values)?;
    }
    Ok(())
}

/// Cells of an xlsx file (every sheet) holding a personal identity number: each cell as the text
/// it shows (numbers by their shortest decimal text). A damaged file is unreadable, never a
/// panic.
pub fn personal_number_hits(path: &Path) -> Result<u64> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    crate::error::catch_panics(
        || {
            let mut workbook = open(path, bytes)?;
            let mut hits = 0u64;
            for sheet in workbook.sheet_names() {
                for_each_row(path, &mut workbook, &sheet, |_, cells| {
                    hits += cells
                        .iter()
                        .filter(|cell| !matches!(cell, Data::Empty))
                        .filter(|cell| crate::ident::contains_personal_number(&cell_text(cell)))
                        .count() as u64;
                    Ok(())
                })?;
            }
            Ok(hits)
        },
        |_| Error::unreadable(path, "not a readable xlsx file (the reader gave up)"),
    )
}

/// How a cell of a spec column is stored, when it is not what this tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// What this tool writes (or an empty cell).
    AsWritten,
    /// A text where a number or date is wanted (`belopp`, `datum`): checked as text.
    Text,
    /// A number where a text is wanted (an identifier may have lost its leading zeros), or
    /// where a date is wanted.
    Number,
    /// A date where a text or number is wanted.
    Date,
    /// A true/false or an error value.
    Other,
}

/// A cell of a spec column as the text a CSV row would have, and how it is stored: text cells
/// as they are; a `belopp` number as `-?digits.dd` (more decimals kept, for the checks to see);
/// a `datum` date as `YYYY-MM-DD`; a number in a text column as its integer text.
pub fn spec_text(column: &str, cell: &Data) -> (String, Stored) {
    let kind = kind_of(column);
    let stored = match (kind, cell) {
        (_, Data::Empty) => Stored::AsWritten,
        (Kind::Text, Data::String(_)) => Stored::AsWritten,
        (Kind::Amount, Data::Float(_) | Data::Int(_)) => Stored::AsWritten,
        (Kind::Date, Data::DateTime(d)) if !d.is_duration() => Stored::AsWritten,
        (_, Data::String(_) | Data::DateTimeIso(_) | Data::DurationIso(_)) => Stored::Text,
        (_, Data::Float(_) | Data::Int(_)) => Stored::Number,
        (_, Data::DateTime(_)) => Stored::Date,
        (_, Data::Bool(_) | Data::Error(_)) => Stored::Other,
    };
    let text = match (kind, cell) {
        (Kind::Amount, Data::Float(f)) => amount_text(*f),
        (Kind::Amount, Data::Int(i)) => format!("{i}.00"),
        (Kind::Text, Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{f:.0}"),
        _ => cell_text(cell),
    };
    (text, stored)
}

/// An amount's text from its number: at least two decimals (`720` → `720.00`), more when the
/// number has them (its shortest decimal text, which the amount check then flags).
fn amount_text(value: f64) -> String {
    let text = float_text(value);
    match text.split_once('.') {
        None if text.is_empty() => text,
        None => format!("{text}.00"),
        Some((_, decimals)) if decimals.len() == 1 => format!("{text}0"),
        Some(_) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_decimals() {
        assert_eq!(amount_text(720.0), "720.00");
        assert_eq!(amount_text(12.5), "12.50");
        assert_eq!(amount_text(-0.05), "-0.05");
        assert_eq!(amount_text(12345.67), "12345.67");
        assert_eq!(amount_text(1.005), "1.005");
        assert_eq!(amount_text(f64::NAN), "");
        // the amount written is the float nearest to the decimal text, which reads back the same
        for text in ["0.01", "-1234567.89", "99999999999.99", "0.10"] {
            assert_eq!(amount_text(amount_value(text).unwrap()), text);
        }
    }

    #[test]
    fn cells_as_csv_texts() {
        let text = |column: &str, cell: Data| spec_text(column, &cell);
        assert_eq!(
            text("kommun_id", Data::String("0180".into())),
            ("0180".into(), Stored::AsWritten)
        );
        assert_eq!(
            text("kommun_id", Data::Float(180.0)),
            ("180".into(), Stored::Number)
        );
        assert_eq!(
            text("leverantor_id", Data::Float(5569012346.0)),
            ("5569012346".into(), Stored::Number)
        );
        assert_eq!(
            text("belopp", Data::Float(-720.5)),
            ("-720.50".into(), Stored::AsWritten)
        );
        assert_eq!(
            text("belopp", Data::String("720.00".into())),
            ("720.00".into(), Stored::Text)
        );
        assert_eq!(
            text("datum", Data::Float(45412.0)),
            ("45412".into(), Stored::Number)
        );
        assert_eq!(
            text("grund", Data::Empty),
            (String::new(), Stored::AsWritten)
        );
        assert_eq!(text("grund", Data::Bool(true)).1, Stored::Other);
    }

    /// A table of the given rows (each 15 texts).
    fn table(rows: &[[&'static str; 15]]) -> SpecTable<'static> {
        let columns = (0..COLUMNS.len())
            .map(|j| {
                crate::texts::SpecColumn::Texts(
                    rows.iter()
                        .map(|r| std::borrow::Cow::Borrowed(r[j]))
                        .collect(),
                )
            })
            .collect();
        SpecTable {
            columns,
            changed: vec![false; COLUMNS.len()],
        }
    }

    #[test]
    fn rows_read_back_as_the_texts_written() -> Result<()> {
        let rows = [
            [
                "2120000142",
                "Exempelby kommun",
                "0007",
                "'=HYPERLINK(\"x\") AB",
                "5569012346",
                "04610",
                "Läromedel",
                "-0.05",
                "2024-02-29",
                "",
                "00123",
                "",
                "",
                "0180",
                "0",
            ],
            [
                "2120000142",
                "Exempelby kommun",
                "A-1",
                "+46 AB",
                "",
                "4010",
                "x",
                "99999999999.99",
                "1900-03-01",
                "UN",
                "",
                "LOU",
                "https://a.se/?a=1",
                "",
                "",
            ],
        ];
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("tmp"), e))?;
        let path = dir.path().join("t.xlsx");
        let mut sink = XlsxSink::create(&path)?;
        sink.write(&table(&rows))?;
        sink.finish()?;
        let mut workbook = open(
            &path,
            std::fs::read(&path).map_err(|e| Error::io(&path, e))?,
        )?;
        let mut read = Vec::new();
        for_each_row(&path, &mut workbook, SHEET, |row, cells| {
            let texts: Vec<(String, Stored)> = COLUMNS
                .iter()
                .enumerate()
                .map(|(j, c)| spec_text(c, cells.get(j).unwrap_or(&Data::Empty)))
                .collect();
            read.push((row, texts));
            Ok(())
        })?;
        assert_eq!(read.len(), 3);
        assert_eq!(
            read[0]
                .1
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>(),
            COLUMNS
        );
        for (written, (row, texts)) in rows.iter().zip(&read[1..]) {
            let texts: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
            assert_eq!(texts, written, "row {row}");
            assert!(read[*row as usize]
                .1
                .iter()
                .all(|(_, s)| *s == Stored::AsWritten));
        }
        Ok(())
    }

    #[test]
    fn a_sheet_holds_at_most_a_million_rows() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("tmp"), e))?;
        let mut sink = XlsxSink::create(&dir.path().join("t.xlsx"))?;
        let rows = |n: u64| SpecTable {
            columns: vec![crate::texts::SpecColumn::Made {
                text: String::new(),
                ends: vec![0; n as usize],
            }],
            changed: vec![false],
        };
        let refused = sink.write(&rows(SHEET_ROWS)).map_err(|e| e.to_string());
        assert_eq!(refused, Err(too_many_rows(SHEET_ROWS).to_string()));
        assert!(refused.is_err_and(|e| e.contains("leave xlsx out of --formats")));
        Ok(())
    }

    #[test]
    fn dates_within_excel() {
        assert!(date_value("2024-04-30").is_some());
        assert!(date_value("2024-02-30").is_none());
        assert!(date_value("2024-13-01").is_none());
        assert!(date_value("20240430").is_none());
    }
}
