//! A conversion: starting it, the page that follows it, its status, cancelling it. When it
//! ends, the result page's checks and sums are made once and kept, and after a review decision
//! what the decision changed.

use super::{message, no_run, run_options, show, Shared};
use crate::serve::report::{write_summary, RunReport};
use crate::serve::texts;
use crate::serve::workspace::read_report;
use crate::serve::Desk;
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "desk/progress.html")]
pub(super) struct ProgressPage {
    pub heading: &'static str,
    pub status_url: String,
    pub done_url: String,
    pub failed_url: String,
    pub cancel_url: Option<String>,
}

/// Start converting the run (after a review decision: `decision` says what was decided, and
/// the run's change.json then says what it changed).
pub(super) fn start_run(
    desk: &Arc<Desk>,
    id: &str,
    run: PathBuf,
    decision: Option<String>,
) -> Response {
    let d = desk.clone();
    let key = id.to_string();
    let started = desk.jobs.start(id, "convert", move |progress| {
        let before = read_report(&run.join("out"));
        let _ = std::fs::remove_file(run.join("change.json"));
        let mut opts = run_options(&d.workspace, &run)?;
        opts.progress = progress.clone();
        crate::convert::convert(&opts)?;
        let allow = d
            .workspace
            .policy()
            .map(|p| p.allow.names)
            .unwrap_or_default();
        write_summary(&run, &key, &allow)?;
        if let (Some(decision), Some(before), Some(after)) =
            (decision, before, read_report(&run.join("out")))
        {
            let text = format!("{decision} {}", change_text(&before, &after));
            let path = run.join("change.json");
            let json = serde_json::to_string(&text).unwrap_or_default();
            std::fs::write(&path, json).map_err(|e| crate::error::Error::io(&path, e))?;
        }
        Ok(())
    });
    match started {
        Ok(()) => Redirect::to(&format!("/runs/{id}/progress")).into_response(),
        Err(_) => message(
            StatusCode::CONFLICT,
            "En konvertering pågår redan",
            "Vänta tills den är klar; sidan visar hur långt den har kommit.",
        ),
    }
}

/// What a re-run changed: rows and kronor moved between published and withheld, and the
/// masked rows.
pub(super) fn change_text(before: &RunReport, after: &RunReport) -> String {
    let kr = |s: &str| s.parse::<Decimal>().unwrap_or_default();
    let moved_rows = before.rows.published as i128 - after.rows.published as i128;
    let moved_kr = kr(&before.amount.published) - kr(&after.amount.published);
    let rows = |n: i128| texts::count_of(n.unsigned_abs() as u64, "rad", "rader");
    let kronor = |d: Decimal| crate::serve::charts::kronor(d.abs());
    let moved = match moved_rows.cmp(&0) {
        std::cmp::Ordering::Greater => format!(
            "{} och {} kronor flyttades från publicerade till undantagna.",
            rows(moved_rows),
            kronor(moved_kr)
        ),
        std::cmp::Ordering::Less => format!(
            "{} och {} kronor flyttades från undantagna till publicerade.",
            rows(moved_rows),
            kronor(moved_kr)
        ),
        std::cmp::Ordering::Equal => {
            "Inga rader flyttades mellan publicerade och undantagna.".to_string()
        }
    };
    let (m0, m1) = (before.masked_rows(), after.masked_rows());
    let masked = if m0 == m1 {
        String::new()
    } else {
        format!(
            " Maskerade eller undantagna rader: {} före, {} nu.",
            texts::number(m0),
            texts::number(m1)
        )
    };
    format!("{moved}{masked}")
}

/// What the last review decision changed, if there was one.
pub(super) fn last_change(run: &Path) -> Option<String> {
    let text = std::fs::read_to_string(run.join("change.json")).ok()?;
    serde_json::from_str(&text).ok()
}

pub(super) async fn start_convert(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    start_run(&desk, &id, run, None)
}

pub(super) async fn run_progress(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    if desk.workspace.run_dir(&id).is_none() {
        return no_run();
    }
    show(&ProgressPage {
        heading: "Konverterar",
        status_url: format!("/runs/{id}/status"),
        done_url: format!("/runs/{id}/result"),
        failed_url: format!("/runs/{id}"),
        cancel_url: Some(format!("/runs/{id}/cancel")),
    })
}

pub(super) async fn run_status(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    match desk.jobs.status(&id) {
        Some(s) => Json(s).into_response(),
        None => Json(serde_json::json!({"state": "none"})).into_response(),
    }
}

pub(super) async fn run_cancel(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    desk.jobs.cancel(&id);
    Redirect::to(&format!("/runs/{id}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(published: u64, kr: &str, masked: u64) -> RunReport {
        let mut r = RunReport::default();
        r.rows.published = published;
        r.amount.published = kr.into();
        r.privacy.by_reason.insert(
            "person_name".into(),
            crate::serve::report::ReasonCount {
                rows: masked,
                suppliers: 1,
            },
        );
        r
    }

    #[test]
    fn a_change_says_how_many_rows_and_kronor_moved_and_which_way() {
        let before = report(1611, "12345.50", 3);
        let after = report(1609, "10000.00", 5);
        assert_eq!(
            change_text(&before, &after),
            "2 rader och 2\u{a0}345,50 kronor flyttades från publicerade till undantagna. Maskerade eller undantagna rader: 3 före, 5 nu."
        );
        assert_eq!(
            change_text(&after, &before),
            "2 rader och 2\u{a0}345,50 kronor flyttades från undantagna till publicerade. Maskerade eller undantagna rader: 5 före, 3 nu."
        );
        assert_eq!(
            change_text(&before, &report(1611, "12345.50", 2)),
            "Inga rader flyttades mellan publicerade och undantagna. Maskerade eller undantagna rader: 3 före, 2 nu."
        );
        assert!(change_text(&report(2, "1", 0), &report(1, "0.5", 0))
            .starts_with("1 rad och 0,50 kronor"));
    }
}
