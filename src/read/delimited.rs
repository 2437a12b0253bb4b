//! Delimited text: encoding and delimiter detection, then RFC 4180 parsing with the csv crate.

use super::{Cells, RawRow, RawTable, ReadOptions, SourceFormat};
use crate::error::{Error, Result};
use std::borrow::Cow;
use std::path::Path;

/// Delimiters tried, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

/// A text encoding this tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8,
    /// UTF-16 little endian.
    Utf16Le,
    /// UTF-16 big endian.
    Utf16Be,
    /// Windows-1252 (a superset of ISO-8859-1 for printable text).
    Windows1252,
    /// IBM PC code page 437 (`#FORMAT PC8` in SIE files).
    Cp437,
    /// IBM PC code page 850.
    Cp850,
}

impl TextEncoding {
    /// Parse a user-given encoding name.
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let l = label.trim().to_lowercase().replace('_', "-");
        Some(match l.as_str() {
            "utf-8" | "utf8" => TextEncoding::Utf8,
            "utf-16le" | "utf-16" | "utf16le" | "utf16" => TextEncoding::Utf16Le,
            "utf-16be" | "utf16be" => TextEncoding::Utf16Be,
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1"
            | "ansi" => TextEncoding::Windows1252,
            "cp437" | "ibm437" | "pc8" | "ibm-pc" => TextEncoding::Cp437,
            "cp850" | "ibm850" => TextEncoding::Cp850,
            _ => return None,
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
            TextEncoding::Cp437 => "CP437",
            TextEncoding::Cp850 => "CP850",
        }
    }
}

/// The names accepted by `--encoding`, for messages.
pub const ENCODING_NAMES: &str =
    "utf-8, utf-16le, utf-16be, windows-1252 (iso-8859-1), cp437, cp850";

/// Detect a byte-order mark; returns the encoding and the BOM's length.
fn sniff_bom(bytes: &[u8]) -> Option<(TextEncoding, usize)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((TextEncoding::Utf8, 3))
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((TextEncoding::Utf16Le, 2))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((TextEncoding::Utf16Be, 2))
    } else {
        None
    }
}

/// Guess UTF-16 without a BOM from the share of NUL bytes at even or odd positions.
fn sniff_utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let odd_nuls = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let even_nuls = sample.iter().step_by(2).filter(|b| **b == 0).count();
    if odd_nuls * 10 > pairs * 8 && even_nuls * 10 < pairs {
        Some(TextEncoding::Utf16Le)
    } else if even_nuls * 10 > pairs * 8 && odd_nuls * 10 < pairs {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Whether bytes look like binary data rather than text in a single-byte or UTF-8 encoding.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|b| matches!(**b, 0..=8 | 14..=26 | 28..=31))
        .count();
    sample.contains(&0) || controls * 20 > sample.len()
}

/// Decode bytes (after any BOM) with an encoding; UTF-8 (and ASCII-only Windows-1252) text is
/// borrowed, not copied.
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> std::result::Result<Cow<'_, str>, String> {
    match encoding {
        TextEncoding::Utf8 => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            format!("not valid UTF-8 at byte {at} (line {line})")
        }),
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            if bytes.len() % 2 != 0 {
                return Err(format!(
                    "not valid {}: odd number of bytes",
                    encoding.name()
                ));
            }
            let enc = if encoding == TextEncoding::Utf16Le {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(format!("not valid {}", encoding.name()));
            }
            Ok(text)
        }
        TextEncoding::Windows1252 => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(text)
        }
        TextEncoding::Cp437 => Ok(Cow::Owned(decode_oem(
            bytes,
            &oem_cp::code_table::DECODING_TABLE_CP437,
        ))),
        TextEncoding::Cp850 => Ok(Cow::Owned(decode_oem(
            bytes,
            &oem_cp::code_table::DECODING_TABLE_CP850,
        ))),
    }
}

fn decode_oem(bytes: &[u8], table: &[char; 128]) -> String {
    bytes
        .iter()
        .map(|b| {
            if *b < 128 {
                char::from(*b)
            } else {
                table[usize::from(*b - 128)]
            }
        })
        .collect()
}

/// Text decoded from a file, with what was detected.
#[derive(Debug, Clone)]
pub struct DecodedText<'a> {
    /// The text, without BOM (borrowed from the file's bytes when they are UTF-8).
    pub text: Cow<'a, str>,
    /// The encoding used.
    pub encoding: TextEncoding,
    /// Whether a BOM was present.
    pub bom: bool,
}

