//! Delimited text: delimiter detection and RFC 4180 parsing with the csv crate, of a text read
//! whole or a piece at a time (the encoding is found and decoded in [`super::encoding`]).

use super::encoding::{endings_name, line_endings, plan_encoding, TextDecoder, TextEncoding};
use super::source::{read_full, survey_and_hash, ByteSource, TextPieces};
use super::{Cells, RawRow, RawTable, ReadOptions, RowSource, SourceFormat};
use crate::error::{Error, Result};
use std::borrow::Cow;
use std::path::Path;

/// Delimiters tried, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

/// Count `delim` outside double-quoted stretches of a line.
fn count_outside_quotes(line: &str, delim: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delim && !in_quotes {
            n += 1;
        }
    }
    n
}

/// Non-blank lines looked at to detect the delimiter.
const DELIMITER_LINES: usize = 100;

/// Detect the delimiter from the first lines: the candidate whose most common per-line count
/// is highest, weighted by how many lines share it.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .take(DELIMITER_LINES)
        .collect();
    let mut best = (0usize, b';');
    for delim in DELIMITERS {
        let mut counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, delim))
            .filter(|n| *n > 0)
            .collect();
        counts.sort_unstable();
        let mut mode = (0usize, 0usize); // (lines, count)
        let mut i = 0;
        while i < counts.len() {
            let j = counts[i..].iter().take_while(|c| **c == counts[i]).count();
            if j >= mode.0 {
                mode = (j, counts[i]);
            }
            i += j;
        }
        let score = mode.0 * mode.1;
        if score > best.0 {
            best = (score, delim);
        }
    }
    best.1
}

/// Printable name of a delimiter.
pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        other => char::from(other).to_string(),
    }
}

/// Parse decoded text into rows, in one pass. Bare CR line endings are turned into LF first so
/// line numbers count as an editor shows them.
pub fn parse_rows(path: &Path, text: &str, delimiter: u8) -> Result<Vec<RawRow>> {
    let text = with_lf_breaks(text, line_endings(text));
    let mut rows = Vec::new();
    parse_some(
        path,
        text.as_bytes(),
        delimiter,
        1,
        usize::MAX,
        true,
        (&mut rows, &mut Vec::new()),
    )?;
    Ok(rows)
}

