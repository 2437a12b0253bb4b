//! Stage 5: the privacy rules. Every row's supplier is classified and published, masked or
//! withheld; every free-text cell is scanned for personal identity numbers.
//!
//! The rules are in `SPEC.md` (Privacy); the decisions for each case are in [`decide`].

use crate::batch::{column, Action, Batch, Col};
use crate::error::{Error, Result};
use crate::ident::{classify_id, redact_personal_numbers, IdKind, PersonalKind};
pub use crate::names::{has_legal_form, is_masking_placeholder, is_person_shaped};
use crate::spec::SCANNED_COLUMNS;
use crate::workers::parallel_map;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The default marker for a masked supplier name.
pub const PERSON_MARKER: &str = "[innehåller personuppgifter]";
pub use crate::ident::NUMBER_MARKER;

/// A list of suppliers by id or by exact name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SupplierList {
    /// Identifiers (compared without separators, ignoring case).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Names (compared after trimming and collapsing white space, ignoring case).
    #[serde(default)]
    pub names: Vec<String>,
}

impl SupplierList {
    /// Add a supplier by its name and, when it has one, its id, unless the list holds it
    /// already by the keys [`SupplierList::contains`] compares (case, spacing and the
    /// id's punctuation aside).
    pub fn insert(&mut self, name: &str, id: &str) {
        let name = name.trim();
        if !name.is_empty() && !self.names.iter().any(|n| name_key(n) == name_key(name)) {
            self.names.push(name.to_string());
        }
        let id = id.trim();
        if !compact_id(id).is_empty() && !self.ids.iter().any(|i| compact_id(i) == compact_id(id)) {
            self.ids.push(id.to_string());
        }
    }

    /// Take out every entry naming this supplier, by the same keys.
    pub fn remove(&mut self, name: &str, id: &str) {
        let (name, id) = (name_key(name), compact_id(id));
        if !name.is_empty() {
            self.names.retain(|n| name_key(n) != name);
        }
        if !id.is_empty() {
            self.ids.retain(|i| compact_id(i) != id);
        }
    }

    fn contains(&self, name: Option<&str>, id: Option<&str>) -> bool {
        let id_key = id.map(compact_id);
        let name_key = name.map(name_key);
        self.ids.iter().any(|i| {
            id_key
                .as_deref()
                .is_some_and(|k| !k.is_empty() && compact_id(i) == k)
        }) || self.names.iter().any(|n| {
            name_key
                .as_deref()
                .is_some_and(|k| !k.is_empty() && self::name_key(n) == k)
        })
    }
}

fn compact_id(id: &str) -> String {
    crate::chars::fold(id)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn name_key(name: &str) -> String {
    crate::chars::fold(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Who the buyer is, so a monthly run needs no options (`[publisher]` in the policy file).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// The buyer's organisation number.
    pub buyer_id: Option<String>,
    /// The buyer's name.
    pub buyer_name: Option<String>,
    /// The SCB municipality code.
    pub kommun_id: Option<String>,
    /// A folder of the publisher's own layout files (relative to the policy file), detected
    /// like the built-in ones.
    pub layouts: Option<std::path::PathBuf>,
    /// The address of the folder the files are published in (`https://…/leverantorsreskontra/`):
    /// the DCAT catalogue's IRIs and download addresses are made under it.
    pub base_url: Option<String>,
    /// The e-mail address for questions about the data (the catalogue's contact point).
    pub contact_email: Option<String>,
    /// The publisher's type in the catalogue: `kommun` or `region` (default: `kommun` when a
    /// municipality code is given, else `region`).
    pub publisher_type: Option<String>,
}

/// What the published files show of a masked supplier (a sole trader, a private person, a
/// name the rules cannot tell from one): publishers treat them in different ways, each
/// defensible. Personal numbers in texts are removed in every way.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MaskedSuppliers {
    /// The row stays; the name becomes the marker (`[innehåller personuppgifter]`), the id
    /// empty (the default).
    #[default]
    Marker,
    /// The row stays; the name and the id are left empty.
    Blank,
    /// The row is left out of every published file, counted and summed in the report as
    /// withheld.
    Withhold,
}

/// The publisher's policy (`--policy FILE`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Mask suppliers with no usable id whose name shows no legal form (default true).
    pub mask_unidentified: bool,
    /// What the published files show of a masked supplier.
    pub masked_suppliers: MaskedSuppliers,
    /// The text that replaces a masked supplier's name.
    pub person_marker: String,
    /// The text that replaces a personal number in free text.
    pub number_marker: String,
    /// Suppliers without a usable id that may be published by name.
    pub allow: SupplierList,
    /// Suppliers withheld from every published file (e.g. protected identities).
    pub deny: SupplierList,
    /// Buyer defaults.
    pub publisher: Publisher,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            mask_unidentified: true,
            masked_suppliers: MaskedSuppliers::default(),
            person_marker: PERSON_MARKER.to_string(),
            number_marker: NUMBER_MARKER.to_string(),
            allow: SupplierList::default(),
            deny: SupplierList::default(),
            publisher: Publisher::default(),
        }
    }
}

