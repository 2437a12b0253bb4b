//! Swedish identity numbers: organisation numbers, personnummer and samordningsnummer.
//!
//! This module does no I/O. It answers two questions the privacy rules rest on:
//! what a supplier-id cell holds ([`classify_id`]), and where personal numbers hide in
//! free text ([`find_personal_numbers`], [`redact_personal_numbers`]).
//!
//! The checks follow `SPEC.md`: ten digits with a Luhn check digit; an organisation number has
//! digits 3-4 ≥ 20 and a known group digit; a personnummer has a month 01-12 and a day 01-31
//! (a samordningsnummer the day + 60, 61-91). The day is not checked against the month's length:
//! when unsure, a number is treated as personal.

use crate::chars::{
    digit_value, fold, fold_char, is_invisible, is_number_separator, is_space, may_hold_digits,
};
use std::ops::Range;

/// Luhn (mod 10) check over ASCII digits, as used by all Swedish identity numbers.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    luhn_sum(digits).is_multiple_of(10)
}

fn luhn_sum(digits: &[u8]) -> u32 {
    // The rightmost digit is the check digit; doubling starts at the second from the right.
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 1 {
                let doubled = v * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                v
            }
        })
        .sum()
}

/// The check digit that makes `nine` (nine ASCII digits) Luhn-valid.
pub fn luhn_check_digit(nine: &[u8]) -> u8 {
    let mut with_zero = nine.to_vec();
    with_zero.push(b'0');
    let rem = luhn_sum(&with_zero) % 10;
    // rem < 10, so the cast is lossless
    b'0' + ((10 - rem) % 10) as u8
}

/// Which kind of personal identity number a ten-digit number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonalKind {
    /// A personnummer: day of birth 01-31.
    Personnummer,
    /// A samordningsnummer (coordination number): day + 60, 61-91.
    Samordningsnummer,
}

/// What a ten-digit number (digits only) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenDigits {
    /// A valid organisation number.
    Organisation,
    /// A valid personal identity number.
    Personal(PersonalKind),
    /// Shaped like a personal number (real month, real day) but with a wrong check digit.
    PersonalShapeBadCheck,
    /// Shaped like an organisation number (digits 3-4 ≥ 20) but with a wrong check digit
    /// or an unknown group digit.
    OrganisationShapeInvalid,
    /// Neither shape.
    Other,
}

fn two(d: &[u8]) -> u8 {
    (d[0] - b'0') * 10 + (d[1] - b'0')
}

fn personal_kind_of_shape(ten: &[u8]) -> Option<PersonalKind> {
    let month = two(&ten[2..4]);
    let day = two(&ten[4..6]);
    if !(1..=12).contains(&month) {
        return None;
    }
    match day {
        1..=31 => Some(PersonalKind::Personnummer),
        61..=91 => Some(PersonalKind::Samordningsnummer),
        _ => None,
    }
}

/// Classify exactly ten ASCII digits.
pub fn classify_ten(ten: &[u8]) -> TenDigits {
    if ten.len() != 10 || !ten.iter().all(u8::is_ascii_digit) {
        return TenDigits::Other;
    }
    if let Some(kind) = personal_kind_of_shape(ten) {
        return if luhn_valid(ten) {
            TenDigits::Personal(kind)
        } else {
            TenDigits::PersonalShapeBadCheck
        };
    }
    if two(&ten[2..4]) >= 20 {
        let group_ok = matches!(ten[0], b'2' | b'3' | b'5' | b'6' | b'7' | b'8' | b'9');
        return if group_ok && luhn_valid(ten) {
            TenDigits::Organisation
        } else {
            TenDigits::OrganisationShapeInvalid
        };
    }
    TenDigits::Other
}

/// Whether ten digits form a valid organisation number.
pub fn is_organisation_number(ten: &str) -> bool {
    classify_ten(ten.as_bytes()) == TenDigits::Organisation
}

/// What a supplier-id cell (or a part of one) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdKind {
    /// Empty or a placeholder (`NULL`, `SAKNAS`, `*`, zeros, `-`, ...).
    Missing,
    /// A Swedish organisation number, as ten digits.
    Organisation(String),
    /// A personnummer or samordningsnummer (in any written form, or inside a VAT number).
    Personal(PersonalKind),
    /// A foreign VAT or company id, normalised (upper case, no spaces, hyphens or dots).
    Foreign(String),
    /// A number shaped like a Swedish identity number whose check digit is wrong.
    InvalidNumber,
    /// Digits that are no identity number: an internal supplier number.
    Internal,
    /// Text that holds no identifier.
    Text,
}

impl IdKind {
    /// Whether the cell holds a personal identity number.
    pub fn is_personal(&self) -> bool {
        matches!(self, IdKind::Personal(_))
    }

    /// A short, value-free name for reports.
    pub fn label(&self) -> &'static str {
        match self {
            IdKind::Missing => "missing",
            IdKind::Organisation(_) => "organisation_number",
            IdKind::Personal(PersonalKind::Personnummer) => "personnummer",
            IdKind::Personal(PersonalKind::Samordningsnummer) => "samordningsnummer",
            IdKind::Foreign(_) => "foreign_id",
            IdKind::InvalidNumber => "invalid_check_digit",
            IdKind::Internal => "internal_number",
            IdKind::Text => "text",
        }
    }
}