/// The text with bare CR line breaks turned into LF (so that line numbers count as an editor
/// shows them); other texts as they are.
fn with_lf_breaks<'a>(text: &'a str, endings: &str) -> Cow<'a, str> {
    if endings == "CR" {
        Cow::Owned(text.replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Parse rows from the start of `bytes` (LF or CRLF line breaks) into `rows` until at least
/// `max_rows` records are parsed (blank lines before a record come as rows without cells);
/// returns where parsing stopped (the byte offset of the next record and its line number) and
/// the number of records parsed.
///
/// `complete` says whether `bytes` run to the end of the text. When they do not, a record
/// that reaches their end may go on beyond it: parsing stops before it (the caller reads
/// more text and parses on from the returned offset).
///
/// The rows go to the first of `(rows, spare)`; the cells of `spare` (rows handed back, see
/// [`super::RowSource::recycle`]) are filled again before new ones are allocated.
///
/// Lines that need no CSV parsing ([`plain_line`]) are split here, and the csv crate parses
/// the others: the rows are those the csv crate alone gives (a property test compares them).
fn parse_some(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
    first_line: u64,
    max_rows: usize,
    complete: bool,
    rows_and_spare: (&mut Vec<RawRow>, &mut Vec<Cells>),
) -> Result<(usize, u64, usize)> {
    // the csv crate drops a byte-order mark where it starts parsing (the start, and where it
    // starts again after plain lines): a text holding one (a file's own is stepped over before
    // its text is parsed) is parsed by the csv crate alone
    let plain = memchr::memmem::find(bytes, BOM).is_none();
    let lines = (bytes, first_line);
    parse_some_with(
        path,
        lines,
        delimiter,
        max_rows,
        complete,
        rows_and_spare,
        plain,
    )
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// What a byte is to a plain line (see [`plain_line`]).
const PLAIN: u8 = 0;
const DELIMITER: u8 = 1;
const NOT_PLAIN: u8 = 2;

/// The class of every byte for lines split at `delimiter`: a quote and a CR make a line not
/// plain.
fn byte_classes(delimiter: u8) -> [u8; 256] {
    let mut classes = [PLAIN; 256];
    classes[usize::from(b'"')] = NOT_PLAIN;
    classes[usize::from(b'\r')] = NOT_PLAIN;
    classes[usize::from(delimiter)] = DELIMITER;
    classes
}

/// Split the line at `at` into `cells` if it needs no CSV parsing: it ends with a line feed
/// (after any CR), holds no quote, no other CR and is valid UTF-8 (and the text holds no
/// byte-order mark, see [`parse_some`]) — the csv crate splits such a line at its delimiters
/// and nothing else. Returns where the next line starts; `None` (and `cells` left in any
/// state) for a line that is not plain.
fn plain_line(bytes: &[u8], at: usize, classes: &[u8; 256], cells: &mut Cells) -> Option<usize> {
    let rest = bytes.get(at..)?;
    let lf = memchr::memchr(b'\n', rest)?;
    let line = rest[..lf].strip_suffix(b"\r").unwrap_or(&rest[..lf]);
    if line.is_empty() {
        return None;
    }
    let text = simdutf8::basic::from_utf8(line).ok()?;
    cells.clear();
    cells.reserve(0, line.len());
    let mut start = 0;
    for (i, &b) in line.iter().enumerate() {
        match classes[usize::from(b)] {
            PLAIN => {}
            DELIMITER => {
                // the delimiter is an ASCII byte: both ends are character boundaries
                cells.push(text.get(start..i)?);
                start = i + 1;
            }
            _ => return None,
        }
    }
    cells.push(text.get(start..)?);
    Some(at + lf + 1)
}

/// Line numbers of byte offsets of a text, counted as parsing goes forward.
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// The line feeds before this offset are counted: it is on line `line`.
    counted_to: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line of the byte at `byte` (offsets before the counted ones: the last line counted).
    fn line_of(&mut self, byte: usize) -> u64 {
        let byte = byte.min(self.bytes.len());
        if byte >= self.counted_to {
            self.line +=
                memchr::memchr_iter(b'\n', &self.bytes[self.counted_to..byte]).count() as u64;
            self.counted_to = byte;
        }
        self.line
    }

    /// Step from the start of a line at `at` (counted to) to the next line at `next`, the line
    /// holding one line feed, at its end.
    fn step_over_line(&mut self, at: usize, next: usize) {
        if self.counted_to == at {
            self.counted_to = next;
            self.line += 1;
        }
    }
}

/// [`parse_some`], with the plain lines split here when `plain` (else the csv crate parses
/// every line).
fn parse_some_with(
    path: &Path,
    (bytes, first_line): (&[u8], u64),
    delimiter: u8,
    max_rows: usize,
    complete: bool,
    (rows, spare): (&mut Vec<RawRow>, &mut Vec<Cells>),
    plain: bool,
) -> Result<(usize, u64, usize)> {
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .double_quote(true)
        // it refills its buffer where it goes on after plain lines: a small one costs less
        .buffer_capacity(2048)
        .from_reader(std::io::Cursor::new(bytes));
    let resume = Resume {
        at: 0,
        line: first_line,
        rows: rows.len(),
        records: 0,
    };
    let mut parse = Parse {
        path,
        bytes,
        first_line,
        max_rows,
        complete,
        rows,
        spare,
        reader,
        reader_at: 0,
        next_at: 0,
        lines: LineCounter {
            bytes,
            counted_to: 0,
            line: first_line,
        },
        resume,
        emitted: 0,
    };
    let classes = plain.then(|| byte_classes(delimiter));
    let mut record = csv::ByteRecord::new();
    loop {
        if let Some(classes) = &classes {
            if let Some(done) = parse.plain_lines(classes) {
                return Ok(done);
            }
        }
        parse.move_reader_to_next()?;
        match parse.reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if let Some(done) = parse.take_record(&record)? {
                    return Ok(done);
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() + first_line - 1);
                return Err(Error::input(
                    path,
                    format!("line {line}: cannot parse the delimited text: {e}"),
                ));
            }
        }
    }
    Ok(parse.finish())
}

/// Where parsing can resume: after the last record (never right before a byte-order mark,
/// which the csv crate drops at the start of its input), its line, and the rows and records
/// by then.
#[derive(Debug, Clone, Copy)]
struct Resume {
    at: usize,
    line: u64,
    rows: usize,
    records: usize,
}

impl Resume {
    /// What [`parse_some_with`] returns when it stops here: the byte and line to go on from,
    /// and the records parsed.
    fn stop(self) -> (usize, u64, usize) {
        (self.at, self.line, self.records)
    }
}

