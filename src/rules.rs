//! The catalogue of the spec's rules (`SPEC.md`: a row's values in Data model and Privacy, a
//! file's form in Serialisations): each rule once, with a stable key, a severity and the message `validate` reports, and the
//! texts `convert` writes when it rejects a row by the same rule.
//!
//! `validate`'s row checks and its checks of a CSV or JSON file's form report through these
//! rules (their keys and messages come from here only), `convert`'s reject reasons ([`crate::batch::Reject`]) name the rule they break, and
//! `docs/errors.md`'s tables of findings and of rejected rows are checked against this
//! catalogue (`tests/integration/errors.rs`). In a key, a message or a text, `{column}` stands
//! for a column's name and the other braced words for the details of the case.

use serde::Serialize;
use std::borrow::Cow;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file does not follow the specification.
    Error,
    /// The file follows it, but something needs a look.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as reports write it.
    pub fn key(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One rule of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable key (`{column}` for the column's name).
    pub key: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What `validate` says (`{column}` for the column's name).
    pub message: &'static str,
}

impl Rule {
    /// The key, for a column where the rule is about any of several.
    pub fn key_for(&self, column: &str) -> Cow<'static, str> {
        fill(self.key, column)
    }

    /// The message, for a column where the rule is about any of several.
    pub fn message_for(&self, column: &str) -> Cow<'static, str> {
        fill(self.message, column)
    }
}

