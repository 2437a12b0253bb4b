//! The dataset an analysis reads: its partitions found on disk
//! (`…/kopare_id=<id>/ar=<YYYY>/manad=<MM>/*.parquet`, a collected dataset's or a year
//! dataset's), read lazily by polars into one frame of the same columns whatever kind of dataset
//! they come from, and the two keys every analysis shares: the supplier's (an organisation
//! number, else a normalised name) and the invoice's (its number, else its voucher).

use crate::error::{Error, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The text columns of the frame [`Dataset::rows`] gives, besides `kopare_id` (every spec column
/// but the buyer's id, then the collected dataset's kind of supplier id).
pub const TEXT_COLUMNS: [&str; 13] = [
    "kopare",
    "verifikationsnummer",
    "leverantor",
    "leverantor_id",
    "konto_nr",
    "konto_text",
    "forvaltning",
    "fakturanummer",
    "grund",
    "avtal",
    "kommun_id",
    "s_kod_nr",
    "leverantor_id_typ",
];

/// The spec columns whose fill rate the coverage table gives (every spec column but the
/// buyer's id, which every row has).
pub const FILLED_COLUMNS: &[&str] = crate::spec::COLUMNS.split_at(1).1;

/// The key of the masked persons' line: never a supplier of its own.
pub const MASKED_KEY: &str = "maskerad";

/// The name of the masked persons' line.
pub const MASKED_NAME: &str = "privatpersoner och enskilda firmor (maskerade)";

/// One partition file: a buyer's month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Part {
    /// The buyer's organisation number (from the path).
    pub buyer: String,
    /// The year (from the path).
    pub year: i32,
    /// The month, 1-12 (from the path).
    pub month: u32,
    /// The file.
    pub path: PathBuf,
}

/// The partitions of a dataset, in order of buyer, year, month and path.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The folder given.
    pub root: PathBuf,
    /// Its partition files.
    pub parts: Vec<Part>,
}

/// Folders that hold no rows of the dataset: a collected dataset's other deliveries and
/// rejected rows, a run's review files.
const SKIPPED_FOLDERS: [&str; 3] = ["superseded", "internal", "rejected"];

impl Dataset {
    /// The partitions below `root` (none: an empty list, which the caller refuses). A buyer's
    /// month found in two places (two datasets of the same buyer under one folder) is an
    /// error: its rows would be counted twice.
    pub fn find(root: &Path) -> Result<Dataset> {
        let mut parts = Vec::new();
        walk(root, &mut parts)?;
        parts.sort();
        for pair in parts.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if (&a.buyer, a.year, a.month) == (&b.buyer, b.year, b.month) {
                return Err(Error::Usage(format!(
                    "{} and {} hold the same buyer's month (kopare_id={}, {}-{:02}): its rows \
                     would be counted twice; analyse one dataset of a buyer at a time",
                    a.path.display(),
                    b.path.display(),
                    a.buyer,
                    a.year,
                    a.month
                )));
            }
        }
        Ok(Dataset {
            root: root.to_path_buf(),
            parts,
        })
    }

    /// One buyer's partitions.
    pub fn of_buyer(&self, buyer: &str) -> Dataset {
        Dataset {
            root: self.root.clone(),
            parts: self
                .parts
                .iter()
                .filter(|p| p.buyer == buyer)
                .cloned()
                .collect(),
        }
    }

    /// The buyers, in order.
    pub fn buyers(&self) -> BTreeSet<String> {
        self.parts.iter().map(|p| p.buyer.clone()).collect()
    }

    /// The years, in order.
    pub fn years(&self) -> BTreeSet<i32> {
        self.parts.iter().map(|p| p.year).collect()
    }

    /// Every row of every partition, with the columns `kopare_id`, `ar`, `manad`, the
    /// [`TEXT_COLUMNS`] (NULL where empty), `belopp` (decimal(38,2)) and `datum` (date).
    pub fn rows(&self) -> Result<LazyFrame> {
        let frames = self
            .parts
            .iter()
            .map(part_rows)
            .collect::<Result<Vec<LazyFrame>>>()?;
        if frames.is_empty() {
            return Err(Error::Usage(format!(
                "{}: the dataset holds no partitions",
                self.root.display()
            )));
        }
        Ok(concat(
            frames,
            UnionArgs {
                rechunk: false,
                ..UnionArgs::default()
            },
        )?)
    }
}