/// Decode a file's bytes: a forced encoding, else the BOM, else UTF-8 when valid, else
/// Windows-1252.
pub fn decode_file<'a>(
    path: &Path,
    bytes: &'a [u8],
    forced: Option<&str>,
) -> Result<DecodedText<'a>> {
    let bom = sniff_bom(bytes);
    let forced = match forced {
        Some(label) => Some(TextEncoding::from_label(label).ok_or_else(|| {
            Error::Usage(format!(
                "unknown encoding '{label}'; use one of: {ENCODING_NAMES}"
            ))
        })?),
        None => None,
    };
    let (encoding, body) = match (forced, bom) {
        (Some(enc), Some((bom_enc, len))) if enc == bom_enc => (enc, &bytes[len..]),
        (Some(enc), _) => (enc, bytes),
        (None, Some((enc, len))) => (enc, &bytes[len..]),
        (None, None) => match sniff_utf16_without_bom(bytes) {
            Some(enc) => (enc, bytes),
            None => {
                if looks_binary(bytes) {
                    return Err(Error::unreadable(
                        path,
                        "this is not a text file or workbook (binary content); \
                         give a CSV, TSV, xlsx, xls or ods file",
                    ));
                }
                if let Ok(text) = std::str::from_utf8(bytes) {
                    // checked once: no second decoding pass
                    return Ok(DecodedText {
                        text: Cow::Borrowed(text),
                        encoding: TextEncoding::Utf8,
                        bom: false,
                    });
                }
                (TextEncoding::Windows1252, bytes)
            }
        },
    };
    let text = decode(body, encoding).map_err(|m| {
        Error::unreadable(
            path,
            format!(
                "{m}; the file is not in {}: try another --encoding ({ENCODING_NAMES})",
                encoding.name()
            ),
        )
    })?;
    if forced.is_some() && text.contains('\0') {
        return Err(Error::unreadable(
            path,
            format!(
                "decoding as {} gives NUL characters: wrong --encoding? ({ENCODING_NAMES})",
                encoding.name()
            ),
        ));
    }
    // a BOM may also be glued inside the text (e.g. a second BOM in a header name)
    Ok(DecodedText {
        text,
        encoding,
        bom: bom.is_some(),
    })
}

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

/// Detect the delimiter from the first lines: the candidate whose most common per-line count
/// is highest, weighted by how many lines share it.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .take(100)
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

