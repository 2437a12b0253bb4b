//! Text encodings: which one a file is in (a forced one, its byte-order mark, UTF-16 by its NUL
//! bytes, else UTF-8 when all of it is valid UTF-8, else Windows-1252), decoding whole texts,
//! and — for files read a piece at a time — the survey of everything that needs the whole
//! file and the decoding of each piece.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::path::Path;

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
        TextEncoding::Utf8 => simdutf8::compat::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| {
                let at = e.valid_up_to();
                let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
                format!("not valid UTF-8 at byte {at} (line {line})")
            }),
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            if !bytes.len().is_multiple_of(2) {
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

/// How a file's bytes are to be decoded, decided from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct EncodingPlan {
    /// The encoding; `None` when it depends on the whole file: UTF-8 when all of it is valid
    /// UTF-8, else Windows-1252.
    pub(super) encoding: Option<TextEncoding>,
    /// Bytes to step over at the start (a byte-order mark of the encoding used).
    pub(super) skip: usize,
    /// Whether the file starts with a byte-order mark.
    pub(super) bom: bool,
    /// Whether the user forced the encoding.
    pub(super) forced: bool,
}

/// Parse `--encoding`.
fn forced_encoding(forced: Option<&str>) -> Result<Option<TextEncoding>> {
    forced
        .map(|label| {
            TextEncoding::from_label(label).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown encoding '{label}'; use one of: {ENCODING_NAMES}"
                ))
            })
        })
        .transpose()
}

/// Decide the encoding from a file's first bytes (at least 8 KiB of them unless the file is
/// shorter): a forced encoding, else the BOM, else UTF-16 by its NUL bytes, else (unless the
/// bytes look binary) UTF-8 or Windows-1252 by the whole file.
pub(super) fn plan_encoding(
    path: &Path,
    head: &[u8],
    forced: Option<&str>,
) -> Result<EncodingPlan> {
    let bom = sniff_bom(head);
    let forced = forced_encoding(forced)?;
    let (encoding, skip) = match (forced, bom) {
        (Some(enc), Some((bom_enc, len))) if enc == bom_enc => (Some(enc), len),
        (Some(enc), _) => (Some(enc), 0),
        (None, Some((enc, len))) => (Some(enc), len),
        (None, None) => match sniff_utf16_without_bom(head) {
            Some(enc) => (Some(enc), 0),
            None if looks_binary(head) => {
                return Err(Error::unreadable(
                    path,
                    "this is not a text file or workbook (binary content); \
                     give a CSV, TSV, xlsx, xls or ods file",
                ))
            }
            None => (None, 0),
        },
    };
    Ok(EncodingPlan {
        encoding,
        skip,
        bom: bom.is_some(),
        forced: forced.is_some(),
    })
}

/// The error for text that is not in the encoding used.
fn not_in_encoding(path: &Path, message: &str, encoding: TextEncoding) -> Error {
    Error::unreadable(
        path,
        format!(
            "{message}; the file is not in {}: try another --encoding ({ENCODING_NAMES})",
            encoding.name()
        ),
    )
}

/// The error for a forced encoding that gives NUL characters.
fn nul_with_forced(path: &Path, encoding: TextEncoding) -> Error {
    Error::unreadable(
        path,
        format!(
            "decoding as {} gives NUL characters: wrong --encoding? ({ENCODING_NAMES})",
            encoding.name()
        ),
    )
}

/// Decode a file's bytes: a forced encoding, else the BOM, else UTF-8 when valid, else
/// Windows-1252.
pub fn decode_file<'a>(
    path: &Path,
    bytes: &'a [u8],
    forced: Option<&str>,
) -> Result<DecodedText<'a>> {
    let plan = plan_encoding(path, bytes, forced)?;
    let body = &bytes[plan.skip..];
    let encoding = match plan.encoding {
        Some(encoding) => encoding,
        // checked once: no second decoding pass
        None => match std::str::from_utf8(body) {
            Ok(text) => {
                return Ok(DecodedText {
                    text: Cow::Borrowed(text),
                    encoding: TextEncoding::Utf8,
                    bom: false,
                })
            }
            Err(_) => TextEncoding::Windows1252,
        },
    };
    let text = decode(body, encoding).map_err(|m| not_in_encoding(path, &m, encoding))?;
    if plan.forced && text.contains('\0') {
        return Err(nul_with_forced(path, encoding));
    }
    // a BOM may also be glued inside the text (e.g. a second BOM in a header name)
    Ok(DecodedText {
        text,
        encoding,
        bom: plan.bom,
    })
}