/// One call of [`parse_some_with`] over a text: plain lines split here, the others parsed by
/// the csv crate from where they start.
struct Parse<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    first_line: u64,
    max_rows: usize,
    /// Whether the text is complete (else its last record may be cut and is left for later).
    complete: bool,
    rows: &'a mut Vec<RawRow>,
    /// Cells of rows used before, to fill again.
    spare: &'a mut Vec<Cells>,
    reader: csv::Reader<std::io::Cursor<&'a [u8]>>,
    /// Where the csv reader goes on from (it is moved after plain lines split here).
    reader_at: usize,
    /// Where the next record starts.
    next_at: usize,
    /// The csv crate skips blank lines and reports a record's position before them, so line
    /// numbers are counted here from byte offsets (incrementally: records come in byte order),
    /// and blank lines are kept as empty rows.
    lines: LineCounter<'a>,
    resume: Resume,
    /// Records parsed.
    emitted: usize,
}

impl Parse<'_> {
    /// Split the plain lines from the next record on; `Some` when `max_rows` are parsed.
    fn plain_lines(&mut self, classes: &[u8; 256]) -> Option<(usize, u64, usize)> {
        loop {
            let at = self.next_at;
            let mut cells = self.spare.pop().unwrap_or_default();
            let next = plain_line(self.bytes, at, classes, &mut cells);
            let Some(next) = next.filter(|n| self.complete || *n < self.bytes.len()) else {
                self.spare.push(cells);
                return None;
            };
            let line = self.lines.line_of(at);
            self.rows.push(RawRow { line, cells });
            self.emitted += 1;
            self.next_at = next;
            // the line holds one line feed, at its end
            self.lines.step_over_line(at, next);
            if let Some(stop) = self.resume_at(next) {
                return Some(stop);
            }
        }
    }

    /// A record ends before `next`: a parse that stops may go on from there. `Some` when
    /// `max_rows` are parsed.
    fn resume_at(&mut self, next: usize) -> Option<(usize, u64, usize)> {
        self.resume = Resume {
            at: next,
            line: self.lines.line_of(next),
            rows: self.rows.len(),
            records: self.emitted,
        };
        (self.emitted >= self.max_rows).then(|| self.resume.stop())
    }

    /// Move the csv reader to where the next record starts (unless it is there already: at the
    /// line feed of a CRLF it has parsed up to).
    fn move_reader_to_next(&mut self) -> Result<()> {
        let at = self.next_at;
        let at_crlf = at == self.reader_at + 1 && self.bytes.get(self.reader_at) == Some(&b'\n');
        if at == self.reader_at || at_crlf {
            return Ok(());
        }
        let mut position = csv::Position::new();
        position.set_byte(at as u64);
        position.set_line(self.lines.line_of(at) - self.first_line + 1);
        self.reader
            .seek_raw(std::io::SeekFrom::Start(at as u64), position)
            .map_err(|e| Error::input(self.path, format!("cannot parse the delimited text: {e}")))
    }

    /// Take a record the csv crate parsed, with the blank lines before it; `Some` when the
    /// parse stops here (`max_rows` parsed, or a record the text's end may have cut).
    fn take_record(&mut self, record: &csv::ByteRecord) -> Result<Option<(usize, u64, usize)>> {
        let bytes = self.bytes;
        let end = usize::try_from(self.reader.position().byte())
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        self.reader_at = end;
        if !self.complete && end >= bytes.len() {
            self.rows.truncate(self.resume.rows);
            return Ok(Some(self.resume.stop()));
        }
        let Some(cells) = cells_of(record, self.spare.pop().unwrap_or_default()) else {
            let line = self
                .lines
                .line_of(record.position().map_or(0, |p| p.byte() as usize));
            return Err(Error::input(
                self.path,
                format!("line {line}: a field is not valid text"),
            ));
        };
        let start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let start = self.blank_lines_from(start);
        let line = self.lines.line_of(start.min(bytes.len().saturating_sub(1)));
        self.rows.push(RawRow { line, cells });
        self.emitted += 1;
        let mut next = end;
        // a CRLF's LF may be left for the next record
        if next > 0 && bytes.get(next) == Some(&b'\n') && bytes[next - 1] == b'\r' {
            next += 1;
        }
        self.next_at = next;
        if bytes[next..].starts_with(BOM) {
            return Ok(None);
        }
        Ok(self.resume_at(next))
    }

    /// Keep the blank lines between the previous record and one the csv crate says starts at
    /// `start` as empty rows; returns where the record itself starts.
    fn blank_lines_from(&mut self, mut start: usize) -> usize {
        let bytes = self.bytes;
        // the position may point at the '\n' left of the previous record's CRLF; every further
        // line break before the record ends a blank line
        if start > 0 && bytes.get(start) == Some(&b'\n') && bytes[start - 1] == b'\r' {
            start += 1;
        }
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            if bytes[start] == b'\n' {
                self.rows.push(RawRow {
                    line: self.lines.line_of(start),
                    cells: Cells::new(),
                });
            }
            start += 1;
        }
        start
    }

    /// At the end of the text: all of it parsed, or, when it may go on, up to the last record
    /// that surely ended.
    fn finish(mut self) -> (usize, u64, usize) {
        if self.complete {
            let end = self.bytes.len();
            (end, self.lines.line_of(end), self.emitted)
        } else {
            self.rows.truncate(self.resume.rows);
            self.resume.stop()
        }
    }
}

