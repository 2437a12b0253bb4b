//! Unicode character classes that the identity-number rules share.
//!
//! A personal number reaches an export in whatever form a person, a word processor or another
//! program wrote it: with an en dash that Word or Excel put in place of a typed hyphen, with
//! no-break or thin spaces, with full-width digits from an East Asian input method, with
//! Arabic-Indic digits from a PDF. Every rule that looks for one (the free-text scan, the
//! supplier-id classification, the allow- and deny-lists, validate's checks) reads characters
//! through this module, so that no form gets through one path and not another.
//!
//! - [`digit_value`]: every Unicode decimal digit (general category `Nd`, all 680 of Unicode
//!   16) and every character whose NFKC form is one ASCII digit (superscripts, subscripts,
//!   circled digits) has its value. Unit tests check both against independent tables (the
//!   regex crate's `\p{Nd}` and the unicode-normalization crate's NFKC) over all code points.
//! - [`is_number_separator`]: what may stand between the digit groups of a written number:
//!   every space character (`White_Space`, general category `Zs`), every dash and hyphen
//!   (`Pd`, the minus signs), invisible format characters (soft hyphen, zero-width space and
//!   joiners, word joiner, BOM), and the punctuation `+ / \ _ . , : ; '` with their full-width
//!   and typographic forms (`’`, `·`, `⁄`, ...).
//! - [`fold`]: a text with each such character replaced by its plain ASCII form (digits to
//!   `0-9`, dashes to `-`, spaces to ` `, full-width ASCII to ASCII, apostrophes to `'`) and
//!   invisible characters removed: the NFKC-equivalent form the classifiers read.

use std::borrow::Cow;

/// The code points of the digit zero of every run of Unicode decimal digits (general category
/// `Nd`, Unicode 16). Each run holds ten consecutive code points with the values 0-9; the
/// mathematical digits at U+1D7CE hold five such runs.
const DECIMAL_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50, 0x11D50,
    0x11DA0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1D7CE, 0x1D7D8,
    0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950, 0x1FBF0,
];

/// Characters outside `Nd` whose NFKC form is a single ASCII digit, with that digit.
const COMPATIBILITY_DIGITS: &[(char, u8)] = &[
    ('\u{B2}', 2),
    ('\u{B3}', 3),
    ('\u{B9}', 1),
    ('\u{2070}', 0),
    ('\u{2074}', 4),
    ('\u{2075}', 5),
    ('\u{2076}', 6),
    ('\u{2077}', 7),
    ('\u{2078}', 8),
    ('\u{2079}', 9),
    ('\u{2080}', 0),
    ('\u{2081}', 1),
    ('\u{2082}', 2),
    ('\u{2083}', 3),
    ('\u{2084}', 4),
    ('\u{2085}', 5),
    ('\u{2086}', 6),
    ('\u{2087}', 7),
    ('\u{2088}', 8),
    ('\u{2089}', 9),
    ('\u{2460}', 1),
    ('\u{2461}', 2),
    ('\u{2462}', 3),
    ('\u{2463}', 4),
    ('\u{2464}', 5),
    ('\u{2465}', 6),
    ('\u{2466}', 7),
    ('\u{2467}', 8),
    ('\u{2468}', 9),
    ('\u{24EA}', 0),
];

/// The value of a digit character in any script or compatibility form, else `None`.
pub fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.is_ascii_digit().then(|| c as u8 - b'0');
    }
    let code = u32::from(c);
    // the last run whose zero is at or below the character
    let i = DECIMAL_ZEROS.partition_point(|&zero| zero <= code);
    if i > 0 {
        let zero = DECIMAL_ZEROS[i - 1];
        if code - zero < 10 {
            // less than ten, so the cast is lossless
            return Some((code - zero) as u8);
        }
    }
    COMPATIBILITY_DIGITS
        .iter()
        .find(|(d, _)| *d == c)
        .map(|(_, v)| *v)
}

/// Whether a character is a dash, hyphen or minus sign (general category `Pd`, the minus signs
/// and the hyphen-like marks of other scripts).
pub fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{58A}' | '\u{5BE}' | '\u{1400}' | '\u{1806}' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2043}'
                | '\u{207B}'
                | '\u{208B}'
                | '\u{2212}'
                | '\u{2796}'
                | '\u{2E17}'
                | '\u{2E1A}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{2E40}'
                | '\u{2E5D}'
                | '\u{301C}'
                | '\u{3030}'
                | '\u{30A0}'
                | '\u{FE31}'
                | '\u{FE32}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
                | '\u{02D7}'
                | '\u{10D6E}'
                | '\u{10EAD}'
    )
}