/// The first character of a file's text that is not white space, from the file's first bytes
/// (`None` when they are white space or binary).
pub fn first_visible_char(start: &[u8]) -> Option<char> {
    let plan = plan_encoding(Path::new(""), start, None).ok()?;
    let body = &start[plan.skip..];
    let text = match plan.encoding {
        Some(TextEncoding::Utf16Le) => encoding_rs::UTF_16LE.decode_without_bom_handling(body).0,
        Some(TextEncoding::Utf16Be) => encoding_rs::UTF_16BE.decode_without_bom_handling(body).0,
        _ => String::from_utf8_lossy(body),
    };
    text.trim_start().chars().next()
}

/// Turns the bytes of a file's encoding (UTF-8 passed through) into UTF-8 text, a piece at a
/// time.
pub(super) enum TextDecoder {
    /// UTF-8 (already checked): the bytes are the text.
    Utf8,
    /// A single-byte encoding: the character of each byte from 0x80 up (ASCII maps to itself).
    Table(Box<[char; 128]>),
    /// UTF-16 (checked by the survey): encoding_rs's streaming decoder, which keeps a code
    /// unit or a surrogate pair cut between pieces for the next one.
    Utf16(Box<encoding_rs::Decoder>),
}

impl TextDecoder {
    /// The decoder for an encoding.
    pub(super) fn new(encoding: TextEncoding) -> Option<TextDecoder> {
        let table = |decode: &dyn Fn(u8) -> char| {
            let mut table = Box::new(['\u{fffd}'; 128]);
            for (i, c) in table.iter_mut().enumerate() {
                *c = decode(0x80 + i as u8);
            }
            TextDecoder::Table(table)
        };
        match encoding {
            TextEncoding::Utf8 => Some(TextDecoder::Utf8),
            TextEncoding::Utf16Le => Some(TextDecoder::Utf16(Box::new(
                encoding_rs::UTF_16LE.new_decoder_without_bom_handling(),
            ))),
            TextEncoding::Utf16Be => Some(TextDecoder::Utf16(Box::new(
                encoding_rs::UTF_16BE.new_decoder_without_bom_handling(),
            ))),
            // the same characters as decoding whole texts with encoding_rs
            TextEncoding::Windows1252 => Some(table(&|b| {
                let byte = [b];
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                text.chars().next().unwrap_or('\u{fffd}')
            })),
            TextEncoding::Cp437 => Some(table(&|b| {
                oem_cp::code_table::DECODING_TABLE_CP437[usize::from(b - 0x80)]
            })),
            TextEncoding::Cp850 => Some(table(&|b| {
                oem_cp::code_table::DECODING_TABLE_CP850[usize::from(b - 0x80)]
            })),
        }
    }

    /// Append the text of `bytes` to `out`.
    pub(super) fn decode_into(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let table = match self {
            TextDecoder::Utf8 => {
                out.extend_from_slice(bytes);
                return;
            }
            TextDecoder::Utf16(decoder) => {
                decode_utf16_piece(decoder, bytes, out, false);
                return;
            }
            TextDecoder::Table(table) => table,
        };
        let mut rest = bytes;
        while !rest.is_empty() {
            let ascii = rest.iter().position(|b| *b >= 0x80).unwrap_or(rest.len());
            out.extend_from_slice(&rest[..ascii]);
            rest = &rest[ascii..];
            if let Some((b, tail)) = rest.split_first() {
                let mut utf8 = [0u8; 4];
                let c = table[usize::from(b - 0x80)];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                rest = tail;
            }
        }
    }
}

