//! "Granska utgifter": the questions journalists and auditors ask of supplier ledgers
//! ([`crate::analyse`]), on published files uploaded here or on the year datasets built in
//! the workspace. The analysis runs as a job; its page shows the main tables and a chart,
//! filters by buyer, year and supplier (the analysis run again), and downloads every table and
//! the report.
//!
//! ```text
//! WORKSPACE/analyses/ID/input/   the files uploaded (none: the workspace's years/)
//! WORKSPACE/analyses/ID/dataset/ the uploaded files collected (once: a filter reuses it)
//! WORKSPACE/analyses/ID/out/     the analysis: a CSV per table, analysis.json, rapport.html
//! WORKSPACE/analyses/ID/desk.json  what the page shows (written when the analysis ends)
//! ```

use super::progress::ProgressPage;
use super::upload::store_upload;
use super::{message, show, Shared};
use crate::analyse::{AnalyseOptions, Analysis, TABLE_FILES};
use crate::serve::charts::{chart, kronor, Chart};
use crate::serve::texts::{self, Problem};
use crate::serve::workspace::Workspace;
use askama::Template;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The folder of an analysis, when `id` is one this page made (`a` and digits).
fn analysis_dir(ws: &Workspace, id: &str) -> Option<PathBuf> {
    let ok = id.len() > 1 && id.starts_with('a') && id[1..].bytes().all(|b| b.is_ascii_digit());
    let dir = ws.root().join("analyses").join(id);
    (ok && dir.is_dir()).then_some(dir)
}

/// A new analysis folder.
fn new_analysis(ws: &Workspace) -> std::io::Result<(String, PathBuf)> {
    let root = ws.root().join("analyses");
    std::fs::create_dir_all(&root)?;
    let taken = std::fs::read_dir(&root)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix('a')?.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0);
    let id = format!("a{}", taken + 1);
    let dir = root.join(&id);
    std::fs::create_dir(&dir)?;
    Ok((id, dir))
}

/// The workspace's year datasets, when any is built.
fn years_folder(ws: &Workspace) -> Option<PathBuf> {
    let years = ws.root().join("years");
    std::fs::read_dir(&years)
        .ok()?
        .filter_map(|e| e.ok())
        .any(|e| e.path().join("parquet").is_dir())
        .then_some(years)
}

/// What an analysis runs on: the dataset collected from its uploaded files (collected the
/// first time, so that a filter does not collect them again), or the workspace's years.
fn dataset_of(
    uploaded: Option<PathBuf>,
    years: Option<PathBuf>,
    dir: &Path,
    progress: &crate::progress::Progress,
) -> crate::Result<Vec<PathBuf>> {
    let Some(uploaded) = uploaded else {
        return Ok(years.into_iter().collect());
    };
    let dataset = dir.join("dataset");
    if !dataset.join("report.json").is_file() {
        let mut collect = crate::collect::CollectOptions::new(vec![uploaded], dataset.clone());
        collect.progress = progress.clone();
        crate::collect::collect(&collect)?;
    }
    Ok(vec![dataset])
}

#[derive(Template)]
#[template(path = "desk/analyse.html")]
struct StartPage {
    has_years: bool,
    earlier: Vec<Earlier>,
    max_mb: u64,
}

/// An analysis made before.
struct Earlier {
    id: String,
    label: String,
}

pub(super) async fn page(State(desk): Shared) -> Response {
    let mut earlier: Vec<Earlier> = std::fs::read_dir(desk.workspace.root().join("analyses"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let id = e.file_name().to_string_lossy().into_owned();
            let shown = read_shown(&e.path())?;
            Some(Earlier {
                label: format!("{} ({})", shown.what, shown.rows),
                id,
            })
        })
        .collect();
    earlier.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then(b.id.cmp(&a.id)));
    show(&StartPage {
        has_years: years_folder(&desk.workspace).is_some(),
        earlier,
        max_mb: desk.max_upload / (1024 * 1024),
    })
}

/// Published files uploaded: a new analysis of them.
pub(super) async fn upload(State(desk): Shared, mut multipart: Multipart) -> Response {
    let Ok((id, dir)) = new_analysis(&desk.workspace) else {
        return super::disk_full();
    };
    let input = dir.join("input");
    let stored = match store_upload(&desk, &mut multipart, |field| {
        (field == "data").then(|| input.clone())
    })
    .await
    {
        Ok(n) => n,
        Err(response) => {
            let _ = std::fs::remove_dir_all(&dir);
            return response;
        }
    };
    if stored == 0 {
        let _ = std::fs::remove_dir_all(&dir);
        return message(
            StatusCode::BAD_REQUEST,
            "Inga filer kom fram",
            "Välj en eller flera publicerade filer (CSV, JSON, Excel eller Parquet) och försök igen.",
        );
    }
    start(&desk, &id, &dir, Filters::default())
}

