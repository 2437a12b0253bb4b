//! The publisher's DCAT-AP-SE 3.0.1 catalogue, the file Sweden's data portal harvests: one
//! `dcat:Catalog` for the publisher, one `dcat:Dataset` per calendar year (as the specification
//! recommends) with the year's files as distributions (the year's CSV, each month's CSV, the
//! Parquet partitions, the Excel copy), every IRI absolute under the publication address.
//!
//! The catalogue is made from the year datasets a publication folder holds (each year a folder
//! with its `report.json`), so it is written again, whole, whenever a year is built:
//!
//! ```text
//! PUBLICATION/            published at the base address, e.g. https://kommun.se/oppnadata/lev/
//!   dcat.rdf              the catalogue (RDF/XML, harvested by dataportal.se)
//!   dcat.ttl              the same in Turtle
//!   2024/                 a year dataset (dataset build -o PUBLICATION/2024)
//!   2025/
//! ```

use crate::error::{Error, Result};
use crate::rdf::{encode_segment, is_writable_http_iri, Object, Resource};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The catalogue's file names in the publication folder.
pub const RDF_XML: &str = "dcat.rdf";
/// The catalogue in Turtle, beside it.
pub const TURTLE: &str = "dcat.ttl";
/// The first line of a catalogue written here: a file without it is not overwritten.
const WRITTEN_BY: &str = "DCAT-AP-SE 3.0.1 catalogue written by reskontra";
/// The catalogue's licence: the profile requires CC0.
const CC0: &str = "http://creativecommons.org/publicdomain/zero/1.0/";
const SPEC_URL: &str = crate::spec::SPEC_URL;
const EU: &str = "http://publications.europa.eu/resource/authority/";

/// What kind of public body publishes (the ADMS publisher type the portal requires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublisherKind {
    /// A municipality (`LocalAuthority`).
    Kommun,
    /// A region (`RegionalAuthority`).
    Region,
}

impl PublisherKind {
    /// Parse `kommun` or `region`.
    pub fn parse(text: &str) -> Result<PublisherKind> {
        match text.trim().to_lowercase().as_str() {
            "kommun" | "municipality" => Ok(PublisherKind::Kommun),
            "region" => Ok(PublisherKind::Region),
            other => Err(Error::Usage(format!(
                "publisher type '{other}' is neither 'kommun' nor 'region'"
            ))),
        }
    }

    /// The kind a buyer's name suggests (`Region Skåne`, `Västra Götalandsregionen`), else a
    /// municipality.
    pub fn from_name(name: &str) -> PublisherKind {
        let lower = name.to_lowercase();
        if lower.starts_with("region ") || lower.ends_with("regionen") || lower == "region" {
            PublisherKind::Region
        } else {
            PublisherKind::Kommun
        }
    }

    /// The policy's word for it.
    pub fn key(self) -> &'static str {
        match self {
            PublisherKind::Kommun => "kommun",
            PublisherKind::Region => "region",
        }
    }

    fn adms_type(self) -> &'static str {
        match self {
            PublisherKind::Kommun => "http://purl.org/adms/publishertype/LocalAuthority",
            PublisherKind::Region => "http://purl.org/adms/publishertype/RegionalAuthority",
        }
    }
}

/// Who publishes, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueOptions {
    /// The address of the publication folder (absolute http(s), ending in `/`).
    pub base_url: String,
    /// The e-mail address for questions about the data (the contact point); none: no contact
    /// point (recommended, not mandatory).
    pub contact_email: Option<String>,
    /// The publisher's type; none: from the buyer's name.
    pub kind: Option<PublisherKind>,
}

/// Check a publication address and end it with `/`.
pub fn check_base_url(raw: &str) -> Result<String> {
    let trimmed = raw.trim();
    if !is_writable_http_iri(trimmed) {
        return Err(Error::Usage(format!(
            "the publication address '{trimmed}' is not an absolute http(s) address \
             (like https://www.kommun.se/oppnadata/leverantorsreskontra/)"
        )));
    }
    let mut base = trimmed
        .split(['?', '#'])
        .next()
        .unwrap_or(trimmed)
        .to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    Ok(base)
}

