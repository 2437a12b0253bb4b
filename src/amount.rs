//! Money amounts as written in ERP exports, parsed to exact decimals.
//!
//! Accepted: decimal comma or point (`3270,50`, `3270.50`), thousands separated by space,
//! no-break space, thin space, apostrophe, or the other mark (`1.234,50`, `1,234.50`), a leading
//! or trailing minus (also U+2212), accounting parentheses `(12,00)`, and a `kr`/`SEK` unit.
//! Excel float cells arrive as the shortest decimal text of the float (`3270.5`), so money never
//! goes through f64 arithmetic. Results are rounded half away from zero to two decimals.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// A parsed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// The value rounded to two decimals.
    pub value: Decimal,
    /// Whether the source had more than two decimals (and so was rounded).
    pub rounded: bool,
}

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// Nothing there.
    Empty,
    /// Not a number.
    NotANumber,
    /// Too large for a decimal.
    OutOfRange,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => write!(f, "empty amount"),
            AmountError::NotANumber => write!(f, "not an amount"),
            AmountError::OutOfRange => write!(f, "amount out of range"),
        }
    }
}

/// Which mark separates the decimals when a text is ambiguous (`1,234`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecimalMark {
    /// Decide from the text; a lone comma is a decimal comma (the Swedish convention).
    #[default]
    Auto,
    /// `,` is the decimal mark.
    Comma,
    /// `.` is the decimal mark.
    Point,
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\'' | '’')
}

/// Strip a currency unit, sign marks and parentheses; returns (negative, core text).
fn split_sign(text: &str) -> Result<(bool, &str), AmountError> {
    let mut s = text.trim();
    for unit in ["SEK", "kr", "Kr", "KR", ":-"] {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.trim_end();
        }
        if let Some(rest) = s.strip_prefix(unit) {
            s = rest.trim_start();
        }
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    for minus in ['-', '\u{2212}'] {
        if let Some(rest) = s.strip_prefix(minus) {
            if negative {
                return Err(AmountError::NotANumber);
            }
            negative = true;
            s = rest.trim_start();
        } else if let Some(rest) = s.strip_suffix(minus) {
            if negative {
                return Err(AmountError::NotANumber);
            }
            negative = true;
            s = rest.trim_end();
        }
    }
    if let Some(rest) = s.strip_prefix('+') {
        if negative {
            return Err(AmountError::NotANumber);
        }
        s = rest.trim_start();
    }
    Ok((negative, s))
}

/// Decide which character is the decimal mark in `core` (digits, `,`, `.` only).
fn decimal_mark_of(core: &str, hint: DecimalMark) -> Option<char> {
    let commas = core.matches(',').count();
    let points = core.matches('.').count();
    match hint {
        DecimalMark::Comma => return (commas > 0).then_some(','),
        DecimalMark::Point => return (points > 0).then_some('.'),
        DecimalMark::Auto => {}
    }
    match (commas, points) {
        (0, 0) => None,
        (_, 0) if commas > 1 => None, // 1,234,567
        (0, _) if points > 1 => None, // 1.234.567
        (1, 0) => Some(','),
        (0, 1) => Some('.'),
        _ => {
            let last_comma = core.rfind(',');
            let last_point = core.rfind('.');
            if last_comma > last_point {
                Some(',')
            } else {
                Some('.')
            }
        }
    }
}

/// Parse an amount, rounding half away from zero to two decimals.
pub fn parse_amount(text: &str, hint: DecimalMark) -> Result<Amount, AmountError> {
    if text.trim().is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, core) = split_sign(text)?;
    let core: String = core.chars().filter(|c| !is_group_space(*c)).collect();
    if core.is_empty()
        || !core
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Err(AmountError::NotANumber);
    }
    if !core.chars().any(|c| c.is_ascii_digit()) {
        return Err(AmountError::NotANumber);
    }
    let mark = decimal_mark_of(&core, hint);
    let mut plain = String::with_capacity(core.len() + 1);
    if negative {
        plain.push('-');
    }
    let mut seen_mark = false;
    for c in core.chars() {
        if Some(c) == mark {
            if seen_mark {
                return Err(AmountError::NotANumber);
            }
            seen_mark = true;
            plain.push('.');
        } else if c.is_ascii_digit() {
            plain.push(c);
        }
        // the other mark is a thousands separator and is dropped
    }
    if plain.ends_with('.') {
        plain.push('0');
    }
    if plain.starts_with('.') || plain.starts_with("-.") {
        plain = plain.replacen('.', "0.", 1);
    }
    let value = Decimal::from_str(&plain).map_err(|_| AmountError::OutOfRange)?;
    let rounded_value = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Ok(Amount {
        value: rounded_value,
        rounded: value.normalize().scale() > 2,
    })
}