/// The workspace's own year datasets: a new analysis of them.
pub(super) async fn years(State(desk): Shared) -> Response {
    if years_folder(&desk.workspace).is_none() {
        return message(
            StatusCode::BAD_REQUEST,
            "Ingen årsdatamängd är byggd",
            "Bygg en årsdatamängd under Årsdatamängd först, eller ladda upp publicerade filer.",
        );
    }
    let Ok((id, dir)) = new_analysis(&desk.workspace) else {
        return super::disk_full();
    };
    start(&desk, &id, &dir, Filters::default())
}

/// The filters of the page's form.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    kopare: String,
    #[serde(default)]
    ar: String,
    #[serde(default)]
    leverantor: String,
}

/// The analysis again with the filters chosen.
pub(super) async fn filter(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(filters): Form<Filters>,
) -> Response {
    let Some(dir) = analysis_dir(&desk.workspace, &id) else {
        return super::not_found().await;
    };
    start(&desk, &id, &dir, filters)
}

/// Start the analysis of `dir`'s inputs with `filters` as a job.
fn start(desk: &crate::serve::Desk, id: &str, dir: &Path, filters: Filters) -> Response {
    let uploaded = Some(dir.join("input")).filter(|i| i.is_dir());
    let years = years_folder(&desk.workspace);
    let (dir, key) = (dir.to_path_buf(), format!("analyse-{id}"));
    let started = desk.jobs.start(&key, "analyse", move |progress| {
        let inputs = dataset_of(uploaded, years, &dir, progress)?;
        let year = match filters.ar.trim() {
            "" => None,
            text => Some(crate::analyse::check_year(text)?),
        };
        let opts = AnalyseOptions {
            inputs,
            buyer: Some(filters.kopare.trim().to_string()).filter(|b| !b.is_empty()),
            year,
            supplier: Some(filters.leverantor.trim().to_string()).filter(|s| !s.is_empty()),
            progress: progress.clone(),
            ..AnalyseOptions::default()
        };
        let analysis = crate::analyse::run(&opts, &dir.join("out"), true)?;
        let shown = Shown::of(&analysis, &filters);
        let text = serde_json::to_string(&shown).unwrap_or_default();
        std::fs::write(dir.join("desk.json"), text)
            .map_err(|e| crate::Error::io(&dir.join("desk.json"), e))
    });
    match started {
        Ok(()) => Redirect::to(&format!("/analyse/{id}/progress")).into_response(),
        Err(_) => message(
            StatusCode::CONFLICT,
            "Analysen pågår redan",
            "Vänta tills den är klar; sidan visar hur långt den har kommit.",
        ),
    }
}

pub(super) async fn progress(UrlPath(id): UrlPath<String>) -> Response {
    show(&ProgressPage {
        heading: "Analyserar",
        status_url: format!("/analyse/{id}/status"),
        done_url: format!("/analyse/{id}"),
        failed_url: format!("/analyse/{id}"),
        cancel_url: None,
    })
}

pub(super) async fn status(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    match desk.jobs.status(&format!("analyse-{id}")) {
        Some(s) => Json(s).into_response(),
        None => Json(serde_json::json!({"state": "none"})).into_response(),
    }
}

/// What the page shows of an analysis, kept beside it (the tables themselves are in `out/`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Shown {
    /// What was analysed, in words.
    what: String,
    /// Rows and kronor.
    rows: String,
    /// The buyers to choose from: (organisation number, name).
    buyers: Vec<(String, String)>,
    /// The years to choose from.
    years: Vec<i32>,
    /// The filters the analysis ran with.
    kopare: String,
    ar: String,
    leverantor: String,
    /// The largest suppliers (at most 10 per buyer and year, 60 in all).
    largest: Vec<Vec<String>>,
    /// The sums over the direct-procurement limit (at most 30).
    over_limit: Vec<Vec<String>>,
    /// How many rows each table has, with its file and what it holds.
    tables: Vec<(String, String, usize)>,
    /// The supplier followed over time, and its months as a chart.
    followed: String,
    chart: Chart,
}

