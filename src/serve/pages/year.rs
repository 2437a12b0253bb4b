//! The year dataset: the year's converted months (the newest upload of each month ticked),
//! what is left out and why, the build, and its result.

use super::progress::ProgressPage;
use super::{field, fields_named, message, show, Shared};
use crate::serve::report::read_year_report;
use crate::serve::texts::{self, Problem};
use crate::serve::workspace::{RunSummary, Workspace};
use askama::Template;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use std::collections::HashMap;
use std::path::PathBuf;

/// The folder of a year's dataset, when `year` is four digits.
pub(super) fn year_dir(ws: &Workspace, year: &str) -> Option<PathBuf> {
    let ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| ws.root().join("years").join(year))
}

#[derive(Template)]
#[template(path = "desk/year.html")]
struct YearPage {
    year: String,
    years: Vec<String>,
    months: Vec<MonthChoice>,
    left_out: Vec<LeftOut>,
}

/// A month offered for the year.
struct MonthChoice {
    id: String,
    name: String,
    files: String,
    on: bool,
}

/// A run the year leaves out, and why.
struct LeftOut {
    name: String,
    files: String,
    why: &'static str,
}

/// The year of a run's period (`2024-05` → `2024`); a span's first year.
fn year_of(r: &RunSummary) -> Option<&str> {
    r.period.as_deref().and_then(|p| p.get(..4))
}

/// The months offered for `year` (the newest upload of each month ticked, an older one not),
/// and the runs left out with the reason.
fn choices(runs: &[RunSummary], year: &str) -> (Vec<MonthChoice>, Vec<LeftOut>) {
    let mut months = Vec::new();
    let mut left_out = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let files = r.files.join(", ");
        match year_of(r) {
            None => left_out.push(LeftOut {
                name: r.name(),
                files,
                why: "inte konverterad; konvertera den först",
            }),
            Some(y) if y != year => left_out.push(LeftOut {
                name: r.name(),
                files,
                why: "ett annat år",
            }),
            Some(_) => {
                // runs_by_period lists a month's uploads newest first
                let newer = runs[..i].iter().any(|o| o.period == r.period);
                if newer {
                    left_out.push(LeftOut {
                        name: r.name(),
                        files,
                        why: "en senare uppladdning av samma månad används i stället",
                    });
                }
                months.push(MonthChoice {
                    id: r.id.clone(),
                    name: r.name(),
                    files: r.files.join(", "),
                    on: !newer,
                });
            }
        }
    }
    (months, left_out)
}

pub(super) async fn page(
    State(desk): Shared,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let runs = desk.workspace.runs_by_period();
    let mut years: Vec<String> = runs
        .iter()
        .filter_map(|r| year_of(r).map(str::to_string))
        .collect();
    years.sort();
    years.dedup();
    years.reverse();
    let year = query
        .get("year")
        .filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .or_else(|| years.first().cloned())
        .unwrap_or_else(|| chrono::Local::now().format("%Y").to_string());
    let (months, left_out) = choices(&runs, &year);
    show(&YearPage {
        year,
        years,
        months,
        left_out,
    })
}

pub(super) async fn build(State(desk): Shared, Form(fields): super::Fields) -> Response {
    let year = field(&fields, "year").unwrap_or("").trim().to_string();
    let (Some(out), Ok(y)) = (year_dir(&desk.workspace, &year), year.parse::<i32>()) else {
        return message(
            StatusCode::BAD_REQUEST,
            "Fel år",
            "Välj året på sidan Årsdatamängd och försök igen.",
        );
    };
    let mut ids: Vec<String> = fields_named(&fields, "run").map(str::to_string).collect();
    ids.sort();
    let inputs: Vec<PathBuf> = ids
        .iter()
        .filter_map(|id| desk.workspace.run_dir(id))
        .map(|r| r.join("out"))
        .filter(|o| o.join("report.json").exists())
        .collect();
    if inputs.is_empty() {
        return super::message_with(
            StatusCode::BAD_REQUEST,
            "Inga månader valda",
            "Kryssa i minst en konverterad månad av året och bygg igen.",
            super::link(
                format!("/year?year={year}"),
                "Välj månader",
                "choose-months",
            ),
        );
    }
    let licence = desk.workspace.settings().licence;
    let publisher = desk
        .workspace
        .policy()
        .map(|p| p.publisher)
        .unwrap_or_default();
    let key = format!("year-{year}");
    let started = desk.jobs.start(&key, "year", move |progress| {
        let mut opts = crate::dataset::DatasetOptions::new(inputs.clone(), y, out);
        // the months are given in the order they were uploaded: a later upload of a month wins
        opts.prefer = inputs;
        opts.replace_months = true;
        opts.licence = licence;
        // with the profile's publication address, the catalogue of every year built here is
        // written beside the years (WORKSPACE/years/dcat.rdf)
        opts.base_url = publisher.base_url;
        opts.contact_email = publisher.contact_email;
        opts.publisher_kind = publisher
            .publisher_type
            .as_deref()
            .and_then(|k| crate::dcat::PublisherKind::parse(k).ok());
        opts.progress = progress.clone();
        opts.replace = true;
        crate::dataset::build(&opts).map(|_| ())
    });
    match started {
        Ok(()) => Redirect::to(&format!("/year/{year}/progress")).into_response(),
        Err(_) => message(
            StatusCode::CONFLICT,
            "Bygget pågår redan",
            "Vänta tills det är klart; sidan visar hur långt det har kommit.",
        ),
    }
}