/// An amount in öre (hundredths): the integer behind a `Decimal(38, 2)` column.
pub fn to_ore(value: Decimal) -> i128 {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v.mantissa()
}

/// Append an amount given in öre as the spec writes it (`-1234.50`): the same text as
/// [`format_amount`], without going through a `Decimal` (this runs once per published row).
pub fn push_ore(out: &mut String, ore: i128) {
    if ore < 0 {
        out.push('-');
    }
    let abs = ore.unsigned_abs();
    push_digits(out, abs / 100);
    out.push('.');
    let cents = (abs % 100) as u8;
    out.push(char::from(b'0' + cents / 10));
    out.push(char::from(b'0' + cents % 10));
}

/// An amount in öre as the spec writes it.
pub fn ore_text(ore: i128) -> String {
    let mut s = String::new();
    push_ore(&mut s, ore);
    s
}

/// Append the decimal digits of a number.
fn push_digits(out: &mut String, mut n: u128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|d| char::from(*d)));
}

/// Format an amount as the spec wants it: point, exactly two decimals, minus for credits.
pub fn format_amount(value: Decimal) -> String {
    let mut v = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if v.is_zero() {
        v = Decimal::ZERO;
    }
    v.rescale(2);
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        format_amount(parse_amount(s, DecimalMark::Auto).expect(s).value)
    }

    #[test]
    fn swedish_forms() {
        assert_eq!(p("3270,50"), "3270.50");
        assert_eq!(p("3 214,32"), "3214.32");
        assert_eq!(p("3\u{a0}214,32"), "3214.32");
        assert_eq!(p("12 345 678,9"), "12345678.90");
        assert_eq!(p("-1 234,5"), "-1234.50");
        assert_eq!(p("1234,5-"), "-1234.50");
        assert_eq!(p("(12,00)"), "-12.00");
        assert_eq!(p("\u{2212}7"), "-7.00");
        assert_eq!(p("100 kr"), "100.00");
    }

    #[test]
    fn point_and_mixed_forms() {
        assert_eq!(p("3270.5"), "3270.50");
        assert_eq!(p("1.234,50"), "1234.50");
        assert_eq!(p("1,234.50"), "1234.50");
        assert_eq!(p("1.234.567"), "1234567.00");
        assert_eq!(p("1,234,567"), "1234567.00");
        assert_eq!(p("0"), "0.00");
        assert_eq!(p("-0"), "0.00");
        assert_eq!(p(",5"), "0.50");
        assert_eq!(p("5,"), "5.00");
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(p("0.005"), "0.01");
        assert_eq!(p("-0.005"), "-0.01");
        assert_eq!(p("2.675"), "2.68");
        assert_eq!(p("0.30000000000000004"), "0.30");
        assert!(parse_amount("1,005", DecimalMark::Auto).unwrap().rounded);
        assert!(!parse_amount("1,50", DecimalMark::Auto).unwrap().rounded);
        assert!(!parse_amount("1,500", DecimalMark::Auto).unwrap().rounded);
    }

    #[test]
    fn ore() {
        let v = |s| to_ore(parse_amount(s, DecimalMark::Auto).expect(s).value);
        assert_eq!(v("3270,5"), 327_050);
        assert_eq!(v("-0,01"), -1);
        assert_eq!(v("12"), 1200);
    }

    #[test]
    fn hints() {
        let v = parse_amount("1,234", DecimalMark::Point).unwrap().value;
        assert_eq!(format_amount(v), "1234.00");
        let v = parse_amount("1.234", DecimalMark::Comma).unwrap().value;
        assert_eq!(format_amount(v), "1234.00");
    }

    #[test]
    fn errors() {
        assert_eq!(parse_amount("", DecimalMark::Auto), Err(AmountError::Empty));
        assert_eq!(
            parse_amount("abc", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount("--5", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount("1,2,3.4.5", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount(".", DecimalMark::Auto),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_amount("99999999999999999999999999999999", DecimalMark::Auto),
            Err(AmountError::OutOfRange)
        );
    }

    proptest::proptest! {
        #[test]
        fn ore_text_matches_the_decimal_text(ore in proptest::num::i64::ANY) {
            let ore = i128::from(ore);
            let want = format_amount(Decimal::from_i128_with_scale(ore, 2));
            proptest::prop_assert_eq!(ore_text(ore), want);
        }
    }

    #[test]
    fn ore_text_edges() {
        assert_eq!(ore_text(0), "0.00");
        assert_eq!(ore_text(-5), "-0.05");
        assert_eq!(ore_text(123456), "1234.56");
        assert_eq!(ore_text(-100), "-1.00");
        assert_eq!(ore_text(i128::MIN).len(), 41);
    }
}
