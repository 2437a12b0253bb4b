//! Stage 1: read an input file into a grid of text cells.
//!
//! Delimited text is decoded and parsed with the csv crate (never polars' reader: raw ERP
//! exports have bare-CR line endings, title lines and ragged rows); workbooks are read through
//! calamine. Every cell becomes text here; typing happens in the normalise stage.

pub mod cells;
pub mod delimited;
pub mod encoding;
pub mod json;
#[cfg(feature = "pipeline")]
pub mod parquet;
pub mod sie;
mod source;

pub use source::CHUNK_BYTES;
pub mod workbook;

pub use cells::Cells;

use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One line of an input, before the header row is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based line (delimited text) or sheet row (workbooks).
    pub line: u64,
    /// Cell texts.
    pub cells: Cells,
}

impl RawRow {
    /// Whether every cell is empty or white space.
    pub fn is_blank(&self) -> bool {
        self.cells.is_blank()
    }
}

/// How a file was read, for `detect` and the run report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SourceFormat {
    /// `delimited` or `workbook`.
    pub kind: String,
    /// Encoding name (delimited text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Whether the file started with a byte-order mark.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bom: bool,
    /// Whether a column name (a JSON key) held a byte-order mark, which was removed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bom_in_names: bool,
    /// The field delimiter (delimited text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// `CRLF`, `LF`, `CR` or `none` (delimited text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_endings: Option<String>,
    /// The sheet read (workbooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Why that sheet (workbooks without `--sheet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet_reason: Option<String>,
    /// The workbook's other sheets, with `(hidden)` after a hidden one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_sheets: Vec<String>,
}

/// The rows of an input not parsed yet, handed out a batch at a time while the input is read a
/// piece at a time.
pub trait RowSource: Send + Sync + std::fmt::Debug {
    /// The next rows (at least `max_rows` unless the input ends); empty at the end.
    fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>>;

    /// How far reading has come: bytes read and bytes in all.
    fn position(&self) -> (u64, u64);

    /// Take back rows handed out and used: a source may fill their buffers again for the next
    /// rows instead of allocating new ones (the default drops them).
    fn recycle(&mut self, rows: Vec<RawRow>) {
        drop(rows);
    }

    /// Source records the reader left out, by reason (complete once every row is handed out).
    fn skipped(&self) -> std::collections::BTreeMap<String, u64> {
        Default::default()
    }
}

/// Rows parsed on a thread of their own and sent a batch at a time, handed out as a
/// [`RowSource`] asks for them (the parsing thread ends the stream by hanging up; an error
/// it sends ends it too).
#[derive(Debug)]
pub(crate) struct ReceivedRows {
    batches: std::sync::Mutex<std::sync::mpsc::Receiver<Result<Vec<RawRow>>>>,
    pending: std::collections::VecDeque<RawRow>,
    ended: bool,
}

impl ReceivedRows {
    /// The rows the parsing thread sends on `batches`.
    pub(crate) fn new(batches: std::sync::mpsc::Receiver<Result<Vec<RawRow>>>) -> ReceivedRows {
        ReceivedRows {
            batches: std::sync::Mutex::new(batches),
            pending: Default::default(),
            ended: false,
        }
    }

    /// The next rows (see [`RowSource::next_rows`]).
    pub(crate) fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        while !self.ended && self.pending.len() < max_rows {
            let next = match self.batches.lock() {
                Ok(batches) => batches.recv(),
                Err(_) => return Err(Error::Internal("the parsed rows are poisoned".into())),
            };
            match next {
                Ok(batch) => self.pending.extend(batch?),
                Err(_) => self.ended = true,
            }
        }
        let n = max_rows.min(self.pending.len());
        Ok(self.pending.drain(..n).collect())
    }
}

/// The start of a reason in [`RowSource::skipped`] and [`RawTable::pre_skipped`] that counts
/// no left-out lines but is a warning about the file (the rest of the reason is its text, which
/// names the file): e.g. an SIE file whose `#KSUMMA` does not match. [`take_warnings`] takes
/// them out.
pub const WARNING_REASON: &str = "warning: ";

/// How many leading rows are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// Take the warnings (see [`WARNING_REASON`]) out of the reasons for left-out lines, in order.
pub fn take_warnings(skipped: &mut std::collections::BTreeMap<String, u64>) -> Vec<String> {
    let (warnings, lines): (std::collections::BTreeMap<_, _>, _) = std::mem::take(skipped)
        .into_iter()
        .partition(|(reason, _)| reason.starts_with(WARNING_REASON));
    *skipped = lines;
    warnings
        .into_keys()
        .filter_map(|reason| reason.strip_prefix(WARNING_REASON).map(str::to_string))
        .collect()
}