use axum::Form;

pub(super) async fn progress(UrlPath(year): UrlPath<String>) -> Response {
    show(&ProgressPage {
        heading: "Bygger årsdatamängden",
        status_url: format!("/year/{year}/status"),
        done_url: format!("/year/{year}"),
        failed_url: format!("/year/{year}"),
        cancel_url: None,
    })
}

pub(super) async fn status(State(desk): Shared, UrlPath(year): UrlPath<String>) -> Response {
    match desk.jobs.status(&format!("year-{year}")) {
        Some(s) => Json(s).into_response(),
        None => Json(serde_json::json!({"state": "none"})).into_response(),
    }
}

#[derive(Template)]
#[template(path = "desk/year_result.html")]
struct YearResultPage {
    year: String,
    failed: Option<Problem>,
    built: Option<Built>,
    catalogue: Option<Catalogue>,
}

/// What the data portal will read of the catalogue beside the years.
struct Catalogue {
    /// Where the portal fetches it (the profile's address and `dcat.rdf`).
    address: String,
    /// The years it lists.
    years: String,
    /// Files it lists (distributions).
    files: String,
    /// Whether it has a contact point.
    contact: bool,
    /// What the check by the portal's rules found, in Swedish (empty: nothing).
    findings: Vec<String>,
}

/// The catalogue the years' folder holds, as the data portal will read it (the years and files
/// it lists, from the year datasets it was made of); none when no publication address is given
/// (the page then says where to give it) or none was written.
fn catalogue_of(ws: &Workspace, year_dir: &std::path::Path) -> Option<Catalogue> {
    let base = ws.policy().ok()?.publisher.base_url?;
    let base = crate::dcat::check_base_url(&base).ok()?;
    let publication = crate::dataset::publication_folder(year_dir);
    let file = publication.join(crate::dcat::RDF_XML);
    if !file.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(year_dir.join("report.json")).ok()?;
    let this_year: crate::dcat::YearReport = serde_json::from_str(&text).ok()?;
    let (years, _) = crate::dcat::year_datasets(&publication, &this_year.kopare_id).ok()?;
    let files: usize = years
        .iter()
        .map(|y| {
            y.report
                .outputs
                .iter()
                .filter(|o| crate::dcat::distributed(&o.path))
                .count()
        })
        .sum();
    let findings = crate::validate::validate_file(&file)
        .map(|c| {
            c.findings
                .iter()
                .map(|f| texts::finding_text(&f.check).unwrap_or_else(|| f.check.clone()))
                .collect()
        })
        .unwrap_or_default();
    Some(Catalogue {
        address: format!("{base}{}", crate::dcat::RDF_XML),
        years: years
            .iter()
            .map(|y| y.report.year.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        files: texts::count_of(files as u64, "fil", "filer"),
        contact: years
            .last()
            .is_some_and(|y| y.report.options.contact_email.is_some()),
        findings,
    })
}

/// The catalogue file itself, to look at (served as text, so a browser shows it).
pub(super) async fn catalogue_file(State(desk): Shared) -> Response {
    let file = desk
        .workspace
        .root()
        .join("years")
        .join(crate::dcat::RDF_XML);
    match std::fs::read_to_string(&file) {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => super::not_found().await,
    }
}

/// A built year dataset as the page shows it.
struct Built {
    rows: String,
    kronor: String,
    months: Vec<BuiltMonth>,
    files: String,
}

struct BuiltMonth {
    name: String,
    rows: String,
}

pub(super) async fn result(State(desk): Shared, UrlPath(year): UrlPath<String>) -> Response {
    let Some(dir) = year_dir(&desk.workspace, &year) else {
        return super::not_found().await;
    };
    let failed = desk
        .jobs
        .status(&format!("year-{year}"))
        .filter(|s| s.state == "failed")
        .and_then(|s| s.error)
        .map(|e| e.problem);
    let built = read_year_report(&dir).map(|r| Built {
        rows: texts::count_of(r.rows, "rad", "rader"),
        kronor: r
            .amount
            .parse()
            .map(crate::serve::charts::kronor)
            .unwrap_or_default(),
        months: r
            .months
            .iter()
            .map(|(m, s)| BuiltMonth {
                name: texts::month_name(&format!("{year}-{m}")),
                rows: texts::number(s.rows),
            })
            .collect(),
        files: r
            .outputs
            .iter()
            .filter(|o| !o.path.starts_with("internal"))
            .map(|o| o.path.clone())
            .collect::<Vec<_>>()
            .join(", "),
    });
    let catalogue = built
        .as_ref()
        .and_then(|_| catalogue_of(&desk.workspace, &dir));
    show(&YearResultPage {
        year,
        failed,
        built,
        catalogue,
    })
}