/// Find the partition files below `dir` (hidden folders and [`SKIPPED_FOLDERS`] left out).
fn walk(dir: &Path, parts: &mut Vec<Part>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if !SKIPPED_FOLDERS.contains(&name.as_str()) {
                walk(&path, parts)?;
            }
        } else if name.ends_with(".parquet") {
            if let Some(part) = part_of(&path) {
                parts.push(part);
            }
        }
    }
    Ok(())
}

/// The partition a file is, by the three folders above it.
fn part_of(path: &Path) -> Option<Part> {
    let mut folders = path.ancestors().skip(1).map(|p| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let month = folders.next()?;
    let year = folders.next()?;
    let buyer = folders.next()?;
    let month: u32 = month.strip_prefix("manad=")?.parse().ok()?;
    let year: i32 = year.strip_prefix("ar=")?.parse().ok()?;
    let buyer = buyer.strip_prefix("kopare_id=")?.to_string();
    (1..=12).contains(&month).then(|| Part {
        buyer,
        year,
        month,
        path: path.to_path_buf(),
    })
}

/// One partition's rows in the common columns: a year dataset's empty texts become NULL, a
/// column it lacks (`leverantor_id_typ`) is NULL.
fn part_rows(part: &Part) -> Result<LazyFrame> {
    let path = PlRefPath::from(part.path.to_string_lossy().as_ref());
    let args = ScanArgsParquet {
        hive_options: HiveOptions {
            enabled: Some(false),
            ..HiveOptions::default()
        },
        ..ScanArgsParquet::default()
    };
    let mut scan = LazyFrame::scan_parquet(path, args)?;
    let schema = scan
        .collect_schema()
        .map_err(|e| crate::read::parquet::damaged(&part.path, &e.to_string()))?;
    let mut columns = vec![
        lit(part.buyer.as_str()).alias("kopare_id"),
        lit(part.year).alias("ar"),
        lit(part.month as i32).alias("manad"),
    ];
    // a collected dataset's texts are NULL where empty already (its kind of id says it is one)
    let empty_is_null = schema.contains("leverantor_id_typ");
    for name in TEXT_COLUMNS {
        columns.push(match (schema.get(name), empty_is_null) {
            (Some(DataType::String), true) => col(name),
            (Some(_), _) => {
                let text = col(name).cast(DataType::String);
                when(text.clone().eq(lit("")))
                    .then(lit(Null {}).cast(DataType::String))
                    .otherwise(text)
                    .alias(name)
            }
            (None, _) => lit(Null {}).cast(DataType::String).alias(name),
        });
    }
    for (name, dtype) in [
        ("belopp", DataType::Decimal(38, 2)),
        ("datum", DataType::Date),
    ] {
        if !schema.contains(name) {
            return Err(Error::input(
                &part.path,
                format!("has no column {name}: not a partition of a dataset reskontra wrote"),
            ));
        }
        columns.push(col(name).cast(dtype));
    }
    Ok(scan.select(columns))
}

/// A supplier's name normalised for matching: lower case, every run of characters that are
/// neither letters nor digits one space, trimmed; none when nothing is left. (DuckDB:
/// `nullif(trim(regexp_replace(lower(leverantor), '[^\p{L}\p{N}]+', ' ', 'g')), '')`.)
pub fn normalised_name(name: &str) -> Option<String> {
    static SEPARATORS: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"[^\p{L}\p{N}]+").ok());
    let lower = name.to_lowercase();
    let spaced = match SEPARATORS.as_ref() {
        Some(re) => re.replace_all(&lower, " ").into_owned(),
        None => lower,
    };
    let trimmed = spaced.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// What the dataset says about one supplier key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierInfo {
    /// The name shown: the one most of its rows carry (the first in order among equals).
    pub name: String,
    /// Its organisation number (or foreign id), when it has one.
    pub id: Option<String>,
    /// Whether it is the masked persons' line.
    pub masked: bool,
}

