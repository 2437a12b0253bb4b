//! A month's page: how its export is read (the plan: inputs, the layout and why, each spec
//! column's source, the columns left unused), its choices, and deleting it.

use super::{blocking, Shared};
use super::{field, fields_named, has_profile, message, no_run, render, run_options, show, Opt};
use crate::convert::check_period;
use crate::error::Error;
use crate::layout::Layout;
use crate::serve::texts::{self, ErrorKind, Problem};
use crate::serve::workspace::{read_report, RunSettings, Workspace};
use crate::serve::Desk;
use crate::write::Format;
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::path::Path;

#[derive(Template)]
#[template(path = "desk/run.html")]
struct RunPage {
    id: String,
    name: String,
    has_profile: bool,
    failed: Option<Problem>,
    cancelled: bool,
    files: String,
    plan: Result<PlanView, Problem>,
    show_mapping: bool,
    open_settings: bool,
    formats: Vec<Opt>,
    period: String,
    layouts: Vec<Opt>,
    marks: Vec<Opt>,
    converted: bool,
}

/// The plan as the page shows it.
struct PlanView {
    inputs: Vec<InputView>,
    layout: String,
    description: String,
    reason: String,
    columns: Vec<ColumnView>,
    unused: Vec<String>,
    unused_text: String,
    choosing_text: String,
}

struct InputView {
    file: String,
    role: String,
    how: String,
    header_line: String,
}

struct ColumnView {
    label: String,
    source: String,
    missing: bool,
    samples: String,
}

/// The name of a run on its pages: its month, else its file.
pub(super) fn run_name(desk: &Desk, id: &str) -> String {
    desk.workspace
        .runs()
        .into_iter()
        .find(|r| r.id == id)
        .map_or_else(|| "Månaden".to_string(), |r| r.name())
}

/// What a file's first bytes say it is, when that is a kind the readers would only misread:
/// a PDF, or a workbook's name on something that is not a workbook.
fn sniff(path: &Path) -> Option<(ErrorKind, String)> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    let head = &head[..n];
    let name = crate::read::file_name(path);
    if head.starts_with(b"%PDF") {
        return Some((ErrorKind::Pdf, format!("{name}: a PDF document (%PDF)")));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let zipped = ["xlsx", "xlsm", "xlsb", "ods"].contains(&ext.as_str());
    if zipped && n > 0 && !head.starts_with(b"PK") {
        return Some((
            ErrorKind::NotATable,
            format!(
                "{name}: named .{ext} but not a zip container (the form of an .{ext} workbook)"
            ),
        ));
    }
    None
}

/// The problem of a file whose kind the first bytes give away.
pub(super) fn sniffed_problem(run: &Path, id: &str) -> Option<Problem> {
    Workspace::files_in(&run.join("inputs"))
        .iter()
        .find_map(|p| sniff(p))
        .map(|(kind, details)| {
            let mut p = texts::problem_of_kind(kind, &Error::Internal(String::new()), Some(id));
            p.details = details;
            p
        })
}

/// The main export's columns the layout reads to choose rows (a status kept, a secrecy flag),
/// not to fill a spec column.
fn row_choosing_columns(layout: &Layout, plan: &crate::plan::Plan) -> Vec<String> {
    let Some(main) = plan.inputs.iter().find(|i| i.role == "main") else {
        return Vec::new();
    };
    let names = layout
        .filter
        .iter()
        .map(|f| &f.names)
        .chain(layout.secrecy.iter().map(|s| &s.names));
    names
        .filter_map(|n| crate::layout::find_column(&main.header, n))
        .filter_map(|i| main.header.get(i))
        .map(|h| h.trim().to_string())
        .collect()
}