impl Policy {
    /// The name a masked supplier is published under: the marker, an empty name, or none (the
    /// row is withheld).
    pub fn masked_name(&self) -> Option<&str> {
        match self.masked_suppliers {
            MaskedSuppliers::Marker => Some(&self.person_marker),
            MaskedSuppliers::Blank => Some(""),
            MaskedSuppliers::Withhold => None,
        }
    }

    /// Read a policy file.
    pub fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let policy: Policy = toml::from_str(&text).map_err(|e| Error::Policy {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        for (what, marker) in [
            ("person_marker", &policy.person_marker),
            ("number_marker", &policy.number_marker),
        ] {
            if marker.trim().is_empty() || marker.chars().any(|c| c.is_ascii_digit()) {
                return Err(Error::Policy {
                    path: path.to_path_buf(),
                    message: format!("{what} must be a non-empty text without digits"),
                });
            }
        }
        Ok(policy)
    }
}

/// Why a supplier was masked or withheld. The names are the report's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The id is a personnummer.
    Personnummer,
    /// The id is a samordningsnummer.
    Samordningsnummer,
    /// The name shows an estate of a deceased person (dödsbo).
    Estate,
    /// The name shows a sole trader (enskild firma).
    SoleTrader,
    /// The name is written as a person's (`SURNAME;FIRSTNAME`, `Surname, Firstname`).
    PersonName,
    /// No usable id and no legal form in the name.
    Unidentified,
    /// Already masked by the publisher: a placeholder name (`*`, `[innehåller personuppgifter]`,
    /// `ANONYMERAD`, ...) or a name and an id both left blank.
    MaskedInSource,
    /// On the policy's deny-list: withheld.
    DenyList,
    /// Flagged secret in the source: withheld.
    Secret,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 9] = [
        Reason::Personnummer,
        Reason::Samordningsnummer,
        Reason::Estate,
        Reason::SoleTrader,
        Reason::PersonName,
        Reason::Unidentified,
        Reason::MaskedInSource,
        Reason::DenyList,
        Reason::Secret,
    ];

    /// The reason of a report key.
    pub fn of_key(key: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Whether the reason masks the supplier (by the policy's way with masked suppliers)
    /// rather than withholding the row whatever the policy says.
    pub fn masks(self) -> bool {
        !matches!(self, Reason::DenyList | Reason::Secret)
    }

    /// The report key.
    pub fn key(self) -> &'static str {
        match self {
            Reason::Personnummer => "personnummer",
            Reason::Samordningsnummer => "samordningsnummer",
            Reason::Estate => "estate",
            Reason::SoleTrader => "sole_trader",
            Reason::PersonName => "person_name",
            Reason::Unidentified => "unidentified",
            Reason::MaskedInSource => "masked_in_source",
            Reason::DenyList => "deny_list",
            Reason::Secret => "secret",
        }
    }
}

/// What happens to one supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Published with this name and id (id empty when the source had no usable one).
    Publish {
        /// Name to publish.
        name: String,
        /// Id to publish (10 digits, or a normalised foreign id, or empty).
        id: String,
    },
    /// Published with the marker as name and an empty id.
    Mask(Reason),
    /// Left out of every published file.
    Withhold(Reason),
}

