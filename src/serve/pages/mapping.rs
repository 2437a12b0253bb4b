//! The mapping editor: for each spec column, where its value is in the export (a column, the
//! code or the text of a composite column, one value on every row, the month). It shows the
//! export's columns left unused, previews the first rows as they will be published, and saves
//! the mapping as a layout of the workspace under the name as written (its file name folded).

use super::{blocking, field, no_run, show, Shared};
use crate::error::{Error, Result};
use crate::infer::Choice;
use crate::layout::SplitPart;
use crate::serve::texts::{self, Problem};
use crate::serve::workspace::Workspace;
use crate::serve::Desk;
use crate::write::Format;
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::path::{Path, PathBuf};

#[derive(Template)]
#[template(path = "desk/mapping.html")]
struct MappingPage {
    id: String,
    model: std::result::Result<EditorModel, Problem>,
    notice: Option<String>,
    rows: Vec<EditorRow>,
    unused: String,
    name: String,
    preview: Option<std::result::Result<Preview, Problem>>,
}

/// What the editor knows of the export.
struct EditorModel {
    /// A note on what the editor cannot change.
    note: Option<String>,
    header: Vec<String>,
    samples: Vec<Vec<String>>,
    /// Whether each column holds composite cells (`46362 Köp material`).
    composite: Vec<bool>,
    rules: std::collections::BTreeMap<String, crate::layout::ColumnRule>,
    file: String,
}

/// One spec column's line of the editor.
struct EditorRow {
    column: &'static str,
    label: &'static str,
    mandatory: bool,
    options: Vec<super::Opt>,
    constant: String,
}

/// The first rows as they will be published.
struct Preview {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    summary: String,
}

fn editor_model(ws: &Workspace, run: &Path) -> Result<EditorModel> {
    let inputs = Workspace::files_in(&run.join("inputs"));
    let first = inputs
        .first()
        .ok_or_else(|| Error::Usage("the run has no export".into()))?;
    let policy = ws.policy().unwrap_or_default();
    // the layout the run would use, when one is found: the editor starts from its mapping
    let planned = super::run_options(ws, run)
        .and_then(|opts| crate::plan::plan(&opts))
        .ok();
    let (rows, header_index, header, rules, note) = match planned {
        Some(p) => {
            let layout = p.assignment.layout;
            let (table, index) = p
                .assignment
                .main
                .into_iter()
                .next()
                .ok_or_else(|| Error::Usage("the run has no export".into()))?;
            let header = table.rows[index]
                .cells
                .iter()
                .map(|c| c.trim().to_string())
                .collect();
            let note = (!layout.lookup.is_empty() || layout.sie.is_some()).then(|| {
                format!(
                    "Exporten läses med den inbyggda mappningen {}, som använder uppslagstabeller eller SIE-konton. Den kan inte ändras här; spara en egen mappning bara om exporten är en enda tabell.",
                    layout.name
                )
            });
            (table.rows, index, header, layout.columns, note)
        }
        None => {
            let table = crate::read::read_table_head(
                first,
                &crate::read::ReadOptions::default(),
                crate::convert::HEAD_ROWS,
            )?;
            let s = crate::infer::suggest(&table.rows, crate::infer::Synonyms::builtin())
                .ok_or_else(|| {
                    Error::input(
                        first,
                        "no row of the first 50 has two or more cells: this is not a table",
                    )
                })?;
            (table.rows, s.header_index, s.header, s.rules, None)
        }
    };
    let header: Vec<String> = header;
    let composite = (0..header.len())
        .map(|i| crate::infer::is_composite_account(&rows, header_index, i))
        .collect();
    let samples = rows
        .iter()
        .skip(header_index + 1)
        .filter(|r| !r.is_blank())
        .take(3)
        .map(|r| {
            r.cells
                .iter()
                .map(|c| {
                    // the editor cannot know the name column yet: a person-shaped cell is masked
                    if crate::protect::is_person_shaped(c) {
                        policy.person_marker.clone()
                    } else {
                        crate::plan::mask_numbers(c.trim(), &policy.number_marker)
                    }
                })
                .collect()
        })
        .collect();
    Ok(EditorModel {
        header,
        samples,
        composite,
        rules,
        file: crate::read::file_name(first),
        note,
    })
}