/// Whether a character is a space of any kind (Unicode `White_Space`, which holds every `Zs`
/// character, tabs and line breaks, plus the Mongolian vowel separator).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{180E}'
}

/// Whether a character is an invisible format character that programs leave inside words and
/// numbers: soft hyphen, zero-width space, non-joiner and joiner, direction marks, word joiner
/// and the invisible operators, BOM (zero-width no-break space).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// A full-width ASCII form (U+FF01-U+FF5E) as its ASCII character, the ideographic space as a
/// space; any other character as it is.
pub fn fold_width(c: char) -> char {
    match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFF01 + 0x21).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// Whether a character is an apostrophe or a mark written for one (also used as a thousands
/// separator: `1'234`).
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{2BC}' | '\u{B4}' | '`'
    )
}

/// Punctuation (after [`fold_width`]) that counts as a separator between the digit groups of a
/// written identity number.
fn is_separator_punctuation(c: char) -> bool {
    matches!(
        c,
        '+' | '/'
            | '\\'
            | '_'
            | '.'
            | ','
            | ':'
            | ';'
            | '\u{B7}'
            | '\u{2022}'
            | '\u{2024}'
            | '\u{2027}'
            | '\u{2044}'
            | '\u{2215}'
            | '\u{2219}'
            | '\u{30FB}'
            | '\u{FF65}'
    ) || is_apostrophe(c)
}

/// Whether a character may stand between the digit groups of a written identity number:
/// a space, a dash, an invisible format character, or the punctuation listed in the module
/// documentation, in any width.
pub fn is_number_separator(c: char) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    let c = fold_width(c);
    is_space(c) || is_dash(c) || is_invisible(c) || is_separator_punctuation(c)
}

/// The plain form of one character for the classifiers: a digit as its ASCII digit, a dash as
/// `-`, a space as ` `, an apostrophe as `'`, a full-width form as its ASCII character; `None`
/// for an invisible character (removed). ASCII characters stay as they are.
pub fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    if let Some(d) = digit_value(c) {
        return Some(char::from(b'0' + d));
    }
    if is_invisible(c) {
        return None;
    }
    let c = fold_width(c);
    Some(if is_dash(c) {
        '-'
    } else if is_space(c) {
        ' '
    } else if is_apostrophe(c) {
        '\''
    } else {
        c
    })
}

/// The text with every character in its plain form ([`fold_char`]); borrowed when it is ASCII
/// (which is its own plain form).
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter_map(fold_char).collect())
}

