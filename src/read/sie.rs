//! SIE 4 files: the Swedish accounting interchange format.
//!
//! The tokenizer follows the format: one record per line, fields separated by spaces or tabs,
//! `"` quoting with `\"` escapes, `{...}` object lists. Unknown records and extra fields are
//! ignored. The reader turns the supplier-invoice vouchers (those with a line on a
//! supplier-debt account) into one row per cost line, with the voucher's supplier (dimension 9),
//! invoice (dimension 10) and cost centre (dimension 1).

use super::encoding::{EncodingPlan, TextDecoder, TextEncoding};
use super::source::{read_full, survey_and_hash, ByteSource, TextPieces, CHUNK_BYTES};
use super::{RawRow, RawTable, ReadProgress, RowSource, SourceFormat};
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A plain or quoted field.
    Text(String),
    /// An object list `{dim "obj" ...}`.
    List(Vec<String>),
}

impl Field {
    /// The text of a plain field (empty for a list).
    pub fn text(&self) -> &str {
        match self {
            Field::Text(s) => s,
            Field::List(_) => "",
        }
    }
}

/// One line of an SIE file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The label, e.g. `#VER`, or `{` / `}`.
    pub tag: String,
    /// The fields after the label.
    pub fields: Vec<Field>,
}

impl Record {
    /// The text of the `i`th field (empty when missing or a list).
    pub fn field(&self, i: usize) -> String {
        self.fields
            .get(i)
            .map(|f| f.text().to_string())
            .unwrap_or_default()
    }
}

/// Read one token starting at `chars[i]`; returns the token and the next index.
fn read_token(chars: &[char], mut i: usize) -> (String, usize) {
    let mut out = String::new();
    if chars.get(i) == Some(&'"') {
        i += 1;
        while i < chars.len() {
            match chars[i] {
                '\\' if chars.get(i + 1) == Some(&'"') => {
                    out.push('"');
                    i += 2;
                }
                '\\' if chars.get(i + 1) == Some(&'\\') => {
                    out.push('\\');
                    i += 2;
                }
                '"' => {
                    i += 1;
                    break;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        return (out, i);
    }
    while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '{' && chars[i] != '}' {
        if chars[i] == '"' {
            break;
        }
        out.push(chars[i]);
        i += 1;
    }
    (out, i)
}

/// Split one line into a record; `None` for a blank line.
pub fn tokenize_line(line: &str) -> Option<Record> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i >= chars.len() {
        return None;
    }
    let tag = if chars[i] == '{' || chars[i] == '}' {
        i += 1;
        chars[i - 1].to_string()
    } else {
        let (t, next) = read_token(&chars, i);
        i = next.max(i + 1);
        t
    };
    let mut fields = Vec::new();
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        if chars[i] == '{' {
            i += 1;
            let mut items = Vec::new();
            loop {
                skip_ws(&mut i);
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '}' {
                    i += 1;
                    break;
                }
                let (t, next) = read_token(&chars, i);
                i = next.max(i + 1);
                items.push(t);
            }
            fields.push(Field::List(items));
        } else if chars[i] == '}' {
            i += 1;
        } else {
            let (t, next) = read_token(&chars, i);
            i = next.max(i + 1);
            fields.push(Field::Text(t));
        }
    }
    Some(Record { tag, fields })
}

/// Write a record back as an SIE line (quoting where needed); the inverse of [`tokenize_line`].
pub fn format_record(record: &Record) -> String {
    let quote = |s: &str| {
        if s.is_empty()
            || s.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '{' | '}' | '\\'))
        {
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            s.to_string()
        }
    };
    let mut out = record.tag.clone();
    for f in &record.fields {
        out.push(' ');
        match f {
            Field::Text(s) => out.push_str(&quote(s)),
            Field::List(items) => {
                out.push('{');
                out.push_str(&items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(" "));
                out.push('}');
            }
        }
    }
    out
}

/// Account ranges that decide which vouchers and lines are supplier invoice costs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SieAccounts {
    /// Supplier-debt accounts (BAS 2440-2449).
    #[serde(default = "default_debt")]
    pub debt: Vec<String>,
    /// Input VAT accounts, excluded (BAS 2640-2649).
    #[serde(default = "default_vat")]
    pub vat: Vec<String>,
    /// Cost accounts that become rows (BAS 4000-7999).
    #[serde(default = "default_cost")]
    pub cost: Vec<String>,
}

fn default_debt() -> Vec<String> {
    vec!["2440-2449".into()]
}
fn default_vat() -> Vec<String> {
    vec!["2640-2649".into()]
}
fn default_cost() -> Vec<String> {
    vec!["4000-7999".into()]
}

impl Default for SieAccounts {
    fn default() -> Self {
        SieAccounts {
            debt: default_debt(),
            vat: default_vat(),
            cost: default_cost(),
        }
    }
}

/// Whether an account is in one of the ranges (`"2440-2449"`). A longer account (5-digit
/// Kommun-BAS) is compared by its leading digits: 46362 is in 4000-7999.
fn in_ranges(account: &str, ranges: &[String]) -> bool {
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    ranges.iter().any(|r| {
        let (lo, hi) = r.split_once('-').unwrap_or((r, r));
        let (lo, hi) = (lo.trim(), hi.trim());
        if account.len() < lo.len() {
            return false;
        }
        let key = &account[..lo.len()];
        match (key.parse::<u64>(), lo.parse::<u64>(), hi.parse::<u64>()) {
            (Ok(k), Ok(lo), Ok(hi)) => k >= lo && k <= hi,
            _ => false,
        }
    })
}

/// Whether a file looks like SIE: its first record is a `#` label SIE uses.
pub fn looks_like_sie(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty());
    first.is_some_and(|l| l.starts_with('#'))
        && ["#FLAGGA", "#FORMAT", "#SIETYP", "#PROGRAM", "#VER"]
            .iter()
            .any(|t| text.contains(t))
}