/// The supplier key of every distinct (name, id, kind of id) of the dataset.
pub struct SupplierKeys {
    /// `leverantor`, `leverantor_id`, `leverantor_id_typ` → `lev_nyckel`, `namnmatch`
    /// (whether the key came from a name matched to an organisation number).
    pub map: DataFrame,
    /// Per key, its name and id.
    pub info: BTreeMap<String, SupplierInfo>,
}

/// One distinct (name, id, kind) with its rows, whether it is a masked person, and its name
/// normalised.
struct Triple {
    name: Option<String>,
    id: Option<String>,
    kind: Option<String>,
    rows: u64,
    masked: bool,
    normalised: Option<String>,
}

/// The key a triple's rows get: the key, the organisation number, whether by name.
struct Keyed {
    key: String,
    id: Option<String>,
    by_name: bool,
}

/// Per normalised name, the organisation numbers it is written with.
type IdsOfNames<'a> = BTreeMap<&'a str, BTreeSet<&'a str>>;

impl Triple {
    fn new(name: Option<String>, id: Option<String>, kind: Option<String>, rows: u64) -> Triple {
        let masked = is_masked(name.as_deref(), id.as_deref(), kind.as_deref());
        let normalised = name.as_deref().and_then(normalised_name);
        Triple {
            name,
            id,
            kind,
            rows,
            masked,
            normalised,
        }
    }

    /// Its key: the masked persons' line; its id; the one organisation number its name is
    /// written with; its name; else `okand`.
    fn key(&self, ids_of_names: &IdsOfNames<'_>) -> Keyed {
        let keyed = |key: String, id: Option<String>, by_name: bool| Keyed { key, id, by_name };
        if self.masked {
            return keyed(MASKED_KEY.to_string(), None, false);
        }
        if let Some(id) = &self.id {
            return keyed(id.clone(), Some(id.clone()), false);
        }
        let Some(norm) = &self.normalised else {
            return keyed("okand".to_string(), None, false);
        };
        match ids_of_names.get(norm.as_str()) {
            Some(ids) if ids.len() == 1 => {
                let id = ids.iter().next().map(|s| s.to_string()).unwrap_or_default();
                keyed(id.clone(), Some(id), true)
            }
            _ => keyed(format!("namn:{norm}"), None, false),
        }
    }
}

/// Whether a row is a masked person: the collected dataset says so (its kind of id), or (a year
/// dataset, which has no kind of id) its name is a publisher's mask, its id a personal number,
/// or it has neither name nor id.
fn is_masked(name: Option<&str>, id: Option<&str>, kind: Option<&str>) -> bool {
    use crate::protect::{supplier_id_kind, SupplierIdKind};
    match kind {
        Some(kind) => kind == SupplierIdKind::Maskerad.key(),
        None => {
            supplier_id_kind(id, false).0 == SupplierIdKind::Maskerad
                || match name {
                    Some(name) => crate::names::is_masking_placeholder(name),
                    None => id.is_none(),
                }
        }
    }
}

/// The organisation numbers each normalised name is written with (masked rows left out).
fn ids_of_names(triples: &[Triple]) -> IdsOfNames<'_> {
    let mut out: IdsOfNames<'_> = BTreeMap::new();
    for t in triples.iter().filter(|t| !t.masked) {
        if let (Some(id), Some(norm)) = (&t.id, &t.normalised) {
            out.entry(norm.as_str()).or_default().insert(id.as_str());
        }
    }
    out
}