/// Check a contact e-mail address (one `@`, a dotted domain, no space or markup).
pub fn check_email(raw: &str) -> Result<String> {
    let email = raw.trim();
    let fine = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`(),;:[]".contains(c));
    if fine {
        Ok(email.to_string())
    } else {
        Err(Error::Usage(format!(
            "the contact e-mail address '{email}' is not an e-mail address (like oppnadata@kommun.se)"
        )))
    }
}

/// What the catalogue reads of a year dataset's `report.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct YearReport {
    /// The buyer's organisation number.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The calendar year.
    pub year: i32,
    /// Per month `MM`: rows and amount.
    pub months: BTreeMap<String, serde::de::IgnoredAny>,
    /// The files written.
    pub outputs: Vec<YearOutput>,
    /// The options of the build (the licence).
    pub options: YearOptions,
    /// When the dataset was first published and last changed.
    #[serde(default)]
    pub dates: Option<Dates>,
}

/// A file of a year dataset.
#[derive(Debug, Clone, Deserialize)]
pub struct YearOutput {
    /// Path relative to the year's folder.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-1 (none in a report written before it was recorded: read from the file).
    #[serde(default)]
    pub sha1: Option<String>,
}

/// The options of a year dataset the catalogue uses.
#[derive(Debug, Clone, Deserialize)]
pub struct YearOptions {
    /// The licence of its files.
    pub licence: String,
    /// The contact e-mail address the catalogue was made with.
    #[serde(default)]
    pub contact_email: Option<String>,
}

/// A dataset's dates (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Dates {
    /// First published.
    pub issued: String,
    /// Last changed.
    pub modified: String,
}

/// A year dataset found in a publication folder.
#[derive(Debug, Clone)]
pub struct YearDataset {
    /// The folder's name (the path segment of its files' addresses).
    pub folder: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Its report.
    pub report: YearReport,
}

/// The year datasets of a publication folder, by year, and the folders left out with why.
pub fn year_datasets(
    publication: &Path,
    kopare_id: &str,
) -> Result<(Vec<YearDataset>, Vec<String>)> {
    let mut found = Vec::new();
    let mut left_out = Vec::new();
    let entries = std::fs::read_dir(publication).map_err(|e| Error::io(publication, e))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.join("report.json").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let folder = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(text) = std::fs::read_to_string(dir.join("report.json")) else {
            continue;
        };
        let Ok(report) = serde_json::from_str::<YearReport>(&text) else {
            continue; // not a year dataset (a monthly run, a collected dataset)
        };
        if report.kopare_id != kopare_id {
            left_out.push(format!(
                "{folder}: another buyer's year ({} {})",
                report.kopare, report.kopare_id
            ));
            continue;
        }
        found.push(YearDataset {
            folder,
            dir,
            report,
        });
    }
    found.sort_by(|a, b| {
        a.report
            .year
            .cmp(&b.report.year)
            .then(a.folder.cmp(&b.folder))
    });
    if let Some(twice) = found
        .windows(2)
        .find(|w| w[0].report.year == w[1].report.year)
    {
        return Err(Error::Usage(format!(
            "{} holds the year {} twice ({} and {}): one year is one dataset; remove one folder",
            publication.display(),
            twice[0].report.year,
            twice[0].folder,
            twice[1].folder
        )));
    }
    Ok((found, left_out))
}

/// A month's Swedish name from `MM`.
fn month_name(mm: &str) -> &'static str {
    mm.parse::<usize>()
        .ok()
        .and_then(crate::date::swedish_month)
        .unwrap_or("")
}

