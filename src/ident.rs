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

use std::ops::Range;

/// Luhn (mod 10) check over ASCII digits, as used by all Swedish identity numbers.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    luhn_sum(digits) % 10 == 0
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

/// Separators allowed inside one written identity number.
fn is_number_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '+' | ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '.'
    )
}

fn strip_separators(s: &str) -> String {
    s.chars().filter(|c| !is_number_separator(*c)).collect()
}

/// Classify a whole cell that should hold one identifier (no lists).
fn classify_single(part: &str) -> IdKind {
    let trimmed = part.trim();
    if is_placeholder(trimmed) {
        return IdKind::Missing;
    }
    let compact = strip_separators(trimmed).to_uppercase();
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
    let whole = classify_single(cell);
    if matches!(whole, IdKind::Organisation(_) | IdKind::Personal(_)) {
        return whole;
    }
    // The free-text scan is the safety net: any personal number anywhere wins.
    if let Some(kind) = find_personal_numbers(cell)
        .into_iter()
        .map(|m| m.kind)
        .min()
    {
        return IdKind::Personal(kind);
    }
    if !matches!(whole, IdKind::Text) {
        return whole;
    }
    let parts: Vec<IdKind> = split_id_list(cell).map(classify_part).collect();
    pick_from_parts(parts)
}

fn split_id_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(['/', ',', ';', '&', '|', '\n', '\r', '\t'])
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

/// A maximal run of digits in a text.
struct DigitGroup {
    start: usize,
    end: usize,
}

fn digit_groups(text: &str) -> Vec<DigitGroup> {
    let mut groups = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push(DigitGroup { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push(DigitGroup {
            start: s,
            end: text.len(),
        });
    }
    groups
}

/// Whether the text between two digit groups is one separator of a written personal number
/// (`-`, `+` or a space; not `.`, so that amounts like `85010112.34` are not joined).
fn joins(text: &str, a: &DigitGroup, b: &DigitGroup) -> bool {
    let between = &text[a.end..b.start];
    let mut chars = between.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c != '.' && is_number_separator(c))
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

/// Every personal identity number in `text`, in any written form: 10 or 12 digits, with `-`,
/// `+`, a space or nothing between the groups, alone or inside a VAT number, and also
/// odd groupings (`8501 0112 34`). Matches do not overlap and come in text order.
pub fn find_personal_numbers(text: &str) -> Vec<PersonalMatch> {
    // every form has at least ten digits: most texts are ruled out without building groups
    // (short texts by their length alone)
    if text.len() < 10 || text.bytes().filter(u8::is_ascii_digit).count() < 10 {
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
    let groups = digit_groups(text);
    let mut found: Vec<PersonalMatch> = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let mut digits: Vec<u8> = Vec::with_capacity(12);
        let mut hit = None;
        let mut j = i;
        while j < groups.len() {
            if j > i && !joins(text, &groups[j - 1], &groups[j]) {
                break;
            }
            digits.extend_from_slice(&text.as_bytes()[groups[j].start..groups[j].end]);
            if digits.len() > 12 {
                break;
            }
            if let Some(kind) = personal_in_digits(&digits) {
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
        let before = &text[pos..start];
        if before.ends_with("SE") || before.ends_with("se") {
            start -= 2;
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
}
