//! The national specification for leverantörsreskontra, version 1.1: its columns, and the
//! SCB municipality codes.

/// The 15 columns, in order.
pub const COLUMNS: [&str; 15] = [
    "kopare_id",
    "kopare",
    "verifikationsnummer",
    "leverantor",
    "leverantor_id",
    "konto_nr",
    "konto_text",
    "belopp",
    "datum",
    "forvaltning",
    "fakturanummer",
    "grund",
    "avtal",
    "kommun_id",
    "s_kod_nr",
];

/// How many of the columns, from the first, are mandatory.
pub const MANDATORY_COUNT: usize = 9;

/// The header line, exactly.
pub const HEADER: &str = "kopare_id,kopare,verifikationsnummer,leverantor,leverantor_id,konto_nr,konto_text,belopp,datum,forvaltning,fakturanummer,grund,avtal,kommun_id,s_kod_nr";

/// The columns of free text that are scanned for personal numbers.
pub const TEXT_COLUMNS: [&str; 8] = [
    "leverantor",
    "konto_text",
    "forvaltning",
    "fakturanummer",
    "grund",
    "avtal",
    "s_kod_nr",
    "verifikationsnummer",
];

/// Whether a spreadsheet shows a column's values as text the formula guard covers: the
/// free-text columns and the buyer's name.
pub fn is_guarded_text(column: &str) -> bool {
    TEXT_COLUMNS.contains(&column) || column == "kopare"
}

/// Every column whose published text is scanned for personal numbers: the free-text columns
/// and the other columns kept as given (`kopare_id`, `leverantor_id` and `kommun_id` are
/// checked by their own rules).
pub const SCANNED_COLUMNS: [&str; 10] = [
    "kopare",
    "verifikationsnummer",
    "leverantor",
    "konto_nr",
    "konto_text",
    "forvaltning",
    "fakturanummer",
    "grund",
    "avtal",
    "s_kod_nr",
];

/// The specification's address, for metadata.
pub const SPEC_URL: &str = "https://lankadedata.se/spec/leverantorsreskontra/";

/// Whether a column is mandatory.
pub fn is_mandatory(column: &str) -> bool {
    COLUMNS[..MANDATORY_COUNT].contains(&column)
}

/// Position of a column, if it is one of the 15.
pub fn column_index(column: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| *c == column)
}

/// Quote a CSV field as the spec's CSV does: only when it holds a comma, a quote or a
/// line break (RFC 4180).
pub fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        std::borrow::Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

const KOMMUNER: &str = include_str!("../data/kommuner.csv");

/// The 290 SCB municipality codes with names, from `data/kommuner.csv`.
pub fn municipalities() -> impl Iterator<Item = (&'static str, &'static str)> {
    KOMMUNER.lines().skip(1).filter_map(|line| {
        let mut parts = line.split(',');
        Some((parts.next()?, parts.next()?))
    })
}

/// Whether `code` is one of the 290 municipality codes (exactly four digits).
pub fn is_municipality_code(code: &str) -> bool {
    static CODES: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    code.len() == 4
        && CODES
            .get_or_init(|| municipalities().map(|(c, _)| c).collect())
            .contains(code)
}

/// Normalise a municipality code: digits only, left-padded to four (`180` → `0180`).
pub fn normalise_municipality_code(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code = format!("{t:0>4}");
    is_municipality_code(&code).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_columns() {
        assert_eq!(HEADER, COLUMNS.join(","));
    }

    #[test]
    fn municipality_codes() {
        assert_eq!(municipalities().count(), 290);
        assert!(is_municipality_code("0180"));
        assert!(!is_municipality_code("180"));
        assert!(!is_municipality_code("9999"));
        assert_eq!(normalise_municipality_code("180").as_deref(), Some("0180"));
        assert_eq!(normalise_municipality_code("x"), None);
    }
}