/// The editor's choice for a column, as its select's value: `col:I`, `code:I`, `text:I`,
/// `const`, `period` or empty.
fn choice_value(rule: Option<&crate::layout::ColumnRule>, header: &[String]) -> (String, String) {
    let Some(rule) = rule else {
        return (String::new(), String::new());
    };
    if let Some(c) = &rule.constant {
        return ("const".into(), c.clone());
    }
    if let Some(i) = crate::layout::find_column(header, &rule.names) {
        let v = match rule.split {
            Some(SplitPart::Code) => format!("code:{i}"),
            Some(SplitPart::Text) => format!("text:{i}"),
            None => format!("col:{i}"),
        };
        return (v, String::new());
    }
    if rule.from_period {
        return ("period".into(), String::new());
    }
    (String::new(), String::new())
}

fn parse_choice(value: &str, constant: &str) -> Choice {
    let index = |s: &str| s.parse::<usize>().ok();
    match value.split_once(':') {
        Some(("col", i)) => index(i).map_or(Choice::Nothing, Choice::Column),
        Some(("code", i)) => {
            index(i).map_or(Choice::Nothing, |i| Choice::Split(i, SplitPart::Code))
        }
        Some(("text", i)) => {
            index(i).map_or(Choice::Nothing, |i| Choice::Split(i, SplitPart::Text))
        }
        _ if value == "const" => Choice::Constant(constant.to_string()),
        _ if value == "period" => Choice::Period,
        _ => Choice::Nothing,
    }
}

/// The options of one spec column's select: each export column once (a composite column's
/// code and text as well), a constant, and for datum the month.
fn options_for(column: &str, model: &EditorModel, value: &str) -> Vec<super::Opt> {
    let mut options = vec![super::Opt::new("", "(ingen)", value.is_empty())];
    for (i, h) in model.header.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        let sample: String = model
            .samples
            .first()
            .and_then(|r| r.get(i))
            .map(|s| s.chars().take(24).collect())
            .unwrap_or_default();
        let example = if sample.is_empty() {
            String::new()
        } else {
            format!(" (t.ex. {sample})")
        };
        let col = format!("col:{i}");
        options.push(super::Opt::new(
            &col,
            &format!("{h}{example}"),
            col == value,
        ));
        if model.composite.get(i).copied().unwrap_or(false) {
            for (prefix, label) in [("code", "koden i början"), ("text", "texten efter koden")] {
                let v = format!("{prefix}:{i}");
                options.push(super::Opt::new(&v, &format!("{h} – {label}"), v == value));
            }
        }
    }
    options.push(super::Opt::new(
        "const",
        "samma värde på varje rad…",
        value == "const",
    ));
    if column == "datum" {
        options.push(super::Opt::new(
            "period",
            "första dagen i månaden",
            value == "period",
        ));
    }
    options
}

/// The editor's lines and the export's columns no choice takes.
fn editor_rows(
    model: &EditorModel,
    chosen: &dyn Fn(&str) -> (String, String),
) -> (Vec<EditorRow>, String) {
    let mut used = vec![false; model.header.len()];
    let rows = crate::spec::COLUMNS
        .iter()
        .map(|column| {
            let (value, constant) = chosen(column);
            if let Some((_, i)) = value.split_once(':') {
                if let Some(u) = i.parse::<usize>().ok().and_then(|i| used.get_mut(i)) {
                    *u = true;
                }
            }
            EditorRow {
                column,
                label: texts::column_label(column),
                mandatory: crate::spec::is_mandatory(column),
                options: options_for(column, model, &value),
                constant,
            }
        })
        .collect();
    let unused: Vec<&str> = model
        .header
        .iter()
        .zip(&used)
        .filter(|(h, u)| !h.is_empty() && !**u)
        .map(|(h, _)| h.as_str())
        .collect();
    (rows, unused.join(", "))
}