/// `text` with `{column}` replaced (without a copy when it has none).
fn fill(text: &'static str, column: &str) -> Cow<'static, str> {
    fill_in(text, &[("column", column)])
}

/// `text` with each `{name}` of `fills` replaced by its value (without a copy when it has
/// none of them).
pub fn fill_in(text: &'static str, fills: &[(&str, &str)]) -> Cow<'static, str> {
    let mut out = Cow::Borrowed(text);
    for (name, value) in fills {
        let braced = format!("{{{name}}}");
        if out.contains(&braced) {
            out = Cow::Owned(out.replace(&braced, value));
        }
    }
    out
}

/// A mandatory value is empty (`leverantor_id` has its own rule: [`LEVERANTOR_ID_EMPTY`]).
pub const MISSING: Rule = Rule {
    key: "{column}_missing",
    severity: Severity::Error,
    message: "mandatory {column} is empty",
};
/// `leverantor_id` is empty: the spec forces it for a masked supplier.
pub const LEVERANTOR_ID_EMPTY: Rule = Rule {
    key: "leverantor_id_empty",
    severity: Severity::Warning,
    message: "leverantor_id is empty (a masked supplier, or none in the source)",
};
/// `leverantor` and `leverantor_id` are both empty: a supplier the publisher masked by leaving
/// its name and id out (the row kept, as some publishers do with sole traders).
pub const LEVERANTOR_BLANKED: Rule = Rule {
    key: "leverantor_blanked",
    severity: Severity::Warning,
    message: "leverantor and leverantor_id are both empty (a supplier masked by leaving its name and id out)",
};
/// `kopare_id` is 10 digits with a valid check digit.
pub const KOPARE_ID_FORMAT: Rule = Rule {
    key: "kopare_id_format",
    severity: Severity::Error,
    message: "kopare_id is not a valid 10-digit organisation number",
};
/// `leverantor_id` is an organisation number or a foreign id.
pub const LEVERANTOR_ID_FORMAT: Rule = Rule {
    key: "leverantor_id_format",
    severity: Severity::Error,
    message: "leverantor_id is not a valid 10-digit organisation number or foreign id",
};
/// `belopp` has more than the spec's two decimals.
pub const BELOPP_DECIMALS: Rule = Rule {
    key: "belopp_decimals",
    severity: Severity::Warning,
    message: "belopp has more than 2 decimals",
};
/// `belopp` is `-?\d+\.\d{2}`.
pub const BELOPP_FORMAT: Rule = Rule {
    key: "belopp_format",
    severity: Severity::Error,
    message: "belopp is not a point-decimal amount with 2 decimals (-?digits.dd)",
};
/// `datum` is a real calendar date `YYYY-MM-DD`.
pub const DATUM_FORMAT: Rule = Rule {
    key: "datum_format",
    severity: Severity::Error,
    message: "datum is not a real date YYYY-MM-DD",
};
/// `datum` lies between 1900 and 2100.
pub const DATUM_RANGE: Rule = Rule {
    key: "datum_range",
    severity: Severity::Error,
    message: "datum is before 1900 or after 2100",
};
/// `datum` lies in the period the file name gives.
pub const DATUM_OUTSIDE_PERIOD: Rule = Rule {
    key: "datum_outside_period",
    severity: Severity::Warning,
    message: "datum is outside the period in the file name",
};
/// `kommun_id` is one of the 290 SCB municipality codes.
pub const KOMMUN_ID: Rule = Rule {
    key: "kommun_id",
    severity: Severity::Error,
    message: "kommun_id is not one of the 290 municipality codes",
};
/// The buyer is the same on every row of a file.
pub const BUYER_NOT_CONSTANT: Rule = Rule {
    key: "buyer_not_constant",
    severity: Severity::Error,
    message: "kopare_id/kopare differ from the first row",
};
/// No cell holds a personal identity number.
pub const PERSONAL_NUMBER: Rule = Rule {
    key: "personal_number",
    severity: Severity::Error,
    message: "a personal identity number in {column}",
};
/// No text cell would run as a spreadsheet formula.
pub const FORMULA_LIKE: Rule = Rule {
    key: "formula_like",
    severity: Severity::Warning,
    message: "{column} starts with =, +, -, @ or a control character (spreadsheet formula risk)",
};
/// A supplier without an id is not written as a person's name.
pub const PERSON_NAME: Rule = Rule {
    key: "person_name",
    severity: Severity::Error,
    message: "leverantor is written as a person's name (SURNAME;FIRSTNAME or Surname, Firstname)",
};
/// A row does not repeat an earlier one.
pub const DUPLICATE_ROW: Rule = Rule {
    key: "duplicate_row",
    severity: Severity::Warning,
    message: "the row repeats an earlier row exactly",
};
/// A row has as many fields as the header.
pub const FIELD_COUNT: Rule = Rule {
    key: "field_count",
    severity: Severity::Error,
    message: "the row does not have as many fields as the header ({width})",
};
/// A source row whose status the layout does not keep (a rule of the source, not of a
/// published file: `validate` never reports it).
pub const STATUS_FILTER: Rule = Rule {
    key: "status_filter",
    severity: Severity::Error,
    message: "the row's status is not one the layout keeps",
};

/// The file starts with a byte-order mark.
pub const BOM: Rule = Rule {
    key: "bom",
    severity: Severity::Error,
    message: "the file starts with a byte-order mark (the spec wants UTF-8 without BOM)",
};
/// The file is UTF-8.
pub const ENCODING: Rule = Rule {
    key: "encoding",
    severity: Severity::Error,
    message: "the file is {encoding} (the spec wants UTF-8)",
};
/// CRLF line endings: read by every consumer, but not the spec's LF.
pub const LINE_ENDINGS_CRLF: Rule = Rule {
    key: "line_endings",
    severity: Severity::Warning,
    message: "CRLF line endings (the spec wants LF)",
};
/// The lines end in LF (never a bare CR).
pub const LINE_ENDINGS: Rule = Rule {
    key: "line_endings",
    severity: Severity::Error,
    message: "{endings} line endings (the spec wants LF)",
};
/// The delimiter is a comma.
pub const DELIMITER: Rule = Rule {
    key: "delimiter",
    severity: Severity::Error,
    message: "the delimiter is {delimiter} (the spec wants a comma)",
};
/// The header is exactly the 15 columns in order.
pub const HEADER: Rule = Rule {
    key: "header",
    severity: Severity::Error,
    message: "the header is not exactly the spec's 15 columns: {detail}",
};
/// A JSON file is a top-level array.
pub const JSON_ENVELOPE: Rule = Rule {
    key: "json_shape",
    severity: Severity::Error,
    message: "a row-store envelope, not a top-level array",
};
/// A JSON file's elements are objects.
pub const JSON_NOT_OBJECT: Rule = Rule {
    key: "json_shape",
    severity: Severity::Error,
    message: "an element is not an object",
};
/// Each object has the 15 keys.
pub const JSON_KEYS: Rule = Rule {
    key: "json_keys",
    severity: Severity::Error,
    message: "the object does not have exactly the 15 spec keys",
};
/// Each value is a string.
pub const JSON_TYPE: Rule = Rule {
    key: "json_type",
    severity: Severity::Error,
    message: "a value is not a string",
};
/// A DCAT catalogue that cannot be read as RDF/XML.
pub const DCAT_SYNTAX: Rule = Rule {
    key: "dcat_syntax",
    severity: Severity::Error,
    message: "the catalogue is not RDF/XML the data portal can read: {detail}",
};
/// A DCAT catalogue file holds a `dcat:Catalog`.
pub const DCAT_NO_CATALOG: Rule = Rule {
    key: "dcat_no_catalog",
    severity: Severity::Error,
    message: "the file holds no dcat:Catalog",
};
/// Catalogues, datasets, distributions, publishers and contact points are named by IRIs.
pub const DCAT_BLANK_NODE: Rule = Rule {
    key: "dcat_blank_node",
    severity: Severity::Error,
    message:
        "a {class} has no address of its own (a blank node); the data portal needs an absolute IRI",
};
/// Every IRI is absolute.
pub const DCAT_RELATIVE_IRI: Rule = Rule {
    key: "dcat_relative_iri",
    severity: Severity::Error,
    message: "the IRI {iri} is relative; the data portal needs absolute IRIs",
};
/// A mandatory property of DCAT-AP-SE 3.0.1.
pub const DCAT_MANDATORY: Rule = Rule {
    key: "dcat_mandatory",
    severity: Severity::Error,
    message: "{resource} lacks {property}, mandatory in DCAT-AP-SE 3.0.1",
};
/// A property DCAT-AP-SE 3.0.1 allows exactly once.
pub const DCAT_EXACTLY_ONE: Rule = Rule {
    key: "dcat_exactly_one",
    severity: Severity::Error,
    message: "{resource} has {count} of {property}; DCAT-AP-SE 3.0.1 allows exactly one",
};
/// A recommended property of DCAT-AP-SE 3.0.1.
pub const DCAT_RECOMMENDED: Rule = Rule {
    key: "dcat_recommended",
    severity: Severity::Warning,
    message: "{resource} lacks {property}, recommended in DCAT-AP-SE 3.0.1",
};

/// Every rule, in the order of `docs/errors.md`'s table: a row's values, then the file's form.
pub const RULES: &[&Rule] = &[
    &MISSING,
    &LEVERANTOR_ID_EMPTY,
    &LEVERANTOR_BLANKED,
    &KOPARE_ID_FORMAT,
    &LEVERANTOR_ID_FORMAT,
    &BELOPP_DECIMALS,
    &BELOPP_FORMAT,
    &DATUM_FORMAT,
    &DATUM_RANGE,
    &DATUM_OUTSIDE_PERIOD,
    &KOMMUN_ID,
    &BUYER_NOT_CONSTANT,
    &PERSONAL_NUMBER,
    &FORMULA_LIKE,
    &PERSON_NAME,
    &DUPLICATE_ROW,
    &FIELD_COUNT,
    &STATUS_FILTER,
    &BOM,
    &ENCODING,
    &LINE_ENDINGS_CRLF,
    &LINE_ENDINGS,
    &DELIMITER,
    &HEADER,
    &JSON_ENVELOPE,
    &JSON_NOT_OBJECT,
    &JSON_KEYS,
    &JSON_TYPE,
    &DCAT_SYNTAX,
    &DCAT_NO_CATALOG,
    &DCAT_BLANK_NODE,
    &DCAT_RELATIVE_IRI,
    &DCAT_MANDATORY,
    &DCAT_EXACTLY_ONE,
    &DCAT_RECOMMENDED,
];

/// A text `convert` writes (in `rejected.csv` and the report's counts) when it rejects a row,
/// and the rule the row breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection {
    /// The rule.
    pub rule: &'static Rule,
    /// The text: `{column}` for a column's name, `{detail}` for the reader's words, the other
    /// braced words for the case's details.
    pub text: &'static str,
}

/// A row whose line does not split into the header's columns (the reader's words).
pub const REJECT_FIELD_COUNT: Rejection = Rejection {
    rule: &FIELD_COUNT,
    text: "row has {fields} fields but the header has {width}",
};
/// A row whose status column the layout does not keep.
pub const REJECT_STATUS: Rejection = Rejection {
    rule: &STATUS_FILTER,
    text: "{column} is '{value}', not {kept}",
};
/// No amount.
pub const REJECT_EMPTY_AMOUNT: Rejection = Rejection {
    rule: &MISSING,
    text: "belopp: empty amount",
};
/// An amount that cannot be read (the amount reader's words).
pub const REJECT_AMOUNT: Rejection = Rejection {
    rule: &BELOPP_FORMAT,
    text: "belopp: {detail}",
};
/// An amount whose digits form a personal identity number.
pub const REJECT_AMOUNT_PERSONAL_NUMBER: Rejection = Rejection {
    rule: &PERSONAL_NUMBER,
    text: "belopp: looks like a personal identity number",
};
/// No date.
pub const REJECT_EMPTY_DATE: Rejection = Rejection {
    rule: &MISSING,
    text: "datum: empty date",
};
/// A date that cannot be read (the date parser's words).
pub const REJECT_DATE: Rejection = Rejection {
    rule: &DATUM_FORMAT,
    text: "datum: {detail}",
};
/// A date before 1900 or after 2100 (the date parser's words).
pub const REJECT_DATE_RANGE: Rejection = Rejection {
    rule: &DATUM_RANGE,
    text: "datum: {detail}",
};
/// A buyer id in the data that is not an organisation number.
pub const REJECT_BUYER_ID: Rejection = Rejection {
    rule: &KOPARE_ID_FORMAT,
    text: "kopare_id: not a valid organisation number",
};
/// An empty mandatory value.
pub const REJECT_EMPTY_MANDATORY: Rejection = Rejection {
    rule: &MISSING,
    text: "{column}: empty mandatory value",
};

/// Every rejection.
pub const REJECTIONS: &[&Rejection] = &[
    &REJECT_FIELD_COUNT,
    &REJECT_STATUS,
    &REJECT_EMPTY_AMOUNT,
    &REJECT_AMOUNT,
    &REJECT_AMOUNT_PERSONAL_NUMBER,
    &REJECT_EMPTY_DATE,
    &REJECT_DATE,
    &REJECT_DATE_RANGE,
    &REJECT_BUYER_ID,
    &REJECT_EMPTY_MANDATORY,
];

/// Whether `text` is what `template` gives for some details: each braced word of the template
/// stands for any text that is not empty.
pub fn matches_template(template: &str, text: &str) -> bool {
    let Some((start, rest)) = template.split_once('{') else {
        return template == text;
    };
    let Some(text) = text.strip_prefix(start) else {
        return false;
    };
    let Some((_, after)) = rest.split_once('}') else {
        return false;
    };
    if after.is_empty() {
        return !text.is_empty();
    }
    // the placeholder takes one or more characters, then the rest must match
    text.char_indices()
        .skip(1)
        .map(|(at, _)| at)
        .any(|at| matches_template(after, &text[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_unique_and_rejections_name_catalogued_rules() {
        // a key has one severity but may have a message per case (json_shape), except
        // line_endings, whose CRLF case is a warning
        let mut rules: Vec<(&str, &str)> = RULES.iter().map(|r| (r.key, r.message)).collect();
        rules.sort_unstable();
        rules.dedup();
        assert_eq!(rules.len(), RULES.len());
        for r in RULES {
            assert!(
                RULES
                    .iter()
                    .all(|o| o.key != r.key || o.severity == r.severity || r.key == "line_endings"),
                "{}",
                r.key
            );
        }
        for r in REJECTIONS {
            assert!(RULES.contains(&r.rule), "{}", r.text);
        }
        assert_eq!(MISSING.key_for("belopp"), "belopp_missing");
        assert_eq!(
            PERSONAL_NUMBER.message_for("grund"),
            "a personal identity number in grund"
        );
    }

    #[test]
    fn templates_match_their_cases() {
        assert!(matches_template(
            REJECT_EMPTY_MANDATORY.text,
            "konto_text: empty mandatory value"
        ));
        assert!(matches_template(
            REJECT_STATUS.text,
            "Huvudstatus is 'Makulerad', not OK"
        ));
        assert!(matches_template(
            REJECT_FIELD_COUNT.text,
            "row has 8 fields but the header has 7"
        ));
        assert!(!matches_template(
            REJECT_FIELD_COUNT.text,
            "row has fields but the header has 7"
        ));
        assert!(matches_template(
            REJECT_AMOUNT.text,
            "belopp: not an amount"
        ));
        assert!(!matches_template(REJECT_AMOUNT.text, "belopp: "));
        assert!(!matches_template(REJECT_BUYER_ID.text, "kopare_id: x"));
    }
}
