//! SIE 4 files: the Swedish accounting interchange format.
//!
//! The tokenizer follows the format: one record per line, fields separated by spaces or tabs,
//! `"` quoting with `\"` escapes, `{...}` object lists. Unknown records and extra fields are
//! ignored. The reader turns the supplier-invoice vouchers (those with a line on a
//! supplier-debt account) into one row per cost line, with the voucher's supplier (dimension 9),
//! invoice (dimension 10) and cost centre (dimension 1).

use super::encoding::{decode, TextEncoding};
use super::{RawRow, RawTable, SourceFormat};
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
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

/// Decode an SIE file: `#FORMAT PC8` (the default) means CP437, unless the bytes are UTF-8
/// with multi-byte characters; without PC8, UTF-8 when valid, else Windows-1252.
pub fn decode_sie(bytes: &[u8]) -> (String, TextEncoding) {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_uppercase();
    let declares_other = head
        .lines()
        .find(|l| l.trim_start().starts_with("#FORMAT"))
        .is_some_and(|l| !l.contains("PC8"));
    let utf8_multibyte = std::str::from_utf8(body).is_ok() && body.iter().any(|b| *b >= 0x80);
    let encoding = if utf8_multibyte || (declares_other && std::str::from_utf8(body).is_ok()) {
        TextEncoding::Utf8
    } else if declares_other {
        TextEncoding::Windows1252
    } else {
        TextEncoding::Cp437
    };
    let text = decode(body, encoding).map_or_else(
        |_| String::from_utf8_lossy(body).into_owned(),
        std::borrow::Cow::into_owned,
    );
    (text, encoding)
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

/// The `#KSUMMA` of records: CRC-32 over each record's label and field texts (unquoted, no
/// separators), in file order, between the opening and the closing `#KSUMMA`.
pub fn ksumma(records: &[Record]) -> u32 {
    !records.iter().fold(0xFFFF_FFFF, ksumma_add)
}

/// Add a record to a running `#KSUMMA` CRC (start at `0xFFFF_FFFF`, invert at the end).
fn ksumma_add(mut crc: u32, r: &Record) -> u32 {
    crc = crc32(r.tag.as_bytes(), crc);
    for f in &r.fields {
        match f {
            Field::Text(s) => crc = crc32(s.as_bytes(), crc),
            Field::List(items) => {
                for s in items {
                    crc = crc32(s.as_bytes(), crc);
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
    company_name: String,
    company_id: String,
    account_names: HashMap<String, String>,
    object_names: HashMap<(String, String), String>,
    supplier_dim: String,
    invoice_dim: String,
    cost_dim: String,
}

/// The labels [`Declarations`] are read from.
const DECLARATION_TAGS: [&str; 5] = ["#FNAMN", "#ORGNR", "#KONTO", "#OBJEKT", "#DIM"];

impl Declarations {
    /// Read the declarations from every line that may hold one (a first pass: they may come
    /// after the vouchers in a file that does not follow the usual order).
    fn read(text: &str) -> Declarations {
        let mut company_name = String::new();
        let mut company_id = String::new();
        let mut account_names: HashMap<String, String> = HashMap::new();
        let mut object_names: HashMap<(String, String), String> = HashMap::new();
        let mut dimension_names: BTreeMap<String, String> = BTreeMap::new();
        for line in text.lines() {
            let start = line.trim_start();
            if !DECLARATION_TAGS.iter().any(|t| start.starts_with(t)) {
                continue;
            }
            let Some(r) = tokenize_line(line) else {
                continue;
            };
            let f = |i: usize| {
                r.fields
                    .get(i)
                    .map(|f| f.text().to_string())
                    .unwrap_or_default()
            };
            match r.tag.as_str() {
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
                _ => {}
            }
        }
        // the reserved dimensions (9 supplier, 10 invoice, 1 cost centre), unless the file
        // declares them under other numbers by name
        Declarations {
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
        }
    }
}

/// Read an SIE 4 file into the table of supplier invoice cost lines. The file is gone through
/// twice, a line at a time: once for the declarations, once for the vouchers, each turned into
/// rows as soon as it is complete (a large file is never held as records).
pub fn read_sie(path: &Path, bytes: &[u8], accounts: &SieAccounts) -> Result<RawTable> {
    let (text, encoding) = decode_sie(bytes);
    let declared = Declarations::read(&text);
    let mut rows = vec![RawRow {
        line: 0,
        cells: SIE_HEADER.iter().map(|s| s.to_string()).collect(),
    }];
    let mut pre_skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut voucher: Option<Voucher> = None;
    let mut saw_voucher = false;
    let mut in_voucher = false;
    let mut skip_next_trans: Option<Record> = None;
    let mut ksumma_given: Option<String> = None;
    let mut ksumma_crc: u32 = 0xFFFF_FFFF;
    let mut ksumma_open = false;
    for (i, line) in text.lines().enumerate() {
        let Some(r) = tokenize_line(line) else {
            continue;
        };
        let line = i as u64 + 1;
        if r.tag == "#KSUMMA" {
            if ksumma_open {
                ksumma_given = r.fields.first().map(|f| f.text().to_string());
                ksumma_open = false;
            } else {
                ksumma_open = true;
            }
            continue;
        }
        if ksumma_open {
            ksumma_crc = ksumma_add(ksumma_crc, &r);
        }
        let f = |i: usize| {
            r.fields
                .get(i)
                .map(|f| f.text().to_string())
                .unwrap_or_default()
        };
        match r.tag.as_str() {
            "#VER" => {
                saw_voucher = true;
                let next = Voucher {
                    series: f(0),
                    number: f(1),
                    date: f(2),
                    trans: Vec::new(),
                };
                if let Some(done) = voucher.replace(next) {
                    voucher_rows(&done, &declared, accounts, &mut rows, &mut pre_skipped);
                }
            }
            "{" => in_voucher = true,
            "}" => in_voucher = false,
            "#RTRANS" if in_voucher => {
                if let Some(v) = voucher.as_mut() {
                    v.trans.push(trans_of(&r, line));
                }
                // the format repeats an added transaction as #TRANS for older readers
                let mut copy = r.clone();
                copy.tag = "#TRANS".into();
                skip_next_trans = Some(copy);
            }
            "#TRANS" if in_voucher => {
                if skip_next_trans.take().as_ref() == Some(&r) {
                    continue;
                }
                if let Some(v) = voucher.as_mut() {
                    v.trans.push(trans_of(&r, line));
                }
            }
            // a removed transaction is not part of the voucher
            _ => {}
        }
        if r.tag != "#RTRANS" {
            skip_next_trans = None;
        }
    }
    if !saw_voucher {
        return Err(Error::input(path, "the SIE file holds no vouchers (#VER)"));
    }
    if let Some(done) = voucher {
        voucher_rows(&done, &declared, accounts, &mut rows, &mut pre_skipped);
    }
    if let Some(given) = &ksumma_given {
        if given.trim() != (!ksumma_crc).to_string() {
            *pre_skipped
                .entry("SIE #KSUMMA does not match (the file may have been altered)".into())
                .or_insert(0) += 1;
        }
    }
    let mut table = RawTable::new(
        path,
        SourceFormat {
            kind: "sie".into(),
            encoding: Some(encoding.name().into()),
            ..SourceFormat::default()
        },
        rows,
    );
    table.pre_skipped = pre_skipped;
    Ok(table)
}

/// The rows of one voucher: a row per cost line of a supplier invoice (a voucher with a line on
/// a supplier-debt account), with the voucher's balance as its status. Other vouchers are
/// counted in `pre_skipped`.
fn voucher_rows(
    v: &Voucher,
    declared: &Declarations,
    accounts: &SieAccounts,
    rows: &mut Vec<RawRow>,
    pre_skipped: &mut BTreeMap<String, u64>,
) {
    let is_invoice = v
        .trans
        .iter()
        .any(|t| in_ranges(&t.account, &accounts.debt));
    if !is_invoice {
        *pre_skipped
            .entry("SIE voucher without a supplier-debt line".into())
            .or_insert(0) += 1;
        return;
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