/// CRC-32 (IEEE, reflected), as SIE's `#KSUMMA` uses.
fn crc32(bytes: &[u8], mut crc: u32) -> u32 {
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// The bytes a file holds its texts as: the `#KSUMMA` CRC runs over the file's own bytes (CP437
/// for `#FORMAT PC8`), so each field's text is turned back into its encoding. The decoders of
/// the encodings SIE files are read in give every byte its own character, so this gives the
/// bytes the field had in the file.
#[derive(Debug, Clone)]
struct FileBytes {
    /// The byte of each non-ASCII character of a single-byte encoding, sorted by character;
    /// `None` for UTF-8 (the text is the file's bytes).
    high: Option<Vec<(char, u8)>>,
}

impl FileBytes {
    /// The bytes of texts in `encoding`.
    fn new(encoding: TextEncoding) -> FileBytes {
        let high = match encoding {
            TextEncoding::Utf8 | TextEncoding::Utf16Le | TextEncoding::Utf16Be => None,
            // the streaming decoder's table of the bytes from 0x80 up, turned around
            single_byte => match super::encoding::TextDecoder::new(single_byte) {
                Some(super::encoding::TextDecoder::Table(chars)) => {
                    let mut table: Vec<(char, u8)> = (0x80..=0xFF_u8)
                        .zip(chars.iter())
                        .map(|(b, c)| (*c, b))
                        .collect();
                    table.sort_unstable();
                    Some(table)
                }
                _ => None,
            },
        };
        FileBytes { high }
    }

    /// Add the bytes of `text` to a running CRC.
    fn crc(&self, text: &str, crc: u32) -> u32 {
        let Some(table) = &self.high else {
            return crc32(text.as_bytes(), crc);
        };
        // ASCII is the same bytes in every single-byte encoding (most fields)
        if text.is_ascii() {
            return crc32(text.as_bytes(), crc);
        }
        text.chars().fold(crc, |crc, c| {
            let byte = u8::try_from(c).ok().filter(u8::is_ascii).or_else(|| {
                let at = table.binary_search_by_key(&c, |(ch, _)| *ch).ok()?;
                table.get(at).map(|(_, b)| *b)
            });
            match byte {
                Some(b) => crc32(&[b], crc),
                // not a character of the encoding (no decoder gives one): its UTF-8 bytes
                None => crc32(c.encode_utf8(&mut [0; 4]).as_bytes(), crc),
            }
        })
    }
}

/// The `#KSUMMA` of records written in `encoding`: CRC-32 over the bytes of each record's label
/// and field texts as the file holds them (unquoted, no separators or object-list braces), in
/// file order, between the opening and the closing `#KSUMMA`.
pub fn ksumma(records: &[Record], encoding: TextEncoding) -> u32 {
    let bytes = FileBytes::new(encoding);
    !records
        .iter()
        .fold(0xFFFF_FFFF, |crc, r| ksumma_add(crc, r, &bytes))
}

/// Add a record to a running `#KSUMMA` CRC (start at `0xFFFF_FFFF`, invert at the end).
fn ksumma_add(mut crc: u32, r: &Record, bytes: &FileBytes) -> u32 {
    crc = bytes.crc(&r.tag, crc);
    for f in &r.fields {
        match f {
            Field::Text(s) => crc = bytes.crc(s, crc),
            Field::List(items) => {
                for s in items {
                    crc = bytes.crc(s, crc);
                }
            }
        }
    }
    crc
}

/// The header of the table the SIE reader produces (the `sie4` layout maps it).
pub const SIE_HEADER: [&str; 12] = [
    "SIE_VERIFIKATION",
    "SIE_DATUM",
    "SIE_KONTO",
    "SIE_KONTOTEXT",
    "SIE_BELOPP",
    "SIE_LEVERANTOR_OBJEKT",
    "SIE_LEVERANTOR_NAMN",
    "SIE_FAKTURA",
    "SIE_KOSTNADSSTALLE",
    "SIE_FORETAG_ORGNR",
    "SIE_FORETAG_NAMN",
    "SIE_STATUS",
];

struct Trans {
    line: u64,
    account: String,
    objects: Vec<(String, String)>,
    amount: String,
    date: Option<String>,
}

struct Voucher {
    series: String,
    number: String,
    date: String,
    trans: Vec<Trans>,
}

fn objects_of(list: &[String]) -> Vec<(String, String)> {
    list.chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| (c[0].clone(), c[1].clone()))
        .collect()
}

fn trans_of(r: &Record, line: u64) -> Trans {
    let mut fields = r.fields.iter();
    let account = fields
        .next()
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    let (objects, amount_field) = match fields.next() {
        Some(Field::List(l)) => (objects_of(l), fields.next()),
        other => (Vec::new(), other),
    };
    let amount = amount_field
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    let date = fields
        .next()
        .map(|f| f.text().to_string())
        .filter(|d| !d.is_empty());
    Trans {
        line,
        account,
        objects,
        amount,
        date,
    }
}

/// The dimension for a role: the reserved number when the file declares it (or declares no
/// dimension by that name), else the first declared dimension whose name starts with one of
/// `names`.
fn dimension_by_name(dims: &BTreeMap<String, String>, reserved: &str, names: &[&str]) -> String {
    if dims.contains_key(reserved) {
        return reserved.to_string();
    }
    dims.iter()
        .find(|(_, name)| {
            let lower = name.to_lowercase();
            names.iter().any(|n| lower.starts_with(n))
        })
        .map_or_else(|| reserved.to_string(), |(number, _)| number.clone())
}

/// What an SIE file declares about itself: names of the company, accounts and objects, and
/// which dimensions hold the supplier, the invoice and the cost centre.
struct Declarations {
    /// The `#SIETYP` (empty when not given).
    sie_type: String,
    company_name: String,
    company_id: String,
    account_names: HashMap<String, String>,
    object_names: HashMap<(String, String), String>,
    supplier_dim: String,
    invoice_dim: String,
    cost_dim: String,
}

/// The labels the first pass looks at: those [`Declarations`] are read from, and `#VER` (to
/// know that the file has vouchers).
const FIRST_PASS_TAGS: [&str; 7] = [
    "#SIETYP", "#FNAMN", "#ORGNR", "#KONTO", "#OBJEKT", "#DIM", "#VER",
];