/// Tidy a published company name: the ERP's `;` between name parts becomes a space.
fn published_name(name: &str) -> String {
    name.replace(';', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Decide what happens to one supplier (a name and an id cell as read).
pub fn decide(name: Option<&str>, id: Option<&str>, policy: &Policy) -> Decision {
    if policy.deny.contains(name, id) {
        return Decision::Withhold(Reason::DenyList);
    }
    let name = name.map(str::trim).unwrap_or("");
    let kind = id.map_or(IdKind::Missing, classify_id);
    match kind {
        IdKind::Personal(PersonalKind::Personnummer) => Decision::Mask(Reason::Personnummer),
        IdKind::Personal(PersonalKind::Samordningsnummer) => {
            Decision::Mask(Reason::Samordningsnummer)
        }
        IdKind::Organisation(ten) => Decision::Publish {
            name: published_name(name),
            id: ten,
        },
        IdKind::Foreign(foreign) => Decision::Publish {
            name: published_name(name),
            id: foreign,
        },
        IdKind::Missing | IdKind::Internal | IdKind::InvalidNumber | IdKind::Text => {
            decide_by_name(name, id, kind == IdKind::Missing, policy)
        }
    }
}

/// Decide a supplier without a usable id by its name. A publisher's own mask (a placeholder
/// such as `[innehåller personuppgifter]` or `*`, the policy's marker, or a name and an id
/// both left blank) is a masked person, never a supplier of its own.
fn decide_by_name(name: &str, id: Option<&str>, id_missing: bool, policy: &Policy) -> Decision {
    let lower = crate::chars::fold(name).to_lowercase();
    if name.is_empty() {
        let reason = if id_missing {
            Reason::MaskedInSource
        } else {
            Reason::Unidentified
        };
        return Decision::Mask(reason);
    }
    if is_masking_placeholder(name) || name_key(name) == name_key(&policy.person_marker) {
        return Decision::Mask(Reason::MaskedInSource);
    }
    if lower.contains("dödsbo") || lower.contains("dodsbo") {
        return Decision::Mask(Reason::Estate);
    }
    if lower.contains("enskild firma") || lower.contains("enskild näringsidkare") {
        return Decision::Mask(Reason::SoleTrader);
    }
    if policy.allow.contains(Some(name), id) {
        return Decision::Publish {
            name: published_name(name),
            id: String::new(),
        };
    }
    if is_person_shaped(name) {
        return Decision::Mask(Reason::PersonName);
    }
    if has_legal_form(name) || !policy.mask_unidentified {
        return Decision::Publish {
            name: published_name(name),
            id: String::new(),
        };
    }
    Decision::Mask(Reason::Unidentified)
}

/// The kind of supplier id a published row carries, for readers of a collected dataset: what
/// `leverantor_id` is, or why it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplierIdKind {
    /// A Swedish organisation number (in `leverantor_id`).
    Organisationsnummer,
    /// A foreign VAT or company id (in `leverantor_id`).
    UtlandsktId,
    /// The publisher's own supplier number, which is no identity number (`leverantor_id` is
    /// empty; a collected dataset keeps the number in a column of its own).
    InterntNummer,
    /// A masked person or a supplier withheld by name (`[innehåller personuppgifter]`).
    Maskerad,
    /// No id in the source (empty, `NULL`, `SAKNAS`, text).
    Saknas,
    /// Ten digits shaped like an identity number whose check digit is wrong: never kept, as
    /// it may be a mistyped personal number.
    Ogiltigt,
}

impl SupplierIdKind {
    /// The value a dataset stores (`organisationsnummer`, `internt_nummer`, ...).
    pub fn key(self) -> &'static str {
        match self {
            SupplierIdKind::Organisationsnummer => "organisationsnummer",
            SupplierIdKind::UtlandsktId => "utlandskt_id",
            SupplierIdKind::InterntNummer => "internt_nummer",
            SupplierIdKind::Maskerad => "maskerad",
            SupplierIdKind::Saknas => "saknas",
            SupplierIdKind::Ogiltigt => "ogiltigt",
        }
    }

    /// Every kind, in order.
    pub const ALL: [SupplierIdKind; 6] = [
        SupplierIdKind::Organisationsnummer,
        SupplierIdKind::UtlandsktId,
        SupplierIdKind::InterntNummer,
        SupplierIdKind::Maskerad,
        SupplierIdKind::Saknas,
        SupplierIdKind::Ogiltigt,
    ];
}

