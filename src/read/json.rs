//! Row-store JSON: a top-level array of objects, or the EntryScape envelope
//! `{"next":..., "resultCount":..., "results":[...]}`. Values may be strings, numbers or null;
//! a BOM inside a key is removed. The header is the union of the keys (in name order: columns
//! are found by name, so their order does not matter); row N is the N-th object.

use super::source::ByteSource;
use super::{RawRow, RawTable, ReceivedRows, RowSource, SourceFormat};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

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
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| not_json(path, &e))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => match map.remove("results") {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Err(no_results(path)),
        },
        _ => return Err(no_rows(path)),
    };
    let mut header: Vec<String> = Vec::new();
    let mut objects = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let serde_json::Value::Object(map) = item else {
            return Err(not_an_object_error(path, i as u64 + 1));
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
            bom: bytes.starts_with(BOM),
            ..SourceFormat::default()
        },
        rows,
    ))
}

/// A UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Rows handed on at a time by the thread that parses a JSON file's rows.
const JSON_BATCH_ROWS: usize = 8192;

/// A reader that counts the bytes read (shared, for the progress of another thread), can hash
/// them, and fails once `stop` is set (so that a parse nobody waits for ends).
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
    hasher: Option<sha2::Sha256>,
    stop: Arc<AtomicBool>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("the rows are no longer wanted"));
        }
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The error for a file serde could not parse, with where.
fn not_json(path: &Path, e: &serde_json::Error) -> Error {
    Error::unreadable(
        path,
        format!(
            "not valid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        ),
    )
}

/// Hand the events of a JSON file's rows (after any BOM) to `on_event` as serde parses them
/// (each element deserialized as a `T`), reading up to the end of the file; the shape of the
/// top level, or the error that ended the parsing.
pub(crate) fn each_event<R: std::io::Read, T: serde::de::DeserializeOwned>(
    path: &Path,
    mut reader: R,
    bom: bool,
    mut on_event: impl FnMut(stream::Event<T>),
) -> Result<stream::Shape> {
    if bom {
        let mut skipped = [0u8; 3];
        std::io::Read::read_exact(&mut reader, &mut skipped).map_err(|e| Error::io(path, e))?;
    }
    // serde_json reads a reader a byte at a time: the buffer outermost keeps that a copy from
    // memory, not a call through the reader chain
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, reader));
    let shape = serde::Deserializer::deserialize_any(&mut de, stream::Top::new(&mut on_event))
        .map_err(|e| not_json(path, &e))?;
    // the end is checked up to the end of the file, so every byte is read
    de.end().map_err(|e| not_json(path, &e))?;
    Ok(shape)
}

/// [`each_event`] for the elements only.
fn each_element<R: std::io::Read, T: serde::de::DeserializeOwned>(
    path: &Path,
    reader: R,
    bom: bool,
    mut on_element: impl FnMut(T),
) -> Result<stream::Shape> {
    each_event(path, reader, bom, |event| {
        if let stream::Event::Element(item) = event {
            on_element(item);
        }
    })
}

/// The keys of an element that is an object, in the order of a `serde_json::Map` (sorted, each
/// once), its values skipped; `None` for any other value.
struct ObjectKeys(Option<Vec<String>>);

impl<'de> serde::Deserialize<'de> for ObjectKeys {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectKeysVisitor)
    }
}

struct ObjectKeysVisitor;