impl Declarations {
    /// Read the declarations from every line that may hold one (a first pass: they may come
    /// after the vouchers in a file that does not follow the usual order); also says whether
    /// the file has a voucher.
    fn read(lines: &mut Lines) -> Result<(Declarations, bool)> {
        let mut sie_type = String::new();
        let mut company_name = String::new();
        let mut company_id = String::new();
        let mut account_names: HashMap<String, String> = HashMap::new();
        let mut object_names: HashMap<(String, String), String> = HashMap::new();
        let mut dimension_names: BTreeMap<String, String> = BTreeMap::new();
        let mut saw_voucher = false;
        while let Some((_, line)) = lines.next_line()? {
            let start = line.trim_start();
            if !FIRST_PASS_TAGS.iter().any(|t| start.starts_with(t)) {
                continue;
            }
            let Some(r) = tokenize_line(line) else {
                continue;
            };
            let f = |i: usize| r.field(i);
            match r.tag.as_str() {
                "#SIETYP" => sie_type = f(0),
                "#FNAMN" => company_name = f(0),
                "#ORGNR" => company_id = f(0),
                "#KONTO" => {
                    account_names.insert(f(0), f(1));
                }
                "#OBJEKT" => {
                    object_names.insert((f(0), f(1)), f(2));
                }
                "#DIM" => {
                    dimension_names.insert(f(0), f(1));
                }
                "#VER" => saw_voucher = true,
                _ => {}
            }
        }
        // the reserved dimensions (9 supplier, 10 invoice, 1 cost centre), unless the file
        // declares them under other numbers by name
        let declared = Declarations {
            sie_type,
            company_name,
            company_id,
            account_names,
            object_names,
            supplier_dim: dimension_by_name(&dimension_names, "9", &["leverantör", "leverantor"]),
            invoice_dim: dimension_by_name(&dimension_names, "10", &["faktura"]),
            cost_dim: dimension_by_name(
                &dimension_names,
                "1",
                &["kostnadsställe", "kostnadsstalle", "ansvar", "förvaltning"],
            ),
        };
        Ok((declared, saw_voucher))
    }
}

/// The lines of a text read a piece at a time, split at LF (a CR before it dropped, as
/// `str::lines` does), numbered from 1.
struct Lines {
    path: PathBuf,
    text: TextPieces,
    number: u64,
}

impl Lines {
    /// The next line and its number; `None` at the end.
    fn next_line(&mut self) -> Result<Option<(u64, &str)>> {
        loop {
            let end = match memchr::memchr(b'\n', self.text.unread()) {
                Some(at) => at + 1,
                None if self.text.ended() && !self.text.unread().is_empty() => {
                    self.text.unread().len()
                }
                None if self.text.ended() => return Ok(None),
                None => {
                    self.text.read_more(&self.path)?;
                    continue;
                }
            };
            self.number += 1;
            let number = self.number;
            let mut line = self.text.take(end);
            if let Some(body) = line.strip_suffix(b"\n") {
                line = body.strip_suffix(b"\r").unwrap_or(body);
            }
            return match std::str::from_utf8(line) {
                Ok(line) => Ok(Some((number, line))),
                Err(_) => Err(Error::input(
                    &self.path,
                    format!("line {number}: not valid text (the file changed while it was read?)"),
                )),
            };
        }
    }
}

/// Where a voucher stands while an SIE file's lines are gone through.
struct VoucherState {
    voucher: Option<Voucher>,
    in_voucher: bool,
    skip_next_trans: Option<Record>,
    ksumma_given: Option<String>,
    /// The running `#KSUMMA` CRC (see [`ksumma_add`]).
    ksumma_crc: u32,
    ksumma_open: bool,
}

impl VoucherState {
    /// Before the first line.
    fn new() -> VoucherState {
        VoucherState {
            voucher: None,
            in_voucher: false,
            skip_next_trans: None,
            ksumma_given: None,
            ksumma_crc: 0xFFFF_FFFF,
            ksumma_open: false,
        }
    }
}

/// The cost lines of an SIE file's supplier invoices, produced voucher by voucher while the
/// file is read a piece at a time.
pub struct SieStream {
    lines: Lines,
    declared: Declarations,
    accounts: SieAccounts,
    state: VoucherState,
    /// The file's texts as its bytes, for the `#KSUMMA` CRC.
    file_bytes: FileBytes,
    counts: VoucherCounts,
    pre_skipped: BTreeMap<String, u64>,
    done: bool,
}

/// What an SIE file's vouchers held, for the message when none of them gives a row.
#[derive(Debug, Clone, Copy, Default)]
struct VoucherCounts {
    /// Vouchers (`#VER`) read.
    vouchers: u64,
    /// Vouchers with a line on a supplier-debt account.
    invoices: u64,
    /// Rows made (cost lines of those vouchers).
    rows: u64,
}

impl std::fmt::Debug for SieStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SieStream")
            .field("line", &self.lines.number)
            .field("position", &self.lines.text.position())
            .finish()
    }
}

impl RowSource for SieStream {
    fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        let mut rows = Vec::new();
        while rows.len() < max_rows.max(1) && !self.done {
            let record = match self.lines.next_line()? {
                Some((number, line)) => tokenize_line(line).map(|r| (number, r)),
                None => {
                    self.finish(&mut rows)?;
                    continue;
                }
            };
            if let Some((number, record)) = record {
                self.take(number, record, &mut rows);
            }
        }
        Ok(rows)
    }

    fn position(&self) -> (u64, u64) {
        self.lines.text.position()
    }

    fn skipped(&self) -> BTreeMap<String, u64> {
        self.pre_skipped.clone()
    }
}

impl SieStream {
    /// Take in one record (of line `line`); a voucher is turned into rows when the next one
    /// starts.
    fn take(&mut self, line: u64, r: Record, rows: &mut Vec<RawRow>) {
        let st = &mut self.state;
        if r.tag == "#KSUMMA" {
            if st.ksumma_open {
                st.ksumma_given = r.fields.first().map(|f| f.text().to_string());
                st.ksumma_open = false;
            } else {
                st.ksumma_open = true;
            }
            return;
        }
        if st.ksumma_open {
            st.ksumma_crc = ksumma_add(st.ksumma_crc, &r, &self.file_bytes);
        }
        let f = |i: usize| r.field(i);
        match r.tag.as_str() {
            "#VER" => {
                let next = Voucher {
                    series: f(0),
                    number: f(1),
                    date: f(2),
                    trans: Vec::new(),
                };
                self.close_voucher(Some(next), rows);
            }
            "{" => st.in_voucher = true,
            "}" => st.in_voucher = false,
            "#RTRANS" if st.in_voucher => {
                if let Some(v) = st.voucher.as_mut() {
                    v.trans.push(trans_of(&r, line));
                }
                // the format repeats an added transaction as #TRANS for older readers
                let mut copy = r.clone();
                copy.tag = "#TRANS".into();
                st.skip_next_trans = Some(copy);
                return;
            }
            "#TRANS" if st.in_voucher => {
                if st.skip_next_trans.take().as_ref() == Some(&r) {
                    return;
                }
                if let Some(v) = st.voucher.as_mut() {
                    v.trans.push(trans_of(&r, line));
                }
            }
            // a removed transaction is not part of the voucher
            _ => {}
        }
        self.state.skip_next_trans = None;
    }