/// The kind of a published row's supplier id, from the id as read and whether the privacy
/// rules masked the supplier; with the publisher's own supplier number when the id is one
/// (white space collapsed). A masked supplier keeps no number of any kind.
pub fn supplier_id_kind(raw_id: Option<&str>, masked: bool) -> (SupplierIdKind, Option<String>) {
    if masked {
        return (SupplierIdKind::Maskerad, None);
    }
    let Some(raw) = raw_id.map(str::trim).filter(|s| !s.is_empty()) else {
        return (SupplierIdKind::Saknas, None);
    };
    match classify_id(raw) {
        IdKind::Organisation(_) => (SupplierIdKind::Organisationsnummer, None),
        IdKind::Foreign(_) => (SupplierIdKind::UtlandsktId, None),
        IdKind::Internal if could_be_a_cut_personal_number(raw) => (SupplierIdKind::Ogiltigt, None),
        IdKind::Internal => (
            SupplierIdKind::InterntNummer,
            Some(raw.split_whitespace().collect::<Vec<_>>().join(" ")),
        ),
        IdKind::InvalidNumber => (SupplierIdKind::Ogiltigt, None),
        // a personal number is always masked; this is the safe answer should one come here
        IdKind::Personal(_) => (SupplierIdKind::Maskerad, None),
        IdKind::Missing | IdKind::Text => (SupplierIdKind::Saknas, None),
    }
}

/// Whether an id's digits could be a personal number with digits missing or added (9 or 11
/// digits and more whose first six, or six after a century `19`/`20`, form a birth date): such
/// a number is never kept as a supplier number.
fn could_be_a_cut_personal_number(raw: &str) -> bool {
    let digits: Vec<u8> = crate::chars::fold(raw)
        .chars()
        .filter_map(|c| c.to_digit(10).and_then(|d| u8::try_from(d).ok()))
        .collect();
    if digits.len() < 9 {
        return false;
    }
    let date_at = |at: usize| {
        let two = |i: usize| digits.get(at + i..at + i + 2).map(|d| d[0] * 10 + d[1]);
        matches!((two(2), two(4)), (Some(1..=12), Some(1..=31 | 61..=91)))
    };
    let century = matches!(digits.get(..2), Some([1, 9] | [2, 0] | [1, 8]));
    date_at(0) || (century && date_at(2))
}

/// Whether a privacy reason masks the supplier (the row is published with the marker).
pub fn masks(reason: &str) -> bool {
    Reason::of_key(reason).is_some_and(Reason::masks)
}

/// Counts the protect stage reports (never values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrivacyInfo {
    /// Rows and distinct suppliers per reason.
    pub by_reason: BTreeMap<String, ReasonCount>,
    /// Free-text cells in which personal numbers were replaced, by column.
    pub numbers_removed_from_text: BTreeMap<String, u64>,
    /// The distinct suppliers per reason, as read (to count them over several batches; never
    /// written out).
    #[serde(skip)]
    distinct: BTreeMap<String, BTreeSet<SupplierKey>>,
}

impl PrivacyInfo {
    /// Add what the privacy rules found in another batch of rows.
    pub fn merge(&mut self, other: PrivacyInfo) {
        for (reason, count) in other.by_reason {
            self.by_reason.entry(reason).or_default().rows += count.rows;
        }
        for (column, n) in other.numbers_removed_from_text {
            *self.numbers_removed_from_text.entry(column).or_insert(0) += n;
        }
        for (reason, set) in other.distinct {
            let mine = self.distinct.entry(reason.clone()).or_default();
            mine.extend(set);
            if let Some(c) = self.by_reason.get_mut(&reason) {
                c.suppliers = mine.len() as u64;
            }
        }
    }

    /// Forget the suppliers' names and ids once the counts are final.
    pub fn forget_suppliers(&mut self) {
        self.distinct.clear();
    }
}

/// Rows and distinct suppliers for one reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// Rows.
    pub rows: u64,
    /// Distinct suppliers (name and id as read).
    pub suppliers: u64,
}

/// A supplier as read: name and id cells.
type SupplierKey = (Option<String>, Option<String>);

/// A supplier as read, borrowed from the frame (empty cells as `None`).
type SupplierRef<'a> = (Option<&'a str>, Option<&'a str>);