/// Per key, its name (the one with most rows) and id.
fn key_info(triples: &[Triple], keyed: &[Keyed]) -> BTreeMap<String, SupplierInfo> {
    let mut names_of: BTreeMap<&str, (BTreeMap<&str, u64>, Option<&str>)> = BTreeMap::new();
    for (t, k) in triples.iter().zip(keyed) {
        let entry = names_of.entry(k.key.as_str()).or_default();
        if let Some(name) = &t.name {
            *entry.0.entry(name.as_str()).or_default() += t.rows;
        }
        if entry.1.is_none() {
            entry.1 = k.id.as_deref();
        }
    }
    names_of
        .into_iter()
        .map(|(key, (names, id))| {
            let masked = key == MASKED_KEY;
            let name = if masked {
                MASKED_NAME.to_string()
            } else {
                most_rows(&names).unwrap_or_else(|| "(namn saknas)".to_string())
            };
            let info = SupplierInfo {
                name,
                id: id.map(str::to_string),
                masked,
            };
            (key.to_string(), info)
        })
        .collect()
}

/// The frame the rows are joined with: the triple → its key and whether by name.
fn map_frame(triples: &[Triple], keyed: &[Keyed]) -> Result<DataFrame> {
    let column = |name: &str, values: Vec<Option<&str>>| Column::new(name.into(), values);
    Ok(DataFrame::new(
        triples.len(),
        vec![
            column(
                "leverantor",
                triples.iter().map(|t| t.name.as_deref()).collect(),
            ),
            column(
                "leverantor_id",
                triples.iter().map(|t| t.id.as_deref()).collect(),
            ),
            column(
                "leverantor_id_typ",
                triples.iter().map(|t| t.kind.as_deref()).collect(),
            ),
            column(
                "lev_nyckel",
                keyed.iter().map(|k| Some(k.key.as_str())).collect(),
            ),
            Column::new(
                "namnmatch".into(),
                keyed.iter().map(|k| k.by_name).collect::<Vec<bool>>(),
            ),
        ],
    )?)
}

impl SupplierKeys {
    /// The keys of the suppliers in `rows` (one pass over three columns).
    pub fn build(rows: &LazyFrame) -> Result<SupplierKeys> {
        let keys = [
            col("leverantor"),
            col("leverantor_id"),
            col("leverantor_id_typ"),
        ];
        let distinct = rows
            .clone()
            .group_by(keys)
            .agg([len().cast(DataType::UInt64).alias("rader")]);
        let distinct = collect(distinct)?;
        let names = strings(&distinct, "leverantor")?;
        let ids = strings(&distinct, "leverantor_id")?;
        let kinds = strings(&distinct, "leverantor_id_typ")?;
        let rows = counts(&distinct, "rader")?;
        let mut triples: Vec<Triple> = names
            .into_iter()
            .zip(ids)
            .zip(kinds)
            .zip(rows)
            .map(|(((name, id), kind), rows)| Triple::new(name, id, kind, rows))
            .collect();
        triples.sort_by(|a, b| (&a.name, &a.id, &a.kind).cmp(&(&b.name, &b.id, &b.kind)));
        Self::of_triples(&triples)
    }

    fn of_triples(triples: &[Triple]) -> Result<SupplierKeys> {
        let ids = ids_of_names(triples);
        let keyed: Vec<Keyed> = triples.iter().map(|t| t.key(&ids)).collect();
        Ok(SupplierKeys {
            map: map_frame(triples, &keyed)?,
            info: key_info(triples, &keyed),
        })
    }

    /// The rows with their supplier key (`lev_nyckel`, `namnmatch`) and invoice key
    /// (`faktura_nyckel`).
    pub fn keyed(&self, rows: LazyFrame) -> LazyFrame {
        let on = [
            col("leverantor"),
            col("leverantor_id"),
            col("leverantor_id_typ"),
        ];
        let mut args = JoinArgs::new(JoinType::Left);
        args.nulls_equal = true;
        rows.join(self.map.clone().lazy(), on.clone(), on, args)
            .with_column(invoice_key().alias("faktura_nyckel"))
    }