    /// Make the rows of the voucher being read (if any) and go on with `next`.
    fn close_voucher(&mut self, next: Option<Voucher>, rows: &mut Vec<RawRow>) {
        if let Some(done) = std::mem::replace(&mut self.state.voucher, next) {
            let (declared, accounts) = (&self.declared, &self.accounts);
            let before = rows.len();
            let invoice = voucher_rows(&done, declared, accounts, rows, &mut self.pre_skipped);
            self.counts.vouchers += 1;
            self.counts.invoices += u64::from(invoice);
            self.counts.rows += (rows.len() - before) as u64;
        }
    }

    /// At the end of the file: the last voucher's rows and the `#KSUMMA` check (a mismatch is
    /// a warning); an error when no voucher gave a row.
    fn finish(&mut self, rows: &mut Vec<RawRow>) -> Result<()> {
        self.done = true;
        self.close_voucher(None, rows);
        if self.ksumma_mismatch() {
            let warning = format!(
                "{}{}: the #KSUMMA checksum does not match the file's contents (the file may \
                 have been altered after export); the rows were converted",
                super::WARNING_REASON,
                super::file_name(&self.lines.path)
            );
            *self.pre_skipped.entry(warning).or_insert(0) += 1;
        }
        if self.counts.rows == 0 {
            let message = no_rows_message(self.counts, &self.accounts);
            return Err(Error::input(&self.lines.path, message));
        }
        Ok(())
    }

    /// Whether the file has a closing `#KSUMMA` whose checksum is not that of its records.
    fn ksumma_mismatch(&self) -> bool {
        self.state
            .ksumma_given
            .as_ref()
            .is_some_and(|given| stated_checksum(given) != Some(!self.state.ksumma_crc))
    }
}

/// The CRC a `#KSUMMA` states: the 32 bits of its number, written unsigned (`3735928559`) or,
/// as programs that print a signed 32-bit integer write it, negative (`-559038737`), with any
/// padding, a `+` or leading zeros; `None` for text that is no such number.
fn stated_checksum(given: &str) -> Option<u32> {
    let n: i64 = given.trim().parse().ok()?;
    if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&n) {
        // a negative number's two's complement is the same 32 bits
        Some(n as u32)
    } else {
        None
    }
}

/// What to tell an SIE user whose file's vouchers give no row: how many vouchers were read,
/// which accounts were taken as supplier debt (and costs), and how to name other ones.
fn no_rows_message(counts: VoucherCounts, accounts: &SieAccounts) -> String {
    let read = match counts.vouchers {
        1 => "1 voucher read".to_string(),
        n => format!("{n} vouchers read"),
    };
    let ranges = |list: &[String]| list.join(", ");
    let how = |key: &str, what: &str| {
        format!(
            "if this ledger books {what} on other accounts, copy mappings/sie4.toml, set [sie] \
             {key} = [\"NNNN-NNNN\"] and give --layout my-sie.toml"
        )
    };
    if counts.invoices == 0 {
        return format!(
            "{read}, none with a line on a supplier-debt account ({}); {}",
            ranges(&accounts.debt),
            how("debt", "supplier debt")
        );
    }
    format!(
        "{read}, {} with a line on a supplier-debt account ({}), but none of those has a line \
         on a cost account ({}; input VAT {} left out); {}",
        counts.invoices,
        ranges(&accounts.debt),
        ranges(&accounts.cost),
        ranges(&accounts.vat),
        how("cost", "costs")
    )
}

/// Bytes looked at to decide an SIE file's encoding.
const SNIFF_BYTES: usize = 4096;

/// Read an SIE file's header row and first `head_rows` rows; the rest is produced voucher by
/// voucher by the returned table's stream. The file is read three times, a piece at a time:
/// to hash it and learn its encoding, for its declarations, and for its vouchers.
pub(crate) fn read_sie_head(
    path: &Path,
    source: ByteSource,
    accounts: &SieAccounts,
    head_rows: usize,
    piece: usize,
    progress: &ReadProgress,
) -> Result<RawTable> {
    let mut reader = source.open(path)?;
    let mut head = vec![0; SNIFF_BYTES];
    let n = read_full(path, &mut *reader, &mut head)?;
    head.truncate(n);
    let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let plan = EncodingPlan {
        encoding: None,
        skip: bom,
        bom: bom > 0,
        forced: false,
    };
    let declares_other = declares_other_than_pc8(&head[bom..]);
    let told = (progress, source.size(path));
    let (survey, sha256) = survey_and_hash(path, &plan, head, reader, piece, told)?;
    let (utf8, high) = survey.utf8_facts();
    let encoding = sie_encoding(utf8, high, declares_other);
    let (_, _, size) = survey.finish(path, &plan)?;
    let lines = |source: &ByteSource| -> Result<Lines> {
        let decoder = TextDecoder::new(encoding)
            .ok_or_else(|| Error::Internal("no decoder for the SIE encoding".into()))?;
        let mut text = TextPieces::new(source.open(path)?, decoder, false, size, piece);
        text.skip(path, bom)?;
        Ok(Lines {
            path: path.to_path_buf(),
            text,
            number: 0,
        })
    };
    let (declared, saw_voucher) = Declarations::read(&mut lines(&source)?)?;
    if !saw_voucher {
        return Err(Error::input(path, no_vouchers_message(&declared.sie_type)));
    }
    let mut stream = SieStream {
        lines: lines(&source)?,
        declared,
        accounts: accounts.clone(),
        state: VoucherState::new(),
        file_bytes: FileBytes::new(encoding),
        counts: VoucherCounts::default(),
        pre_skipped: BTreeMap::new(),
        done: false,
    };
    let mut rows = vec![RawRow {
        line: 0,
        cells: SIE_HEADER.iter().map(|s| s.to_string()).collect(),
    }];
    rows.extend(stream.next_rows(head_rows.saturating_sub(1))?);
    let mut table = RawTable::new(
        path,
        SourceFormat {
            kind: "sie".into(),
            encoding: Some(encoding.name().into()),
            ..SourceFormat::default()
        },
        rows,
    );
    table.rest = Some(Box::new(stream));
    table.sha256 = sha256;
    table.size = size;
    Ok(table)
}