fn editor_page(
    id: &str,
    model: Result<EditorModel>,
    chosen: &dyn Fn(&str) -> (String, String),
    name: &str,
    notice: Option<String>,
    preview: Option<std::result::Result<Preview, Problem>>,
) -> MappingPage {
    let (rows, unused) = match &model {
        Ok(m) => editor_rows(m, chosen),
        Err(_) => (Vec::new(), String::new()),
    };
    MappingPage {
        id: id.into(),
        model: model.map_err(|e| {
            let mut p = texts::problem(&e, Some(id));
            // this page is the editor: no button to itself
            p.links.retain(|l| l.id != "fix-mapping");
            p
        }),
        notice,
        rows,
        unused,
        name: name.into(),
        preview,
    }
}

pub(super) async fn page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    if let Some(mut problem) = super::run::sniffed_problem(&run, &id) {
        // a PDF or a false workbook: nothing to map
        problem.links.retain(|l| l.id != "fix-mapping");
        return show(&MappingPage {
            id,
            model: Err(problem),
            notice: None,
            rows: Vec::new(),
            unused: String::new(),
            name: String::new(),
            preview: None,
        });
    }
    let d = desk.clone();
    let model = blocking(move || editor_model(&d.workspace, &run)).await;
    let (name, rules, header) = match &model {
        Ok(m) => {
            let stem = m.file.rsplit_once('.').map_or(m.file.as_str(), |(s, _)| s);
            (stem.to_string(), m.rules.clone(), m.header.clone())
        }
        Err(_) => (String::new(), Default::default(), Vec::new()),
    };
    let chosen = |c: &str| choice_value(rules.get(c), &header);
    show(&editor_page(&id, model, &chosen, &name, None, None))
}

pub(super) async fn submit(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): super::Fields,
) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let d = desk.clone();
    let r = run.clone();
    let model = match blocking(move || editor_model(&d.workspace, &r)).await {
        Ok(m) => m,
        Err(e) => {
            return super::problem_page(
                axum::http::StatusCode::BAD_REQUEST,
                "Kolumnmappning",
                texts::problem(&e, Some(&id)),
            )
        }
    };
    let name = layout_name(&fields);
    let chosen = |c: &str| {
        let v = field(&fields, &format!("src_{c}"))
            .unwrap_or("")
            .to_string();
        let k = field(&fields, &format!("const_{c}"))
            .unwrap_or("")
            .to_string();
        (v, k)
    };
    let text = match drafted_layout(&desk, &model, &fields, &name) {
        Ok(text) => text,
        Err(notice) => {
            return show(&editor_page(
                &id,
                Ok(model),
                &chosen,
                &name,
                Some(notice),
                None,
            ))
        }
    };
    if field(&fields, "action") == Some("save") {
        return save_mapping(&desk, &run, &id, &name, &text);
    }
    let d = desk.clone();
    let preview = blocking(move || preview_rows(&d.workspace, &run, &text))
        .await
        .map_err(|e| texts::problem(&e, Some(&id)));
    show(&editor_page(
        &id,
        Ok(model),
        &chosen,
        &name,
        None,
        Some(preview),
    ))
}

/// The name the mapping is saved under: as typed (a default when none is typed).
fn layout_name(fields: &[(String, String)]) -> String {
    let typed = field(fields, "layout_name").unwrap_or("").trim();
    if typed.is_empty() {
        "Min export".into()
    } else {
        typed.chars().filter(|c| !c.is_control()).take(80).collect()
    }
}