/// The catalogue's resources: catalogue, publisher, contact point, then per year its dataset
/// and distributions (each with the SHA-1 its year's report records).
pub fn catalogue(years: &[YearDataset], opts: &CatalogueOptions) -> Result<Vec<Resource>> {
    let Some(newest) = years.last() else {
        return Err(Error::Usage("no year dataset to catalogue".into()));
    };
    let base = check_base_url(&opts.base_url)?;
    let name = newest.report.kopare.clone();
    let org = newest.report.kopare_id.clone();
    let publisher_iri = format!("http://dataportal.se/organisation/SE{org}");
    let contact_iri = format!("{base}#kontakt");
    let kind = opts.kind.unwrap_or_else(|| PublisherKind::from_name(&name));
    let date = |d: &str| Object::Typed(d.to_string(), "xsd:date");
    let iri = |s: String| Object::Iri(s);

    let mut resources = Vec::new();
    let mut cat = Resource::new(format!("{base}#katalog"), "dcat:Catalog");
    cat.add(
        "dcterms:title",
        Object::Text(format!("{name}s öppna data: leverantörsreskontra"), "sv"),
    )
    .add(
        "dcterms:description",
        Object::Text(
            format!(
                "Leverantörsfakturor som {name} har betalat, en datamängd per kalenderår, \
                 publicerade enligt specifikationen för leverantörsreskontra."
            ),
            "sv",
        ),
    )
    .add("dcterms:publisher", iri(publisher_iri.clone()))
    .add("dcterms:license", iri(CC0.into()))
    .add("dcterms:language", iri(format!("{EU}language/SWE")));
    let dates: Vec<&Dates> = years
        .iter()
        .filter_map(|y| y.report.dates.as_ref())
        .collect();
    if let Some(first) = dates.iter().map(|d| d.issued.as_str()).min() {
        cat.add("dcterms:issued", date(first));
    }
    if let Some(last) = dates.iter().map(|d| d.modified.as_str()).max() {
        cat.add("dcterms:modified", date(last));
    }
    cat.add("dcat:themeTaxonomy", iri(format!("{EU}data-theme")));
    for year in years {
        cat.add("dcat:dataset", iri(dataset_iri(&base, year)));
    }
    resources.push(cat);

    let mut publisher = Resource::new(publisher_iri.clone(), "foaf:Organization");
    publisher
        .add("foaf:name", Object::Text(name.clone(), "sv"))
        .add("dcterms:type", iri(kind.adms_type().into()))
        .add(
            "dcterms:description",
            Object::Text(
                format!(
                    "{name}, {} med organisationsnummer {org}.",
                    match kind {
                        PublisherKind::Kommun => "kommun",
                        PublisherKind::Region => "region",
                    }
                ),
                "sv",
            ),
        )
        .add("dcterms:identifier", Object::Plain(org.clone()));
    resources.push(publisher);

    if let Some(email) = &opts.contact_email {
        let email = check_email(email)?;
        let mut contact = Resource::new(contact_iri.clone(), "vcard:Organization");
        contact
            .add("vcard:fn", Object::Plain(name.clone()))
            .add("vcard:hasEmail", iri(format!("mailto:{email}")));
        resources.push(contact);
    }

    for year in years {
        let (dataset, distributions) = year_resources(
            &base,
            year,
            &publisher_iri,
            opts.contact_email.as_ref().map(|_| contact_iri.as_str()),
        )?;
        resources.push(dataset);
        resources.extend(distributions);
    }
    Ok(resources)
}

fn dataset_iri(base: &str, year: &YearDataset) -> String {
    format!("{base}{}/#dataset", encode_segment(&year.folder))
}

/// The address of a file of a year's folder.
fn file_url(base: &str, year: &YearDataset, path: &str) -> String {
    let segments: Vec<String> = path.split('/').map(encode_segment).collect();
    format!(
        "{base}{}/{}",
        encode_segment(&year.folder),
        segments.join("/")
    )
}