fn plan_view(plan: &crate::plan::Plan, choosing: &[String]) -> PlanView {
    let inputs = plan
        .inputs
        .iter()
        .map(|i| {
            let f = &i.format;
            let mut how = vec![texts::format_text(&f.kind).to_string()];
            if let Some(e) = &f.encoding {
                how.push(format!(
                    "teckenkodning {e}{}",
                    if f.bom { " (med BOM)" } else { "" }
                ));
            }
            if let Some(d) = &f.delimiter {
                how.push(format!("avgränsare {d}"));
            }
            if let Some(s) = &f.sheet {
                how.push(format!("blad {s}"));
            }
            InputView {
                file: i.file.clone(),
                role: if i.role == "main" {
                    "export".into()
                } else {
                    i.role.replace("lookup:", "uppslagstabell ")
                },
                how: how.join(", "),
                header_line: if i.header_line == 0 {
                    "skapas av läsaren".into()
                } else {
                    i.header_line.to_string()
                },
            }
        })
        .collect();
    let columns = plan
        .columns
        .iter()
        .map(|c| ColumnView {
            label: texts::column_label(c.column).into(),
            source: texts::source_text(&c.source),
            missing: c.mandatory && !c.filled,
            samples: c.samples.join(" · "),
        })
        .collect();
    let unused: Vec<String> = unused_columns(plan)
        .into_iter()
        .filter(|c| !choosing.contains(c))
        .collect();
    PlanView {
        inputs,
        layout: texts::layout_title(&plan.layout),
        description: texts::layout_text(&plan.layout).into(),
        reason: texts::layout_reason_text(&plan.reason, plan.inferred),
        columns,
        unused_text: unused.join(", "),
        unused,
        choosing_text: choosing.join(", "),
    }
}

/// The main export's columns no spec column takes its values from (by their quoted names in
/// the sources).
pub(super) fn unused_columns(plan: &crate::plan::Plan) -> Vec<String> {
    let Some(main) = plan.inputs.iter().find(|i| i.role == "main") else {
        return Vec::new();
    };
    if main.header_line == 0 {
        return Vec::new();
    }
    let sources: Vec<&str> = plan.columns.iter().map(|c| c.source.as_str()).collect();
    main.header
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .filter(|h| !sources.iter().any(|s| s.contains(&format!("'{h}'"))))
        .map(str::to_string)
        .collect()
}

pub(super) async fn page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let status = desk.jobs.status(&id);
    if status.as_ref().is_some_and(|s| s.state == "running") {
        return Redirect::to(&format!("/runs/{id}/progress")).into_response();
    }
    let d = desk.clone();
    let run2 = run.clone();
    let planned = blocking(move || {
        let opts = run_options(&d.workspace, &run2)?;
        crate::plan::plan(&opts).map(|p| {
            let choosing = row_choosing_columns(&p.assignment.layout, &p.plan);
            (p.plan, choosing)
        })
    })
    .await;
    let plan = match (&planned, sniffed_problem(&run, &id)) {
        (_, Some(problem)) => Err(problem),
        (Ok((plan, choosing)), None) => Ok(plan_view(plan, choosing)),
        (Err(e), None) => Err(texts::problem(e, Some(&id))),
    };
    let mapping_helps = |p: &Problem| p.links.iter().any(|l| l.id == "fix-mapping");
    let show_mapping = plan.as_ref().err().is_some_and(mapping_helps);
    let plan = plan.map_err(|mut p| {
        // the page's own button below opens the editor
        p.links.retain(|l| l.id != "fix-mapping");
        p
    });
    let failed = status.and_then(|s| s.error).map(|e| e.problem);
    // a cancelled conversion is no failure: the page says so plainly
    let cancelled = failed
        .as_ref()
        .is_some_and(|p| p.title == ErrorKind::Cancelled.text().0);
    let failed = failed.filter(|_| !cancelled);
    let open_settings = [&failed, &plan.as_ref().err().cloned()].iter().any(|p| {
        p.as_ref()
            .is_some_and(|p| p.links.iter().any(|l| l.id == "fix-settings"))
    });
    let settings = desk.workspace.run_settings(&run);
    let (formats, layouts, marks) = settings_options(&desk, &settings);
    show(&RunPage {
        name: run_name(&desk, &id),
        has_profile: has_profile(&desk.workspace),
        failed,
        cancelled,
        files: Workspace::files_in(&run.join("inputs"))
            .iter()
            .map(|p| crate::read::file_name(p))
            .collect::<Vec<_>>()
            .join(", "),
        plan,
        show_mapping,
        open_settings,
        formats,
        period: settings.period.clone().unwrap_or_default(),
        layouts,
        marks,
        converted: read_report(&run.join("out")).is_some(),
        id,
    })
}