/// The rows of a delimited text, parsed a batch at a time while its text is read a piece at a
/// time: a large export is never held in memory whole, neither as text nor as rows.
pub struct RowStream {
    path: std::path::PathBuf,
    delimiter: u8,
    /// The text; its unread part starts where a record starts.
    text: TextPieces,
    /// The line number at the start of the unread text.
    line: u64,
    /// The cells of rows handed back, filled again by the next rows.
    spare: Vec<Cells>,
    /// The list of the rows handed back last, emptied, for the next rows.
    spare_rows: Vec<RawRow>,
    /// How many bytes at the start of the unread text are known to hold no byte-order mark
    /// (so that each batch does not search the whole unread text again, see [`parse_some`]).
    bom_free: usize,
}

impl std::fmt::Debug for RowStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("line", &self.line)
            .field("position", &self.text.position())
            .finish()
    }
}

impl super::RowSource for RowStream {
    fn position(&self) -> (u64, u64) {
        self.text.position()
    }

    /// The next rows (at least `max_rows` records unless the text ends; blank lines are rows
    /// without cells); empty at the end.
    fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        let max_rows = max_rows.max(1);
        let mut rows = std::mem::take(&mut self.spare_rows);
        rows.reserve(max_rows.min(1 << 16));
        let mut records = 0;
        loop {
            let plain = self.holds_no_bom();
            let (used, line, parsed) = parse_some_with(
                &self.path,
                (self.text.unread(), self.line),
                self.delimiter,
                max_rows - records,
                self.text.ended(),
                (&mut rows, &mut self.spare),
                plain,
            )?;
            self.text.consume(used);
            self.bom_free = self.bom_free.saturating_sub(used);
            self.line = line;
            records += parsed;
            if self.text.ended() || records >= max_rows {
                return Ok(rows);
            }
            self.text.read_more(&self.path)?;
        }
    }

    fn recycle(&mut self, mut rows: Vec<RawRow>) {
        // enough for the batches in flight; more would only hold memory
        let room = MAX_SPARE_CELLS.saturating_sub(self.spare.len());
        self.spare
            .extend(rows.drain(..).take(room).map(|row| row.cells));
        if rows.capacity() > self.spare_rows.capacity() {
            self.spare_rows = rows;
        }
    }
}

/// The most rows' cells a [`RowStream`] keeps for reuse.
const MAX_SPARE_CELLS: usize = 1 << 17;

impl RowStream {
    /// Whether the unread text holds no byte-order mark, searching only the text read since
    /// the last search (see [`parse_some`]: lines are split by the reader only then).
    fn holds_no_bom(&mut self) -> bool {
        let unread = self.text.unread();
        if self.bom_free < unread.len() {
            let from = self.bom_free.saturating_sub(BOM.len() - 1);
            if memchr::memmem::find(&unread[from..], BOM).is_some() {
                return false;
            }
            self.bom_free = unread.len();
        }
        true
    }

    /// Read until the text not parsed yet holds `lines` non-blank lines (or the source ends),
    /// and return it.
    fn look_ahead(&mut self, lines: usize) -> Result<&str> {
        while !self.text.ended() && !has_lines(valid_prefix(self.text.unread()), lines) {
            self.text.read_more(&self.path)?;
        }
        Ok(valid_prefix(self.text.unread()))
    }
}