const PLACEHOLDERS: &[&str] = &[
    "",
    "NULL",
    "NIL",
    "NONE",
    "SAKNAS",
    "SAKNAS EJ",
    "OKAND",
    "OKÄND",
    "N/A",
    "NA",
    "EJ KAND",
    "EJ KÄND",
    "UNKNOWN",
    "-",
    "--",
    "*",
    "**",
    "***",
    "?",
    "X",
    "XX",
    "XXX",
];

fn is_placeholder(cell: &str) -> bool {
    let upper = cell.trim().to_uppercase();
    if PLACEHOLDERS.contains(&upper.as_str()) {
        return true;
    }
    // only zeros, stars, dashes and spaces
    !upper.is_empty()
        && upper
            .chars()
            .all(|c| matches!(c, '0' | '*' | '-' | ' ' | '.' | 'X'))
        && upper.chars().any(|c| c == '0' || c == '*' || c == 'X')
        && !upper.chars().any(|c| c.is_ascii_digit() && c != '0')
}

/// Country prefixes accepted as foreign VAT or company ids.
const FOREIGN_PREFIXES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "GR", "ES", "FI", "FR", "GB", "XI", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SI", "SK", "NO", "IS", "CH",
    "LI", "US", "CA", "AU", "CHE", "EU",
];

/// Whether a character separates the ids of a list in one cell (`x/y`, `x, y`, `x; y`).
fn is_list_separator(c: char) -> bool {
    matches!(
        crate::chars::fold_width(c),
        '/' | ',' | ';' | '&' | '|' | '\n' | '\r' | '\t'
    )
}