/// The layout file the editor's choices make, or the notice saying why there is none: a
/// choice the layout cannot use, or a mandatory column without a source (the buyer may come
/// from the profile, the supplier's id may be missing).
fn drafted_layout(
    desk: &Desk,
    model: &EditorModel,
    fields: &[(String, String)],
    name: &str,
) -> std::result::Result<String, String> {
    let choices: Vec<(String, Choice)> = crate::spec::COLUMNS
        .iter()
        .map(|c| {
            let v = field(fields, &format!("src_{c}")).unwrap_or("");
            let k = field(fields, &format!("const_{c}")).unwrap_or("");
            (c.to_string(), parse_choice(v, k))
        })
        .collect();
    let policy = desk.workspace.policy().unwrap_or_default();
    let from_profile = |c: &str| match c {
        "kopare_id" => policy.publisher.buyer_id.is_some(),
        "kopare" => policy.publisher.buyer_name.is_some(),
        _ => false,
    };
    let missing: Vec<&str> = crate::spec::COLUMNS
        .iter()
        .zip(&choices)
        .filter(|(c, (_, ch))| {
            crate::spec::is_mandatory(c)
                && *ch == Choice::Nothing
                && !from_profile(c)
                && **c != "leverantor_id"
        })
        .map(|(c, _)| texts::column_label(c))
        .collect();
    let description = format!("Sparad i skrivbordet från {}", model.file);
    let built = crate::infer::layout_from_choices(name, &description, &model.header, &choices);
    match (built, missing.is_empty()) {
        (Err(_), _) => Err("Mappningen går inte att använda: välj minst en kolumn ur exporten, och bara kolumner som har ett namn.".into()),
        (Ok(_), false) => Err(format!("Välj en källa för: {}.", missing.join(", "))),
        (Ok((_, text)), true) => Ok(text),
    }
}

/// Save the mapping as a layout of the workspace (and name the layouts folder in the profile,
/// or the saved layout is never detected); the run then detects it again.
fn save_mapping(desk: &Desk, run: &Path, id: &str, name: &str, text: &str) -> Response {
    let named = desk.workspace.update_policy(|p| {
        if p.publisher.layouts.is_none() {
            p.publisher.layouts = Some(PathBuf::from("layouts"));
        }
        Ok(())
    });
    match named.and_then(|()| desk.workspace.save_layout(name, text)) {
        Ok(_) => {
            let mut settings = desk.workspace.run_settings(run);
            settings.layout = None;
            let _ = desk.workspace.save_run_settings(run, &settings);
            Redirect::to(&format!("/runs/{id}")).into_response()
        }
        Err(_) => super::disk_full(),
    }
}

/// Convert the run with a draft layout into a scratch folder: the published header, first
/// rows and the reconciliation line.
fn preview_rows(ws: &Workspace, run: &Path, layout_text: &str) -> Result<Preview> {
    let scratch = tempfile::tempdir().map_err(|e| Error::io(Path::new("temp"), e))?;
    let layout_path = scratch.path().join("draft.toml");
    std::fs::write(&layout_path, layout_text).map_err(|e| Error::io(&layout_path, e))?;
    let mut opts = super::run_options(ws, run)?;
    opts.out = scratch.path().join("out");
    opts.layout = Some(layout_path.display().to_string());
    opts.formats = vec![Format::Csv];
    let report = crate::convert::convert(&opts)?;
    let csv = report
        .outputs
        .iter()
        .find(|o| o.published && o.path.ends_with(".csv"))
        .map(|o| opts.out.join(&o.path))
        .ok_or_else(|| Error::Internal("no CSV was written".into()))?;
    let mut reader = csv::Reader::from_path(&csv).map_err(|e| Error::input(&csv, e.to_string()))?;
    let head = reader
        .headers()
        .map_err(|e| Error::input(&csv, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .filter_map(|r| r.ok())
        .take(10)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    let r = &report.rows;
    let summary = format!(
        "{} inlästa: {} publiceras, {} undantas, {} avvisas.",
        texts::count_of(r.read, "rad", "rader"),
        texts::number(r.published),
        texts::number(r.withheld),
        texts::number(r.rejected)
    );
    Ok(Preview {
        head,
        rows,
        summary,
    })
}