/// Append the UTF-8 text of the next UTF-16 bytes to `out` (a code unit or surrogate pair cut
/// at the end is kept by the decoder for the next piece; with `last`, it is an error);
/// whether the bytes were malformed (each malformed sequence becomes U+FFFD).
fn decode_utf16_piece(
    decoder: &mut encoding_rs::Decoder,
    bytes: &[u8],
    out: &mut Vec<u8>,
    last: bool,
) -> bool {
    let start = out.len();
    let room = decoder
        .max_utf8_buffer_length(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    out.resize(start + room, 0);
    let (_, _, written, had_errors) = decoder.decode_to_utf8(bytes, &mut out[start..], last);
    out.truncate(start + written);
    had_errors
}

/// The survey of a UTF-16 file: its text decoded piece by piece, to count line breaks and NUL
/// characters in the text (not in the code units' bytes) and to find malformed code units.
struct Utf16Survey {
    decoder: encoding_rs::Decoder,
    /// The last piece's text.
    text: Vec<u8>,
    /// Whether a malformed code unit was found.
    malformed: bool,
}

/// What one pass over a delimited file's bytes finds out, piece by piece: everything about
/// the file that needs all of it (its size, whether it is valid UTF-8, its line endings), so
/// that its text can then be parsed a piece at a time.
pub(super) struct Survey {
    size: u64,
    /// Bytes of the body (after any BOM) seen.
    body: u64,
    skip: usize,
    /// Whether the body is checked as UTF-8.
    check_utf8: bool,
    /// The start of a UTF-8 character cut at the end of the last piece.
    carry: Vec<u8>,
    /// The first byte (in the body) that is not UTF-8, and its line.
    not_utf8: Option<(u64, u64)>,
    /// CR and LF bytes, and CRLF pairs, in the body so far.
    breaks: Breaks,
    /// Whether the last piece ended with a CR.
    after_cr: bool,
    nul: bool,
    /// Whether the body has a byte from 0x80 up.
    high: bool,
    /// For a UTF-16 file: its text, decoded piece by piece.
    utf16: Option<Box<Utf16Survey>>,
}

impl Survey {
    pub(super) fn new(plan: &EncodingPlan) -> Survey {
        Survey {
            size: 0,
            body: 0,
            skip: plan.skip,
            check_utf8: matches!(plan.encoding, None | Some(TextEncoding::Utf8)),
            carry: Vec::new(),
            not_utf8: None,
            breaks: Breaks::default(),
            after_cr: false,
            nul: false,
            high: false,
            utf16: match plan.encoding {
                Some(TextEncoding::Utf16Le) => Some(encoding_rs::UTF_16LE),
                Some(TextEncoding::Utf16Be) => Some(encoding_rs::UTF_16BE),
                _ => None,
            }
            .map(|e| {
                Box::new(Utf16Survey {
                    decoder: e.new_decoder_without_bom_handling(),
                    text: Vec::new(),
                    malformed: false,
                })
            }),
        }
    }

    /// Take in the file's next bytes.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        let before = self.size;
        self.size += bytes.len() as u64;
        // the byte-order mark is not part of the body
        let skip = (self.skip as u64)
            .saturating_sub(before)
            .min(bytes.len() as u64);
        let body = &bytes[skip as usize..];
        if let Some(mut u) = self.utf16.take() {
            u.text.clear();
            u.malformed |= decode_utf16_piece(&mut u.decoder, body, &mut u.text, false);
            self.nul |= memchr::memchr(0, &u.text).is_some();
            self.high |= !u.text.is_ascii();
            self.count_breaks(&u.text);
            self.body += body.len() as u64;
            self.utf16 = Some(u);
            return;
        }
        if self.check_utf8 && self.not_utf8.is_none() {
            self.check_utf8_piece(body);
        }
        self.nul |= memchr::memchr(0, body).is_some();
        self.high |= !body.is_ascii();
        self.count_breaks(body);
        self.body += body.len() as u64;
    }

    /// Check the next piece of the body as UTF-8 (characters may be cut between pieces).
    fn check_utf8_piece(&mut self, piece: &[u8]) {
        let mut from = 0;
        if !self.carry.is_empty() {
            let width = match self.carry[0] {
                0xF0.. => 4,
                0xE0.. => 3,
                _ => 2,
            };
            while self.carry.len() < width && piece.get(from).is_some_and(|b| b >> 6 == 0b10) {
                self.carry.push(piece[from]);
                from += 1;
            }
            if self.carry.len() < width && from == piece.len() {
                return;
            }
            if self.carry.len() < width || simdutf8::compat::from_utf8(&self.carry).is_err() {
                let at = self.body - (self.carry.len() - from) as u64;
                self.not_utf8 = Some((at, self.breaks.lf + 1));
                return;
            }
            self.carry.clear();
        }
        if let Err(e) = simdutf8::compat::from_utf8(&piece[from..]) {
            let at = from + e.valid_up_to();
            if e.error_len().is_none() {
                self.carry.extend_from_slice(&piece[at..]);
            } else {
                let newlines = piece[..at].iter().filter(|b| **b == b'\n').count() as u64;
                self.not_utf8 = Some((self.body + at as u64, self.breaks.lf + newlines + 1));
            }
        }
    }

    /// Count the line breaks of the next piece of the body (a CRLF may be cut between pieces).
    fn count_breaks(&mut self, piece: &[u8]) {
        for i in memchr::memchr2_iter(b'\r', b'\n', piece) {
            if piece[i] == b'\r' {
                self.breaks.cr += 1;
                continue;
            }
            self.breaks.lf += 1;
            let after_cr = if i == 0 {
                self.after_cr
            } else {
                piece[i - 1] == b'\r'
            };
            if after_cr {
                self.breaks.crlf += 1;
            }
        }
        if let Some(last) = piece.last() {
            self.after_cr = *last == b'\r';
        }
    }

    /// Whether the whole body is valid UTF-8 (when it was checked), and whether it has a byte
    /// from 0x80 up.
    pub(super) fn utf8_facts(&self) -> (bool, bool) {
        let valid = self.check_utf8 && self.not_utf8.is_none() && self.carry.is_empty();
        (valid, self.high)
    }

    /// The encoding (when it depended on the whole file), line endings and size; an error
    /// when the text is not in the encoding the file declares or the user forced.
    pub(super) fn finish(
        mut self,
        path: &Path,
        plan: &EncodingPlan,
    ) -> Result<(TextEncoding, &'static str, u64)> {
        if self.check_utf8 && self.not_utf8.is_none() && !self.carry.is_empty() {
            let at = self.body - self.carry.len() as u64;
            self.not_utf8 = Some((at, self.breaks.lf + 1));
        }
        if let Some(mut u) = self.utf16.take() {
            let encoding = plan.encoding.unwrap_or(TextEncoding::Utf16Le);
            if self.body % 2 == 1 {
                let message = format!("not valid {}: odd number of bytes", encoding.name());
                return Err(not_in_encoding(path, &message, encoding));
            }
            u.text.clear();
            // a lead surrogate at the very end is malformed too
            u.malformed |= decode_utf16_piece(&mut u.decoder, &[], &mut u.text, true);
            if u.malformed {
                let message = format!("not valid {}", encoding.name());
                return Err(not_in_encoding(path, &message, encoding));
            }
            if plan.forced && self.nul {
                return Err(nul_with_forced(path, encoding));
            }
            return Ok((encoding, self.breaks.name(), self.size));
        }
        let encoding = match (plan.encoding, self.not_utf8) {
            (Some(TextEncoding::Utf8), Some((at, line))) => {
                let message = format!("not valid UTF-8 at byte {at} (line {line})");
                return Err(not_in_encoding(path, &message, TextEncoding::Utf8));
            }
            (Some(encoding), _) => encoding,
            (None, None) => TextEncoding::Utf8,
            (None, Some(_)) => TextEncoding::Windows1252,
        };
        if plan.forced && self.nul {
            return Err(nul_with_forced(path, encoding));
        }
        let endings = self.breaks.name();
        Ok((encoding, endings, self.size))
    }
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
    endings_name(crlf > 0, lf > 0, cr > 0)
}