/// A file read into rows of text cells.
#[derive(Debug)]
pub struct RawTable {
    /// The file.
    pub path: PathBuf,
    /// How it was read.
    pub format: SourceFormat,
    /// Every line, title lines and blank lines included.
    pub rows: Vec<RawRow>,
    /// Source records the reader itself left out, by reason (e.g. SIE vouchers that are not
    /// supplier invoices).
    pub pre_skipped: std::collections::BTreeMap<String, u64>,
    /// SHA-256 of the file's bytes, taken while reading (so no second read is needed).
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
    /// Rows not parsed yet (files read a piece at a time with [`read_table_head`]).
    pub rest: Option<Box<dyn RowSource>>,
}

impl RawTable {
    /// A table read by a reader (the hash and size are filled in by [`read_table`]).
    pub fn new(path: &Path, format: SourceFormat, rows: Vec<RawRow>) -> RawTable {
        RawTable {
            path: path.to_path_buf(),
            format,
            rows,
            pre_skipped: Default::default(),
            sha256: String::new(),
            size: 0,
            rest: None,
        }
    }

    /// A table a reader made its column names for (line 0), with its first rows, the rest in
    /// a stream, and the file's hash and size taken while reading.
    pub(crate) fn streamed(
        path: &Path,
        format: SourceFormat,
        header: &[String],
        head: Vec<RawRow>,
        rest: Box<dyn RowSource>,
        (sha256, size): (String, u64),
    ) -> RawTable {
        let mut rows = Vec::with_capacity(head.len() + 1);
        rows.push(RawRow {
            line: 0,
            cells: header.iter().collect(),
        });
        rows.extend(head);
        let mut table = RawTable::new(path, format, rows);
        table.rest = Some(rest);
        table.sha256 = sha256;
        table.size = size;
        table
    }

    /// Parse any rows left in the stream, so that `rows` holds them all (and `pre_skipped`
    /// what the stream left out).
    pub fn read_rest(&mut self) -> Result<()> {
        if let Some(mut stream) = self.rest.take() {
            let rows = &mut self.rows;
            parse_ahead(
                &mut *stream,
                1 << 16,
                |batch| batch,
                |batch, _, _| {
                    rows.extend(batch);
                    Ok(())
                },
            )?;
            for (reason, n) in stream.skipped() {
                *self.pre_skipped.entry(reason).or_insert(0) += n;
            }
        }
        Ok(())
    }

    /// Hand every row to `f` in order, those parsed already and then the rest of the stream a
    /// batch at a time, without keeping them (for checks that go over large files), telling
    /// `read` after each batch how many bytes of the file are read, out of how many.
    pub fn for_each_row_telling(
        mut self,
        read: impl FnMut(u64, u64),
        mut f: impl FnMut(&RawRow) -> Result<()>,
    ) -> Result<()> {
        self.rows.iter().try_for_each(&mut f)?;
        match self.rest.take() {
            Some(mut stream) => drain(&mut *stream, read, f),
            None => Ok(()),
        }
    }

    /// The file name, for messages and reports.
    pub fn file_name(&self) -> String {
        file_name(&self.path)
    }
}

/// Hand every row left in a stream to `f`, a batch at a time, telling `read` after each batch
/// how far reading has come (see [`parse_ahead`]).
fn drain(
    stream: &mut dyn RowSource,
    mut read: impl FnMut(u64, u64),
    mut f: impl FnMut(&RawRow) -> Result<()>,
) -> Result<()> {
    parse_ahead_recycling(
        stream,
        1 << 16,
        |rows| rows,
        |rows, part, whole| {
            rows.iter().try_for_each(&mut f)?;
            read(part, whole);
            Ok(rows)
        },
    )
    .map(|_| ())
}

/// Parse the rows left in a stream `size` at a time on a second thread, each batch made ready
/// there by `prepare`, while `f` works through the batch before it (with how many bytes of the
/// file are read, out of how many). When `f` fails, parsing stops after the batch it is on.
/// Returns the source records the stream left out, by reason (known once it has read all).
pub fn parse_ahead<T: Send>(
    stream: &mut dyn RowSource,
    size: usize,
    prepare: impl Fn(Vec<RawRow>) -> T + Send,
    mut f: impl FnMut(T, u64, u64) -> Result<()>,
) -> Result<std::collections::BTreeMap<String, u64>> {
    parse_ahead_recycling(stream, size, prepare, |batch, part, whole| {
        f(batch, part, whole).map(|()| Vec::new())
    })
}