/// The longest start of `bytes` that is UTF-8 (a piece of text may end inside a character).
fn valid_prefix(bytes: &[u8]) -> &str {
    match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Whether a text holds at least `n` non-blank lines.
fn has_lines(text: &str, n: usize) -> bool {
    text.split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .nth(n.saturating_sub(1))
        .is_some()
}

/// Read the first `head_rows` rows of a delimited text in memory; the rest is parsed a batch
/// at a time by the returned table's [`RowStream`] (`options.piece_bytes` at a time).
pub fn read_delimited_head(
    path: &Path,
    bytes: Vec<u8>,
    options: &ReadOptions,
    head_rows: usize,
) -> Result<RawTable> {
    let source = ByteSource::Memory(bytes.into());
    read_head_from(path, source, options, head_rows, options.piece_bytes())
}

/// Read a whole delimited text file (a copy of the bytes: [`read_delimited_head`] takes them).
pub fn read_delimited(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<RawTable> {
    let mut table = read_delimited_head(path, bytes.to_vec(), options, usize::MAX)?;
    table.read_rest()?;
    Ok(table)
}

/// The line endings that end records in a delimited text (quoted fields as RFC 4180 has them):
/// `CRLF`, `LF`, `CR`, `mixed` or `none`.
fn record_endings(reader: &mut dyn std::io::Read, delimiter: u8) -> std::io::Result<&'static str> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let (mut crlf, mut lf, mut cr) = (0u64, 0u64, 0u64);
    let mut state = State::FieldStart;
    let mut after_cr = false;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if after_cr {
                after_cr = false;
                if b == b'\n' {
                    crlf += 1;
                    continue;
                }
                cr += 1;
            }
            state = match (state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') | (State::FieldStart, b'"') => State::Quoted,
                (_, b'\r') => {
                    after_cr = true;
                    State::FieldStart
                }
                (_, b'\n') => {
                    lf += 1;
                    State::FieldStart
                }
                (_, d) if d == delimiter => State::FieldStart,
                _ => State::Unquoted,
            };
        }
    }
    if after_cr {
        cr += 1;
    }
    Ok(endings_name(crlf > 0, lf > 0, cr > 0))
}

/// Bytes looked at to decide the encoding.
const SNIFF_BYTES: usize = 8192;

/// What is known about a delimited file before its rows are parsed.
struct Opened {
    encoding: TextEncoding,
    bom: bool,
    endings: &'static str,
    size: u64,
    sha256: String,
    stream: RowStream,
}

/// Read the first `head_rows` rows of a delimited text (a file is read twice, a piece at a
/// time: once to hash it and learn its encoding and line endings, once to parse it).
pub(super) fn read_head_from(
    path: &Path,
    source: ByteSource,
    options: &ReadOptions,
    head_rows: usize,
    piece: usize,
) -> Result<RawTable> {
    let Opened {
        encoding,
        bom,
        endings,
        size,
        sha256,
        mut stream,
    } = open_delimited(path, &source, options, piece)?;
    let first = stream.look_ahead(DELIMITER_LINES + 1)?;
    if first.trim().is_empty() {
        // the stream read to the end, as it found no lines
        return Err(Error::unreadable(path, "the file holds no text"));
    }
    let delimiter = detect_delimiter(first);
    stream.delimiter = delimiter;
    let endings = endings_of_records(path, &source, encoding, endings, delimiter)?;
    let rows = stream.next_rows(head_rows)?;
    let mut table = RawTable::new(
        path,
        SourceFormat {
            kind: "delimited".into(),
            encoding: Some(encoding.name().into()),
            bom,
            delimiter: Some(delimiter_name(delimiter)),
            line_endings: Some(endings.into()),
            ..SourceFormat::default()
        },
        rows,
    );
    table.rest = Some(Box::new(stream));
    table.sha256 = sha256;
    table.size = size;
    Ok(table)
}

/// The line endings of a file's records. The survey counts every line break; when it finds
/// more than one kind, the file is read again counting only the breaks that end records, as a
/// line break inside a quoted field (RFC 4180) is a value, not a line ending. (Quotes,
/// delimiters and line breaks are single ASCII bytes in every encoding but UTF-16, whose text
/// keeps the survey's count of the decoded line breaks.)
fn endings_of_records(
    path: &Path,
    source: &ByteSource,
    encoding: TextEncoding,
    counted: &'static str,
    delimiter: u8,
) -> Result<&'static str> {
    if counted != "mixed" || matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be) {
        return Ok(counted);
    }
    record_endings(&mut source.open(path)?, delimiter).map_err(|e| Error::io(path, e))
}