/// A year's dataset and its distributions.
fn year_resources(
    base: &str,
    year: &YearDataset,
    publisher: &str,
    contact: Option<&str>,
) -> Result<(Resource, Vec<Resource>)> {
    let r = &year.report;
    let y = r.year;
    let mut dataset = Resource::new(dataset_iri(base, year), "dcat:Dataset");
    let covered: Vec<&str> = r.months.keys().map(|m| month_name(m)).collect();
    let span = match (covered.first(), covered.last()) {
        (Some(first), Some(last)) if covered.len() > 1 => format!("{first}–{last} {y}"),
        (Some(only), _) => format!("{only} {y}"),
        _ => format!("{y}"),
    };
    dataset
        .add(
            "dcterms:title",
            Object::Text(format!("Leverantörsreskontra {} {y}", r.kopare), "sv"),
        )
        .add(
            "dcterms:title",
            Object::Text(format!("Supplier ledger {} {y}", r.kopare), "en"),
        )
        .add(
            "dcterms:description",
            Object::Text(
                format!(
                    "Leverantörsfakturor som {} har betalat under {y}, en rad per kontering, \
                     enligt specifikationen för leverantörsreskontra 1.1. Månader med data: \
                     {span} ({} av 12). Enskilda firmor och privatpersoner är maskerade eller \
                     undantagna.",
                    r.kopare,
                    covered.len()
                ),
                "sv",
            ),
        )
        .add("dcterms:publisher", Object::Iri(publisher.into()));
    if let Some(contact) = contact {
        dataset.add("dcat:contactPoint", Object::Iri(contact.into()));
    }
    for keyword in [
        "leverantörsreskontra",
        "leverantörsfakturor",
        "inköp",
        "offentliga utgifter",
    ] {
        dataset.add("dcat:keyword", Object::Text(keyword.into(), "sv"));
    }
    dataset
        .add("dcat:keyword", Object::Text("supplier ledger".into(), "en"))
        .add("dcat:theme", Object::Iri(format!("{EU}data-theme/GOVE")))
        .add("dcat:theme", Object::Iri(format!("{EU}data-theme/ECON")))
        .add("dcterms:conformsTo", Object::Iri(SPEC_URL.into()))
        .add(
            "dcterms:temporal",
            Object::Nested(
                "dcterms:PeriodOfTime",
                vec![
                    (
                        "dcat:startDate",
                        Object::Typed(format!("{y}-01-01"), "xsd:date"),
                    ),
                    (
                        "dcat:endDate",
                        Object::Typed(format!("{y}-12-31"), "xsd:date"),
                    ),
                ],
            ),
        );
    if let Some(dates) = &r.dates {
        dataset
            .add(
                "dcterms:issued",
                Object::Typed(dates.issued.clone(), "xsd:date"),
            )
            .add(
                "dcterms:modified",
                Object::Typed(dates.modified.clone(), "xsd:date"),
            );
    }
    dataset
        .add(
            "dcterms:accrualPeriodicity",
            Object::Iri(format!("{EU}frequency/MONTHLY")),
        )
        .add(
            "dcterms:accessRights",
            Object::Iri(format!("{EU}access-right/PUBLIC")),
        )
        .add("dcterms:language", Object::Iri(format!("{EU}language/SWE")));
    let mut distributions = Vec::new();
    for output in r.outputs.iter().filter(|o| distributed(&o.path)) {
        let distribution = distribution(base, year, output)?;
        dataset.add("dcat:distribution", Object::Iri(distribution.iri.clone()));
        distributions.push(distribution);
    }
    Ok((dataset, distributions))
}

/// Whether a year's file is one of its distributions (the data files, not the metadata).
pub fn distributed(path: &str) -> bool {
    [".csv", ".parquet", ".xlsx"]
        .iter()
        .any(|e| path.ends_with(e))
}

/// The month `MM` a distribution holds (`…-2024-03.csv`, `…/manad=03/…`), none for the year.
fn month_of(path: &str) -> Option<String> {
    if let Some(rest) = path.split("manad=").nth(1) {
        return Some(rest.chars().take(2).collect());
    }
    let stem = path.rsplit('/').next()?.split('.').next()?;
    let mut parts = stem.rsplit('-');
    let mm = parts.next()?;
    let yyyy = parts.next()?;
    (mm.len() == 2 && yyyy.len() == 4 && mm.bytes().chain(yyyy.bytes()).all(|b| b.is_ascii_digit()))
        .then(|| mm.to_string())
}

fn distribution(base: &str, year: &YearDataset, output: &YearOutput) -> Result<Resource> {
    let r = &year.report;
    let url = file_url(base, year, &output.path);
    let (format, label, about) = if output.path.ends_with(".csv") {
        (
            "text/csv",
            "CSV",
            "CSV-fil enligt specifikationen för leverantörsreskontra 1.1: UTF-8, komma som \
             avgränsare, en rad per kontering, belopp exklusive moms med punkt som decimaltecken.",
        )
    } else if output.path.ends_with(".xlsx") {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel",
            "Samma rader som årets CSV-fil, i en Excel-arbetsbok.",
        )
    } else {
        (
            "application/vnd.apache.parquet",
            "Parquet",
            "Apache Parquet med typade kolumner (belopp som exakta decimaltal, datum som \
             datum), partitionerad efter köpare, år och månad som Hive-mappar.",
        )
    };
    let period = match month_of(&output.path) {
        Some(mm) => format!("{} {}", month_name(&mm), r.year),
        None => format!("hela {}", r.year),
    };
    let sha1 = match &output.sha1 {
        Some(sha1) => sha1.clone(),
        None => {
            let file = year.dir.join(&output.path);
            crate::read::sha256_and_sha1_file(&file)
                .map_err(|e| Error::io(&file, e))?
                .1
        }
    };
    let mut d = Resource::new(format!("{url}#distribution"), "dcat:Distribution");
    d.add(
        "dcterms:title",
        Object::Text(format!("Leverantörsreskontra {period} ({label})"), "sv"),
    )
    .add("dcterms:description", Object::Text(about.into(), "sv"))
    .add("dcat:accessURL", Object::Iri(url.clone()))
    .add("dcat:downloadURL", Object::Iri(url))
    .add("dcterms:format", Object::Plain(format.into()))
    .add("dcterms:license", Object::Iri(r.options.licence.clone()))
    .add("dcterms:conformsTo", Object::Iri(SPEC_URL.into()))
    .add(
        "dcatap:availability",
        Object::Iri(format!("{EU}planned-availability/STABLE")),
    )
    .add(
        "dcat:byteSize",
        Object::Typed(output.bytes.to_string(), "xsd:nonNegativeInteger"),
    )
    .add(
        "spdx:checksum",
        Object::Nested(
            "spdx:Checksum",
            vec![
                (
                    "spdx:algorithm",
                    Object::Iri("http://spdx.org/rdf/terms#checksumAlgorithm_sha1".into()),
                ),
                ("spdx:checksumValue", Object::Typed(sha1, "xsd:hexBinary")),
            ],
        ),
    );
    Ok(d)
}