/// A cell's identifier characters in their plain form: separators ([`is_number_separator`])
/// left out, digits of any script as ASCII digits, letters upper case.
fn compact_id_text(s: &str) -> String {
    s.chars()
        .filter(|c| !is_number_separator(*c) || is_list_separator(*c))
        .filter_map(fold_char)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Classify a whole cell that should hold one identifier (no lists).
fn classify_single(part: &str) -> IdKind {
    let folded = fold(part);
    let trimmed = folded.trim();
    if is_placeholder(trimmed) {
        return IdKind::Missing;
    }
    let compact = compact_id_text(trimmed);
    if compact.chars().all(|c| c.is_ascii_digit()) {
        return classify_digits(&compact);
    }
    if let Some(rest) = compact.strip_prefix("SE") {
        return classify_swedish_vat(rest);
    }
    if is_foreign_id(&compact) {
        return IdKind::Foreign(compact);
    }
    IdKind::Text
}

fn classify_digits(digits: &str) -> IdKind {
    let b = digits.as_bytes();
    match b.len() {
        10 => from_ten(b),
        12 => {
            let century = &digits[..2];
            let ten = &b[2..];
            match century {
                "16" => match classify_ten(ten) {
                    TenDigits::Organisation => IdKind::Organisation(digits[2..].to_string()),
                    TenDigits::Personal(k) => IdKind::Personal(k),
                    TenDigits::Other => IdKind::Internal,
                    _ => IdKind::InvalidNumber,
                },
                "18" | "19" | "20" => match classify_ten(ten) {
                    TenDigits::Personal(k) => IdKind::Personal(k),
                    TenDigits::PersonalShapeBadCheck => IdKind::InvalidNumber,
                    // a VAT number written without SE: 10 digits + 01
                    _ => vat_body(&b[..10], &b[10..]).unwrap_or(IdKind::Internal),
                },
                _ => vat_body(&b[..10], &b[10..]).unwrap_or(IdKind::Internal),
            }
        }
        _ if b.iter().all(|d| *d == b'0') => IdKind::Missing,
        _ => IdKind::Internal,
    }
}

fn vat_body(ten: &[u8], suffix: &[u8]) -> Option<IdKind> {
    if suffix != b"01" {
        return None;
    }
    match classify_ten(ten) {
        TenDigits::Organisation => Some(IdKind::Organisation(
            String::from_utf8_lossy(ten).into_owned(),
        )),
        TenDigits::Personal(k) => Some(IdKind::Personal(k)),
        _ => None,
    }
}

fn from_ten(ten: &[u8]) -> IdKind {
    match classify_ten(ten) {
        TenDigits::Organisation => IdKind::Organisation(String::from_utf8_lossy(ten).into_owned()),
        TenDigits::Personal(k) => IdKind::Personal(k),
        TenDigits::PersonalShapeBadCheck | TenDigits::OrganisationShapeInvalid => {
            IdKind::InvalidNumber
        }
        TenDigits::Other => IdKind::Internal,
    }
}

fn classify_swedish_vat(rest: &str) -> IdKind {
    let b = rest.as_bytes();
    if b.len() == 12 && b.iter().all(u8::is_ascii_digit) {
        if let Some(kind) = vat_body(&b[..10], &b[10..]) {
            return kind;
        }
        return match classify_ten(&b[..10]) {
            TenDigits::Other => IdKind::Text,
            _ => IdKind::InvalidNumber,
        };
    }
    if b.len() == 10 && b.iter().all(u8::is_ascii_digit) {
        // SE + ten digits without the 01 suffix
        return from_ten(b);
    }
    IdKind::Text
}

fn is_foreign_id(compact: &str) -> bool {
    let prefix_len = FOREIGN_PREFIXES
        .iter()
        .filter(|p| compact.starts_with(*p))
        .map(|p| p.len())
        .max();
    let Some(n) = prefix_len else {
        return false;
    };
    let body = &compact[n..];
    (2..=16).contains(&body.len())
        && body.chars().all(|c| c.is_ascii_alphanumeric())
        && body.chars().filter(char::is_ascii_digit).count() >= 2
}

/// Classify a raw supplier-id cell.
///
/// Several ids in one cell (`x/y`, `x, y`, `x och y`) and an id followed by text are handled:
/// a cell with a personal number anywhere in it is personal; otherwise the first organisation
/// number wins, then the first foreign id.
pub fn classify_id(cell: &str) -> IdKind {
    // every character in its plain form, so full-width digits, typographic dashes and
    // other spaces classify as their ASCII forms do
    let folded = fold(cell);
    let cell = folded.as_ref();
    let whole = classify_single(cell);
    if matches!(whole, IdKind::Organisation(_) | IdKind::Personal(_)) {
        return whole;
    }
    // The free-text scan is the safety net: any personal number anywhere wins.
    if let Some(kind) = scan(cell, false).into_iter().map(|m| m.kind).min() {
        return IdKind::Personal(kind);
    }
    if !matches!(whole, IdKind::Text) {
        return whole;
    }
    let parts: Vec<IdKind> = split_id_list(cell).map(classify_part).collect();
    match pick_from_parts(parts) {
        found @ (IdKind::Organisation(_) | IdKind::Foreign(_)) => found,
        // no part is an id: one number written with a list separator between its groups
        // (`556677/8899`, a tab)
        other => match classify_single(&cell.replace(is_list_separator, "")) {
            found @ (IdKind::Organisation(_) | IdKind::Personal(_)) => found,
            _ => other,
        },
    }
}

fn split_id_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(is_list_separator)
        .flat_map(|p| p.split(" och "))
        .flat_map(|p| p.split(" OCH "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Classify a part of a list: the whole part, else its leading token (`id followed by text`).
fn classify_part(part: &str) -> IdKind {
    let whole = classify_single(part);
    if !matches!(whole, IdKind::Text) {
        return whole;
    }
    // an id followed by text: try the longest prefix made of id characters
    let prefix: String = part
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || is_number_separator(*c))
        .collect();
    let mut best = IdKind::Text;
    for token in prefix.split_whitespace() {
        let k = classify_single(token);
        if matches!(k, IdKind::Organisation(_) | IdKind::Foreign(_)) {
            return k;
        }
        if matches!(k, IdKind::InvalidNumber | IdKind::Internal) {
            best = k;
        }
    }
    // the separators of a written number may include a space: "556677 8899 text"
    for n in (2..=prefix.len()).rev() {
        if !prefix.is_char_boundary(n) {
            continue;
        }
        if let k @ IdKind::Organisation(_) = classify_single(&prefix[..n]) {
            return k;
        }
    }
    best
}

fn pick_from_parts(parts: Vec<IdKind>) -> IdKind {
    let rank = |k: &IdKind| match k {
        IdKind::Personal(_) => 0,
        IdKind::Organisation(_) => 1,
        IdKind::Foreign(_) => 2,
        IdKind::InvalidNumber => 3,
        IdKind::Internal => 4,
        IdKind::Text => 5,
        IdKind::Missing => 6,
    };
    parts
        .into_iter()
        .min_by_key(rank)
        .unwrap_or(IdKind::Missing)
}

/// A personal identity number found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalMatch {
    /// Byte range of the written number in the text (separators and any `SE`/`01` included).
    pub range: Range<usize>,
    /// Which kind of number.
    pub kind: PersonalKind,
}

/// A maximal run of digit characters (of any script) in a text.
struct DigitGroup {
    /// Byte range of the run in the text.
    start: usize,
    end: usize,
    /// Range of its digits, as ASCII, in the scan's digit buffer.
    digits: Range<usize>,
}

/// The digit groups of a text into `groups`, their digits as ASCII into `digits` (both
/// emptied first). An ASCII text is walked byte by byte, any other character by character.
fn digit_groups(text: &str, groups: &mut Vec<DigitGroup>, digits: &mut Vec<u8>) {
    groups.clear();
    digits.clear();
    let mut open: Option<(usize, usize)> = None;
    let mut step = |i: usize, digit: Option<u8>| match (digit, open) {
        (Some(d), None) => {
            open = Some((i, digits.len()));
            digits.push(b'0' + d);
        }
        (Some(d), Some(_)) => digits.push(b'0' + d),
        (None, Some((start, first))) => {
            groups.push(DigitGroup {
                start,
                end: i,
                digits: first..digits.len(),
            });
            open = None;
        }
        (None, None) => {}
    };
    if text.is_ascii() {
        for (i, b) in text.bytes().enumerate() {
            step(i, b.is_ascii_digit().then(|| b - b'0'));
        }
    } else {
        for (i, c) in text.char_indices() {
            step(i, digit_value(c));
        }
    }
    if let Some((start, first)) = open {
        groups.push(DigitGroup {
            start,
            end: text.len(),
            digits: first..digits.len(),
        });
    }
}

std::thread_local! {
    /// The digit groups and digits of the text being scanned, reused from text to text.
    static SCAN_BUFFERS: std::cell::RefCell<(Vec<DigitGroup>, Vec<u8>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// The most characters that may stand between two digit groups of one written number.
const MAX_GAP_CHARS: usize = 8;
/// The most visible marks (dashes and punctuation, not spaces or invisible characters) that
/// may stand between two digit groups of one written number (`811218 -- 9876` has two).
const MAX_GAP_MARKS: usize = 3;

/// Whether the text between two digit groups joins them into one written number: a short run
/// of separators ([`is_number_separator`]), such as `-`, ` – `, ` / `, `.` or a no-break space.
fn joins(text: &str, a: &DigitGroup, b: &DigitGroup) -> bool {
    let between = &text[a.end..b.start];
    let mut chars = 0;
    let mut marks = 0;
    for c in between.chars() {
        if !is_number_separator(c) {
            return false;
        }
        chars += 1;
        marks += usize::from(!is_space(c) && !is_invisible(c));
        if chars > MAX_GAP_CHARS || marks > MAX_GAP_MARKS {
            return false;
        }
    }
    true
}

/// Where the whole part of a cell that is an amount written plainly stands: an optional sign,
/// ASCII digits, one decimal mark (`.` or `,`) and one or two decimals (`85010112.34`). In such
/// a cell the decimal mark joins no digit groups (the whole part alone may still be a personal
/// number: `8112189876,00`); any other punctuation or a third decimal makes the cell text that
/// is scanned as any other.
fn plain_amount_whole(text: &str) -> Option<Range<usize>> {
    let t = text.trim_start();
    let mut start = text.len() - t.len();
    let t = t.trim_end();
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    start += t.len() - unsigned.len();
    let (whole, decimals) = unsigned.split_once(['.', ','])?;
    // no leading zero: `0001010008` is a number, not an amount
    let plain = !whole.is_empty()
        && (whole == "0" || !whole.starts_with('0'))
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (1..=2).contains(&decimals.len())
        && decimals.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| start..start + whole.len())
}

/// Whether the digits of a candidate are a personal number in any accepted form.
fn personal_in_digits(digits: &[u8]) -> Option<PersonalKind> {
    let ten_personal = |ten: &[u8]| match classify_ten(ten) {
        TenDigits::Personal(k) => Some(k),
        _ => None,
    };
    match digits.len() {
        10 => ten_personal(digits),
        12 => {
            let century_form = if matches!(&digits[..2], b"18" | b"19" | b"20") {
                ten_personal(&digits[2..])
            } else {
                None
            };
            // VAT form: ten digits + 01
            let vat_form = if &digits[10..] == b"01" {
                ten_personal(&digits[..10])
            } else {
                None
            };
            century_form.or(vat_form)
        }
        _ => None,
    }
}

/// Every personal identity number in `text`, in any written form: 10 or 12 digits of any
/// script (full-width, Arabic-Indic, ...), with nothing or a short run of separators between
/// any of the digit groups (`-`, `+`, every dash and space character, `/ _ . , : ;`, also
/// spaced as in `811218 – 9876`; see [`crate::chars`]), alone, inside a VAT number or inside
/// longer text, and odd groupings (`8501 0112 34`, `1981-12-18-9876`). A cell that is a plainly
/// written amount (`85010112.34`) is money and holds none. Matches do not overlap and come in
/// text order.
pub fn find_personal_numbers(text: &str) -> Vec<PersonalMatch> {
    scan(text, true)
}

/// [`find_personal_numbers`]; with `amounts_are_money` false a plainly written amount is
/// scanned like any text (an id cell holds no amounts).
fn scan(text: &str, amounts_are_money: bool) -> Vec<PersonalMatch> {
    // every form has at least ten digits: most texts are ruled out on their bytes
    if !may_hold_digits(text, 10) {
        return Vec::new();
    }
    // fast path for a cell that is one number (an id column): no groups to build
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match personal_in_digits(text.as_bytes()) {
            Some(kind) => vec![PersonalMatch {
                range: 0..text.len(),
                kind,
            }],
            None => Vec::new(),
        };
    }
    if let Some(whole) = plain_amount_whole(text).filter(|_| amounts_are_money) {
        return match personal_in_digits(&text.as_bytes()[whole.clone()]) {
            Some(kind) => vec![PersonalMatch { range: whole, kind }],
            None => Vec::new(),
        };
    }
    SCAN_BUFFERS.with_borrow_mut(|(groups, all_digits)| {
        digit_groups(text, groups, all_digits);
        joined_numbers(text, groups, all_digits)
    })
}

/// The personal numbers written as runs of joined digit groups (the longest run from each
/// group that is one), in text order, without overlaps.
fn joined_numbers(text: &str, groups: &[DigitGroup], all_digits: &[u8]) -> Vec<PersonalMatch> {
    let mut found: Vec<PersonalMatch> = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        // every form has at most twelve digits
        let mut digits = [0u8; 12];
        let mut len = 0;
        let mut hit = None;
        let mut j = i;
        while j < groups.len() {
            if j > i && !joins(text, &groups[j - 1], &groups[j]) {
                break;
            }
            let group = &all_digits[groups[j].digits.clone()];
            if len + group.len() > digits.len() {
                break;
            }
            digits[len..len + group.len()].copy_from_slice(group);
            len += group.len();
            if let Some(kind) = personal_in_digits(&digits[..len]) {
                hit = Some((j, kind));
            }
            j += 1;
        }
        if let Some((last, kind)) = hit {
            let start = groups[i].start;
            let end = groups[last].end;
            found.push(PersonalMatch {
                range: start..end,
                kind,
            });
            i = last + 1;
        } else {
            i += 1;
        }
    }
    found
}

