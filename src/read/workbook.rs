//! Excel and ODS workbooks through calamine.
//!
//! A sheet's rows are read the way a delimited file's lines are: row `n` of the sheet is line
//! `n`, its cells start at column A, and a row ends at its last cell holding text. An xlsx or
//! xlsb sheet is streamed: calamine's cell reader runs on a thread of its own and hands the
//! rows on as they are assembled, so a sheet of a million rows is never held whole; xls and
//! ods sheets are read whole by calamine (it has no cell reader for them) and handed on the
//! same way.

use super::{Cells, RawRow, RawTable, ReadOptions, ReceivedRows, RowSource, SourceFormat};
use crate::error::{Error, Result};
use calamine::{Data, DataRef, Reader, Sheets};
use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

/// The text of one cell. Floats use their shortest decimal text (`3270.5`), so amounts never
/// go through f64 arithmetic; dates become `YYYY-MM-DD` (with the time when it is not midnight).
pub fn cell_text(cell: &Data) -> String {
    let mut text = String::new();
    write_cell_text(cell, &mut text);
    text
}

/// Append [`cell_text`] of a cell to `out`.
fn write_cell_text(cell: &Data, out: &mut String) {
    use std::fmt::Write as _;
    // writing into a String cannot fail
    let _ = match cell {
        Data::Empty => Ok(()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            out.push_str(s);
            Ok(())
        }
        Data::Int(i) => write!(out, "{i}"),
        Data::Float(f) => write_float(*f, out),
        Data::Bool(b) => {
            out.push_str(if *b { "TRUE" } else { "FALSE" });
            Ok(())
        }
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                write_float(dt.as_f64(), out)
            } else if (h, mi, s) == (0, 0, 0) {
                write!(out, "{y:04}-{mo:02}-{d:02}")
            } else {
                write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::Error(e) => write!(out, "#{e:?}"),
    };
}

/// Shortest decimal text of a float, without exponent.
pub fn float_text(f: f64) -> String {
    let mut text = String::new();
    let _ = write_float(f, &mut text);
    text
}

/// Append [`float_text`] of a float to `out` (nothing for one that is not finite).
fn write_float(f: f64, out: &mut String) -> std::fmt::Result {
    use std::fmt::Write as _;
    if f.is_finite() {
        // Rust's Display gives the shortest text that round-trips, never an exponent.
        write!(out, "{f}")
    } else {
        Ok(())
    }
}