/// [`parse_ahead`] where `f` hands back the rows it is done with, for the stream to fill again
/// ([`RowSource::recycle`]): the rows are neither freed on this thread nor allocated anew on
/// the parser's.
pub fn parse_ahead_recycling<T: Send>(
    stream: &mut dyn RowSource,
    size: usize,
    prepare: impl Fn(Vec<RawRow>) -> T + Send,
    mut f: impl FnMut(T, u64, u64) -> Result<Vec<RawRow>>,
) -> Result<std::collections::BTreeMap<String, u64>> {
    type Parsed<T> = Result<Option<(T, u64, u64)>>;
    std::thread::scope(|s| {
        let (batches, parsed) = std::sync::mpsc::sync_channel::<Parsed<T>>(1);
        let (used, returned) = std::sync::mpsc::channel::<Vec<RawRow>>();
        let parser = s.spawn(move || {
            loop {
                while let Ok(rows) = returned.try_recv() {
                    stream.recycle(rows);
                }
                let batch = stream.next_rows(size).map(|rows| {
                    let (part, whole) = stream.position();
                    (!rows.is_empty()).then(|| (prepare(rows), part, whole))
                });
                let last = !matches!(batch, Ok(Some(_)));
                // a closed channel: the rows are no longer wanted
                if batches.send(batch).is_err() || last {
                    break;
                }
            }
            stream.skipped()
        });
        for batch in parsed {
            let Some((rows, part, whole)) = batch? else {
                break;
            };
            let done = f(rows, part, whole)?;
            // a closed channel: the parser has stopped, and the rows are dropped here
            if !done.is_empty() {
                let _ = used.send(done);
            }
        }
        parser
            .join()
            .map_err(|_| Error::Internal("the parsing thread failed".into()))
    })
}

/// The last component of a path, as text.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Options that change how files are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force an encoding instead of detecting it.
    pub encoding: Option<String>,
    /// Read this sheet of a workbook instead of the first one holding data.
    pub sheet: Option<String>,
    /// Account ranges for SIE files.
    pub sie: sie::SieAccounts,
    /// Bytes read at a time from delimited and SIE files (default [`CHUNK_BYTES`]); no output
    /// depends on it (tests read a few bytes at a time).
    pub piece_bytes: Option<usize>,
    /// Told how far the first pass over a delimited or SIE file has come (it hashes the file
    /// and learns its encoding before any row is parsed).
    pub progress: ReadProgress,
    /// Which workbook sheets hold a header a layout (or the synonyms) recognises: without
    /// `--sheet`, the first visible one that does is read.
    pub recognise: Recogniser,
}

/// A test of a sheet's first rows: whether a layout (or the synonyms) recognises a header
/// among them, and which.
#[derive(Clone, Default)]
pub struct Recogniser(Option<std::sync::Arc<RecogniseFn>>);

/// The test a [`Recogniser`] runs.
type RecogniseFn = dyn Fn(&[RawRow]) -> Option<String> + Send + Sync;

impl Recogniser {
    /// A recogniser that names what recognises the rows (a layout's name), or `None`.
    pub fn new(f: impl Fn(&[RawRow]) -> Option<String> + Send + Sync + 'static) -> Recogniser {
        Recogniser(Some(std::sync::Arc::new(f)))
    }

    /// What recognises these rows; `None` also when there is no recogniser.
    pub(crate) fn recognise(&self, rows: &[RawRow]) -> Option<String> {
        self.0.as_ref().and_then(|f| f(rows))
    }
}

impl std::fmt::Debug for Recogniser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Recogniser(on)"
        } else {
            "Recogniser(off)"
        })
    }
}

/// A function told how many bytes of a file are read, out of how many (for a progress
/// display).
#[derive(Clone, Default)]
pub struct ReadProgress(Option<std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>>);

impl ReadProgress {
    /// Tell `f` how far reading has come.
    pub fn new(f: impl Fn(u64, u64) + Send + Sync + 'static) -> ReadProgress {
        ReadProgress(Some(std::sync::Arc::new(f)))
    }

    /// Tell that `part` bytes of `whole` are read.
    pub(crate) fn tell(&self, part: u64, whole: u64) {
        if let Some(f) = &self.0 {
            f(part, whole);
        }
    }
}

impl std::fmt::Debug for ReadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ReadProgress(on)"
        } else {
            "ReadProgress(off)"
        })
    }
}

impl ReadOptions {
    /// Bytes read at a time from delimited and SIE files.
    pub fn piece_bytes(&self) -> usize {
        self.piece_bytes.unwrap_or(CHUNK_BYTES).max(1)
    }
}