/// The decisions of a run so far, by supplier as read, so that a supplier whose rows fall in
/// many batches is decided once per run (under one policy), not once per batch.
#[derive(Debug, Default)]
pub struct Decisions(std::collections::HashMap<SupplierKey, Decision>);

impl Decisions {
    /// The decision for a supplier: the one made before, or [`decide`]'s.
    fn get(&mut self, (name, id): SupplierRef<'_>, policy: &Policy) -> Decision {
        let key = (name.map(str::to_string), id.map(str::to_string));
        self.0
            .entry(key)
            .or_insert_with(|| decide(name, id, policy))
            .clone()
    }
}

/// Apply the privacy rules to a normalised frame, with the decisions made in earlier batches of
/// the run under the same policy.
pub fn protect(
    mut df: DataFrame,
    policy: &Policy,
    made: &mut Decisions,
) -> Result<(DataFrame, PrivacyInfo)> {
    let raw_names = df
        .col(Col::Leverantor)?
        .clone()
        .with_name(Col::RawName.named());
    let raw_ids = df
        .col(Col::LeverantorId)?
        .clone()
        .with_name(Col::RawId.named());
    let names = raw_names.str()?.clone();
    let ids = raw_ids.str()?.clone();
    let secret: Vec<bool> = df.secret()?.iter().map(|v| v.unwrap_or(false)).collect();
    // rows already rejected are neither published nor withheld: they get a decision but are
    // not counted under a privacy reason (rejected.csv holds them)
    let rejected = df.rejected()?;
    let height = df.height();
    // one decision per distinct supplier; rows refer to it by index
    let mut decisions: Vec<Decision> = Vec::new();
    let mut cache: PlHashMap<SupplierRef<'_>, usize> = PlHashMap::default();
    let mut row_decision: Vec<usize> = Vec::with_capacity(height);
    let mut reasons: Vec<Option<&'static str>> = Vec::with_capacity(height);
    let mut actions: Vec<&'static str> = Vec::with_capacity(height);
    let mut distinct: BTreeMap<&'static str, BTreeSet<SupplierKey>> = BTreeMap::new();
    let mut info = PrivacyInfo::default();
    let mut last: Option<(SupplierRef<'_>, usize)> = None;
    // per decision: whether its supplier is listed under its reason, under `secret`
    let mut listed: Vec<[bool; 2]> = Vec::new();
    const SECRET: usize = usize::MAX;
    for (i, (name, id)) in names.iter().zip(ids.iter()).enumerate() {
        let key = (name.filter(|s| !s.is_empty()), id.filter(|s| !s.is_empty()));
        // an invoice's lines usually follow each other: most rows repeat the last supplier
        let index = match last {
            Some((seen, index)) if seen == key => index,
            _ => *cache.entry(key).or_insert_with(|| {
                decisions.push(made.get(key, policy));
                decisions.len() - 1
            }),
        };
        last = Some((key, index));
        let decided = index;
        let (index, action, reason) = match &decisions[index] {
            Decision::Withhold(r) => (index, Action::Withhold, Some(*r)),
            _ if secret[i] => (SECRET, Action::Withhold, Some(Reason::Secret)),
            Decision::Mask(r) if policy.masked_suppliers == MaskedSuppliers::Withhold => {
                (index, Action::Withhold, Some(*r))
            }
            Decision::Mask(r) => (index, Action::Publish, Some(*r)),
            Decision::Publish { .. } => (index, Action::Publish, None),
        };
        if let Some(r) = reason.filter(|_| !rejected.get(i).unwrap_or(false)) {
            info.by_reason.entry(r.key().to_string()).or_default().rows += 1;
            // a supplier is listed under a reason once (its decision and whether the row is
            // secret give the reason)
            listed.resize(decisions.len(), [false; 2]);
            let slot = &mut listed[decided][usize::from(index == SECRET)];
            if !*slot {
                *slot = true;
                distinct
                    .entry(r.key())
                    .or_default()
                    .insert((key.0.map(str::to_string), key.1.map(str::to_string)));
            }
        }
        row_decision.push(index);
        actions.push(action.key());
        reasons.push(reason.map(Reason::key));
    }
    let masked_name = policy.masked_name();
    let mut out_names: Vec<Option<&str>> = Vec::with_capacity(height);
    let mut out_ids: Vec<Option<&str>> = Vec::with_capacity(height);
    for index in &row_decision {
        let (name, id) = match decisions.get(*index) {
            Some(Decision::Publish { name, id }) => (Some(name.as_str()), Some(id.as_str())),
            Some(Decision::Mask(_)) => (masked_name, masked_name.map(|_| "")),
            Some(Decision::Withhold(_)) | None => (None, None),
        };
        out_names.push(name);
        out_ids.push(id);
    }
    for (k, set) in distinct {
        if let Some(c) = info.by_reason.get_mut(k) {
            c.suppliers = set.len() as u64;
        }
        info.distinct.insert(k.to_string(), set);
    }
    df.with_column(raw_names)?;
    df.with_column(raw_ids)?;
    df.put(Col::Leverantor, column(Col::Leverantor, &out_names))?;
    df.put(Col::LeverantorId, column(Col::LeverantorId, &out_ids))?;
    df.put(Col::Action, column(Col::Action, &actions))?;
    df.put(Col::Privacy, column(Col::Privacy, &reasons))?;
    redact_text_columns(&mut df, &policy.number_marker, &mut info)?;
    Ok((df, info))
}

/// Replace every personal number in the scanned text columns by `marker`, counting the cells
/// per column, and note per row in which columns one was (the bookkeeping column
/// [`Col::Redacted`]). The columns are scanned independently, side by side.
fn redact_text_columns(df: &mut DataFrame, marker: &str, info: &mut PrivacyInfo) -> Result<()> {
    let height = df.height();
    let frame = &*df;
    let redacted: Vec<(&'static str, Redacted)> = parallel_map(&SCANNED_COLUMNS, |column| {
        Ok(redact_column(frame, column, marker)?.map(|r| (*column, r)))
    })
    .map_err(|_| Error::Internal("the text scan thread failed".into()))?
    .into_iter()
    .filter_map(Result::transpose)
    .collect::<Result<_>>()?;
    let mut where_redacted: Vec<Option<String>> = Vec::new();
    for (column, (values, changed)) in redacted {
        info.numbers_removed_from_text
            .insert(column.to_string(), changed.len() as u64);
        df.with_column(Column::new(column.into(), &values))?;
        where_redacted.resize(height, None);
        for row in changed {
            let cell = where_redacted[row].get_or_insert_with(String::new);
            if !cell.is_empty() {
                cell.push(',');
            }
            cell.push_str(column);
        }
    }
    let where_redacted = if where_redacted.is_empty() {
        Column::full_null(Col::Redacted.named(), height, &DataType::String)
    } else {
        column(Col::Redacted, &where_redacted)
    };
    df.with_column(where_redacted)?;
    Ok(())
}

