//! The desk's pages and endpoints, one module per page. Each handler gathers what its page
//! needs from the workspace and the library into a typed struct, and its template (in
//! `templates/desk/`) renders it, escaping every value; the work itself is the library's.

mod analyse;
mod download;
mod home;
mod mapping;
mod profile;
mod progress;
mod result;
mod review;
mod run;
mod upload;
mod validate;
mod year;

use super::texts::{Link, Problem};
use super::workspace::Workspace;
use super::{security, Desk};
use crate::convert::{check_period, ConvertOptions};
use crate::error::Result;
use crate::write::Format;
use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use std::path::Path;
use std::sync::Arc;

type Shared = State<Arc<Desk>>;
type Fields = Form<Vec<(String, String)>>;

const STYLE: &str = include_str!("../assets/style.css");
const SCRIPT: &str = include_str!("../assets/app.js");

/// Every route, behind the security rules.
pub(crate) fn router(desk: Arc<Desk>) -> Router {
    let limit = usize::try_from(desk.max_upload).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(home::page))
        .route("/assets/style.css", get(style))
        .route("/assets/app.js", get(script))
        .route("/profile", get(profile::page).post(profile::save))
        .route("/upload", get(upload::page).post(upload::receive))
        .route("/runs/{id}", get(run::page))
        .route("/runs/{id}/settings", post(run::save_settings))
        .route("/runs/{id}/duplicate", get(upload::duplicate))
        .route("/runs/{id}/replace", post(upload::replace))
        .route("/runs/{id}/delete", get(run::delete_page).post(run::delete))
        .route("/runs/{id}/convert", post(progress::start_convert))
        .route("/runs/{id}/progress", get(progress::run_progress))
        .route("/runs/{id}/status", get(progress::run_status))
        .route("/runs/{id}/cancel", post(progress::run_cancel))
        .route("/runs/{id}/result", get(result::page))
        .route("/runs/{id}/review", get(review::page).post(review::decide))
        .route(
            "/runs/{id}/mapping",
            get(mapping::page).post(mapping::submit),
        )
        .route("/runs/{id}/download", get(download::run_zip))
        .route("/validate", get(validate::page).post(validate::upload))
        .route("/year", get(year::page).post(year::build))
        .route("/year/dcat.rdf", get(year::catalogue_file))
        .route("/year/{year}", get(year::result))
        .route("/year/{year}/progress", get(year::progress))
        .route("/year/{year}/status", get(year::status))
        .route("/year/{year}/download", get(download::year_zip))
        .route("/analyse", get(analyse::page).post(analyse::upload))
        .route("/analyse/years", post(analyse::years))
        .route("/analyse/{id}", get(analyse::result).post(analyse::filter))
        .route("/analyse/{id}/progress", get(analyse::progress))
        .route("/analyse/{id}/status", get(analyse::status))
        .route("/analyse/{id}/files/{name}", get(analyse::file))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            security::guard,
        ))
        .with_state(desk)
}

// ---------------------------------------------------------------- helpers

/// Run blocking work off the request threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// A page from its template, with a status.
fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html("<!DOCTYPE html><html lang=\"sv\"><body><h1>Sidan kunde inte visas</h1><p>Gå tillbaka och försök igen.</p></body></html>".to_string()),
        )
            .into_response(),
    }
}

/// A page from its template.
fn show(page: &impl Template) -> Response {
    render(StatusCode::OK, page)
}

/// A page that says one thing (and, for an error, why and what to do).
#[derive(Template)]
#[template(path = "desk/message.html")]
struct MessagePage<'a> {
    title: &'a str,
    text: &'a str,
    problem: Option<Problem>,
    link: Option<Link>,
}

/// A short message page.
fn message(status: StatusCode, title: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            title,
            text,
            problem: None,
            link: None,
        },
    )
}

/// A message page with a button.
fn message_with(status: StatusCode, title: &str, text: &str, link: Link) -> Response {
    render(
        status,
        &MessagePage {
            title,
            text,
            problem: None,
            link: Some(link),
        },
    )
}

/// A page for an error of the library.
fn problem_page(status: StatusCode, title: &str, problem: Problem) -> Response {
    render(
        status,
        &MessagePage {
            title,
            text: "",
            problem: Some(problem),
            link: None,
        },
    )
}