/// What to tell an SIE user whose file holds no voucher: SIE 1-3 files hold balances only.
fn no_vouchers_message(sie_type: &str) -> String {
    // a type number only: no other text of the file is repeated
    let declared = match sie_type.trim() {
        t if (1..=2).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) => {
            format!(" (the file says #SIETYP {t})")
        }
        _ => String::new(),
    };
    format!(
        "the SIE file holds no vouchers (#VER){declared}; reskontra reads the supplier invoices \
         among the vouchers of an SIE 4 file (SIE 1, 2 and 3 files hold balances only): export \
         SIE 4 with the period's vouchers"
    )
}

/// [`read_sie`] reading the bytes `piece` at a time with a head of `head_rows` rows, then the
/// rest: for tests and fuzzing, which check that neither changes the table.
#[doc(hidden)]
pub fn read_sie_in_pieces(
    path: &Path,
    bytes: &[u8],
    accounts: &SieAccounts,
    head_rows: usize,
    piece: usize,
) -> Result<RawTable> {
    let source = ByteSource::Memory(bytes.into());
    let progress = ReadProgress::default();
    let mut table = read_sie_head(path, source, accounts, head_rows, piece.max(1), &progress)?;
    table.read_rest()?;
    Ok(table)
}

/// Whether the first `#FORMAT` line of an SIE file's start names something else than PC8.
fn declares_other_than_pc8(start: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&start[..start.len().min(SNIFF_BYTES)]).to_uppercase();
    head.lines()
        .find(|l| l.trim_start().starts_with("#FORMAT"))
        .is_some_and(|l| !l.contains("PC8"))
}

/// An SIE file's encoding: `#FORMAT PC8` (the default) means CP437, unless the file is UTF-8
/// with multi-byte characters; without PC8, UTF-8 when valid, else Windows-1252.
fn sie_encoding(valid_utf8: bool, high_bytes: bool, declares_other: bool) -> TextEncoding {
    if valid_utf8 && (high_bytes || declares_other) {
        TextEncoding::Utf8
    } else if declares_other {
        TextEncoding::Windows1252
    } else {
        TextEncoding::Cp437
    }
}

/// Read an SIE 4 file (its bytes) into the table of supplier invoice cost lines, every row
/// produced (the file is gone through as `read_sie_head` does for a file on disk).
pub fn read_sie(path: &Path, bytes: &[u8], accounts: &SieAccounts) -> Result<RawTable> {
    read_sie_in_pieces(path, bytes, accounts, usize::MAX, CHUNK_BYTES)
}