/// Which line endings a text uses (one pass over the bytes).
pub fn line_endings(text: &str) -> &'static str {
    let (mut crlf, mut lf, mut cr) = (0usize, 0usize, 0usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = bytes[i..].iter().position(|b| *b == b'\n' || *b == b'\r') {
        let at = i + pos;
        if bytes[at] == b'\r' {
            if bytes.get(at + 1) == Some(&b'\n') {
                crlf += 1;
                i = at + 2;
                continue;
            }
            cr += 1;
        } else {
            lf += 1;
        }
        i = at + 1;
    }
    match (crlf > 0, lf > 0, cr > 0) {
        (false, false, false) => "none",
        (true, false, false) => "CRLF",
        (false, true, false) => "LF",
        (false, false, true) => "CR",
        _ => "mixed",
    }
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
    let mut rows = Vec::new();
    for_each_row(path, text, delimiter, line_endings(text), |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// Parse decoded text and hand each row (blank lines as rows without cells) to `f`, in order,
/// without keeping them: for checks that stream over large files.
pub fn for_each_row(
    path: &Path,
    text: &str,
    delimiter: u8,
    endings: &str,
    f: impl FnMut(RawRow) -> Result<()>,
) -> Result<()> {
    let text = with_lf_breaks(text, endings);
    parse_some(path, text.as_bytes(), delimiter, 1, usize::MAX, f).map(|_| ())
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

/// Parse rows from the start of `text` (LF or CRLF line breaks) until at least `max_rows` rows
/// (blank lines included) are handed to `f`; returns where parsing stopped: the byte offset
/// of the next record (`text.len()` at the end) and its line number.
fn parse_some(
    path: &Path,
    bytes: &[u8],
    delimiter: u8,
    first_line: u64,
    max_rows: usize,
    mut f: impl FnMut(RawRow) -> Result<()>,
) -> Result<(usize, u64)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .double_quote(true)
        .from_reader(bytes);
    // the csv crate skips blank lines and reports a record's position before them, so line
    // numbers are counted here from byte offsets, and blank lines are kept as empty rows
    // line numbers are counted incrementally: records come in byte order
    let mut counted_to = 0usize;
    let mut line_at_counted = first_line;
    let mut line_of = |byte: usize| {
        let byte = byte.min(bytes.len());
        if byte >= counted_to {
            line_at_counted += bytes[counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = byte;
        }
        line_at_counted
    };
    let mut record = csv::ByteRecord::new();
    let mut emitted = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let Some(cells) = cells_of(&record) else {
                    let line = line_of(record.position().map_or(0, |p| p.byte() as usize));
                    return Err(Error::input(
                        path,
                        format!("line {line}: a field is not valid text"),
                    ));
                };
                let mut start = record
                    .position()
                    .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
                // the position may point at the '\n' left of the previous record's CRLF;
                // every further line break before the record ends a blank line
                if start > 0 && bytes.get(start) == Some(&b'\n') && bytes[start - 1] == b'\r' {
                    start += 1;
                }
                while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                    if bytes[start] == b'\n' {
                        f(RawRow {
                            line: line_of(start),
                            cells: Cells::new(),
                        })?;
                    }
                    start += 1;
                }
                let line = line_of(start.min(bytes.len().saturating_sub(1)));
                f(RawRow { line, cells })?;
                emitted += 1;
                if emitted >= max_rows {
                    let mut next = usize::try_from(reader.position().byte())
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    // a CRLF's LF may be left for the next record
                    if next > 0 && bytes.get(next) == Some(&b'\n') && bytes[next - 1] == b'\r' {
                        next += 1;
                    }
                    // the csv crate drops a BOM at the start of its input: never resume there
                    if !bytes[next..].starts_with("\u{feff}".as_bytes()) {
                        return Ok((next, line_of(next)));
                    }
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
    Ok((bytes.len(), line_of(bytes.len())))
}

/// The rest of a delimited text, parsed a batch of rows at a time: a large export is held in
/// memory as text only, not as rows.
#[derive(Clone)]
pub struct RowStream {
    path: std::path::PathBuf,
    /// The decoded text as UTF-8 (bare CR line breaks already turned into LF); each record is
    /// checked as UTF-8 when it is parsed.
    text: Vec<u8>,
    /// Where the next record starts.
    at: usize,
    /// The line number at `at`.
    line: u64,
    delimiter: u8,
}

impl std::fmt::Debug for RowStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("at", &self.at)
            .field("line", &self.line)
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl RowStream {
    /// How far parsing has come: bytes parsed and bytes in all.
    pub fn position(&self) -> (u64, u64) {
        (self.at as u64, self.text.len() as u64)
    }

    /// The next rows (at least `max_rows` unless the text ends; blank lines are rows without
    /// cells); empty at the end.
    pub fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        let Some(rest) = self.text.get(self.at..).filter(|r| !r.is_empty()) else {
            return Ok(Vec::new());
        };
        let mut rows = Vec::with_capacity(max_rows.min(1 << 20));
        let (used, line) = parse_some(
            &self.path,
            rest,
            self.delimiter,
            self.line,
            max_rows.max(1),
            |row| {
                rows.push(row);
                Ok(())
            },
        )?;
        self.at += used;
        self.line = line;
        Ok(rows)
    }
}

/// Read the first `head_rows` rows of a delimited text file; the rest stays as text, to be
/// parsed by the returned table's [`RowStream`].
pub fn read_delimited_head(
    path: &Path,
    bytes: Vec<u8>,
    options: &ReadOptions,
    head_rows: usize,
) -> Result<RawTable> {
    // the bytes are hashed on a second thread while they are decoded and looked at
    let (looked, sha256) = std::thread::scope(|s| {
        let hasher = s.spawn(|| super::sha256_hex(&bytes));
        let looked = look_at(path, &bytes, options);
        (looked, hasher.join())
    });
    let sha256 = sha256.map_err(|_| Error::Internal("the hashing thread failed".into()))?;
    let (decoded, encoding, bom, delimiter, endings) = looked?;
    // text borrowed from the bytes (UTF-8, or ASCII) becomes the stream's text without a copy;
    // a UTF-8 byte-order mark is stepped over
    let (mut text, at) = match decoded {
        Ok(text) => (text.into_bytes(), 0),
        Err(at) => (bytes, at),
    };
    if endings == "CR" {
        // bare CR line breaks become LF, in place
        for b in &mut text {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
    }
    let mut stream = RowStream {
        path: path.to_path_buf(),
        text,
        at,
        line: 1,
        delimiter,
    };
    let rows = stream.next_rows(head_rows)?;
    let mut table = RawTable::new(
        path,
        SourceFormat {
            kind: "delimited".into(),
            encoding: Some(encoding.name().into()),
            bom,
            delimiter: Some(delimiter_name(delimiter)),
            line_endings: Some(endings.into()),
            sheet: None,
        },
        rows,
    );
    table.rest = Some(stream);
    table.sha256 = sha256;
    Ok(table)
}

/// What [`read_delimited_head`] learns from the bytes: the decoded text when it had to be
/// decoded (else `Err` with the offset of the text in the bytes, after any BOM), the
/// encoding, whether there was a BOM, the delimiter and the line endings.
type LookedAt = (
    std::result::Result<String, usize>,
    TextEncoding,
    bool,
    u8,
    &'static str,
);

fn look_at(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<LookedAt> {
    let decoded = decode_file(path, bytes, options.encoding.as_deref())?;
    if decoded.text.trim().is_empty() {
        return Err(Error::unreadable(path, "the file holds no text"));
    }
    let delimiter = detect_delimiter(&decoded.text);
    let endings = line_endings(&decoded.text);
    let text = match decoded.text {
        Cow::Owned(text) => Ok(text),
        Cow::Borrowed(body) => Err(bytes.len() - body.len()),
    };
    Ok((text, decoded.encoding, decoded.bom, delimiter, endings))
}

/// The cells of a parsed record, with any byte-order mark at a cell's start removed. The
/// record's bytes are checked as UTF-8 once, not cell by cell.
fn cells_of(record: &csv::ByteRecord) -> Option<Cells> {
    let joined = std::str::from_utf8(record.as_slice()).ok()?;
    let mut cells = Cells::with_capacity(record.len(), joined.len());
    let mut at = 0;
    for field in record {
        let end = at + field.len();
        cells.push(joined.get(at..end)?.trim_start_matches('\u{feff}'));
        at = end;
    }
    Some(cells)
}

/// Read a whole delimited text file (a copy of the bytes: [`read_delimited_head`] takes them).
pub fn read_delimited(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<RawTable> {
    let mut table = read_delimited_head(path, bytes.to_vec(), options, usize::MAX)?;
    table.read_rest()?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn encodings() {
        let p = Path::new("x");
        let latin = b"a;\xe5\xe4\xf6\n";
        assert_eq!(decode_file(p, latin, None).unwrap().text, "a;åäö\n");
        let bom = b"\xef\xbb\xbfa;b\n";
        let d = decode_file(p, bom, None).unwrap();
        assert!(d.bom);
        assert_eq!(d.text, "a;b\n");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a;ö\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode_file(p, &utf16, None).unwrap().text, "a;ö\n");
        let cp437 = b"#FNAMN \x84\x94\x86\n";
        assert_eq!(
            decode_file(p, cp437, Some("cp437")).unwrap().text,
            "#FNAMN äöå\n"
        );
        assert!(decode_file(p, latin, Some("utf-8")).is_err());
        assert!(decode_file(p, b"\x00\x01\x02\x03binary", None).is_err());
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
        /// Parsing a text batch by batch from a [`RowStream`] gives the rows of parsing it in
        /// one go, whatever the batch size and line endings.
        #[test]
        fn batches_give_the_rows_of_one_pass(
            lines in proptest::collection::vec(line(), 0..40),
            ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("mixed")],
            batch in 1usize..7,
            trailing in any::<bool>(),
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
            let want = parse_rows(path, &text, b';').unwrap();
            let endings = line_endings(&text);
            let mut stream = RowStream {
                path: path.to_path_buf(),
                text: with_lf_breaks(&text, endings).into_owned().into_bytes(),
                at: 0,
                line: 1,
                delimiter: b';',
            };
            let mut got = Vec::new();
            loop {
                let rows = stream.next_rows(batch).unwrap();
                if rows.is_empty() {
                    break;
                }
                got.extend(rows);
            }
            prop_assert_eq!(got, want);
        }
    }
}