/// A button.
fn link(href: impl Into<String>, label: &str, id: &str) -> Link {
    Link {
        href: href.into(),
        label: label.into(),
        id: id.into(),
    }
}

async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Sidan finns inte",
        "Gå tillbaka till start och välj igen.",
    )
}

fn no_run() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Månaden finns inte",
        "Den uppladdningen finns inte i arbetsmappen (den kan ha tagits bort). Välj en månad på startsidan.",
    )
}

fn disk_full() -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Kunde inte spara",
        "Kontrollera att disken inte är full och försök igen.",
    )
}

/// One value of a form.
fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every value of a form's field of this name.
fn fields_named<'a>(
    fields: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An option of a select, a check box or a radio button.
struct Opt {
    value: String,
    label: String,
    on: bool,
}

impl Opt {
    fn new(value: &str, label: &str, on: bool) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
            on,
        }
    }
}

/// Whether the profile names the buyer (name and organisation number).
fn has_profile(ws: &Workspace) -> bool {
    ws.policy()
        .is_ok_and(|p| p.publisher.buyer_id.is_some() && p.publisher.buyer_name.is_some())
}

/// The options of a run: its inputs and choices, the profile's publisher, as
/// `reskontra convert --policy WORKSPACE/policy.toml -o RUN/out INPUTS` has them.
fn run_options(ws: &Workspace, run: &Path) -> Result<ConvertOptions> {
    let settings = ws.run_settings(run);
    let inputs = Workspace::files_in(&run.join("inputs"));
    let mut opts = ConvertOptions::new(inputs, run.join("out"));
    opts.formats = settings
        .formats
        .iter()
        .filter_map(|f| Format::parse(f))
        .collect();
    if opts.formats.is_empty() {
        opts.formats = vec![Format::Csv, Format::Parquet];
    }
    opts.overrides.period = settings.period.as_deref().map(check_period).transpose()?;
    opts.layout = settings.layout.clone();
    // the same mark `--decimal-mark` gives the command line shown on the result page
    opts.decimal_mark = settings
        .decimal_mark
        .as_deref()
        .and_then(crate::amount::DecimalMark::parse);
    opts.suppliers = Workspace::files_in(&run.join("suppliers"))
        .into_iter()
        .next();
    opts.replace = true;
    opts.use_policy(&ws.policy_path())?;
    Ok(opts)
}

/// The command line that does the same as the desk's conversion of a run.
fn command_line(ws: &Workspace, run: &Path) -> String {
    let settings = ws.run_settings(run);
    let q = |p: &Path| format!("\"{}\"", p.display());
    let mut parts = vec![
        "reskontra convert".to_string(),
        format!("--policy {}", q(&ws.policy_path())),
        format!("-o {}", q(&run.join("out"))),
        format!("--formats {}", settings.formats.join(",")),
    ];
    if let Some(p) = &settings.period {
        parts.push(format!("--period {p}"));
    }
    if let Some(l) = &settings.layout {
        parts.push(format!("--layout {l}"));
    }
    if let Some(m) = &settings.decimal_mark {
        parts.push(format!("--decimal-mark {m}"));
    }
    if let Some(s) = Workspace::files_in(&run.join("suppliers")).first() {
        parts.push(format!("--suppliers {}", q(s)));
    }
    for input in Workspace::files_in(&run.join("inputs")) {
        parts.push(q(&input));
    }
    parts.join(" ")
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_on_a_page_is_escaped() {
        let page = MessagePage {
            title: "<script>alert(1)</script>",
            text: "\"><img src=x onerror=alert(1)> & 'x'",
            problem: Some(Problem {
                title: "<b>".into(),
                advice: "<i>".into(),
                links: vec![link("/x\"><script>", "<u>", "id\"")],
                details: "</pre><script>".into(),
            }),
            link: None,
        };
        let html = page.render().unwrap();
        for raw in [
            "<script>",
            "<img",
            "<b>",
            "<i>",
            "<u>",
            "\"><script",
            "</pre><script",
        ] {
            assert!(!html.contains(raw), "{raw} in {html}");
        }
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{html}"
        );
        assert!(html.contains("Tekniska detaljer"), "{html}");
    }
}