/// Whether `text` holds a personal identity number in any written form.
pub fn contains_personal_number(text: &str) -> bool {
    !find_personal_numbers(text).is_empty()
}

/// Where a `SE` that begins a VAT number stands at the end of `before` (in any width, with
/// separators after it, not the end of a longer word): its byte offset in `before`.
fn vat_prefix_before(before: &str) -> Option<usize> {
    let trimmed = before.trim_end_matches(is_number_separator);
    let mut chars = trimmed.char_indices().rev();
    let (_, e) = chars.next()?;
    let (s_at, s) = chars.next()?;
    let is_se = fold_char(s).is_some_and(|c| c.eq_ignore_ascii_case(&'S'))
        && fold_char(e).is_some_and(|c| c.eq_ignore_ascii_case(&'E'));
    let word_ends = chars.next().is_none_or(|(_, c)| !c.is_alphanumeric());
    (is_se && word_ends).then_some(s_at)
}

/// The default marker for a personal number removed from text.
pub const NUMBER_MARKER: &str = "[personnummer borttaget]";

/// Replace every personal number in `text` by `marker`; returns the new text and how many were
/// replaced. A `SE` prefix glued to a replaced number is removed with it.
pub fn redact_personal_numbers(text: &str, marker: &str) -> (String, usize) {
    let matches = find_personal_numbers(text);
    if matches.is_empty() {
        return (text.to_string(), 0);
    }
    let mut out = String::with_capacity(text.len() + marker.len());
    let mut pos = 0;
    for m in &matches {
        let mut start = m.range.start;
        if let Some(prefix) = vat_prefix_before(&text[pos..start]) {
            start = pos + prefix;
        }
        out.push_str(&text[pos..start]);
        out.push_str(marker);
        pos = m.range.end;
    }
    out.push_str(&text[pos..]);
    (out, matches.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a Luhn-valid ten-digit number from nine digits.
    fn with_check(nine: &str) -> String {
        let c = luhn_check_digit(nine.as_bytes()) as char;
        format!("{nine}{c}")
    }

    #[test]
    fn luhn_known_values() {
        // check digits computed by hand for the nine digits
        assert_eq!(luhn_check_digit(b"811218987"), b'6');
        assert!(luhn_valid(b"8112189876"));
        assert!(!luhn_valid(b"8112189875"));
        assert!(!luhn_valid(b""));
        assert!(!luhn_valid(b"12a4"));
    }

    #[test]
    fn organisation_number_forms() {
        let org = with_check("556677889");
        assert_eq!(classify_id(&org), IdKind::Organisation(org.clone()));
        let hyph = format!("{}-{}", &org[..6], &org[6..]);
        assert_eq!(classify_id(&hyph), IdKind::Organisation(org.clone()));
        assert_eq!(
            classify_id(&format!("16{org}")),
            IdKind::Organisation(org.clone())
        );
        assert_eq!(
            classify_id(&format!("SE{org}01")),
            IdKind::Organisation(org.clone())
        );
        assert_eq!(
            classify_id(&format!("SE {hyph} 01")),
            IdKind::Organisation(org.clone())
        );
    }

    #[test]
    fn municipality_number_is_organisation() {
        let n = with_check("212000012");
        assert_eq!(classify_ten(n.as_bytes()), TenDigits::Organisation);
    }

    #[test]
    fn month_twelve_is_personal_month_twenty_is_organisation() {
        let p = with_check("851231123");
        assert_eq!(
            classify_id(&p),
            IdKind::Personal(PersonalKind::Personnummer)
        );
        let o = with_check("852031123");
        assert_eq!(classify_id(&o), IdKind::Organisation(o.clone()));
        // month 13-19 is neither
        let n = with_check("851331123");
        assert_eq!(classify_id(&n), IdKind::Internal);
    }

    #[test]
    fn day_boundaries() {
        let d31 = with_check("850131123");
        assert_eq!(
            classify_id(&d31),
            IdKind::Personal(PersonalKind::Personnummer)
        );
        let d32 = with_check("850132123");
        assert_eq!(classify_id(&d32), IdKind::Internal);
        let d61 = with_check("850161123");
        assert_eq!(
            classify_id(&d61),
            IdKind::Personal(PersonalKind::Samordningsnummer)
        );
        let d91 = with_check("850191123");
        assert_eq!(
            classify_id(&d91),
            IdKind::Personal(PersonalKind::Samordningsnummer)
        );
        let d92 = with_check("850192123");
        assert_eq!(classify_id(&d92), IdKind::Internal);
        let d00 = with_check("850100123");
        assert_eq!(classify_id(&d00), IdKind::Internal);
    }

    #[test]
    fn personal_written_forms() {
        let p = with_check("640823323");
        let forms = [
            p.clone(),
            format!("{}-{}", &p[..6], &p[6..]),
            format!("{}+{}", &p[..6], &p[6..]),
            format!("{} {}", &p[..6], &p[6..]),
            format!("19{p}"),
            format!("19{}-{}", &p[..6], &p[6..]),
            format!("20{p}"),
            format!("SE{p}01"),
            format!("SE {} 01", p),
        ];
        for f in forms {
            assert!(classify_id(&f).is_personal(), "{f} should be personal");
            assert!(!find_personal_numbers(&f).is_empty(), "{f} found in text");
        }
    }

    #[test]
    fn sixteen_prefix_is_not_a_century() {
        let org = with_check("556677889");
        assert!(matches!(
            classify_id(&format!("16{org}")),
            IdKind::Organisation(_)
        ));
        let p = with_check("640823323");
        // 16 + personal digits is still personal (safe side)
        assert!(classify_id(&format!("16{p}")).is_personal());
    }

    #[test]
    fn bad_check_digit_is_neither() {
        let p = with_check("640823323");
        let bad_digit = (b'0' + ((p.as_bytes()[9] - b'0' + 1) % 10)) as char;
        let bad = format!("{}{}", &p[..9], bad_digit);
        assert_eq!(classify_id(&bad), IdKind::InvalidNumber);
        let o = with_check("556677889");
        let bad_digit = (b'0' + ((o.as_bytes()[9] - b'0' + 1) % 10)) as char;
        let bad = format!("{}{}", &o[..9], bad_digit);
        assert_eq!(classify_id(&bad), IdKind::InvalidNumber);
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "  ",
            "NULL",
            "saknas",
            "SAKNAS",
            "*",
            "0000000000",
            "0",
            "-",
            "N/A",
        ] {
            assert_eq!(classify_id(p), IdKind::Missing, "{p:?}");
        }
    }

    #[test]
    fn foreign_ids() {
        assert_eq!(
            classify_id("DK12345678"),
            IdKind::Foreign("DK12345678".into())
        );
        assert_eq!(
            classify_id("no 912 345 678 mva"),
            IdKind::Foreign("NO912345678MVA".into())
        );
        assert_eq!(
            classify_id("FI-1234567-8"),
            IdKind::Foreign("FI12345678".into())
        );
    }

    #[test]
    fn internal_and_text() {
        assert_eq!(classify_id("10045678"), IdKind::Internal);
        assert_eq!(classify_id("Leverantör saknar nummer"), IdKind::Text);
    }

    #[test]
    fn multi_id_cells() {
        let o = with_check("556677889");
        let o2 = with_check("212000012");
        let p = with_check("640823323");
        assert_eq!(
            classify_id(&format!("{o}/{o2}")),
            IdKind::Organisation(o.clone())
        );
        assert_eq!(
            classify_id(&format!("{o}, {o2}")),
            IdKind::Organisation(o.clone())
        );
        assert!(classify_id(&format!("{o}/{p}")).is_personal());
        assert!(classify_id(&format!("{o2}, {}-{}", &p[..6], &p[6..])).is_personal());
        assert_eq!(
            classify_id(&format!("{}-{} Byggfirman", &o[..6], &o[6..])),
            IdKind::Organisation(o.clone())
        );
        assert!(classify_id(&format!("{p} Anna")).is_personal());
    }

    #[test]
    fn redaction_in_text() {
        let p = with_check("640823323");
        let o = with_check("556677889");
        let text = format!(
            "Avser {}-{} och org {}-{}",
            &p[..6],
            &p[6..],
            &o[..6],
            &o[6..]
        );
        let (out, n) = redact_personal_numbers(&text, "[personnummer borttaget]");
        assert_eq!(n, 1);
        assert_eq!(
            out,
            format!(
                "Avser [personnummer borttaget] och org {}-{}",
                &o[..6],
                &o[6..]
            )
        );
        let vat = format!("moms SE{p}01.");
        let (out, n) = redact_personal_numbers(&vat, "[X]");
        assert_eq!((out.as_str(), n), ("moms [X].", 1));
    }

    #[test]
    fn longer_digit_runs_are_not_personal() {
        let p = with_check("640823323");
        assert!(find_personal_numbers(&format!("1{p}")).is_empty());
        assert!(find_personal_numbers(&format!("{p}123")).is_empty());
    }

    #[test]
    fn typographic_and_spaced_forms_are_found() {
        let p = with_check("811218987");
        let (a, b) = (&p[..6], &p[6..]);
        let forms = [
            format!("{a}\u{2013}{b}"),
            format!("{a}\u{2014}{b}"),
            format!("{a}\u{2012}{b}"),
            format!("{a}\u{2212}{b}"),
            format!("{a}\u{2010}{b}"),
            format!("{a}\u{2011}{b}"),
            format!("{a} - {b}"),
            format!("{a} \u{2013} {b}"),
            format!("{a}\u{a0}\u{2013}\u{a0}{b}"),
            format!("{a}/{b}"),
            format!("{a}_{b}"),
            format!("{a}.{b}"),
            format!("{a}:{b}"),
            format!("{a}, {b}"),
            format!("{a}\u{ad}{b}"),
            format!("{a}\u{200b}{b}"),
            format!("19{}-{}-{}-{b}", &a[..2], &a[2..4], &a[4..]),
            "８１１２１８－９８７６".to_string(),
            "٨١١٢١٨-٩٨٧٦".to_string(),
            format!("SE\u{a0}{a}\u{2013}{b}\u{a0}01"),
        ];
        assert_eq!(p, "8112189876");
        for form in &forms {
            let text = format!("Avser {form} enligt avtal");
            assert_eq!(find_personal_numbers(&text).len(), 1, "{form:?}");
            let (out, n) = redact_personal_numbers(&text, "[X]");
            assert_eq!((out.as_str(), n), ("Avser [X] enligt avtal", 1), "{form:?}");
            assert!(classify_id(form).is_personal(), "{form:?}");
        }
    }

    #[test]
    fn a_plainly_written_amount_is_not_a_personal_number() {
        let p = with_check("850101123");
        let amount = format!("{}.{}", &p[..8], &p[8..]);
        assert!(find_personal_numbers(&amount).is_empty());
        assert!(find_personal_numbers(&format!("-{}", amount.replace('.', ","))).is_empty());
        // the same digits as text are masked: when unsure, mask
        assert_eq!(find_personal_numbers(&format!("Ref {amount}")).len(), 1);
        assert_eq!(
            find_personal_numbers(&format!("{}.{}", &p[..6], &p[6..])).len(),
            1
        );
        // an amount cell with all ten digits and no decimals is one, and so is one with decimals
        assert_eq!(find_personal_numbers(&p).len(), 1);
        let (out, n) = redact_personal_numbers(&format!("-{p},00"), "[X]");
        assert_eq!((out.as_str(), n), ("-[X],00", 1));
        assert_eq!(find_personal_numbers(&format!("19{p}.50")).len(), 1);
    }

    #[test]
    fn letters_or_long_gaps_do_not_join_groups() {
        let p = with_check("811218987");
        let (a, b) = (&p[..6], &p[6..]);
        assert!(find_personal_numbers(&format!("{a} nr {b}")).is_empty());
        assert!(find_personal_numbers(&format!("{a}          {b}")).is_empty());
        assert!(find_personal_numbers(&format!("{a} - - - - {b}")).is_empty());
        assert!(find_personal_numbers(&format!("{a}({b})")).is_empty());
    }

    #[test]
    fn organisation_numbers_in_every_width_classify() {
        let o = with_check("556677889");
        let wide: String = o
            .chars()
            .map(|c| char::from_u32(u32::from(c) - 0x30 + 0xFF10).unwrap())
            .collect();
        for form in [
            format!("{}\u{2013}{}", &o[..6], &o[6..]),
            format!("{}\u{a0}\u{2011}\u{a0}{}", &o[..6], &o[6..]),
            format!("{}/{}", &o[..6], &o[6..]),
            format!("{}_{}", &o[..6], &o[6..]),
            format!("{}：{}", &o[..6], &o[6..]),
            wide.clone(),
            format!("{}－{}", &wide[..18], &wide[18..]),
            format!("ＳＥ{wide}０１"),
        ] {
            assert_eq!(
                classify_id(&form),
                IdKind::Organisation(o.clone()),
                "{form:?}"
            );
            assert!(find_personal_numbers(&form).is_empty(), "{form:?}");
        }
    }

    mod generated {
        use super::with_check;
        use crate::ident::*;
        use proptest::prelude::*;
        use std::sync::LazyLock;
        use unicode_normalization::UnicodeNormalization;

        fn chars_of(class: &str) -> Vec<char> {
            let re = regex::Regex::new(&format!("^{class}$")).unwrap();
            (0..=0x10FFFFu32)
                .filter_map(char::from_u32)
                .filter(|c| re.is_match(c.encode_utf8(&mut [0; 4])))
                .collect()
        }

        /// Every dash and hyphen (Unicode `Pd`) and the minus sign, from the regex crate's data.
        static DASHES: LazyLock<Vec<char>> = LazyLock::new(|| {
            let mut v = chars_of(r"\p{Pd}");
            v.push('\u{2212}');
            v
        });
        /// Every space separator (Unicode `Zs`) and the tab.
        static SPACES: LazyLock<Vec<char>> = LazyLock::new(|| {
            let mut v = chars_of(r"\p{Zs}");
            v.push('\t');
            v
        });
        /// The digit zero of every run of ten decimal digits (Unicode `Nd`).
        static ZEROS: LazyLock<Vec<u32>> = LazyLock::new(|| {
            let nd = chars_of(r"\p{Nd}");
            let mut zeros = Vec::new();
            let mut run = 0;
            for (i, c) in nd.iter().enumerate() {
                let code = u32::from(*c);
                if i == 0 || u32::from(nd[i - 1]) + 1 != code {
                    run = 0;
                }
                if run % 10 == 0 {
                    zeros.push(code);
                }
                run += 1;
            }
            zeros
        });

        /// A separator run: spaces and at most one mark (a dash or `/ _ . : + ,`).
        fn separator() -> impl Strategy<Value = String> {
            let space = prop::sample::select(SPACES.clone());
            let mark = prop_oneof![
                prop::sample::select(DASHES.clone()),
                prop::sample::select(vec!['/', '_', '.', ':', '+', ',', '／', '．', '：', '＿']),
            ];
            (
                prop::collection::vec(space.clone(), 0..3),
                prop::option::of(mark),
                prop::collection::vec(space, 0..3),
            )
                .prop_filter_map("an empty separator", |(before, mark, after)| {
                    let s: String = before.into_iter().chain(mark).chain(after).collect();
                    (!s.is_empty()).then_some(s)
                })
        }

        /// Digits written in one script (the zero of a run of `Nd`), or ASCII.
        fn script() -> impl Strategy<Value = u32> {
            prop_oneof![
                Just(0x30u32),
                Just(0xFF10u32),
                prop::sample::select(ZEROS.clone())
            ]
        }

        fn personal() -> impl Strategy<Value = String> {
            (0u32..100, 1u32..=12, 1u32..=28, any::<bool>(), 0u32..1000).prop_map(
                |(yy, mm, dd, coord, serial)| {
                    let day = if coord { dd + 60 } else { dd };
                    with_check(&format!("{yy:02}{mm:02}{day:02}{serial:03}"))
                },
            )
        }

        fn organisation() -> impl Strategy<Value = String> {
            (
                prop::sample::select(vec!['2', '3', '5', '6', '7', '8', '9']),
                0u32..10,
                20u32..100,
                0u32..100_000,
            )
                .prop_map(|(g, d2, d34, rest)| with_check(&format!("{g}{d2}{d34:02}{rest:05}")))
        }

        /// `digits` written in `script`, with a separator at each of `cuts` (positions between
        /// digits).
        fn written(digits: &str, script: u32, cuts: &[(usize, String)]) -> String {
            let mut out = String::new();
            for (i, d) in digits.bytes().enumerate() {
                if let Some((_, sep)) = cuts.iter().find(|(at, _)| *at == i) {
                    out.push_str(sep);
                }
                out.push(char::from_u32(script + u32::from(d - b'0')).unwrap());
            }
            out
        }

        /// Separators at up to four distinct positions between the digits of a number of `len`.
        fn cuts(len: usize) -> impl Strategy<Value = Vec<(usize, String)>> {
            prop::collection::btree_map(1..len, separator(), 0..5)
                .prop_map(|m| m.into_iter().collect())
        }

        fn text_around() -> impl Strategy<Value = (String, String)> {
            (
                "[A-Za-zåäöÅÄÖ]{0,8}( |: |\\(|\u{a0})?",
                "( |\\)|, |\\.)?[a-zåäö ]{0,8}",
            )
        }

        /// The ASCII digits of a text's NFKC form: what a reader of the text sees as digits.
        fn nfkc_digits(text: &str) -> String {
            text.nfkc().filter(|c| c.is_ascii_digit()).collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn every_written_personal_number_is_found_and_removed(
                p in personal(),
                century in prop::sample::select(vec!["", "19", "20"]),
                script in script(),
                cuts in cuts(12),
                (before, after) in text_around(),
            ) {
                let digits = format!("{century}{p}");
                let cuts: Vec<_> = cuts.into_iter().filter(|(at, _)| *at < digits.len()).collect();
                let number = written(&digits, script, &cuts);
                let text = format!("{before}{number}{after}");
                // the one form that is money, not a personal number: a plain amount cell
                let amount = regex::Regex::new(r"^[1-9][0-9]*[.,][0-9]{1,2}$").unwrap();
                prop_assume!(!amount.is_match(&text));
                let found = find_personal_numbers(&text);
                prop_assert_eq!(found.len(), 1, "{:?}", text);
                let (out, n) = redact_personal_numbers(&text, "[X]");
                prop_assert_eq!(n, 1);
                prop_assert!(!nfkc_digits(&out).contains(&p), "{:?} -> {:?}", text, out);
                prop_assert!(classify_id(&number).is_personal(), "{:?}", number);
            }

            #[test]
            fn every_written_organisation_number_classifies(
                o in organisation(),
                prefix in prop::sample::select(vec!["", "16"]),
                script in script(),
                cuts in cuts(10),
            ) {
                let digits = format!("{prefix}{o}");
                let cuts: Vec<_> = cuts.into_iter().filter(|(at, _)| *at < digits.len()).collect();
                let number = written(&digits, script, &cuts);
                prop_assert_eq!(classify_id(&number), IdKind::Organisation(o.clone()), "{:?}", number);
                prop_assert!(find_personal_numbers(&number).is_empty());
            }
        }
    }
}