fn open(path: &Path, bytes: Vec<u8>) -> Result<Book> {
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

/// An open workbook.
type Book = Sheets<Cursor<Vec<u8>>>;

/// What a malformed workbook that made calamine give up is told as.
const MALFORMED: &str = "the workbook is malformed (the reader gave up)";

/// Rows a sheet's stream hands on at a time.
const SHEET_BATCH_ROWS: usize = if cfg!(test) { 3 } else { 4096 };

/// The largest sheet Excel allows: 1,048,576 rows of 16,384 columns. A cell beyond it is an
/// error (a malformed file could otherwise claim a row four billion rows down).
const MAX_ROWS: u32 = 1 << 20;
const MAX_COLUMNS: u32 = 1 << 14;

/// Read a workbook sheet, every row: `--sheet` if given, else the first visible sheet whose
/// header a layout (or the synonyms) recognises ([`ReadOptions::recognise`]), else the first
/// visible sheet holding data. The table's format says which sheet and why, and lists the
/// others.
pub fn read_workbook(path: &Path, bytes: Vec<u8>, options: &ReadOptions) -> Result<RawTable> {
    let mut table = read_workbook_head(path, bytes, options, usize::MAX)?;
    table.read_rest()?;
    Ok(table)
}

/// [`read_workbook`], but only the sheet's first `head_rows` rows: the rest are left to the
/// table's stream ([`RawTable::rest`]).
pub fn read_workbook_head(
    path: &Path,
    bytes: Vec<u8>,
    options: &ReadOptions,
    head_rows: usize,
) -> Result<RawTable> {
    let path_buf = path.to_path_buf();
    let sheet_opt = options.sheet.clone();
    let recognise = options.recognise.clone();
    // calamine is third-party code fed with untrusted bytes: never let it take the process down
    crate::error::catch_panics(
        move || read_workbook_inner(&path_buf, bytes, sheet_opt, &recognise, head_rows),
        |_| Error::unreadable(path, MALFORMED),
    )
}

/// The text of a value as the cell reader gives it: the same as [`cell_text`] of the value
/// (written into `scratch` when it is not a text already).
fn with_text<R>(value: &DataRef<'_>, scratch: &mut String, f: impl FnOnce(&str) -> R) -> R {
    match value {
        DataRef::String(s) => f(s),
        DataRef::SharedString(s) => f(s),
        other => {
            scratch.clear();
            write_cell_text(&Data::from(other.clone()), scratch);
            f(scratch)
        }
    }
}

/// Hand every cell of a sheet that holds a value to `f`, in the order of the file, with its
/// (row, column) from A1 and its text, until `f` returns false. `rows` is told how many rows
/// the sheet says it has (its declared dimension), for the progress.
fn each_cell(
    book: &mut Book,
    path: &Path,
    name: &str,
    rows: &AtomicU64,
    mut f: impl FnMut((u32, u32), &str) -> bool,
) -> Result<()> {
    let declared = |end: (u32, u32)| rows.store(u64::from(end.0) + 1, Ordering::Relaxed);
    match book {
        Sheets::Xlsx(xlsx) => {
            let failed = |e| workbook_error(path, &calamine::Error::Xlsx(e));
            let mut reader = match xlsx.worksheet_cells_reader(name) {
                Ok(reader) => reader,
                // a chart sheet: no cells, as calamine's own range of it
                Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(()),
                Err(e) => return Err(failed(e)),
            };
            declared(reader.dimensions().end);
            each_read_cell(|| reader.next_cell().map_err(failed), f)?;
        }
        Sheets::Xlsb(xlsb) => {
            let failed = |e| workbook_error(path, &calamine::Error::Xlsb(e));
            let mut reader = xlsb.worksheet_cells_reader(name).map_err(failed)?;
            declared(reader.dimensions().end);
            each_read_cell(|| reader.next_cell().map_err(failed), f)?;
        }
        // calamine reads xls and ods sheets whole
        whole => {
            let range = whole
                .worksheet_range(name)
                .map_err(|e| workbook_error(path, &e))?;
            let (row0, col0) = range.start().unwrap_or((0, 0));
            declared(range.end().unwrap_or((0, 0)));
            let mut scratch = String::new();
            for (r, c, value) in range.used_cells() {
                let at = (row0 + r as u32, col0 + c as u32);
                scratch.clear();
                write_cell_text(value, &mut scratch);
                if !f(at, &scratch) {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// [`each_cell`] over a cell reader's cells (`next` gives the next one): the cells holding a
/// value, with their texts, until `f` returns false.
fn each_read_cell<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>>,
    mut f: impl FnMut((u32, u32), &str) -> bool,
) -> Result<()> {
    let mut scratch = String::new();
    while let Some(cell) = next()? {
        let value = cell.get_value();
        let mut go = |t: &str| f(cell.get_position(), t);
        if *value != DataRef::Empty && !with_text(value, &mut scratch, &mut go) {
            break;
        }
    }
    Ok(())
}

/// A cell where a sheet's rows cannot have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Misplaced {
    /// In row `row`, after cells of the later row `after` (0-based rows).
    Before { row: u32, after: u32 },
    /// Beyond the largest sheet Excel allows.
    Beyond { row: u32, col: u32 },
}

impl Misplaced {
    fn error(self, path: &Path, sheet: &str) -> Error {
        let message = match self {
            Misplaced::Before { row, after } => format!(
                "sheet '{sheet}': cells of row {} come after row {}; the file's rows are out of \
                 order (open the workbook in Excel and save it again)",
                row + 1,
                after + 1
            ),
            Misplaced::Beyond { row, col } => format!(
                "sheet '{sheet}': a cell at row {}, column {} lies beyond the largest sheet \
                 Excel allows (1,048,576 rows, 16,384 columns)",
                u64::from(row) + 1,
                u64::from(col) + 1
            ),
        };
        Error::unreadable(path, message)
    }
}

/// A sheet's rows, assembled from its cells as they come: row by row, a row's cells in any
/// order (a cell given twice keeps the later value, as in calamine's own range). Row `n` of
/// the sheet is line `n`; its cells start at column A and end at its last cell holding text.
/// The rows before the first cell are not rows of the table; an empty row between two rows
/// is a blank row.
#[derive(Debug, Default)]
struct SheetRows {
    /// The row being assembled (0-based) and its cells so far.
    row: Option<u32>,
    cells: Cells,
    /// Rows assembled and not handed on yet.
    ready: Vec<RawRow>,
    /// Cells handed back, to be filled again.
    spare: Vec<Cells>,
}

impl SheetRows {
    /// Add a cell.
    fn add(&mut self, (row, col): (u32, u32), text: &str) -> std::result::Result<(), Misplaced> {
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(Misplaced::Beyond { row, col });
        }
        match self.row {
            Some(current) if row < current => {
                return Err(Misplaced::Before {
                    row,
                    after: current,
                })
            }
            Some(current) if row > current => {
                self.finish();
                for line in u64::from(current) + 2..=u64::from(row) {
                    let cells = self.fresh();
                    self.ready.push(RawRow { line, cells });
                }
            }
            _ => {}
        }
        self.row = Some(row);
        place(&mut self.cells, col as usize, text);
        Ok(())
    }

    /// End the row being assembled (at the end of the sheet, or before the next row).
    fn finish(&mut self) {
        if let Some(row) = self.row.take() {
            let fresh = self.fresh();
            let mut cells = std::mem::replace(&mut self.cells, fresh);
            while cells.last() == Some("") {
                cells.pop();
            }
            self.ready.push(RawRow {
                line: u64::from(row) + 1,
                cells,
            });
        }
    }

    /// Empty cells to fill: handed back ones if there are.
    fn fresh(&mut self) -> Cells {
        self.spare.pop().unwrap_or_default()
    }

    /// Take back rows handed on and used, to fill their cells again.
    fn take_back(&mut self, rows: Vec<RawRow>) {
        for row in rows {
            if self.spare.len() >= 2 * SHEET_BATCH_ROWS {
                break;
            }
            let mut cells = row.cells;
            cells.clear();
            self.spare.push(cells);
        }
    }
}

/// Assemble a sheet's rows from its cells ([`each_cell`]; `rows` as there), asking `more`
/// after each cell, with the rows so far and the cell's place and text, whether to go on. The
/// row of the last cell is left unfinished ([`SheetRows::finish`]).
fn assemble(
    (book, path, name): (&mut Book, &Path, &str),
    rows: &AtomicU64,
    mut more: impl FnMut(&mut SheetRows, (u32, u32), &str) -> bool,
) -> Result<SheetRows> {
    let (mut assembled, mut misplaced) = (SheetRows::default(), None);
    each_cell(book, path, name, rows, |at, text| {
        if let Err(m) = assembled.add(at, text) {
            misplaced = Some(m);
            return false;
        }
        more(&mut assembled, at, text)
    })?;
    match misplaced {
        Some(m) => Err(m.error(path, name)),
        None => Ok(assembled),
    }
}

/// Put a text in cell `col` of a row (empty cells before it).
fn place(cells: &mut Cells, col: usize, text: &str) {
    if col >= cells.len() {
        while cells.len() < col {
            cells.push("");
        }
        cells.push(text);
    } else {
        // a cell before the row's last one, or given again: rare, so the row is rebuilt
        let mut texts = cells.to_vec();
        texts[col] = text.to_string();
        cells.clear();
        texts.iter().for_each(|t| cells.push(t));
    }
}

/// The first rows of a sheet, read to choose the sheet.
struct Probe {
    /// The first [`crate::read::HEADER_SEARCH_ROWS`] rows, or every row when `whole`.
    rows: Vec<RawRow>,
    /// Whether `rows` is the whole sheet.
    whole: bool,
    /// Whether a row holds text.
    has_data: bool,
}

/// Read a sheet's first rows: until [`crate::read::HEADER_SEARCH_ROWS`] rows are read and one
/// of the rows read holds text, or the sheet ends.
///
/// An xls or ods sheet, which calamine reads whole anyway, is read to its end (so that the
/// sheet chosen is not read again).
fn probe(book: &mut Book, path: &Path, name: &str) -> Result<Probe> {
    let search = crate::read::HEADER_SEARCH_ROWS;
    let streamed = matches!(book, Sheets::Xlsx(_) | Sheets::Xlsb(_));
    let (mut has_data, mut whole) = (false, true);
    let mut rows = assemble((book, path, name), &AtomicU64::new(0), |rows, _, text| {
        has_data |= !text.trim().is_empty();
        if streamed && rows.ready.len() >= search {
            whole = false;
            // blank rows until the data: only the first ones are kept
            rows.ready.truncate(search);
            return !has_data;
        }
        true
    })?;
    if whole {
        rows.finish();
    }
    Ok(Probe {
        rows: rows.ready,
        whole,
        has_data,
    })
}

/// The rows of a sheet, streamed from calamine's cell reader on a thread of their own.
#[derive(Debug)]
struct SheetStream {
    /// The rows the thread sends (dropped with the stream, which tells the thread that they
    /// are no longer wanted: it stops at its next batch).
    received: ReceivedRows,
    /// Rows used, back to the thread to be filled again.
    used: mpsc::Sender<Vec<RawRow>>,
    /// Rows read (the sheet's row of the last cell) and the rows the sheet says it has.
    read: Arc<AtomicU64>,
    rows: Arc<AtomicU64>,
}

impl SheetStream {
    /// Start reading sheet `name` of the workbook on a thread of its own.
    fn start(mut book: Book, path: &Path, name: &str) -> SheetStream {
        let (batches, received) = mpsc::sync_channel(2);
        let (used, returned) = mpsc::channel::<Vec<RawRow>>();
        let (read, rows) = Default::default();
        let stream = SheetStream {
            received: ReceivedRows::new(received),
            used,
            read: Arc::clone(&read),
            rows: Arc::clone(&rows),
        };
        let (path, name) = (path.to_path_buf(), name.to_string());
        std::thread::spawn(move || {
            let streamed = crate::error::catch_panics(
                || {
                    let shared = Shared {
                        batches: &batches,
                        returned: &returned,
                        read: &read,
                        rows: &rows,
                    };
                    stream_sheet(&mut book, &path, &name, &shared)
                },
                |_| Error::unreadable(&path, MALFORMED),
            );
            if let Err(e) = streamed {
                let _ = batches.send(Err(e));
            }
        });
        stream
    }
}

/// What a sheet's thread shares with its stream.
struct Shared<'a> {
    batches: &'a mpsc::SyncSender<Result<Vec<RawRow>>>,
    returned: &'a mpsc::Receiver<Vec<RawRow>>,
    read: &'a AtomicU64,
    rows: &'a AtomicU64,
}

/// Read a sheet's rows and send them on, a batch at a time.
fn stream_sheet(book: &mut Book, path: &Path, name: &str, shared: &Shared) -> Result<()> {
    let mut wanted = true;
    let mut rows = assemble((book, path, name), shared.rows, |rows, (row, _), _| {
        if rows.ready.len() >= SHEET_BATCH_ROWS {
            while let Ok(used) = shared.returned.try_recv() {
                rows.take_back(used);
            }
            shared.read.store(u64::from(row), Ordering::Relaxed);
            // a closed channel: the rows are no longer wanted
            let batch = std::mem::take(&mut rows.ready);
            wanted = shared.batches.send(Ok(batch)).is_ok();
        }
        wanted
    })?;
    if wanted {
        rows.finish();
        let last = rows.ready.last().map_or(0, |r| r.line);
        let all = shared.rows.load(Ordering::Relaxed).max(last);
        shared.rows.store(all, Ordering::Relaxed);
        shared.read.store(all, Ordering::Relaxed);
        if !rows.ready.is_empty() {
            let _ = shared.batches.send(Ok(rows.ready));
        }
    }
    Ok(())
}

impl RowSource for SheetStream {
    fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        self.received.next_rows(max_rows)
    }

    fn position(&self) -> (u64, u64) {
        let read = self.read.load(Ordering::Relaxed);
        (read, self.rows.load(Ordering::Relaxed).max(read))
    }

    fn recycle(&mut self, rows: Vec<RawRow>) {
        // a closed channel: the thread has ended, and the rows are dropped here
        let _ = self.used.send(rows);
    }
}

/// The sheet to read and why, with its first rows when they were read to choose it.
fn choose_sheet(
    book: &mut Book,
    path: &Path,
    names: &[String],
    hidden: &[String],
    sheet: Option<String>,
    recognise: &super::Recogniser,
) -> Result<(String, String, Option<Probe>)> {
    if let Some(wanted) = sheet {
        if !names.contains(&wanted) {
            return Err(Error::Usage(format!(
                "{}: no sheet named '{wanted}'; the sheets are: {}",
                path.display(),
                names.join(", ")
            )));
        }
        // a hidden sheet is read only when named with --sheet
        return Ok((wanted, "chosen with --sheet".to_string(), None));
    }
    // the first visible sheet whose header is recognised; else the first holding data
    let mut first_with_data: Option<(String, Probe)> = None;
    for name in names.iter().filter(|n| !hidden.contains(n)) {
        let probe = probe(book, path, name)?;
        let head = &probe.rows[..probe.rows.len().min(crate::read::HEADER_SEARCH_ROWS)];
        if let Some(by) = recognise.recognise(head) {
            let reason = format!("the first visible sheet whose header {by} recognises");
            return Ok((name.clone(), reason, Some(probe)));
        }
        if first_with_data.is_none() && probe.has_data {
            first_with_data = Some((name.clone(), probe));
        }
    }
    match first_with_data {
        Some((name, probe)) => {
            let reason =
                "the first visible sheet holding data (no layout recognises a header in any)";
            Ok((name, reason.to_string(), Some(probe)))
        }
        None => Err(Error::unreadable(
            path,
            "the workbook has no sheet holding data",
        )),
    }
}

fn read_workbook_inner(
    path: &Path,
    bytes: Vec<u8>,
    sheet: Option<String>,
    recognise: &super::Recogniser,
    head_rows: usize,
) -> Result<RawTable> {
    let mut book = open(path, bytes)?;
    let names = book.sheet_names();
    let hidden: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let (name, reason, probe) = choose_sheet(&mut book, path, &names, &hidden, sheet, recognise)?;
    let other_sheets = names
        .iter()
        .filter(|n| **n != name)
        .map(|n| {
            if hidden.contains(n) {
                format!("{n} (hidden)")
            } else {
                n.clone()
            }
        })
        .collect();
    let format = SourceFormat {
        kind: "workbook".into(),
        sheet: Some(name.clone()),
        sheet_reason: Some(reason),
        other_sheets,
        ..SourceFormat::default()
    };
    // a sheet read whole to choose it is not read again
    if let Some(Probe {
        rows, whole: true, ..
    }) = probe
    {
        return Ok(RawTable::new(path, format, rows));
    }
    let mut rest = SheetStream::start(book, path, &name);
    let head = rest.next_rows(head_rows)?;
    let mut table = RawTable::new(path, format, head);
    table.rest = Some(Box::new(rest));
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(rows: &[RawRow]) -> Vec<(u64, Vec<String>)> {
        rows.iter().map(|r| (r.line, r.cells.to_vec())).collect()
    }

    fn assembled(cells: &[((u32, u32), &str)]) -> std::result::Result<Vec<RawRow>, Misplaced> {
        let mut rows = SheetRows::default();
        for (at, text) in cells {
            rows.add(*at, text)?;
        }
        rows.finish();
        Ok(rows.ready)
    }

    #[test]
    fn rows_start_at_column_a_and_end_at_their_last_text() {
        let rows = assembled(&[
            ((2, 1), "a"),
            ((2, 3), "c"),
            ((3, 2), ""),
            ((5, 0), "x"),
            ((5, 4), ""),
        ])
        .unwrap();
        let want: Vec<(u64, Vec<String>)> = vec![
            (3, vec!["".into(), "a".into(), "".into(), "c".into()]),
            // a cell holding the empty text is a row, but no cell of it
            (4, vec![]),
            // an empty row between rows is a blank row
            (5, vec![]),
            (6, vec!["x".into()]),
        ];
        assert_eq!(texts(&rows), want);
    }

    #[test]
    fn a_cell_out_of_order_in_its_row_is_placed_and_a_repeated_one_wins() {
        let rows = assembled(&[((0, 2), "c"), ((0, 0), "a"), ((0, 2), "C")]).unwrap();
        assert_eq!(
            texts(&rows),
            vec![(1, vec!["a".into(), "".into(), "C".into()])]
        );
    }

    #[test]
    fn rows_out_of_order_and_cells_beyond_a_sheet_are_errors() {
        assert_eq!(
            assembled(&[((4, 0), "a"), ((2, 0), "b")]).unwrap_err(),
            Misplaced::Before { row: 2, after: 4 }
        );
        assert_eq!(
            assembled(&[((MAX_ROWS, 0), "a")]).unwrap_err(),
            Misplaced::Beyond {
                row: MAX_ROWS,
                col: 0
            }
        );
        assert_eq!(
            assembled(&[((0, MAX_COLUMNS), "a")]).unwrap_err(),
            Misplaced::Beyond {
                row: 0,
                col: MAX_COLUMNS
            }
        );
        let message = Misplaced::Before { row: 2, after: 4 }
            .error(Path::new("x.xlsx"), "Blad1")
            .to_string();
        assert!(message.contains("x.xlsx"), "{message}");
        assert!(
            message.contains("sheet 'Blad1': cells of row 3 come after row 5"),
            "{message}"
        );
    }

    /// A cell of a generated sheet.
    #[derive(Debug, Clone)]
    enum Value {
        Text(String),
        Number(f64),
        Date(u16),
        Bool(bool),
        /// A formatted cell without a value.
        Blank,
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[a-zåäö ]{0,6}".prop_map(Value::Text),
            (-1e6f64..1e6).prop_map(Value::Number),
            (1u16..3000).prop_map(Value::Date),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Blank),
        ]
    }

    /// An xlsx workbook of one sheet holding these cells (the later of two at one place).
    fn workbook(cells: &[((u32, u16), Value)], constant_memory: bool) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = if constant_memory {
            book.add_worksheet_with_constant_memory()
        } else {
            book.add_worksheet()
        };
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let mut cells = cells.to_vec();
        if constant_memory {
            // written row by row, as such a sheet must be
            cells.sort_by_key(|((r, c), _)| (*r, *c));
        }
        for ((r, c), v) in &cells {
            let (r, c) = (*r, *c);
            match v {
                Value::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                Value::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                Value::Date(d) => sheet
                    .write_number_with_format(r, c, f64::from(*d), &date)
                    .map(|_| ()),
                Value::Bool(b) => sheet.write_boolean(r, c, *b).map(|_| ()),
                Value::Blank => sheet.write_blank(r, c, &date).map(|_| ()),
            }
            .expect("cell");
        }
        book.save_to_buffer().expect("workbook")
    }

    /// The rows calamine's own range of the sheet gives, positioned from A1 and ended at their
    /// last text: what the stream must give.
    fn range_rows(bytes: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut book = open(Path::new("x.xlsx"), bytes.to_vec()).expect("open");
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).expect("range");
        let Some((row0, col0)) = range.start() else {
            return Vec::new();
        };
        range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let mut texts = vec![String::new(); col0 as usize];
                texts.extend(cells.iter().map(cell_text));
                while texts.last().is_some_and(String::is_empty) {
                    texts.pop();
                }
                (u64::from(row0) + i as u64 + 1, texts)
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Streamed in batches of three rows, any head taken first, a sheet gives the rows of
        /// calamine's whole range of it.
        #[test]
        fn a_streamed_sheet_gives_the_rows_of_its_whole_range(
            cells in proptest::collection::vec(((0u32..30, 0u16..7), value()), 0..60),
            constant_memory in any::<bool>(),
            head in 0usize..12,
        ) {
            let bytes = workbook(&cells, constant_memory);
            let want = range_rows(&bytes);
            let options = ReadOptions::default();
            match read_workbook_head(Path::new("x.xlsx"), bytes, &options, head) {
                Ok(mut table) => {
                    prop_assert!(table.rows.len() <= head.max(want.len()));
                    table.read_rest().expect("rest");
                    prop_assert_eq!(texts(&table.rows), want);
                }
                Err(e) => {
                    // a sheet without text is no sheet holding data
                    prop_assert!(want.iter().all(|(_, t)| t.iter().all(|c| c.trim().is_empty())));
                    prop_assert!(e.to_string().contains("no sheet holding data"), "{}", e);
                }
            }
        }
    }

    #[test]
    fn a_stream_hands_on_the_rows_after_its_head_and_tells_how_far_it_has_read() {
        let cells: Vec<((u32, u16), Value)> = (0..200)
            .map(|r| ((r, 0), Value::Text(format!("rad {r}"))))
            .collect();
        let bytes = workbook(&cells, false);
        let options = ReadOptions::default();
        let mut table =
            read_workbook_head(Path::new("x.xlsx"), bytes.clone(), &options, 5).expect("head");
        assert_eq!(table.rows.len(), 5);
        let mut rest = table.rest.take().expect("a stream");
        let next = rest.next_rows(10).expect("rows");
        assert_eq!(next.first().map(|r| r.line), Some(6));
        let (read, all) = rest.position();
        assert!(read <= all && all >= 200, "{read} of {all}");
        rest.recycle(next);
        drop(rest);
        // the whole sheet, read again, is all there
        let table = read_workbook(Path::new("x.xlsx"), bytes, &options).expect("whole");
        assert_eq!(table.rows.len(), 200);
        assert_eq!(table.rows[199].cells.to_vec(), vec!["rad 199".to_string()]);
    }

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