    /// Only the rows of these supplier keys, keyed: an inner join with their part of the map,
    /// so the other rows are dropped as they are read.
    pub fn keyed_only(&self, rows: LazyFrame, keys: &[String]) -> Result<LazyFrame> {
        let wanted: BooleanChunked = self
            .map
            .column("lev_nyckel")?
            .str()?
            .iter()
            .map(|k| Some(k.is_some_and(|k| keys.iter().any(|w| w == k))))
            .collect();
        let part = self.map.filter(&wanted)?;
        let on = [
            col("leverantor"),
            col("leverantor_id"),
            col("leverantor_id_typ"),
        ];
        let mut args = JoinArgs::new(JoinType::Inner);
        args.nulls_equal = true;
        Ok(rows
            .join(part.lazy(), on.clone(), on, args)
            .with_column(invoice_key().alias("faktura_nyckel")))
    }

    /// The name of a key (the key itself if unknown).
    pub fn name(&self, key: &str) -> String {
        self.info
            .get(key)
            .map_or_else(|| key.to_string(), |i| i.name.clone())
    }

    /// The organisation number of a key, if it has one.
    pub fn id(&self, key: &str) -> Option<String> {
        self.info.get(key).and_then(|i| i.id.clone())
    }
}

/// The name with the most rows, the first in order among equals.
fn most_rows(names: &BTreeMap<&str, u64>) -> Option<String> {
    let mut best: Option<(&str, u64)> = None;
    for (name, n) in names {
        if best.is_none_or(|(_, b)| *n > b) {
            best = Some((name, *n));
        }
    }
    best.map(|(n, _)| n.to_string())
}

/// An invoice: its supplier's key and invoice number, else its voucher (`f|KEY|NUMBER`,
/// `v|VOUCHER`); NULL when the row has neither.
pub fn invoice_key() -> Expr {
    when(col("fakturanummer").is_not_null())
        .then(concat_str(
            [lit("f|"), col("lev_nyckel"), lit("|"), col("fakturanummer")],
            "",
            false,
        ))
        .otherwise(concat_str(
            [lit("v|"), col("verifikationsnummer")],
            "",
            false,
        ))
}

/// Run a query with polars' streaming engine (the rows flow through in pieces, so memory does
/// not grow with the dataset), or, should that engine fail on a query, with the in-memory one.
pub fn collect(frame: LazyFrame) -> Result<DataFrame> {
    // one query, one result (a second one would be a bug, caught as a panic: then in memory)
    let streamed = crate::error::catch_panics(
        || {
            Ok(frame
                .clone()
                .collect_with_engine(Engine::Streaming)?
                .unwrap_single())
        },
        Error::Internal,
    );
    match streamed {
        Ok(df) => Ok(df),
        // polars' message ends with the whole plan: its first line says what went wrong
        Err(_) => frame.collect().map_err(|e| {
            let message = e.to_string();
            Error::Internal(message.lines().next().unwrap_or_default().to_string())
        }),
    }
}

/// [`collect`] as a method of a query.
pub trait Collected {
    /// The query's result, by [`collect`].
    fn collected(self) -> Result<DataFrame>;
}

impl Collected for LazyFrame {
    fn collected(self) -> Result<DataFrame> {
        collect(self)
    }
}

