//! Row-store JSON: a top-level array of objects, or the EntryScape envelope
//! `{"next":..., "resultCount":..., "results":[...]}`. Values may be strings, numbers or null;
//! a BOM inside a key is removed. The header is the union of the keys (in name order: columns
//! are found by name, so their order does not matter); row N is the N-th object.

use super::{RawRow, RawTable, SourceFormat};
use crate::error::{Error, Result};
use std::path::Path;

/// Whether the bytes look like JSON (an array or an object first).
pub fn looks_like_json(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    t.starts_with('[') || t.starts_with('{')
}

fn clean_key(key: &str) -> String {
    key.replace('\u{feff}', "").trim().to_string()
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Read a JSON file into a table.
pub fn read_json(path: &Path, bytes: &[u8]) -> Result<RawTable> {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::unreadable(
            path,
            format!(
                "not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => match map.remove("results") {
            Some(serde_json::Value::Array(items)) => items,
            _ => {
                return Err(Error::input(
                    path,
                    "a JSON object without a \"results\" array: expected an array of rows or a row-store envelope",
                ))
            }
        },
        _ => return Err(Error::input(path, "JSON holds no rows (expected an array of objects)")),
    };
    let mut header: Vec<String> = Vec::new();
    let mut objects = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let serde_json::Value::Object(map) = item else {
            return Err(Error::Cell {
                path: path.to_path_buf(),
                row: i as u64 + 1,
                column: String::new(),
                message: "the element is not an object".into(),
            });
        };
        let pairs: Vec<(String, String)> = map
            .iter()
            .map(|(k, v)| (clean_key(k), value_text(v)))
            .collect();
        for (k, _) in &pairs {
            if !header.contains(k) {
                header.push(k.clone());
            }
        }
        objects.push(pairs);
    }
    let mut rows = Vec::with_capacity(objects.len() + 1);
    rows.push(RawRow {
        line: 0,
        cells: header.iter().collect(),
    });
    for (i, pairs) in objects.into_iter().enumerate() {
        let mut cells = vec![String::new(); header.len()];
        for (k, v) in pairs {
            if let Some(pos) = header.iter().position(|h| *h == k) {
                cells[pos] = v;
            }
        }
        rows.push(RawRow {
            line: i as u64 + 1,
            cells: cells.into(),
        });
    }
    Ok(RawTable::new(
        path,
        SourceFormat {
            kind: "json".into(),
            encoding: Some("UTF-8".into()),
            bom: bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            ..SourceFormat::default()
        },
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_and_bom_keys() {
        let text = "{\"next\":null,\"resultCount\":2,\"results\":[{\"\u{feff}kopare_id\":\"1\",\"belopp\":\"1,5\"},{\"kopare_id\":\"2\",\"belopp\":3}]}";
        let t = read_json(Path::new("x.json"), text.as_bytes()).unwrap();
        assert_eq!(t.rows[0].cells, vec!["belopp", "kopare_id"]);
        assert_eq!(t.rows[1].cells, vec!["1,5", "1"]);
        assert_eq!(t.rows[2].cells, vec!["3", "2"]);
        assert_eq!(t.rows[2].line, 2);
    }

    #[test]
    fn errors() {
        assert!(read_json(Path::new("x.json"), b"[1,2]").is_err());
        assert!(read_json(Path::new("x.json"), b"{\"a\":1}").is_err());
        assert!(read_json(Path::new("x.json"), b"[{\"a\":").is_err());
    }
}