/// Decide a file's encoding from its first bytes, survey it and open the stream of its text (the delimiter is set once the first lines are read).
fn open_delimited(
    path: &Path,
    source: &ByteSource,
    options: &ReadOptions,
    piece: usize,
) -> Result<Opened> {
    let forced = options.encoding.as_deref();
    let mut reader = source.open(path)?;
    let mut head = vec![0; SNIFF_BYTES];
    let n = read_full(path, &mut *reader, &mut head)?;
    head.truncate(n);
    if head.is_empty() {
        return Err(Error::unreadable(path, "the file is empty"));
    }
    let plan = plan_encoding(path, &head, forced)?;
    let stream = |source, decoder, endings, size| RowStream {
        path: path.to_path_buf(),
        delimiter: b';',
        text: TextPieces::new(source, decoder, endings == "CR", size, piece),
        line: 1,
        spare: Vec::new(),
        spare_rows: Vec::new(),
        bom_free: 0,
    };
    let told = (&options.progress, source.size(path));
    let (survey, sha256) = survey_and_hash(path, &plan, head, reader, piece, told)?;
    let (encoding, endings, size) = survey.finish(path, &plan)?;
    let decoder =
        TextDecoder::new(encoding).ok_or_else(|| Error::Internal("no streaming decoder".into()))?;
    let mut stream = stream(source.open(path)?, decoder, endings, size);
    stream.text.skip(path, plan.skip)?;
    Ok(Opened {
        encoding,
        bom: plan.bom,
        endings,
        size,
        sha256,
        stream,
    })
}