/// Which reader a file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Excel or ODS.
    Workbook,
    /// An SIE 4 file.
    Sie,
    /// A JSON array of objects, or a row-store envelope.
    Json,
    /// CSV, TSV or any delimited text.
    Delimited,
    /// A Parquet file (read with polars, in the `pipeline` feature).
    Parquet,
}

/// Decide the reader from the file's first bytes (and its extension as a tie-breaker).
pub fn input_kind(path: &Path, head: &[u8]) -> InputKind {
    let zip = head.starts_with(b"PK\x03\x04");
    let ole = head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let workbook_ext = matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods");
    if zip || ole || (workbook_ext && head.is_empty()) {
        InputKind::Workbook
    } else if head.starts_with(b"PAR1") {
        InputKind::Parquet
    } else if sie::looks_like_sie(head) {
        InputKind::Sie
    } else if json::looks_like_json(head) {
        InputKind::Json
    } else {
        InputKind::Delimited
    }
}

/// Read any supported file, every row parsed.
pub fn read_table(path: &Path, options: &ReadOptions) -> Result<RawTable> {
    let mut table = read_table_head(path, options, usize::MAX)?;
    table.read_rest()?;
    Ok(table)
}

/// Read a file, but parse only its first `head_rows` rows: the rest is left in
/// [`RawTable::rest`] for a caller that converts in batches.
pub fn read_table_head(path: &Path, options: &ReadOptions, head_rows: usize) -> Result<RawTable> {
    let input = Input::open(path, 4096)?;
    let kind = input_kind(path, input.start());
    // delimited text, SIE and JSON are read a piece at a time (and hashed on the way)
    match kind {
        InputKind::Delimited => return input.delimited_head(options, head_rows),
        InputKind::Sie => {
            let (source, piece) = (input.source(), options.piece_bytes());
            let sie = &options.sie;
            return sie::read_sie_head(path, source, sie, head_rows, piece, &options.progress);
        }
        InputKind::Json => {
            let start = input.start().to_vec();
            return json::read_json_head(path, input.source(), &start, head_rows);
        }
        #[cfg(feature = "pipeline")]
        InputKind::Parquet => return parquet::read_parquet_head(path, head_rows),
        #[cfg(not(feature = "pipeline"))]
        InputKind::Parquet => {
            return Err(Error::unreadable(
                path,
                "a Parquet file, which this build cannot read (it has no pipeline feature)",
            ))
        }
        InputKind::Workbook => {}
    }
    // calamine takes the bytes
    let bytes = input.bytes()?;
    let size = bytes.len() as u64;
    let sha256 = sha256_hex(&bytes);
    let mut table = workbook::read_workbook_head(path, bytes, options, head_rows)?;
    table.sha256 = sha256;
    table.size = size;
    Ok(table)
}

/// An input opened for reading: its first bytes, and — for an input that cannot be read twice,
/// such as a pipe — all of its bytes (shared by clones, so a clone is cheap).
#[derive(Clone)]
pub struct Input {
    path: PathBuf,
    start: Vec<u8>,
    /// All the bytes, when the input is not a regular file.
    whole: Option<std::sync::Arc<[u8]>>,
}

impl Input {
    /// Open an input and read its first `n` bytes (all of it if it is not a regular file); an
    /// empty input is an error.
    pub fn open(path: &Path, n: usize) -> Result<Input> {
        let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let input = if metadata.is_file() {
            Input {
                path: path.to_path_buf(),
                start: read_start(path, n as u64)?,
                whole: None,
            }
        } else {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            Input {
                path: path.to_path_buf(),
                start: bytes[..bytes.len().min(n)].to_vec(),
                whole: Some(bytes.into()),
            }
        };
        if input.start.is_empty() {
            return Err(Error::unreadable(path, "the file is empty"));
        }
        Ok(input)
    }

    /// The size in bytes (0 when unknown).
    pub fn size(&self) -> u64 {
        match &self.whole {
            Some(bytes) => bytes.len() as u64,
            None => std::fs::metadata(&self.path).map_or(0, |m| m.len()),
        }
    }

    /// The first bytes.
    pub fn start(&self) -> &[u8] {
        &self.start
    }