fn settings_options(desk: &Desk, s: &RunSettings) -> (Vec<Opt>, Vec<Opt>, Vec<Opt>) {
    let formats = [
        ("csv", "CSV"),
        ("parquet", "Parquet"),
        ("json", "JSON"),
        ("xlsx", "Excel"),
    ]
    .iter()
    .map(|(f, label)| Opt::new(f, label, s.formats.iter().any(|x| x == f)))
    .collect();
    let mut layouts = vec![Opt::new("", "känns igen automatiskt", s.layout.is_none())];
    let mut all = Layout::builtin();
    all.extend(Layout::from_dir(&desk.workspace.layouts_dir()).unwrap_or_default());
    for l in all {
        let on = s.layout.as_deref() == Some(l.name.as_str());
        layouts.push(Opt::new(&l.name, &texts::layout_title(&l.name), on));
    }
    let marks = [
        ("", "som mappningen säger"),
        ("auto", "avgör per fil"),
        ("comma", "komma"),
        ("point", "punkt"),
    ]
    .iter()
    .map(|(v, label)| Opt::new(v, label, s.decimal_mark.as_deref().unwrap_or("") == *v))
    .collect();
    (formats, layouts, marks)
}

pub(super) async fn save_settings(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): super::Fields,
) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let formats: Vec<String> = fields_named(&fields, "format")
        .filter(|f| Format::parse(f).is_some())
        .map(str::to_string)
        .collect();
    let period = field(&fields, "period")
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(p) = period {
        if check_period(p).is_err() {
            return super::message_with(
                StatusCode::BAD_REQUEST,
                "Fel månad",
                "Skriv månaden som ÅÅÅÅ-MM, till exempel 2024-05.",
                super::link(
                    format!("/runs/{id}#settings"),
                    "Tillbaka till valen",
                    "back",
                ),
            );
        }
    }
    let settings = RunSettings {
        formats: if formats.is_empty() {
            RunSettings::default().formats
        } else {
            formats
        },
        period: period.map(str::to_string),
        layout: field(&fields, "layout")
            .filter(|l| !l.is_empty())
            .map(str::to_string),
        decimal_mark: field(&fields, "decimal_mark")
            .filter(|m| ["auto", "comma", "point"].contains(m))
            .map(str::to_string),
    };
    match desk.workspace.save_run_settings(&run, &settings) {
        Ok(()) => Redirect::to(&format!("/runs/{id}")).into_response(),
        Err(_) => super::disk_full(),
    }
}

#[derive(Template)]
#[template(path = "desk/delete.html")]
struct DeletePage {
    id: String,
    name: String,
    files: String,
}

pub(super) async fn delete_page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    show(&DeletePage {
        name: run_name(&desk, &id),
        files: Workspace::files_in(&run.join("inputs"))
            .iter()
            .map(|p| crate::read::file_name(p))
            .collect::<Vec<_>>()
            .join(", "),
        id,
    })
}

pub(super) async fn delete(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    if desk.jobs.status(&id).is_some_and(|s| s.state == "running") {
        return message(
            StatusCode::CONFLICT,
            "Månaden konverteras just nu",
            "Vänta tills konverteringen är klar, eller avbryt den, och försök igen.",
        );
    }
    match desk.workspace.delete_run(&id) {
        Ok(true) => Redirect::to("/").into_response(),
        Ok(false) => no_run(),
        Err(_) => render(
            StatusCode::INTERNAL_SERVER_ERROR,
            &super::MessagePage {
                title: "Kunde inte ta bort",
                text: "Någon fil i månadens mapp är öppen i ett annat program. Stäng det och försök igen.",
                problem: None,
                link: None,
            },
        ),
    }
}