/// The catalogue files written.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The RDF/XML file.
    pub rdf_xml: PathBuf,
    /// The Turtle file.
    pub turtle: PathBuf,
    /// The years catalogued.
    pub years: Vec<i32>,
    /// Folders of the publication folder left out, with why.
    pub left_out: Vec<String>,
}

/// Write the catalogue of the publication folder's year datasets of buyer `kopare_id` as
/// `dcat.rdf` and `dcat.ttl` in it (each written whole to a temporary file, then moved in).
/// A catalogue file that reskontra did not write is not overwritten.
pub fn write_catalogue(
    publication: &Path,
    kopare_id: &str,
    opts: &CatalogueOptions,
) -> Result<Written> {
    let (years, left_out) = year_datasets(publication, kopare_id)?;
    let resources = catalogue(&years, opts)?;
    let comment = format!("{WRITTEN_BY}; made again whenever a year is built");
    let files = [
        (RDF_XML, crate::rdf::to_rdf_xml(&resources, &comment)),
        (TURTLE, crate::rdf::to_turtle(&resources, &comment)),
    ];
    for (name, _) in &files {
        refuse_foreign(&publication.join(name))?;
    }
    for (name, text) in &files {
        replace_file(&publication.join(name), text.as_bytes())?;
    }
    Ok(Written {
        rdf_xml: publication.join(RDF_XML),
        turtle: publication.join(TURTLE),
        years: years.iter().map(|y| y.report.year).collect(),
        left_out,
    })
}

/// Fail if `path` is a file reskontra did not write.
fn refuse_foreign(path: &Path) -> Result<()> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let mut head = Vec::new();
    file.take(512)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    let head = String::from_utf8_lossy(&head);
    if head.contains(WRITTEN_BY) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{} exists and was not written by reskontra: move it away, or build the year \
             dataset in another publication folder",
            path.display()
        )))
    }
}

/// Write a file whole beside its place, then move it in.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    std::io::Write::write_all(&mut temp, bytes).map_err(|e| Error::io(path, e))?;
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_addresses_and_emails() {
        assert_eq!(
            check_base_url(" https://kommun.se/lev ").ok().as_deref(),
            Some("https://kommun.se/lev/")
        );
        assert_eq!(
            check_base_url("https://kommun.se/lev/?x=1").ok().as_deref(),
            Some("https://kommun.se/lev/")
        );
        assert!(check_base_url("kommun.se/lev").is_err());
        assert!(check_base_url("file:///tmp/").is_err());
        assert!(check_email("oppnadata@kommun.se").is_ok());
        for bad in [
            "oppnadata",
            "a@b",
            "a b@c.se",
            "<a@b.se>",
            "a@.se",
            "@kommun.se",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_and_months() {
        assert_eq!(
            PublisherKind::from_name("Region Skåne"),
            PublisherKind::Region
        );
        assert_eq!(
            PublisherKind::from_name("Västra Götalandsregionen"),
            PublisherKind::Region
        );
        assert_eq!(
            PublisherKind::from_name("Exempelby kommun"),
            PublisherKind::Kommun
        );
        assert!(PublisherKind::parse("landsting").is_err());
        assert_eq!(
            month_of("leverantorsreskontra-2024-03.csv").as_deref(),
            Some("03")
        );
        assert_eq!(
            month_of("parquet/kopare_id=1/ar=2024/manad=11/data.parquet").as_deref(),
            Some("11")
        );
        assert_eq!(month_of("leverantorsreskontra-2024.csv"), None);
        assert_eq!(month_name("03"), "mars");
        assert_eq!(month_name("13"), "");
    }
}