    /// A reader of all the bytes, from the start.
    pub fn reader(&self) -> Result<Box<dyn std::io::Read + '_>> {
        match &self.whole {
            Some(bytes) => Ok(Box::new(&bytes[..])),
            None => {
                let file = std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file)))
            }
        }
    }

    /// The bytes, when the input was read into memory (not a regular file).
    pub fn in_memory(&self) -> Option<std::sync::Arc<[u8]>> {
        self.whole.clone()
    }

    /// SHA-256 of all the bytes, read as a stream.
    pub fn sha256(&self) -> Result<String> {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        std::io::copy(&mut self.reader()?, &mut hasher).map_err(|e| Error::io(&self.path, e))?;
        Ok(hex(&hasher.finalize()))
    }

    /// All the bytes.
    pub fn bytes(self) -> Result<Vec<u8>> {
        match self.whole {
            Some(bytes) => Ok(bytes.to_vec()),
            None => std::fs::read(&self.path).map_err(|e| Error::io(&self.path, e)),
        }
    }

    /// Read the first `head_rows` rows of a delimited text; the rest is left to the table's
    /// row stream (from the file a piece at a time, or from the bytes in memory).
    pub fn delimited_head(self, options: &ReadOptions, head_rows: usize) -> Result<RawTable> {
        let path = self.path.clone();
        let piece = options.piece_bytes();
        delimited::read_head_from(&path, self.source(), options, head_rows, piece)
    }

    /// Where the input's bytes come from from now on: the file, or the bytes read already.
    fn source(self) -> source::ByteSource {
        match self.whole {
            Some(bytes) => source::ByteSource::Memory(bytes),
            None => source::ByteSource::File,
        }
    }
}

/// The first `n` bytes of a file (fewer if it is shorter).
fn read_start(path: &Path, n: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut start = Vec::new();
    file.take(n)
        .read_to_end(&mut start)
        .map_err(|e| Error::io(path, e))?;
    Ok(start)
}

/// SHA-256 of a file, read a piece at a time, and its size in bytes.
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher)?;
    Ok((hex(&hasher.finalize()), size))
}

/// SHA-256 and SHA-1 of a file in one read (the SHA-1 is the checksum a DCAT catalogue
/// gives), and its size in bytes.
pub fn sha256_and_sha1_file(path: &Path) -> std::io::Result<(String, String, u64)> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let (mut sha256, mut sha1) = (sha2::Sha256::new(), sha1::Sha1::new());
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        sha256.update(&buffer[..n]);
        sha1.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((hex(&sha256.finalize()), hex(&sha1.finalize()), size))
}

/// SHA-256 of bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod drain_tests {
    use super::*;

    /// Batches of one row each, numbered from 1; an error instead of batch `fail_at`.
    #[derive(Debug)]
    struct Numbered {
        next: u64,
        last: u64,
        fail_at: Option<u64>,
    }

    impl RowSource for Numbered {
        fn next_rows(&mut self, _: usize) -> Result<Vec<RawRow>> {
            if self.fail_at == Some(self.next) {
                return Err(Error::Internal(format!("batch {} is broken", self.next)));
            }
            if self.next > self.last {
                return Ok(Vec::new());
            }
            self.next += 1;
            Ok(vec![RawRow {
                line: self.next - 1,
                cells: Cells::new(),
            }])
        }

        fn position(&self) -> (u64, u64) {
            (self.next - 1, self.last)
        }
    }

    fn drained(source: &mut Numbered, fail_on: Option<u64>) -> (Result<()>, Vec<u64>, Vec<u64>) {
        let (mut seen, mut told) = (Vec::new(), Vec::new());
        let result = drain(
            source,
            |part, _| told.push(part),
            |row| match fail_on {
                Some(line) if row.line == line => Err(Error::Internal("stop".into())),
                _ => {
                    seen.push(row.line);
                    Ok(())
                }
            },
        );
        (result, seen, told)
    }

    #[test]
    fn rows_come_in_order_with_their_progress() {
        let mut source = Numbered {
            next: 1,
            last: 5,
            fail_at: None,
        };
        let (result, seen, told) = drained(&mut source, None);
        assert!(result.is_ok());
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        assert_eq!(told, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_parse_error_comes_after_the_rows_before_it() {
        let mut source = Numbered {
            next: 1,
            last: 5,
            fail_at: Some(4),
        };
        let (result, seen, _) = drained(&mut source, None);
        assert!(result.is_err_and(|e| e.to_string().contains("batch 4 is broken")));
        assert_eq!(seen, [1, 2, 3]);
    }

    #[test]
    fn a_failing_row_stops_the_parsing() {
        let mut source = Numbered {
            next: 1,
            last: 1_000_000,
            fail_at: None,
        };
        let (result, seen, _) = drained(&mut source, Some(2));
        assert!(result.is_err_and(|e| e.to_string().contains("stop")));
        assert_eq!(seen, [1]);
        // the parser stopped a batch or two later, not at the end of the input
        assert!(source.next < 10, "parsed up to {}", source.next);
    }
}