/// The rows of one voucher: a row per cost line of a supplier invoice (a voucher with a line on
/// a supplier-debt account), with the voucher's balance as its status. Other vouchers are
/// counted in `pre_skipped`. Says whether the voucher is a supplier invoice.
fn voucher_rows(
    v: &Voucher,
    declared: &Declarations,
    accounts: &SieAccounts,
    rows: &mut Vec<RawRow>,
    pre_skipped: &mut BTreeMap<String, u64>,
) -> bool {
    let is_invoice = v
        .trans
        .iter()
        .any(|t| in_ranges(&t.account, &accounts.debt));
    if !is_invoice {
        *pre_skipped
            .entry("SIE voucher without a supplier-debt line".into())
            .or_insert(0) += 1;
        return false;
    }
    let mut sum = Decimal::ZERO;
    let mut readable = true;
    for t in &v.trans {
        match Decimal::from_str(t.amount.trim()) {
            Ok(a) => sum += a,
            Err(_) => readable = false,
        }
    }
    let status = if !readable {
        "a transaction amount is not a number".to_string()
    } else if sum.is_zero() {
        "OK".to_string()
    } else {
        format!("unbalanced voucher (sum {})", sum.normalize())
    };
    let voucher_object = |dim: &str| {
        v.trans
            .iter()
            .flat_map(|t| t.objects.iter())
            .find(|(d, _)| d == dim)
            .map(|(_, o)| o.clone())
    };
    let d = declared;
    for t in &v.trans {
        let is_cost = in_ranges(&t.account, &accounts.cost)
            && !in_ranges(&t.account, &accounts.vat)
            && !in_ranges(&t.account, &accounts.debt);
        if !is_cost {
            continue;
        }
        let object = |dim: &str| {
            t.objects
                .iter()
                .find(|(d, _)| d == dim)
                .map(|(_, o)| o.clone())
                .or_else(|| voucher_object(dim))
        };
        let supplier = object(&d.supplier_dim).unwrap_or_default();
        let supplier_name = d
            .object_names
            .get(&(d.supplier_dim.clone(), supplier.clone()))
            .cloned()
            .unwrap_or_default();
        let invoice = object(&d.invoice_dim).unwrap_or_default();
        let cost_centre = object(&d.cost_dim)
            .map(|o| {
                d.object_names
                    .get(&(d.cost_dim.clone(), o.clone()))
                    .cloned()
                    .unwrap_or(o)
            })
            .unwrap_or_default();
        rows.push(RawRow {
            line: t.line,
            cells: vec![
                format!("{}{}", v.series, v.number),
                t.date.clone().unwrap_or_else(|| v.date.clone()),
                t.account.clone(),
                d.account_names.get(&t.account).cloned().unwrap_or_default(),
                t.amount.clone(),
                supplier,
                supplier_name,
                invoice,
                cost_centre,
                d.company_id.clone(),
                d.company_name.clone(),
                status.clone(),
            ]
            .into(),
        });
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_checksum_is_read_unsigned_or_as_a_signed_32_bit_number() {
        assert_eq!(stated_checksum("3735928559"), Some(0xDEAD_BEEF));
        assert_eq!(stated_checksum("-559038737"), Some(0xDEAD_BEEF));
        assert_eq!(stated_checksum("  +0012345 "), Some(12345));
        assert_eq!(stated_checksum("4294967296"), None);
        assert_eq!(stated_checksum("-2147483649"), None);
        assert_eq!(stated_checksum("12a"), None);
        assert_eq!(stated_checksum(""), None);
    }

    use crate::read::encoding::decode;

    /// Decode an SIE file whole (the oracle the piecewise reading is checked against): `#FORMAT PC8` (the default) means CP437, unless the bytes are UTF-8
    /// with multi-byte characters; without PC8, UTF-8 when valid, else Windows-1252.
    fn decode_sie(bytes: &[u8]) -> (String, TextEncoding) {
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let valid_utf8 = std::str::from_utf8(body).is_ok();
        let encoding = sie_encoding(valid_utf8, !body.is_ascii(), declares_other_than_pc8(body));
        let text = decode(body, encoding).map_or_else(
            |_| String::from_utf8_lossy(body).into_owned(),
            std::borrow::Cow::into_owned,
        );
        (text, encoding)
    }

    #[test]
    fn tokenizes_quotes_tabs_and_lists() {
        let r =
            tokenize_line("#TRANS\t4010 {1 \"100\" 9 \"L 1\"} 1250.50 20240105 \"Text \\\"x\\\"\"")
                .unwrap();
        assert_eq!(r.tag, "#TRANS");
        assert_eq!(
            r.fields,
            vec![
                Field::Text("4010".into()),
                Field::List(vec!["1".into(), "100".into(), "9".into(), "L 1".into()]),
                Field::Text("1250.50".into()),
                Field::Text("20240105".into()),
                Field::Text("Text \"x\"".into()),
            ]
        );
        assert_eq!(tokenize_line("   "), None);
        assert_eq!(tokenize_line("{").unwrap().tag, "{");
    }

    #[test]
    fn account_ranges() {
        let r = vec!["4000-7999".to_string()];
        assert!(in_ranges("4010", &r));
        assert!(in_ranges("7999", &r));
        assert!(!in_ranges("8000", &r));
        assert!(!in_ranges("2440", &r));
        assert!(in_ranges("46362", &r));
        assert!(!in_ranges("24400", &r));
        assert!(in_ranges("2441", &["2440-2449".to_string()]));
    }

    #[test]
    fn pc8_decoding() {
        let (text, enc) = decode_sie(b"#FLAGGA 0\n#FORMAT PC8\n#FNAMN \"\x84\x94\"\n");
        assert_eq!(enc, TextEncoding::Cp437);
        assert!(text.contains("äö"));
        let (_, enc) = decode_sie("#FORMAT PC8\n#FNAMN \"äö\"\n".as_bytes());
        assert_eq!(enc, TextEncoding::Utf8);
    }

    /// Declarations that come after the vouchers (not the usual order) still name the
    /// supplier, account and cost centre; vouchers are turned into rows one at a time.
    #[test]
    fn declarations_after_the_vouchers_are_used() {
        let text = "#FLAGGA 0\n#SIETYP 4\n\
            #VER A 1 20240902 \"F-1\"\n{\n\
            #TRANS 2440 {9 \"7\" 10 \"F-1\"} -100.00\n\
            #TRANS 4010 {1 \"100\" 9 \"7\"} 100.00\n}\n\
            #VER A 2 20240903 \"Lön\"\n{\n#TRANS 7010 {} 5.00\n#TRANS 1930 {} -5.00\n}\n\
            #KONTO 4010 \"Material\"\n#OBJEKT 9 \"7\" \"Kontor AB\"\n\
            #OBJEKT 1 \"100\" \"Kommunstyrelsen\"\n#FNAMN \"Exempelby\"\n";
        let table =
            read_sie(Path::new("x.se"), text.as_bytes(), &SieAccounts::default()).expect("reads");
        assert_eq!(table.rows.len(), 2, "the header and one cost line");
        let row: Vec<&str> = table.rows[1].cells.iter().collect();
        assert_eq!(
            row,
            vec![
                "A1",
                "20240902",
                "4010",
                "Material",
                "100.00",
                "7",
                "Kontor AB",
                "F-1",
                "Kommunstyrelsen",
                "",
                "Exempelby",
                "OK"
            ]
        );
        assert_eq!(table.rows[1].line, 6);
        assert_eq!(
            table
                .pre_skipped
                .get("SIE voucher without a supplier-debt line"),
            Some(&1)
        );
    }

    /// A field as an SIE file holds it: the bytes of a plain or a quoted field, or an object
    /// list; the `#KSUMMA` runs over `content` only.
    enum Written<'a> {
        Plain(&'a [u8]),
        Quoted(&'a [u8]),
        List(&'a [&'a [u8]]),
    }

    /// The lines of records (label and fields) and, computed with `crc32fast` over the raw
    /// bytes of each label and field content (no quotes, braces or separators), their
    /// `#KSUMMA`: a computation that shares no code with the reader's.
    fn written_with_checksum(records: &[(&[u8], Vec<Written>)]) -> (Vec<u8>, u32) {
        let mut hasher = crc32fast::Hasher::new();
        let mut bytes = b"#KSUMMA\n".to_vec();
        for (label, fields) in records {
            hasher.update(label);
            bytes.extend_from_slice(label);
            for field in fields {
                bytes.push(b' ');
                match field {
                    Written::Plain(b) => {
                        hasher.update(b);
                        bytes.extend_from_slice(b);
                    }
                    Written::Quoted(b) => {
                        hasher.update(b);
                        bytes.extend_from_slice(&[b"\"", *b, b"\""].concat());
                    }
                    Written::List(items) => {
                        bytes.push(b'{');
                        for (i, item) in items.iter().enumerate() {
                            hasher.update(item);
                            let sep: &[u8] = if i == 0 { b"" } else { b" " };
                            bytes.extend_from_slice(&[sep, b"\"", *item, b"\""].concat());
                        }
                        bytes.push(b'}');
                    }
                }
            }
            bytes.push(b'\n');
        }
        (bytes, hasher.finalize())
    }

    /// A small SIE 4 file with non-ASCII names in `#FNAMN`, `#KONTO` and `#OBJEKT`, given as
    /// the bytes of `format` (`å`, `ä`, `ö` as `aa`, `ae`, `oe`), closed by its `#KSUMMA`.
    fn file_with_names(format: &[u8], aa: &[u8], ae: &[u8], oe: &[u8]) -> Vec<u8> {
        use Written::*;
        let company = [b"Exempelby kommun ".as_slice(), aa, ae, oe].concat();
        let account = [b"Inf".as_slice(), oe, b"rbrukningsmaterial"].concat();
        let cost_centre = [b"Sk".as_slice(), oe, b"tsel och ", aa, b"terbruk"].concat();
        let supplier = [b"M".as_slice(), ae, b"rta Tr", ae, b"dg", aa, b"rd AB"].concat();
        let records: Vec<(&[u8], Vec<Written>)> = vec![
            (b"#FLAGGA", vec![Plain(b"0")]),
            (b"#FORMAT", vec![Plain(format)]),
            (b"#SIETYP", vec![Plain(b"4")]),
            (b"#FNAMN", vec![Quoted(&company)]),
            (b"#ORGNR", vec![Plain(b"212000-0142")]),
            (b"#KONTO", vec![Plain(b"4010"), Quoted(&account)]),
            (
                b"#OBJEKT",
                vec![Plain(b"1"), Quoted(b"100"), Quoted(&cost_centre)],
            ),
            (
                b"#OBJEKT",
                vec![Plain(b"9"), Quoted(b"77"), Quoted(&supplier)],
            ),
            (
                b"#VER",
                vec![
                    Plain(b"A"),
                    Plain(b"1"),
                    Plain(b"20240902"),
                    Quoted(&company),
                ],
            ),
            (b"{", vec![]),
            (
                b"#TRANS",
                vec![Plain(b"2440"), List(&[b"9", b"77"]), Plain(b"-100.00")],
            ),
            (
                b"#TRANS",
                vec![Plain(b"4010"), List(&[b"1", b"100"]), Plain(b"100.00")],
            ),
            (b"}", vec![]),
        ];
        let (mut bytes, sum) = written_with_checksum(&records);
        bytes.extend_from_slice(format!("#KSUMMA {sum}\n").as_bytes());
        bytes
    }

    fn ksumma_warnings(table: &RawTable) -> Vec<&str> {
        table
            .pre_skipped
            .keys()
            .filter(|k| k.contains("#KSUMMA"))
            .map(String::as_str)
            .collect()
    }

    /// The `#KSUMMA` runs over the file's own bytes: CP437, Windows-1252 and UTF-8 files with
    /// å, ä and ö in their names match the checksum an independent CRC-32 gives, and one
    /// changed byte is a warning that names the file.
    #[test]
    fn ksumma_runs_over_the_bytes_of_the_files_encoding() {
        // #FORMAT, the bytes of å, ä and ö, the encoding read
        type Encoded<'a> = (&'a [u8], [&'a [u8]; 3], &'a str);
        let files: [Encoded; 3] = [
            (b"PC8", [&[0x86], &[0x84], &[0x94]], "CP437"),
            (b"ANSI", [&[0xE5], &[0xE4], &[0xF6]], "Windows-1252"),
            (
                b"UTF-8",
                ["å".as_bytes(), "ä".as_bytes(), "ö".as_bytes()],
                "UTF-8",
            ),
        ];
        for (format, [aa, ae, oe], encoding) in files {
            let bytes = file_with_names(format, aa, ae, oe);
            let path = Path::new("namn-2024-09.se");
            let table = read_sie(path, &bytes, &SieAccounts::default()).expect("reads");
            assert_eq!(table.format.encoding.as_deref(), Some(encoding));
            assert!(
                ksumma_warnings(&table).is_empty(),
                "{encoding}: {:?}",
                table.pre_skipped
            );
            let row: Vec<&str> = table.rows[1].cells.iter().collect();
            assert_eq!(row[3], "Införbrukningsmaterial", "{encoding}: decoded");
            assert_eq!(row[6], "Märta Trädgård AB", "{encoding}: decoded");

            // one byte of a name changed (ö becomes o): the checksum no longer matches
            let at = bytes
                .windows(3 + oe.len())
                .position(|w| w.starts_with(b"Inf"))
                .expect("the account name")
                + 3;
            let mut altered = bytes[..at].to_vec();
            altered.push(b'o');
            altered.extend_from_slice(&bytes[at + oe.len()..]);
            let table = read_sie(path, &altered, &SieAccounts::default()).expect("reads");
            let warning = "warning: namn-2024-09.se: the #KSUMMA checksum does not match the \
                file's contents (the file may have been altered after export); the rows were \
                converted";
            assert_eq!(ksumma_warnings(&table), vec![warning], "{encoding}");
            assert_eq!(table.rows.len(), 2, "{encoding}: the rows are still read");
        }
    }

    /// The checksum [`ksumma`] gives for records (as `examples/make_samples.rs` writes it) is
    /// that of their bytes in the encoding given.
    #[test]
    fn ksumma_of_records_is_that_of_their_encoded_bytes() {
        let record = tokenize_line("#KONTO 2440 \"Leverantörsskulder\"").expect("record");
        let crc = |bytes: &[u8]| crc32fast::hash(bytes);
        assert_eq!(
            ksumma(std::slice::from_ref(&record), TextEncoding::Cp437),
            crc(b"#KONTO2440Leverant\x94rsskulder")
        );
        assert_eq!(
            ksumma(std::slice::from_ref(&record), TextEncoding::Windows1252),
            crc(b"#KONTO2440Leverant\xF6rsskulder")
        );
        assert_eq!(
            ksumma(&[record], TextEncoding::Utf8),
            crc("#KONTO2440Leverantörsskulder".as_bytes())
        );
    }

    fn input_message(result: Result<RawTable>) -> String {
        match result {
            Err(Error::Input { message, .. }) => message,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    /// Vouchers, none of them on a supplier-debt account: the message counts them, names the
    /// ranges used and how to give others, and speaks of no header.
    #[test]
    fn a_file_without_supplier_invoices_says_what_it_read() {
        let text = "#FLAGGA 0\n#SIETYP 4\n\
            #VER A 1 20240902 \"Lön\"\n{\n#TRANS 7010 {} 5.00\n#TRANS 1930 {} -5.00\n}\n\
            #VER A 2 20240903 \"Faktura\"\n{\n#TRANS 2410 {9 \"7\"} -8.00\n#TRANS 4010 {} 8.00\n}\n";
        let path = Path::new("x.se");
        let message = input_message(read_sie(path, text.as_bytes(), &SieAccounts::default()));
        assert_eq!(
            message,
            "2 vouchers read, none with a line on a supplier-debt account (2440-2449); if this \
             ledger books supplier debt on other accounts, copy mappings/sie4.toml, set [sie] \
             debt = [\"NNNN-NNNN\"] and give --layout my-sie.toml"
        );
        // the ranges given are the ones named
        let accounts = SieAccounts {
            debt: vec!["2450-2459".into(), "2460".into()],
            ..SieAccounts::default()
        };
        let message = input_message(read_sie(path, text.as_bytes(), &accounts));
        assert!(message.contains("(2450-2459, 2460)"), "{message}");
        // and with the ranges of the ledger, its invoice is read
        let accounts = SieAccounts {
            debt: vec!["2410-2419".into()],
            ..SieAccounts::default()
        };
        let table = read_sie(path, text.as_bytes(), &accounts).expect("reads");
        assert_eq!(table.rows.len(), 2);
        // read a few bytes at a time with a short head: the same message
        let pieces = read_sie_in_pieces(path, text.as_bytes(), &SieAccounts::default(), 2, 5);
        assert!(input_message(pieces).starts_with("2 vouchers read, none"));
    }

    /// Supplier invoices whose lines are on no cost account: the message says so and how to
    /// name the cost accounts.
    #[test]
    fn supplier_invoices_without_cost_lines_say_so() {
        let text = "#VER A 1 20240902 \"Faktura\"\n{\n#TRANS 2440 {9 \"7\"} -8.00\n\
            #TRANS 1220 {} 8.00\n}\n";
        let message = input_message(read_sie(
            Path::new("x.se"),
            text.as_bytes(),
            &SieAccounts::default(),
        ));
        assert_eq!(
            message,
            "1 voucher read, 1 with a line on a supplier-debt account (2440-2449), but none of \
             those has a line on a cost account (4000-7999; input VAT 2640-2649 left out); if \
             this ledger books costs on other accounts, copy mappings/sie4.toml, set [sie] \
             cost = [\"NNNN-NNNN\"] and give --layout my-sie.toml"
        );
    }

    /// A file with no `#VER`: it holds no vouchers, and SIE 1-3 hold balances only.
    #[test]
    fn a_file_without_vouchers_says_that_sie_4_is_needed() {
        let text = "#FLAGGA 0\n#FORMAT PC8\n#SIETYP 2\n#FNAMN \"Exempelby\"\n#IB 0 1930 100.00\n";
        let message = input_message(read_sie(
            Path::new("x.se"),
            text.as_bytes(),
            &SieAccounts::default(),
        ));
        assert_eq!(
            message,
            "the SIE file holds no vouchers (#VER) (the file says #SIETYP 2); reskontra reads \
             the supplier invoices among the vouchers of an SIE 4 file (SIE 1, 2 and 3 files \
             hold balances only): export SIE 4 with the period's vouchers"
        );
        let message = input_message(read_sie(
            Path::new("x.se"),
            b"#FLAGGA 0\n#FNAMN \"Exempelby\"\n",
            &SieAccounts::default(),
        ));
        assert!(
            message.starts_with("the SIE file holds no vouchers (#VER); "),
            "{message}"
        );
    }

    mod pieces {
        use super::*;
        use proptest::prelude::*;

        /// An SIE line from a small alphabet: declarations, vouchers, transactions (added,
        /// removed, repeated), `#KSUMMA`, blank lines, a CP437 or UTF-8 letter.
        fn line() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                Just(b"#FLAGGA 0".to_vec()),
                Just(b"#KSUMMA".to_vec()),
                Just(b"#KSUMMA 123".to_vec()),
                Just(b"#FNAMN \"Exempelby\"".to_vec()),
                Just(b"#OBJEKT 9 \"7\" \"Kontor \x84B\"".to_vec()),
                Just("#KONTO 4010 \"Material ö\"".as_bytes().to_vec()),
                Just(b"#VER A 1 20240902 \"F\"".to_vec()),
                Just(b"{".to_vec()),
                Just(b"}".to_vec()),
                Just(b"#TRANS 2440 {9 \"7\" 10 \"F-1\"} -100.00".to_vec()),
                Just(b"#TRANS 4010 {1 \"100\" 9 \"7\"} 100.00 20240903".to_vec()),
                Just(b"#RTRANS 4010 {} 5.00".to_vec()),
                Just(b"#TRANS 4010 {} 5.00".to_vec()),
                Just(b"#BTRANS 4010 {} 5.00".to_vec()),
                Just(b"#TRANS 7010 {} x".to_vec()),
                Just(Vec::new()),
            ]
        }

        proptest! {
            // three passes over the file a byte or a few at a time: fewer cases
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// Reading an SIE file a few bytes at a time gives the table (rows, line numbers,
            /// what was left out) of reading it in one piece.
            #[test]
            fn reading_in_pieces_gives_the_same_table(
                lines in proptest::collection::vec(line(), 0..30),
                crlf in any::<bool>(),
                bom in any::<bool>(),
                piece in 1usize..24,
                head in 1usize..5,
            ) {
                let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
                bytes.extend_from_slice(b"#VER A 0 20240901 \"start\"\n");
                for l in &lines {
                    bytes.extend_from_slice(l);
                    bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                }
                let path = Path::new("x.se");
                let accounts = SieAccounts::default();
                let whole = read_sie(path, &bytes, &accounts);
                let table = read_sie_in_pieces(path, &bytes, &accounts, head, piece);
                let (whole, table) = match (whole, table) {
                    (Ok(whole), Ok(table)) => (whole, table),
                    // no voucher gave a row: the same message either way
                    (Err(whole), Err(table)) => {
                        prop_assert_eq!(whole.to_string(), table.to_string());
                        return Ok(());
                    }
                    (whole, table) => {
                        return Err(TestCaseError::fail(format!("{whole:?} / {table:?}")));
                    }
                };
                prop_assert_eq!(&table.rows, &whole.rows);
                prop_assert_eq!(&table.pre_skipped, &whole.pre_skipped);
                prop_assert_eq!(&table.format, &whole.format);
                prop_assert_eq!(&table.sha256, &whole.sha256);
                // the text decoded whole has the same encoding
                prop_assert_eq!(
                    Some(decode_sie(&bytes).1.name()),
                    whole.format.encoding.as_deref()
                );
            }
        }
    }
}