/// The cells of a parsed record, with any byte-order mark at a cell's start removed. The
/// record's bytes are checked as UTF-8 once, not cell by cell.
fn cells_of(record: &csv::ByteRecord, mut cells: Cells) -> Option<Cells> {
    let joined = std::str::from_utf8(record.as_slice()).ok()?;
    cells.clear();
    cells.reserve(record.len(), joined.len());
    let mut at = 0;
    for field in record {
        let end = at + field.len();
        let mut cell = joined.get(at..end)?;
        while let Some(rest) = cell.strip_prefix('\u{feff}') {
            cell = rest;
        }
        cells.push(cell);
        at = end;
    }
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endings(text: &str) -> &'static str {
        record_endings(&mut text.as_bytes(), b',').expect("read")
    }

    #[test]
    fn record_endings_leave_out_breaks_inside_quoted_fields() {
        assert_eq!(endings("a,b\nc,d\n"), "LF");
        assert_eq!(endings("a,\"x\r\ny\"\nc,d\n"), "LF");
        assert_eq!(endings("a,\"x\ny\"\r\nc,d\r\n"), "CRLF");
        assert_eq!(endings("a,\"x \"\"q\"\"\r\ny\"\n"), "LF");
        assert_eq!(endings("a,b\rc,d\r"), "CR");
        assert_eq!(endings("a,b\r\nc,d\n"), "mixed");
        assert_eq!(endings("a,b"), "none");
        // a quote inside an unquoted field is a character, not the start of a quoted field
        assert_eq!(endings("a,12\" skärm\r\nc,d\n"), "mixed");
        // a CR at the end of a piece and an LF at the start of the next are one CRLF
        let text = "a,b\r\n".repeat(300_000);
        assert_eq!(endings(&text), "CRLF");
    }

    proptest::proptest! {
        /// Records of fields (some quoted, with quotes, delimiters and any line breaks inside)
        /// joined by one line ending are found to have that ending.
        #[test]
        fn record_endings_are_the_terminator(
            records in proptest::collection::vec(
                proptest::collection::vec("[a-c\"\r\n,]{0,6}", 1..4), 1..6),
            terminator in proptest::sample::select(vec!["\n", "\r\n", "\r"]),
        ) {
            let text: String = records
                .iter()
                .map(|fields| {
                    let fields: Vec<String> = fields
                        .iter()
                        .map(|f| crate::spec::csv_field(f).into_owned())
                        .map(|f| if f.is_empty() { "\"\"".to_string() } else { f })
                        .collect();
                    fields.join(",") + terminator
                })
                .collect();
            let want = match terminator { "\n" => "LF", "\r\n" => "CRLF", _ => "CR" };
            proptest::prop_assert_eq!(endings(&text), want, "{:?}", text);
        }
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(detect_delimiter("a,b,c\n1,2.5,3\n"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(detect_delimiter("a|b|c\n1|2|3\n"), b'|');
        assert_eq!(
            detect_delimiter("Rapport, mars\na;b;c\n\"x;y\";2,5;3\n"),
            b';'
        );
    }

    #[test]
    fn line_ending_kinds() {
        assert_eq!(line_endings("a\r\nb\r\n"), "CRLF");
        assert_eq!(line_endings("a\nb\n"), "LF");
        assert_eq!(line_endings("a\rb\r"), "CR");
        assert_eq!(line_endings("a\rb\n"), "mixed");
    }

    #[test]
    fn bare_cr_rows_and_quotes() {
        let rows = parse_rows(Path::new("x"), "a;b\r\"x;y\";2\r3;4\r", b';').unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].cells, vec!["x;y", "2"]);
        assert_eq!(rows[2].line, 3);
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    fn lines(text: &str) -> Vec<(u64, usize)> {
        parse_rows(Path::new("x"), text, b';')
            .unwrap()
            .iter()
            .map(|r| (r.line, r.cells.len()))
            .collect()
    }

    #[test]
    fn line_numbers_count_blank_lines() {
        let want = vec![(1, 1), (2, 1), (3, 0), (4, 2), (5, 2)];
        assert_eq!(lines("a\nb\n\nc;d\n1;2\n"), want);
        assert_eq!(lines("a\r\nb\r\n\r\nc;d\r\n1;2\r\n"), want);
        assert_eq!(lines("a\rb\r\rc;d\r1;2\r"), want);
        assert_eq!(lines("\n\na;b\n"), vec![(1, 0), (2, 0), (3, 2)]);
        // a quoted line break: the next record starts two lines later
        assert_eq!(lines("\"x\ny\";1\nz;2\n"), vec![(1, 2), (3, 2)]);
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;
    use proptest::prelude::*;

    /// A line: empty, or fields from a small alphabet with quotes, delimiters and quoted line
    /// breaks.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("\u{feff}".to_string()),
            proptest::collection::vec(
                prop_oneof![
                    "[a-c ]{0,3}",
                    "\"[a-c;]{0,3}\"",
                    "\"x\ny\"",
                    "\"q\"\"q\"",
                    Just("Summa".to_string()),
                ],
                1..4
            )
            .prop_map(|fields| fields.join(";")),
        ]
    }

    proptest! {
        /// Parsing a text batch by batch from a [`RowStream`], reading it a few bytes at a time,
        /// gives the rows of parsing it in one go, whatever the batch size, the size of the
        /// pieces read and the line endings, and whether used rows are handed back to be
        /// filled again ([`crate::read::RowSource::recycle`]: no cell of an earlier row is left
        /// in a later one).
        #[test]
        fn batches_give_the_rows_of_one_pass(
            lines in proptest::collection::vec(line(), 0..40),
            ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("mixed")],
            batch in 1usize..7,
            piece in 1usize..24,
            trailing in any::<bool>(),
            recycle in any::<bool>(),
        ) {
            let mut text = String::new();
            for (i, l) in lines.iter().enumerate() {
                text.push_str(l);
                let last = i + 1 == lines.len();
                if !last || trailing {
                    text.push_str(match ending {
                        "mixed" if i % 2 == 0 => "\r\n",
                        "mixed" => "\n",
                        e => e,
                    });
                }
            }
            let path = Path::new("x.csv");
            // the reader steps over a byte-order mark at the start of the file
            let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let want = parse_rows(path, body, b';').unwrap();
            let read = read_head_from(
                path,
                ByteSource::Memory(text.as_bytes().into()),
                &ReadOptions::default(),
                batch,
                piece,
            );
            let Ok(mut table) = read else {
                // only a text of white space is refused
                prop_assert!(body.trim().is_empty());
                return Ok(());
            };
            // the line breaks, or when they are of more than one kind, the records' ends
            let endings = match line_endings(&text) {
                "mixed" => record_endings(&mut text.as_bytes(), b';').unwrap(),
                counted => counted,
            };
            prop_assert_eq!(table.format.line_endings.as_deref(), Some(endings));
            let mut got = std::mem::take(&mut table.rows);
            let mut stream = table.rest.take().unwrap();
            loop {
                let rows = stream.next_rows(batch).unwrap();
                if rows.is_empty() {
                    break;
                }
                got.extend(rows.iter().cloned());
                if recycle {
                    // with a row of more cells and text than any, to be cleared
                    let mut used = rows;
                    used.push(RawRow {
                        line: 0,
                        cells: ["left", "over", "cells", "x", "y"].into_iter().collect(),
                    });
                    stream.recycle(used);
                }
            }
            prop_assert_eq!(stream.position(), (text.len() as u64, text.len() as u64));
            prop_assert_eq!(got, want);
        }
    }

    /// A line for the plain-line test: plain lines often, and any of [`line`]'s, invalid UTF-8,
    /// a stray CR, a BOM inside, a lone quote.
    fn any_line() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => "[a-cå ;]{0,8}".prop_map(String::into_bytes),
            2 => line().prop_map(String::into_bytes),
            1 => Just(b"a;\xff;b".to_vec()),
            1 => Just(b"a\rb;c".to_vec()),
            1 => Just("a;\u{feff}b".as_bytes().to_vec()),
            1 => Just(b"a\"b;c".to_vec()),
            1 => Just(b"\"a;b".to_vec()),
        ]
    }

    proptest! {
        /// The lines split here give the rows, the errors and the stopping points the csv crate
        /// gives alone: for any mix of plain and other lines and line endings, whether the text
        /// is complete or cut anywhere, and any number of rows asked for.
        #[test]
        fn plain_lines_split_here_give_what_the_csv_crate_gives(
            lines in proptest::collection::vec(any_line(), 0..30),
            endings in proptest::collection::vec(prop_oneof![Just("\n"), Just("\r\n")], 30),
            cut in any::<prop::sample::Index>(),
            complete in any::<bool>(),
            max_rows in 1usize..40,
            first_line in 1u64..5,
        ) {
            let mut text = Vec::new();
            for (l, e) in lines.iter().zip(&endings) {
                text.extend_from_slice(l);
                text.extend_from_slice(e.as_bytes());
            }
            let bytes = if complete { &text[..] } else { &text[..cut.index(text.len() + 1)] };
            let parse = |plain| {
                let (mut rows, mut spare) = (Vec::new(), Vec::new());
                let (path, found) = (Path::new("x.csv"), (&mut rows, &mut spare));
                let result = if plain {
                    parse_some(path, bytes, b';', first_line, max_rows, complete, found)
                } else {
                    parse_some_with(path, (bytes, first_line), b';', max_rows, complete, found, false)
                };
                (result.map_err(|e| e.to_string()), rows)
            };
            let (split, by_csv) = (parse(true), parse(false));
            prop_assert_eq!(split, by_csv);
        }
    }

    /// A file that is longer or shorter when it is parsed than when it was surveyed (it
    /// changed in between) is an error, not a silently different conversion.
    #[test]
    fn a_file_that_changes_while_it_is_read_is_an_error() {
        let text: String = (0..300).map(|i| format!("{i};x\n")).collect();
        for change in [-1i64, 1] {
            let path = Path::new("x.csv");
            let source = ByteSource::Memory(text.as_bytes().into());
            let mut stream = open_delimited(path, &source, &ReadOptions::default(), 64)
                .expect("opens")
                .stream;
            // as if the file had been one byte shorter or longer when it was surveyed
            stream.text.size = stream.text.size.saturating_add_signed(change);
            let error = loop {
                match stream.next_rows(10) {
                    Ok(rows) => assert!(!rows.is_empty(), "read to the end without an error"),
                    Err(e) => break e.to_string(),
                }
            };
            assert!(error.contains("changed while it was being read"), "{error}");
        }
    }

    /// The first pass tells how far it has come, up to the whole file.
    #[test]
    fn the_survey_tells_its_progress() {
        use std::sync::{Arc, Mutex};
        let text: String = (0..200_000).map(|i| format!("{i};x\n")).collect();
        let told: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
        let seen = Arc::clone(&told);
        let options = ReadOptions {
            progress: super::super::ReadProgress::new(move |part, whole| {
                seen.lock().unwrap().push((part, whole));
            }),
            piece_bytes: Some(1 << 18),
            ..ReadOptions::default()
        };
        read_delimited_head(Path::new("x.csv"), text.as_bytes().to_vec(), &options, 1)
            .expect("reads");
        let told = told.lock().unwrap();
        let size = text.len() as u64;
        assert!(told.len() >= 4, "{told:?}");
        assert!(told.windows(2).all(|w| w[0].0 < w[1].0), "{told:?}");
        assert!(told.iter().all(|(_, whole)| *whole == size), "{told:?}");
        assert_eq!(told.last(), Some(&(size, size)));
    }
}