/// A redacted column: its new values and the rows whose cell changed.
type Redacted = (Vec<Option<String>>, Vec<usize>);

/// Replace personal numbers in one text column; returns the new values and the rows changed,
/// or `None` when no cell holds one (the column is then left as it is, without a copy).
fn redact_column(df: &DataFrame, name: &str, marker: &str) -> Result<Option<Redacted>> {
    let column = df.column(name)?.str()?;
    if !column
        .iter()
        .flatten()
        .any(crate::ident::contains_personal_number)
    {
        return Ok(None);
    }
    let mut changed = Vec::new();
    let values = column
        .iter()
        .enumerate()
        .map(|(row, v)| {
            v.map(|s| {
                let (out, n) = redact_personal_numbers(s, marker);
                if n > 0 {
                    changed.push(row);
                }
                out
            })
        })
        .collect();
    Ok(Some((values, changed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_changed_by_the_keys_they_are_matched_by() {
        let mut list = SupplierList {
            ids: vec!["556677-8899".into()],
            names: vec!["Skyddat  Boende AB".into()],
        };
        list.insert("skyddat boende ab", "5566778899");
        assert_eq!(list.names.len(), 1, "the same name, written otherwise");
        assert_eq!(list.ids.len(), 1, "the same id, written otherwise");
        list.insert("Annan AB", "");
        assert_eq!(list.names.len(), 2);
        assert!(list.ids.len() == 1, "no empty id is added");
        list.remove("SKYDDAT BOENDE AB", "5566778899");
        assert_eq!(list.names, vec!["Annan AB".to_string()]);
        assert!(list.ids.is_empty());
        assert!(!list.contains(Some("Skyddat Boende AB"), Some("556677-8899")));
    }
    use crate::ident::luhn_check_digit;

    fn with_check(nine: &str) -> String {
        format!("{nine}{}", luhn_check_digit(nine.as_bytes()) as char)
    }

    fn d(name: &str, id: &str) -> Decision {
        decide(Some(name), Some(id), &Policy::default())
    }

    /// The run's decisions are [`decide`]'s, kept per supplier as read: suppliers whose name
    /// and id would run together into the same text, or differ only in a missing cell, keep
    /// their own decisions, the first time and from the cache.
    #[test]
    fn a_runs_decisions_are_kept_per_supplier_as_read() {
        let policy = Policy::default();
        let org = with_check("556677889");
        let person = with_check("811218987");
        let suppliers: Vec<(Option<&str>, Option<&str>)> = vec![
            (Some("Bygg AB"), Some(org.as_str())),
            (Some("Bygg AB5"), Some(&org[1..])),
            (Some("Anna Svensson"), None),
            (None, Some("Anna Svensson")),
            (Some("Kalle"), Some(person.as_str())),
            (Some("Kalle"), None),
            (None, None),
        ];
        let mut made = Decisions::default();
        for round in 0..2 {
            for &s in &suppliers {
                assert_eq!(
                    made.get(s, &policy),
                    decide(s.0, s.1, &policy),
                    "{s:?}, round {round}"
                );
            }
        }
        assert_eq!(made.0.len(), suppliers.len());
    }

    #[test]
    fn names_and_lists_read_every_width_and_dash() {
        for name in [
            "LIND；ANNA",
            "Lind， Anna\u{2013}Karin",
            "O\u{2019}Brien, Sean",
            "Berg,\u{a0}Eva",
        ] {
            assert!(is_person_shaped(name), "{name}");
        }
        assert!(!is_person_shaped("Lind， Anna ＡＢ"));
        // Ek is a surname, not a legal form (ek. för. is)
        assert!(is_person_shaped("Ek, Eva"));
        assert!(!has_legal_form("Eva Ek"));
        assert!(has_legal_form("Bygdens ek. för."));
        assert!(has_legal_form("Kraków Sp. z o.o."));
        let policy = Policy {
            deny: SupplierList {
                ids: vec!["556677\u{2013}8899".into()],
                names: vec![],
            },
            allow: SupplierList {
                ids: vec![],
                names: vec!["Föreningen\u{a0}Vänner".into()],
            },
            ..Policy::default()
        };
        let wide_id = "５５６６７７－８８９９";
        assert_eq!(
            decide(Some("X"), Some(wide_id), &policy),
            Decision::Withhold(Reason::DenyList)
        );
        assert!(matches!(
            decide(Some("Föreningen Vänner"), None, &policy),
            Decision::Publish { .. }
        ));
        // a personal number in a typographic form is a person, whatever the name
        let p = with_check("811218987");
        let id = format!("{}\u{2013}{}", &p[..6], &p[6..]);
        assert_eq!(
            decide(Some("Byggfirma AB"), Some(&id), &Policy::default()),
            Decision::Mask(Reason::Personnummer)
        );
    }

    #[test]
    fn id_decides_first() {
        let org = with_check("969612345");
        assert_eq!(
            d("ANDERSSON;SVEN", &org),
            Decision::Publish {
                name: "ANDERSSON SVEN".into(),
                id: org.clone()
            }
        );
        let pnr = with_check("750102123");
        assert_eq!(d("Byggare AB", &pnr), Decision::Mask(Reason::Personnummer));
        let snr = with_check("750162123");
        assert_eq!(d("X AB", &snr), Decision::Mask(Reason::Samordningsnummer));
    }

    #[test]
    fn names_without_ids() {
        assert!(matches!(
            d("Bygg & Måleri AB", ""),
            Decision::Publish { .. }
        ));
        assert!(matches!(d("STÄDAB;AB", "NULL"), Decision::Publish { .. }));
        assert!(matches!(
            d("Nordic Supplies Ltd", "SAKNAS"),
            Decision::Publish { .. }
        ));
        assert_eq!(d("ANDERSSON;SVEN", ""), Decision::Mask(Reason::PersonName));
        assert_eq!(d("Svensson, Anna", ""), Decision::Mask(Reason::PersonName));
        assert_eq!(
            d("Anna Svensson", "1234"),
            Decision::Mask(Reason::Unidentified)
        );
        assert_eq!(
            d("Dödsbo efter Karl Berg", ""),
            Decision::Mask(Reason::Estate)
        );
        assert_eq!(d("*", "*"), Decision::Mask(Reason::MaskedInSource));
        // a name and an id both blank: the publisher masked a person
        assert_eq!(d("", ""), Decision::Mask(Reason::MaskedInSource));
        assert_eq!(d("", "10000017"), Decision::Mask(Reason::Unidentified));
        for mark in [
            "[innehåller personuppgifter]",
            "[Kan innehålla personuppgifter]",
            "ANONYMERAD",
        ] {
            assert_eq!(
                d(mark, ""),
                Decision::Mask(Reason::MaskedInSource),
                "{mark}"
            );
            // also where unidentified names would be published
            let open = Policy {
                mask_unidentified: false,
                ..Policy::default()
            };
            assert_eq!(
                decide(Some(mark), None, &open),
                Decision::Mask(Reason::MaskedInSource),
                "{mark}"
            );
        }
    }

    #[test]
    fn a_published_rows_id_kind_keeps_only_a_number_that_is_no_identity_number() {
        let org = with_check("556677889");
        let person = with_check("811218987");
        let kind = |id: &str, masked| supplier_id_kind(Some(id), masked);
        assert_eq!(
            kind(&org, false),
            (SupplierIdKind::Organisationsnummer, None)
        );
        assert_eq!(kind("DK12345678", false).0, SupplierIdKind::UtlandsktId);
        assert_eq!(
            kind(" 10000017 ", false),
            (SupplierIdKind::InterntNummer, Some("10000017".into()))
        );
        assert_eq!(kind("10000017", true), (SupplierIdKind::Maskerad, None));
        assert_eq!(kind(&person, false), (SupplierIdKind::Maskerad, None));
        assert_eq!(kind("SAKNAS", false), (SupplierIdKind::Saknas, None));
        assert_eq!(
            supplier_id_kind(None, false),
            (SupplierIdKind::Saknas, None)
        );
        // a personal number's shape with a wrong check digit is not kept
        let mut wrong = person.clone().into_bytes();
        wrong[9] = b'0' + (wrong[9] - b'0' + 1) % 10;
        let wrong = String::from_utf8(wrong).unwrap();
        assert_eq!(kind(&wrong, false), (SupplierIdKind::Ogiltigt, None));
        // a personal number with a digit lost or added is no supplier number
        assert_eq!(kind(&person[..9], false), (SupplierIdKind::Ogiltigt, None));
        assert_eq!(
            kind(&format!("19{}", &person[..9]), false),
            (SupplierIdKind::Ogiltigt, None)
        );
        assert_eq!(kind("123456789", false).0, SupplierIdKind::InterntNummer);
        assert!(masks("personnummer") && masks("masked_in_source"));
        assert!(!masks("deny_list") && !masks("secret"));
    }

    #[test]
    fn foreign_ids_publish() {
        assert_eq!(
            d("Dansk Leverandør ApS", "dk 1234 5678"),
            Decision::Publish {
                name: "Dansk Leverandør ApS".into(),
                id: "DK12345678".into()
            }
        );
    }

    #[test]
    fn policy_lists() {
        let mut policy = Policy::default();
        policy.allow.names.push("Kalles Kiosk".into());
        policy.deny.ids.push("556677-8899".into());
        assert!(matches!(
            decide(Some("kalles  kiosk"), None, &policy),
            Decision::Publish { .. }
        ));
        assert_eq!(
            decide(Some("Vad som helst AB"), Some("5566778899"), &policy),
            Decision::Withhold(Reason::DenyList)
        );
        policy.mask_unidentified = false;
        assert!(matches!(
            decide(Some("Anna Svensson"), None, &policy),
            Decision::Publish { .. }
        ));
        // a person-shaped name is still masked
        assert_eq!(
            decide(Some("SVENSSON;ANNA"), None, &policy),
            Decision::Mask(Reason::PersonName)
        );
    }
}
