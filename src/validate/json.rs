//! Validating a JSON file: a top-level array of objects with the 15 keys, each value a string;
//! streamed when it is large.

use super::checks::{Row, RowChecker};
use super::csv::check_text_format;
use super::findings::Findings;
use crate::date::Period;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::read::encoding::{decode_file, TextEncoding};
use crate::read::json::stream as json_stream;
use crate::read::Input;
use crate::rules;
use crate::spec::COLUMNS;
use sha2::Digest as _;
use std::path::Path;

/// Validate a JSON file read and decoded whole (any encoding).
pub(super) fn validate_json_whole(
    path: &Path,
    input: Input,
    period_span: Option<(Period, Period)>,
) -> Result<(Findings, u64)> {
    let mut findings = Findings::default();
    let mut checker = RowChecker::new(period_span);
    let bytes = input.bytes()?;
    let decoded = decode_file(path, &bytes, None)?;
    check_text_format(decoded.bom, decoded.encoding.name(), &mut findings);
    let rows = json_rows(path, &decoded.text, &mut findings)?;
    for row in &rows {
        checker.check_row(row, &mut findings);
    }
    Ok((findings, rows.len() as u64))
}

pub(super) fn json_rows(path: &Path, text: &str, findings: &mut Findings) -> Result<Vec<Row>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::unreadable(path, format!("not valid JSON: {e}")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => match map.remove("results") {
            Some(serde_json::Value::Array(items)) => {
                envelope_finding(findings);
                items
            }
            _ => return Err(no_results(path)),
        },
        _ => return Err(not_an_array(path)),
    };
    Ok(items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| json_row(i as u64 + 1, item, findings))
        .collect())
}

pub(super) fn envelope_finding(findings: &mut Findings) {
    findings.rule_with(&rules::JSON_ENVELOPE, &[], None);
}

pub(super) fn no_results(path: &Path) -> Error {
    Error::unreadable(
        path,
        "JSON is neither an array nor an envelope with results",
    )
}

pub(super) fn not_an_array(path: &Path) -> Error {
    Error::unreadable(path, "JSON is not an array of objects")
}

/// The row of the `number`th element of a JSON file (`None` for an element that is not an
/// object), with findings on its keys and value types.
pub(super) fn json_row(
    number: u64,
    item: serde_json::Value,
    findings: &mut Findings,
) -> Option<Row> {
    let serde_json::Value::Object(mut map) = item else {
        findings.rule_with(&rules::JSON_NOT_OBJECT, &[], Some(number));
        return None;
    };
    // a byte-order mark inside a key (left by a tool that joined files): say so, and read
    // the key as the name it hides, so that its values are checked rather than called missing
    let with_bom: Vec<String> = map
        .keys()
        .filter(|k| k.contains('\u{feff}') && COLUMNS.contains(&k.replace('\u{feff}', "").as_str()))
        .cloned()
        .collect();
    for key in with_bom {
        let name = key.replace('\u{feff}', "");
        findings.error(
            "bom_in_name",
            &format!("the key {name} holds a byte-order mark (U+FEFF), so readers do not find it under its name: remove the mark"),
            Some(number),
        );
        if let Some(v) = map.remove(&key) {
            map.entry(name).or_insert(v);
        }
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    if keys.len() != COLUMNS.len() || keys.iter().any(|k| !COLUMNS.contains(k)) {
        findings.rule_with(&rules::JSON_KEYS, &[], Some(number));
    }
    // a spec column under a name publishers use for it (`nettobelopp`): checked as the column
    let variants: Vec<(String, &str)> = map
        .keys()
        .filter_map(|k| Some((k.clone(), super::checks::variant_of(k)?)))
        .filter(|(_, column)| !map.contains_key(*column))
        .collect();
    for (key, column) in variants {
        if let Some(v) = map.remove(&key) {
            map.insert(column.to_string(), v);
        }
    }
    let values = COLUMNS
        .iter()
        .map(|c| match map.remove(*c) {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => {
                findings.rule_with(&rules::JSON_TYPE, &[], Some(number));
                Some(other.to_string())
            }
        })
        .collect();
    Some(Row { number, values })
}

/// Validate a JSON file row by row as it is parsed, without holding it: for UTF-8 files (the
/// spec's encoding; serde checks it as it parses) whose top level is an array or a row-store
/// envelope. `None` when the file is anything else (another encoding, not JSON, another
/// shape): the caller then reads it whole, which gives the same findings or error as ever.
pub(super) fn stream_json(
    path: &Path,
    input: &Input,
    bom: bool,
    period_span: Option<(Period, Period)>,
    progress: &Progress,
) -> Result<Option<(Findings, u64, String)>> {
    let mut reader = TellingReader {
        inner: input.reader()?,
        read: 0,
        told: 0,
        whole: input.size(),
        progress,
        hasher: sha2::Sha256::new(),
    };
    let mut findings = Findings::default();
    let mut checker = RowChecker::new(period_span);
    let (mut elements, mut rows) = (0u64, 0u64);
    let on_event = |event: json_stream::Event| match event {
        json_stream::Event::Envelope => envelope_finding(&mut findings),
        json_stream::Event::Element(item) => {
            elements += 1;
            if let Some(row) = json_row(elements, item, &mut findings) {
                checker.check_row(&row, &mut findings);
                rows += 1;
            }
        }
    };
    // anything but rows, or JSON that does not parse, is left to the whole reading
    match crate::read::json::each_event(path, &mut reader, bom, on_event) {
        Ok(json_stream::Shape::Array | json_stream::Shape::Envelope) => {}
        _ => return Ok(None),
    }
    check_text_format(bom, TextEncoding::Utf8.name(), &mut findings);
    let sha256 = if reader.read == input.size() {
        crate::read::hex(&reader.hasher.finalize())
    } else {
        // the file changed while it was read: its hash is of what it is now
        input.sha256()?
    };
    Ok(Some((findings, rows, sha256)))
}

/// A reader that tells a [`Progress`] how many bytes are read (every MiB), and hashes them.
pub(super) struct TellingReader<'p, R> {
    pub(super) inner: R,
    pub(super) read: u64,
    pub(super) told: u64,
    pub(super) whole: u64,
    pub(super) progress: &'p Progress,
    pub(super) hasher: sha2::Sha256,
}

impl<R: std::io::Read> std::io::Read for TellingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        if self.read - self.told >= 1 << 20 {
            self.told = self.read;
            self.progress.done(self.read, self.whole);
        }
        Ok(n)
    }
}