/// The name of the line endings a text has: `CRLF`, `LF`, `CR`, `mixed` or `none`, from
/// whether it has CRLF pairs, lone LFs and lone CRs.
pub(crate) fn endings_name(crlf: bool, lone_lf: bool, lone_cr: bool) -> &'static str {
    match (crlf, lone_lf, lone_cr) {
        (false, false, false) => "none",
        (true, false, false) => "CRLF",
        (false, true, false) => "LF",
        (false, false, true) => "CR",
        _ => "mixed",
    }
}

/// Line-break bytes counted over a text.
#[derive(Debug, Default)]
struct Breaks {
    cr: u64,
    lf: u64,
    crlf: u64,
}

impl Breaks {
    /// `CRLF`, `LF`, `CR`, `mixed`, or `none`.
    fn name(&self) -> &'static str {
        let lone_cr = self.cr - self.crlf;
        let lone_lf = self.lf - self.crlf;
        endings_name(self.crlf > 0, lone_lf > 0, lone_cr > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// Bytes from an alphabet of ASCII, UTF-8 characters of every width, Windows-1252 letters,
    /// line breaks and NUL.
    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"a;b".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just("å".as_bytes().to_vec()),
            Just("€".as_bytes().to_vec()),
            Just("𝄞".as_bytes().to_vec()),
            Just(vec![0xE5]),
            Just(vec![0xE2, 0x82]),
            Just(vec![0xF0, 0x9D]),
            Just(vec![0x00]),
            Just(vec![0xEF, 0xBB, 0xBF]),
        ];
        proptest::collection::vec(piece, 1..30).prop_map(|p| p.concat())
    }

    /// UTF-16 files: text of line breaks, NUL, astral characters and a lone surrogate, in
    /// either byte order, with or without a BOM, sometimes with an odd last byte.
    fn utf16_bytes() -> impl Strategy<Value = Vec<u8>> {
        let unit = prop_oneof![
            Just(vec![u16::from(b'a'), u16::from(b';'), u16::from(b'b')]),
            Just(vec![0x0D]),
            Just(vec![0x0A]),
            Just(vec![0x0D, 0x0A]),
            Just(vec![0x00E5]),
            Just(vec![0x0D0A]),
            Just(vec![0xD834, 0xDD1E]),
            Just(vec![0xD834]),
            Just(vec![0x0000]),
            Just(vec![0xFEFF]),
        ];
        (
            proptest::collection::vec(unit, 1..30),
            any::<bool>(),
            any::<bool>(),
            prop_oneof![8 => Just(false), 1 => Just(true)],
        )
            .prop_map(|(units, little, bom, odd)| {
                let units: Vec<u16> = units.concat();
                let mut out = Vec::new();
                if bom {
                    out.extend_from_slice(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
                }
                for u in units {
                    out.extend_from_slice(&if little {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    });
                }
                if odd {
                    out.push(b'x');
                }
                out
            })
    }

    proptest! {
        /// Surveying a file a few bytes at a time finds what decoding it whole finds: the
        /// encoding, the line endings, the same errors (with the same byte and line).
        #[test]
        fn survey_in_pieces_agrees_with_whole_decoding(
            bytes in prop_oneof![3 => bytes(), 2 => utf16_bytes()],
            piece in 1usize..9,
            forced in prop_oneof![
                Just(None),
                Just(Some("utf-8")),
                Just(Some("cp850")),
                Just(Some("utf-16le")),
                Just(Some("utf-16be")),
            ],
        ) {
            let path = Path::new("x.csv");
            let whole = decode_file(path, &bytes, forced)
                .map(|d| (d.encoding, line_endings(&d.text)))
                .map_err(|e| e.to_string());
            let plan = plan_encoding(path, &bytes, forced);
            let surveyed = plan.and_then(|plan| {
                let mut survey = Survey::new(&plan);
                for p in bytes.chunks(piece) {
                    survey.feed(p);
                }
                survey.finish(path, &plan).map(|(enc, endings, size)| {
                    assert_eq!(size, bytes.len() as u64);
                    (enc, endings)
                })
            }).map_err(|e| e.to_string());
            prop_assert_eq!(surveyed, whole);
        }

        /// Decoding UTF-16 piece by piece gives the text of decoding it whole (a code unit or a
        /// surrogate pair may be cut between pieces).
        #[test]
        fn utf16_decoding_in_pieces(
            text in "[a-zå€𝄞;\\r\\n\u{0}]{0,40}",
            piece in 1usize..9,
            little in any::<bool>(),
        ) {
            let encoding = if little { TextEncoding::Utf16Le } else { TextEncoding::Utf16Be };
            let bytes: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect();
            let mut decoder = TextDecoder::new(encoding).unwrap();
            let mut out = Vec::new();
            for p in bytes.chunks(piece) {
                decoder.decode_into(p, &mut out);
            }
            prop_assert_eq!(String::from_utf8(out).unwrap(), text);
        }

        /// Decoding a single-byte encoding piece by piece gives the text of decoding it whole.
        #[test]
        fn single_byte_decoding_in_pieces(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            piece in 1usize..9,
            encoding in prop_oneof![
                Just(TextEncoding::Windows1252),
                Just(TextEncoding::Cp437),
                Just(TextEncoding::Cp850),
            ],
        ) {
            let mut decoder = TextDecoder::new(encoding).unwrap();
            let mut text = Vec::new();
            for p in bytes.chunks(piece) {
                decoder.decode_into(p, &mut text);
            }
            let whole = decode(&bytes, encoding).unwrap();
            prop_assert_eq!(String::from_utf8(text).unwrap(), whole.into_owned());
        }
    }
}