impl<'de> serde::de::Visitor<'de> for ObjectKeysVisitor {
    type Value = ObjectKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<ObjectKeys, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<serde::de::IgnoredAny>()?;
            keys.push(key);
        }
        keys.sort();
        keys.dedup();
        Ok(ObjectKeys(Some(keys)))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<ObjectKeys, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(ObjectKeys(None))
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<ObjectKeys, E> {
        Ok(ObjectKeys(None))
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<ObjectKeys, E> {
        Ok(ObjectKeys(None))
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<ObjectKeys, E> {
        Ok(ObjectKeys(None))
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<ObjectKeys, E> {
        Ok(ObjectKeys(None))
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<ObjectKeys, E> {
        Ok(ObjectKeys(None))
    }

    fn visit_unit<E>(self) -> std::result::Result<ObjectKeys, E> {
        Ok(ObjectKeys(None))
    }
}

/// The header of a JSON file's rows (the union of the keys, as [`read_json`] makes it) and its
/// SHA-256 and size, from a first pass over the file that keeps no rows.
fn json_header(
    path: &Path,
    source: &ByteSource,
    start: &[u8],
) -> Result<(Vec<String>, String, u64, bool)> {
    let bom = start.starts_with(BOM);
    let mut bom_in_names = false;
    let read = Arc::new(AtomicU64::new(0));
    let mut reader = Counting {
        inner: source.open(path)?,
        read: Arc::clone(&read),
        hasher: Some(sha2::Digest::new()),
        stop: Arc::default(),
    };
    let (mut header, mut known) = (Vec::new(), std::collections::HashSet::new());
    let (mut elements, mut not_an_object) = (0u64, None);
    let shape = each_element(path, &mut reader, bom, |item: ObjectKeys| {
        elements += 1;
        let Some(keys) = item.0 else {
            not_an_object = not_an_object.or(Some(elements));
            return;
        };
        for raw in keys.iter() {
            let key = clean_key(raw);
            bom_in_names |= raw.contains('\u{feff}');
            if known.insert(key.clone()) {
                header.push(key);
            }
        }
    });
    let refused = match shape {
        Ok(stream::Shape::Array | stream::Shape::Envelope) => {
            not_an_object.map(|row| not_an_object_error(path, row))
        }
        Ok(stream::Shape::Other) => Some(no_rows(path)),
        Err(e) => Some(e),
    };
    if let Some(refused) = refused {
        // a file that is refused gets the error of reading it whole (this pass skips values
        // without checking them as closely as serde does when it keeps them)
        return Err(error_of_reading_whole(path, source).unwrap_or(refused));
    }
    let sha256 = reader
        .hasher
        .take()
        .map(|h| super::hex(&sha2::Digest::finalize(h)))
        .unwrap_or_default();
    Ok((header, sha256, read.load(Ordering::Relaxed), bom_in_names))
}

/// The error [`read_json`] gives for a file (none if it reads it).
fn error_of_reading_whole(path: &Path, source: &ByteSource) -> Option<Error> {
    let mut bytes = Vec::new();
    if let Err(e) = source.open(path).ok()?.read_to_end(&mut bytes) {
        return Some(Error::io(path, e));
    }
    read_json(path, &bytes).err()
}

fn no_results(path: &Path) -> Error {
    Error::input(
        path,
        "a JSON object without a \"results\" array: expected an array of rows or a row-store envelope",
    )
}

fn no_rows(path: &Path) -> Error {
    Error::input(path, "JSON holds no rows (expected an array of objects)")
}

fn not_an_object_error(path: &Path, row: u64) -> Error {
    Error::Cell {
        path: path.to_path_buf(),
        row,
        column: String::new(),
        message: "the element is not an object".into(),
    }
}

/// A row's cells in the header's order (a value under a key the header lacks is left out; the
/// last of two keys that clean to the same name wins, as in [`read_json`]).
fn json_row(
    line: u64,
    map: serde_json::Map<String, serde_json::Value>,
    columns: &HashMap<String, usize>,
) -> RawRow {
    let mut cells = vec![String::new(); columns.len()];
    for (key, value) in &map {
        if let Some(&at) = columns.get(&clean_key(key)) {
            cells[at] = value_text(value);
        }
    }
    RawRow {
        line,
        cells: cells.into(),
    }
}

/// The rows of a JSON file after its header, parsed a batch at a time on a thread of their own
/// (a second pass over the file; the first found the header).
#[derive(Debug)]
struct JsonRows {
    rows: ReceivedRows,
    read: Arc<AtomicU64>,
    size: u64,
    /// Set when the rows are no longer wanted: the parsing thread then stops reading.
    stop: Arc<AtomicBool>,
}

impl Drop for JsonRows {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl JsonRows {
    /// Start parsing the rows of the file that [`json_header`] read.
    fn start(path: &Path, source: ByteSource, bom: bool, header: &[String], size: u64) -> JsonRows {
        let (batches, parsed) = mpsc::sync_channel(2);
        let read = Arc::new(AtomicU64::new(0));
        let columns: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let (path, counter): (PathBuf, _) = (path.to_path_buf(), Arc::clone(&read));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            let changed = || {
                Error::unreadable(
                    &path,
                    "the file changed while it was being read; convert it again once it is complete",
                )
            };
            let parsed = (|| -> Result<()> {
                let reader = Counting {
                    inner: source.open(&path)?,
                    read: Arc::clone(&counter),
                    hasher: None,
                    stop: stopped,
                };
                let (mut batch, mut line, mut wanted, mut odd) = (Vec::new(), 0u64, true, false);
                each_element(&path, reader, bom, |item: serde_json::Value| {
                    line += 1;
                    let serde_json::Value::Object(map) = item else {
                        odd = true;
                        return;
                    };
                    if wanted {
                        batch.push(json_row(line, map, &columns));
                        if batch.len() == JSON_BATCH_ROWS {
                            // a closed channel: the rows are no longer wanted (the reader
                            // fails from then on, which ends the parse)
                            wanted = batches.send(Ok(std::mem::take(&mut batch))).is_ok();
                        }
                    }
                })?;
                if odd || counter.load(Ordering::Relaxed) != size {
                    return Err(changed());
                }
                if wanted && !batch.is_empty() {
                    let _ = batches.send(Ok(batch));
                }
                Ok(())
            })();
            if let Err(e) = parsed {
                let _ = batches.send(Err(e));
            }
        });
        JsonRows {
            rows: ReceivedRows::new(parsed),
            read,
            size,
            stop,
        }
    }
}

impl RowSource for JsonRows {
    fn next_rows(&mut self, max_rows: usize) -> Result<Vec<RawRow>> {
        self.rows.next_rows(max_rows)
    }

    fn position(&self) -> (u64, u64) {
        (self.read.load(Ordering::Relaxed), self.size)
    }
}

/// Read a JSON file's header and its first `head_rows` rows without holding the file: a first
/// pass finds the header (the union of the keys) and hashes the bytes, a second one, on a
/// thread, parses the rows, which the table's stream hands on a batch at a time. The rows are
/// those of [`read_json`].
pub(crate) fn read_json_head(
    path: &Path,
    source: ByteSource,
    start: &[u8],
    head_rows: usize,
) -> Result<RawTable> {
    let (header, sha256, size, bom_in_names) = json_header(path, &source, start)?;
    let bom = start.starts_with(BOM);
    let mut rest = JsonRows::start(path, source, bom, &header, size);
    let head = rest.next_rows(head_rows)?;
    let format = SourceFormat {
        kind: "json".into(),
        encoding: Some("UTF-8".into()),
        bom,
        bom_in_names,
        ..SourceFormat::default()
    };
    Ok(RawTable::streamed(
        path,
        format,
        &header,
        head,
        Box::new(rest),
        (sha256, size),
    ))
}

/// Serde visitors that hand the elements of a JSON file's rows to a function one at a time.
pub(crate) mod stream {
    use serde::de::{
        Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };
    use std::fmt;
    use std::marker::PhantomData;

    /// The visitor methods of every JSON scalar (true, a number, a text, null): `Shape::Other`.
    macro_rules! scalars_are_other {
        () => {
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::Other)
            }

            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }

            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }

            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }

            fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::Other)
            }

            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
        };
    }

    /// What the top level of the file is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Shape {
        /// An array (its elements were handed on).
        Array,
        /// An object with a `results` array (its elements were handed on).
        Envelope,
        /// Anything else.
        Other,
    }

    /// What the function is handed.
    pub enum Event<T = serde_json::Value> {
        /// The rows are the `results` of a row-store envelope (before its elements).
        Envelope,
        /// An element of the rows, deserialized as a `T`.
        Element(T),
    }

    /// The top-level value; its elements are deserialized as `T`s.
    pub struct Top<'f, F, T = serde_json::Value>(&'f mut F, PhantomData<T>);

    impl<'f, F, T> Top<'f, F, T> {
        /// The visitor that hands the elements to `f`.
        pub fn new(f: &'f mut F) -> Self {
            Top(f, PhantomData)
        }
    }

    /// The elements of an array, each handed to the function (after [`Event::Envelope`] when
    /// the array is an envelope's); anything else is skipped.
    struct Elements<'f, F, T> {
        f: &'f mut F,
        envelope: bool,
        element: PhantomData<T>,
    }

    impl<'de, T: Deserialize<'de>, F: FnMut(Event<T>)> Visitor<'de> for Top<'_, F, T> {
        type Value = Shape;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON array or an object")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Shape, A::Error> {
            let elements = Elements {
                f: self.0,
                envelope: false,
                element: PhantomData,
            };
            elements.visit_seq(seq)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
            let mut shape = Shape::Other;
            while let Some(key) = map.next_key::<String>()? {
                if key == "results" && shape == Shape::Other {
                    let elements = Elements {
                        f: &mut *self.0,
                        envelope: true,
                        element: PhantomData,
                    };
                    if map.next_value_seed(elements)? == Shape::Array {
                        shape = Shape::Envelope;
                    }
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(shape)
        }

        scalars_are_other!();
    }

    impl<'de, T: Deserialize<'de>, F: FnMut(Event<T>)> DeserializeSeed<'de> for Elements<'_, F, T> {
        type Value = Shape;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Shape, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de, T: Deserialize<'de>, F: FnMut(Event<T>)> Visitor<'de> for Elements<'_, F, T> {
        type Value = Shape;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
            if self.envelope {
                (self.f)(Event::Envelope);
            }
            while let Some(item) = seq.next_element::<T>()? {
                (self.f)(Event::Element(item));
            }
            Ok(Shape::Array)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Shape::Other)
        }

        scalars_are_other!();
    }
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

    /// A key, sometimes with a BOM or spaces around it (two such keys clean to one name).
    fn key() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            proptest::strategy::Just("belopp".to_string()),
            proptest::strategy::Just("kopare_id".to_string()),
            proptest::strategy::Just("\u{feff}belopp".to_string()),
            proptest::strategy::Just(" lev ".to_string()),
            proptest::strategy::Just("lev".to_string()),
        ]
    }

    /// A value: a text, a number, null, a boolean or something nested.
    fn value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        proptest::prop_oneof![
            proptest::strategy::Just(serde_json::json!("Kontor AB")),
            proptest::strategy::Just(serde_json::json!("1 234,50")),
            proptest::strategy::Just(serde_json::json!(12.5)),
            proptest::strategy::Just(serde_json::json!(-7)),
            proptest::strategy::Just(serde_json::Value::Null),
            proptest::strategy::Just(serde_json::json!(true)),
            proptest::strategy::Just(serde_json::json!({"a": [1]})),
        ]
    }

    /// A file: rows (mostly objects) as an array, an envelope, an object without results,
    /// results that are no array, a scalar, broken or trailing text; with or without a BOM.
    fn file() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::strategy::Strategy;
        let object = proptest::collection::vec((key(), value()), 0..5).prop_map(|pairs| {
            let fields: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{v}", serde_json::Value::String(k.clone())))
                .collect();
            format!("{{{}}}", fields.join(","))
        });
        let element = proptest::prop_oneof![
            12 => object,
            2 => proptest::strategy::Just("3".to_string()),
            // a number serde checks only when it reads the value: the error is the same
            1 => proptest::strategy::Just("{\"belopp\":1e400}".to_string()),
        ];
        let rows = proptest::collection::vec(element, 0..12).prop_map(|rows| rows.join(",\n"));
        (rows, 0..7u8, proptest::bool::ANY).prop_map(|(rows, shape, bom)| {
            let text = match shape {
                0 | 1 => format!("[{rows}]"),
                2 => format!("{{\"next\":null,\"results\":[{rows}],\"resultCount\":2}}"),
                3 => "{\"next\":null}".to_string(),
                4 => format!("{{\"results\":{{\"a\":[{rows}]}}}}"),
                5 => format!("[{rows}"),
                _ => "\"text\"".to_string(),
            };
            let mut bytes = if bom { BOM.to_vec() } else { Vec::new() };
            bytes.extend(text.bytes());
            bytes
        })
    }

    proptest::proptest! {
        /// Reading a JSON file in two passes, its rows a batch at a time, gives the table (or
        /// the error) of reading it whole, from a file and from bytes in memory alike.
        #[test]
        fn streaming_gives_the_rows_of_reading_whole(bytes in file(), head in 0usize..4) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("rows.json");
            std::fs::write(&path, &bytes).unwrap();
            // serde places an error found inside a number (out of range) one column further
            // when it reads a stream than when it reads bytes in memory: errors are compared
            // without their numbers
            let message = |e: Error| e.to_string().replace(|c: char| c.is_ascii_digit(), "");
            let whole = read_json(&path, &bytes).map(|t| t.rows).map_err(message);
            let sources = [ByteSource::File, ByteSource::Memory(bytes.clone().into())];
            for source in sources {
                let streamed = read_json_head(&path, source, &bytes, head).and_then(|mut t| {
                    let (sha256, size) = (t.sha256.clone(), t.size);
                    t.read_rest()?;
                    Ok((t.rows, sha256, size))
                });
                let streamed = streamed.map_err(message);
                if let Ok((_, sha256, size)) = &streamed {
                    proptest::prop_assert_eq!(sha256, &crate::read::sha256_hex(&bytes));
                    proptest::prop_assert_eq!(*size, bytes.len() as u64);
                }
                proptest::prop_assert_eq!(&streamed.map(|s| s.0), &whole);
            }
        }
    }

    /// Once the rows are no longer wanted (the table is dropped after its first rows), the
    /// thread that parses them stops reading instead of running on to the end of the file.
    #[test]
    fn rows_no_longer_wanted_stop_the_parse() {
        let row = r#"{"belopp":"1,00","lev":"Kontor AB"}"#;
        let bytes = format!("[{}]", vec![row; 200_000].join(",")).into_bytes();
        let size = bytes.len() as u64;
        let header = ["belopp".to_string(), "lev".to_string()];
        let source = ByteSource::Memory(bytes.into());
        let mut rows = JsonRows::start(Path::new("x.json"), source, false, &header, size);
        assert_eq!(rows.next_rows(10).unwrap().len(), 10);
        let read = Arc::clone(&rows.read);
        drop(rows);
        std::thread::sleep(std::time::Duration::from_millis(200));
        let then = read.load(Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(read.load(Ordering::Relaxed), then, "still reading");
        assert!(then < size / 2, "read {then} of {size} bytes");
    }

    #[test]
    fn errors() {
        assert!(read_json(Path::new("x.json"), b"[1,2]").is_err());
        assert!(read_json(Path::new("x.json"), b"{\"a\":1}").is_err());
        assert!(read_json(Path::new("x.json"), b"[{\"a\":").is_err());
    }
}