/// A lower bound test: whether `text` can hold `n` digit characters. Counts ASCII digits and the
/// lead bytes of multi-byte characters that may be digits (Latin-1 letters, lead byte 0xC3, are
/// never digits), on the bytes, without decoding.
pub fn may_hold_digits(text: &str, n: usize) -> bool {
    if text.len() < n {
        return false;
    }
    // counted in byte lanes, 32 bytes at a time (a count of at most 32 fits a byte), which
    // the compiler turns into a few vector instructions; stops once `n` are counted
    let mut counted = 0;
    for chunk in text.as_bytes().chunks(32) {
        counted += usize::from(
            chunk
                .iter()
                .map(|&b| u8::from(b.is_ascii_digit() || (b >= 0xC2 && b != 0xC3)))
                .sum::<u8>(),
        );
        if counted >= n {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn all_chars() -> impl Iterator<Item = char> {
        (0..=0x10FFFFu32).filter_map(char::from_u32)
    }

    #[test]
    fn every_decimal_digit_has_its_value() {
        // an independent table: the regex crate's Unicode data for \p{Nd}
        let nd = regex::Regex::new(r"^\p{Nd}$").unwrap();
        let mut run_start = None;
        let mut missing = Vec::new();
        for c in all_chars() {
            let code = u32::from(c);
            if nd.is_match(c.encode_utf8(&mut [0; 4])) {
                let start = *run_start.get_or_insert(code);
                // decimal digits come in runs of ten with ascending values
                let expected = ((code - start) % 10) as u8;
                if digit_value(c) != Some(expected) {
                    missing.push(format!("{code:#X}"));
                }
            } else {
                run_start = None;
            }
        }
        assert!(
            missing.is_empty(),
            "digits without their value: {missing:?}"
        );
    }

    #[test]
    fn every_character_whose_nfkc_form_is_a_digit_is_that_digit() {
        let mut wrong = Vec::new();
        for c in all_chars() {
            let nfkc: String = c.to_string().nfkc().collect();
            let mut chars = nfkc.chars();
            let single = match (chars.next(), chars.next()) {
                (Some(d), None) => d.to_digit(10),
                _ => None,
            };
            if let Some(d) = single {
                if digit_value(c) != Some(d as u8) {
                    wrong.push(format!("{:#X}", u32::from(c)));
                }
            }
        }
        assert!(wrong.is_empty(), "NFKC digits not read: {wrong:?}");
    }

    #[test]
    fn only_digits_have_a_value() {
        let nd = regex::Regex::new(r"^\p{Nd}$").unwrap();
        for c in all_chars() {
            if digit_value(c).is_some() {
                let nfkc: String = c.to_string().nfkc().collect();
                assert!(
                    nd.is_match(c.encode_utf8(&mut [0; 4])) || nfkc.len() == 1,
                    "{:#X} is not a digit",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn every_dash_and_space_is_a_separator() {
        let classes = regex::Regex::new(r"^[\p{Pd}\p{Zs}\p{White_Space}]$").unwrap();
        let mut missing = Vec::new();
        for c in all_chars() {
            if classes.is_match(c.encode_utf8(&mut [0; 4])) && !is_number_separator(c) {
                missing.push(format!("{:#X}", u32::from(c)));
            }
        }
        assert!(missing.is_empty(), "not separators: {missing:?}");
    }

    #[test]
    fn every_dash_folds_to_a_hyphen() {
        let pd = regex::Regex::new(r"^\p{Pd}$").unwrap();
        for c in all_chars() {
            if pd.is_match(c.encode_utf8(&mut [0; 4])) {
                assert_eq!(fold_char(c), Some('-'), "{:#X}", u32::from(c));
            }
        }
        assert_eq!(fold_char('\u{2212}'), Some('-'));
    }

    #[test]
    fn separators_in_every_width() {
        for c in ['+', '/', '\\', '_', '.', ',', ':', ';', '\''] {
            assert!(is_number_separator(c), "{c}");
            let wide = char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap();
            assert!(is_number_separator(wide), "{wide}");
            assert_eq!(fold_char(wide), Some(c));
        }
        for c in ['a', 'Z', '0', '9', 'å', '(', '#', '*', '%'] {
            assert!(!is_number_separator(c), "{c}");
        }
    }

    #[test]
    fn fold_gives_the_plain_form() {
        assert_eq!(fold("８１１２１８－９８７６"), "811218-9876");
        assert_eq!(fold("811218\u{2013}9876"), "811218-9876");
        assert_eq!(fold("81\u{AD}1218\u{A0}9876"), "811218 9876");
        assert_eq!(fold("٨١١٢١٨-٩٨٧٦"), "811218-9876");
        assert_eq!(
            fold("O\u{2019}Brien；Anna\u{2013}Karin"),
            "O'Brien;Anna-Karin"
        );
        assert!(matches!(fold("plain ascii 123"), Cow::Borrowed(_)));
        assert_eq!(fold("tab\there"), "tab\there");
    }

    #[test]
    fn digit_bound_counts_possible_digits() {
        assert!(!may_hold_digits("123456789", 10));
        assert!(may_hold_digits("1234567890", 10));
        assert!(may_hold_digits("８１１２１８－９８７６", 10));
        assert!(!may_hold_digits("Förvaltningsövergripande åäö 12", 10));
    }

    proptest::proptest! {
        /// The bound never rules out a text with `n` digits of any script, wherever they stand
        /// (across the 32-byte steps of the count too).
        #[test]
        fn digit_bound_never_rules_out_a_text_with_enough_digits(
            text in "([0-9]|[٠-٩]|[０-９]|[a-zå]|[\\PC]| ){0,80}",
            n in 1usize..16,
        ) {
            let digits = text.chars().filter(|c| digit_value(*c).is_some()).count();
            if digits >= n {
                proptest::prop_assert!(may_hold_digits(&text, n), "{:?}", text);
            }
            // and it counts ASCII digits exactly
            if text.is_ascii() {
                proptest::prop_assert_eq!(may_hold_digits(&text, n), digits >= n);
            }
        }
    }
}