impl Shown {
    fn of(a: &Analysis, filters: &Filters) -> Shown {
        let t = &a.tables;
        let mut per_group: std::collections::BTreeMap<(String, i32), usize> = Default::default();
        let largest = t
            .largest_suppliers
            .iter()
            .filter(|r| {
                let n = per_group.entry((r.kopare_id.clone(), r.ar)).or_default();
                *n += 1;
                *n <= 10
            })
            .take(60)
            .map(|r| {
                vec![
                    r.kopare.clone(),
                    r.ar.to_string(),
                    r.rang.map_or("–".into(), |n| n.to_string()),
                    r.leverantor.clone(),
                    format!("{} kr", kronor(r.summa)),
                    texts::number(r.fakturor),
                    format!("{} %", crate::analyse::html::share(r.andel_procent)),
                ]
            })
            .collect();
        let over_limit = t
            .over_limit
            .iter()
            .take(30)
            .map(|r| {
                vec![
                    r.kopare.clone(),
                    r.ar.to_string(),
                    r.leverantor.clone(),
                    format!("{} kr", kronor(r.summa)),
                    format!("{} kr", kronor(r.grans_lou)),
                    format!(
                        "{} av {}",
                        texts::number(r.rader_med_avtal),
                        texts::number(r.rader)
                    ),
                ]
            })
            .collect();
        let counts = [
            t.largest_suppliers.len(),
            t.over_limit.len(),
            t.splits.iter().map(|g| g.fakturor.len()).sum(),
            t.duplicates.len(),
            t.over_time.len(),
            t.invoices.len(),
            t.months.len(),
            t.fill.len(),
            t.concentration.len(),
            t.new_suppliers.len(),
        ];
        let tables = TABLE_FILES
            .iter()
            .zip(counts)
            .map(|((file, about), n)| (file.to_string(), about.to_string(), n))
            .collect();
        let followed = t
            .chosen_suppliers
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let months: Vec<(String, rust_decimal::Decimal)> = t
            .over_time
            .iter()
            .rev()
            .take(24)
            .rev()
            .map(|r| (format!("{}-{:02} {}", r.ar, r.manad, r.kopare), r.summa))
            .collect();
        Shown {
            what: if a.dataset.buyers.len() == 1 {
                a.dataset.buyers[0].name.clone()
            } else {
                texts::count_of(a.dataset.buyers.len() as u64, "köpare", "köpare")
            },
            rows: format!(
                "{}, {} kr",
                texts::count_of(a.dataset.rows, "rad", "rader"),
                kronor(a.dataset.amount)
            ),
            buyers: a
                .dataset
                .buyers
                .iter()
                .map(|b| (b.id.clone(), b.name.clone()))
                .collect(),
            years: a.dataset.years.clone(),
            kopare: filters.kopare.clone(),
            ar: filters.ar.clone(),
            leverantor: filters.leverantor.clone(),
            largest,
            over_limit,
            tables,
            chart: chart(&format!("{followed}: de senaste månaderna"), &months),
            followed,
        }
    }
}

fn read_shown(dir: &Path) -> Option<Shown> {
    serde_json::from_str(&std::fs::read_to_string(dir.join("desk.json")).ok()?).ok()
}

#[derive(Template)]
#[template(path = "desk/analyse_result.html")]
struct ResultPage {
    id: String,
    failed: Option<Problem>,
    shown: Option<Shown>,
}

pub(super) async fn result(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(dir) = analysis_dir(&desk.workspace, &id) else {
        return super::not_found().await;
    };
    let failed = desk
        .jobs
        .status(&format!("analyse-{id}"))
        .filter(|s| s.state == "failed")
        .and_then(|s| s.error)
        .map(|e| e.problem);
    show(&ResultPage {
        shown: read_shown(&dir),
        id,
        failed,
    })
}

/// One of the analysis' files, as a download (the report opens from disk: it needs nothing
/// else).
pub(super) async fn file(
    State(desk): Shared,
    UrlPath((id, name)): UrlPath<(String, String)>,
) -> Response {
    let Some(dir) = analysis_dir(&desk.workspace, &id) else {
        return super::not_found().await;
    };
    if !TABLE_FILES.iter().any(|(file, _)| *file == name) {
        return super::not_found().await;
    }
    let Ok(bytes) = std::fs::read(dir.join("out").join(&name)) else {
        return super::not_found().await;
    };
    let kind = match name.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/json",
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
