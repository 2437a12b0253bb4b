//! A converted month's result: the reconciliation, what to know, the downloads, the check
//! against the spec and the month's sums (both made once when the conversion ended).

use super::upload::{same_month, Other};
use super::{command_line, message, no_run, show, Shared};
use crate::serve::charts::{self, Chart};
use crate::serve::report::{read_summary, write_summary, FileCheck};
use crate::serve::texts::{self, Problem};
use crate::serve::workspace::read_report;
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "desk/result.html")]
struct ResultPage {
    id: String,
    name: String,
    change: Option<String>,
    same_month: Vec<Other>,
    rows: Vec<String>,
    kronor: Vec<String>,
    allowed: Vec<String>,
    warnings: Vec<String>,
    unknown_warnings: Vec<String>,
    masked: String,
    checks: Result<Vec<FileCheck>, Problem>,
    charts: Vec<Chart>,
    command: String,
}

pub(super) async fn page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let out = run.join("out");
    let Some(report) = read_report(&out) else {
        if let Some(crate::serve::jobs::JobStatus { error: Some(_), .. }) = desk.jobs.status(&id) {
            return Redirect::to(&format!("/runs/{id}")).into_response();
        }
        return message(
            StatusCode::NOT_FOUND,
            "Inte konverterad ännu",
            "Konvertera månaden först: öppna den på startsidan och tryck Konvertera.",
        );
    };
    let summary = match read_summary(&run) {
        Some(s) => s,
        None => {
            // converted before summaries were kept: make it once now
            let (r, i) = (run.clone(), id.clone());
            let allow = desk
                .workspace
                .policy()
                .map(|p| p.allow.names)
                .unwrap_or_default();
            let _ = super::blocking(move || write_summary(&r, &i, &allow)).await;
            match read_summary(&run) {
                Some(s) => s,
                None => return super::disk_full(),
            }
        }
    };
    let n = |v: u64| texts::number(v);
    let kr = |s: &str| {
        s.parse::<rust_decimal::Decimal>()
            .map(charts::kronor)
            .unwrap_or_default()
    };
    let (mut warnings, mut unknown_warnings) = (Vec::new(), Vec::new());
    for w in &report.warnings {
        match texts::warning_text(w) {
            Some(text) => warnings.push(text),
            None => {
                warnings.push(
                    "En sak till att känna till; den står i de tekniska detaljerna nedan.".into(),
                );
                unknown_warnings.push(w.clone());
            }
        }
    }
    let r = &report.rows;
    let a = &report.amount;
    show(&ResultPage {
        name: super::run::run_name(&desk, &id),
        change: super::progress::last_change(&run),
        same_month: same_month(&desk, &id).iter().map(Other::of).collect(),
        rows: vec![n(r.read), n(r.published), n(r.withheld), n(r.rejected)],
        kronor: vec![
            kr(&a.read),
            kr(&a.published),
            kr(&a.withheld),
            kr(&a.rejected),
        ],
        allowed: summary.allowed,
        warnings,
        unknown_warnings,
        masked: texts::count_of(report.masked_rows(), "rad", "rader"),
        checks: summary.checks,
        charts: summary.charts,
        command: command_line(&desk.workspace, &run),
        id,
    })
}