/// A text column's values.
pub fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let column = df.column(name)?.cast(&DataType::String)?;
    Ok(column
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// A text column's values, an empty text for NULL.
pub fn texts(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(strings(df, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// A count column's values (NULL as 0).
pub fn counts(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    let column = df.column(name)?.cast(&DataType::UInt64)?;
    Ok(column
        .u64()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// An integer column's values (NULL as 0).
pub fn integers(df: &DataFrame, name: &str) -> Result<Vec<i64>> {
    let column = df.column(name)?.cast(&DataType::Int64)?;
    Ok(column
        .i64()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// A sum of `belopp` in öre (NULL as 0).
pub fn ore(df: &DataFrame, name: &str) -> Result<Vec<i128>> {
    let column = df.column(name)?.cast(&DataType::Decimal(38, 2))?;
    Ok(column
        .decimal()?
        .physical()
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// A date column's values.
pub fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<chrono::NaiveDate>>> {
    let column = df.column(name)?.cast(&DataType::Int32)?;
    Ok(column
        .i32()?
        .iter()
        .map(|d| d.map(crate::date::date_from_days))
        .collect())
}

/// A boolean column's values (NULL as false).
pub fn flags(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    Ok(df
        .column(name)?
        .bool()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_to_lower_case_words() {
        assert_eq!(
            normalised_name("  NORDISK  Kontorsvaror, AB ").as_deref(),
            Some("nordisk kontorsvaror ab")
        );
        assert_eq!(
            normalised_name("Bygg\u{2028}Service Väst AB").as_deref(),
            Some("bygg service väst ab")
        );
        assert_eq!(normalised_name("--- ()"), None);
    }

    #[test]
    fn a_partition_is_read_from_its_three_folders() {
        let p = part_of(Path::new(
            "d/parquet/kopare_id=2120000142/ar=2024/manad=03/data.parquet",
        ))
        .unwrap();
        assert_eq!((p.buyer.as_str(), p.year, p.month), ("2120000142", 2024, 3));
        assert!(part_of(Path::new("d/kopare_id=1/ar=2024/manad=13/data.parquet")).is_none());
        assert!(part_of(Path::new("d/ar=2024/manad=01/data.parquet")).is_none());
    }

    proptest::proptest! {
        #[test]
        fn a_normalised_name_is_its_own_normal_form(name in "\\PC{0,40}") {
            if let Some(n) = normalised_name(&name) {
                proptest::prop_assert_eq!(normalised_name(&n), Some(n.clone()));
                proptest::prop_assert!(!n.contains("  ") && n.trim() == n);
                proptest::prop_assert_eq!(n.to_lowercase(), n.clone());
            }
        }
    }

    fn triple(name: Option<&str>, id: Option<&str>, kind: Option<&str>, rows: u64) -> Triple {
        Triple::new(
            name.map(String::from),
            id.map(String::from),
            kind.map(String::from),
            rows,
        )
    }

    #[test]
    fn a_name_without_an_id_is_matched_to_the_one_organisation_number_it_is_written_with() {
        let keys = SupplierKeys::of_triples(&[
            triple(
                Some("Acme AB"),
                Some("5566101233"),
                Some("organisationsnummer"),
                3,
            ),
            triple(Some("ACME AB"), None, Some("internt_nummer"), 2),
            triple(
                Some("Twin AB"),
                Some("5566101241"),
                Some("organisationsnummer"),
                1,
            ),
            triple(
                Some("Twin AB"),
                Some("5566101258"),
                Some("organisationsnummer"),
                1,
            ),
            triple(Some("twin ab"), None, Some("saknas"), 1),
            triple(
                Some("[innehåller personuppgifter]"),
                None,
                Some("maskerad"),
                9,
            ),
            triple(Some("*"), None, None, 1),
        ])
        .unwrap();
        let k = texts(&keys.map, "lev_nyckel").unwrap();
        let m = flags(&keys.map, "namnmatch").unwrap();
        assert_eq!(
            k,
            [
                "5566101233",
                "5566101233",
                "5566101241",
                "5566101258",
                "namn:twin ab",
                "maskerad",
                "maskerad"
            ]
        );
        assert_eq!(m, [false, true, false, false, false, false, false]);
        assert_eq!(keys.name("5566101233"), "Acme AB");
        assert_eq!(keys.name(MASKED_KEY), MASKED_NAME);
        assert!(keys.info[MASKED_KEY].masked);
    }
}
