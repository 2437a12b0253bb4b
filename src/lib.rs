//! reskontra: turn Swedish municipal supplier-ledger exports (leverantörsreskontra) into the
//! national open-data format 1.1, safely, and check published files.
//!
//! The pipeline flows one way, one module per stage:
//! [`read`] → [`table`] → [`map`] → [`normalise`] → [`protect`] → [`write`](mod@write) → [`report`],
//! orchestrated by [`convert`]. [`validate`] checks published files. The parsers
//! ([`amount`], [`date`], [`ident`]) do no I/O.
//!
//! # A conversion: plan, then run
//!
//! [`plan::plan`] checks the options, reads the head of every input, detects (or loads) the
//! layout and describes which source fills each spec column: a [`plan::Plan`] that can be
//! printed (`reskontra detect`), serialised and shown (the desk's upload page). Then
//! [`convert::run`] executes it: the batches flow read → map → normalise → protect → write
//! into a staging folder, the totals are reconciled into a [`convert::Outcome`], and the
//! report is built from it; only then is anything moved into the output folder.
//! [`convert::convert`] is the two in one. A [`progress::Progress`] tells the caller how the
//! run advances and lets it cancel.
//!
//! ```no_run
//! # #[cfg(feature = "pipeline")]
//! # fn main() -> reskontra::Result<()> {
//! use reskontra::convert::{plan, run, ConvertOptions};
//! use std::path::{Path, PathBuf};
//!
//! let mut opts = ConvertOptions::new(vec![PathBuf::from("export-2024-05.csv")], PathBuf::from("out"));
//! opts.use_policy(Path::new("policy.toml"))?;
//! let planned = plan(&opts)?;
//! for column in &planned.plan.columns {
//!     println!("{:<20} <- {}", column.column, column.source);
//! }
//! let report = run(planned, &opts)?;
//! println!("{}", report.summary());
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "pipeline"))]
//! # fn main() {}
//! ```
//!
//! # Layers
//!
//! The modules form four layers. A module imports only from its own layer and the layers
//! below it, and the imports have no cycle:
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | 1 leaf | [`amount`], `batch`, [`chars`], [`date`], [`error`], [`ident`], [`names`], [`paths`], [`progress`], `rdf`, [`republish`], [`rules`], [`spec`], [`staging`], [`workers`] | the spec's vocabulary and its rules, the parsers of amounts, dates and identity numbers, the columns of a batch, progress, the worker threads; no module of the crate above them |
//! | 2 readers | [`infer`], [`layout`], [`read`], [`table`] | reading an export: its encoding and format, its header, its layout |
//! | 3 stages | `dcat`, [`map`], [`normalise`], [`protect`], `report`, `scan`, `texts`, `write`, `xlsx` | one batch through the pipeline, the published files and the privacy scan of them, the catalogue of a publication |
//! | 4 commands | `analyse`, `collect`, `convert`, `dataset`, `plan`, `serve`, `validate`, `verify` | what the binary's commands run, each over the layers below |
//!
//! The binary (`src/main.rs`) sits on top: it owns the command line (clap), the progress bar
//! (indicatif) and the allocator. A new module goes into the lowest layer whose modules it
//! needs; if it needs one above its own, the shared item moves down instead.
//!
//! To check: `cargo test --test integration layers`. The test (`tests/integration/layers.rs`)
//! reads every `src/**/*.rs` for `crate::` paths (comments left out), builds the graph of
//! top-level modules, and fails on a module without a layer, an import upward, a cycle, or a
//! difference between its layer table and this one.
//!
//! # Checking published files
//!
//! The rules a published file's rows are checked by are [`rules::RULES`]; `validate` reports
//! each finding under its rule's key:
//!
//! ```no_run
//! # #[cfg(feature = "pipeline")]
//! # fn main() -> reskontra::Result<()> {
//! use reskontra::validate::{files_to_validate, validate_files, Severity};
//! use std::path::PathBuf;
//!
//! let files = files_to_validate(&[PathBuf::from("out")])?;
//! let outcome = validate_files(&files)?;
//! for file in &outcome.files {
//!     for finding in file.findings.iter().filter(|f| f.severity == Severity::Error) {
//!         println!("{}: {} [{}]", file.file.display(), finding.message, finding.check);
//!     }
//! }
//! std::process::exit(i32::from(outcome.exit_code()));
//! # }
//! # #[cfg(not(feature = "pipeline"))]
//! # fn main() {}
//! ```

// the lints (no unwrap, expect or panic; documented public items) are Cargo.toml's [lints]

pub mod amount;
#[cfg(feature = "pipeline")]
pub mod analyse;
#[cfg(feature = "pipeline")]
pub mod batch;
pub mod chars;
#[cfg(feature = "pipeline")]
pub mod collect;
#[cfg(feature = "pipeline")]
pub mod convert;
#[cfg(feature = "pipeline")]
pub mod dataset;
pub mod date;
#[cfg(feature = "pipeline")]
pub mod dcat;
pub mod error;
pub mod ident;
pub mod infer;
pub mod layout;
#[cfg(feature = "pipeline")]
pub mod map;
pub mod names;
#[cfg(feature = "pipeline")]
pub mod normalise;
pub mod paths;
#[cfg(feature = "pipeline")]
pub mod plan;
pub mod progress;
#[cfg(feature = "pipeline")]
pub mod protect;
#[cfg(feature = "pipeline")]
pub mod rdf;
pub mod read;
#[cfg(feature = "pipeline")]
pub mod report;
pub mod republish;
pub mod rules;
#[cfg(feature = "pipeline")]
pub mod scan;
#[cfg(feature = "desk")]
pub mod serve;
pub mod spec;
pub mod staging;
pub mod table;
#[cfg(feature = "pipeline")]
pub mod texts;
#[cfg(feature = "pipeline")]
pub mod validate;
#[cfg(feature = "pipeline")]
pub mod verify;
pub mod workers;
#[cfg(feature = "pipeline")]
pub mod write;
#[cfg(feature = "pipeline")]
pub mod xlsx;

pub use error::{Error, Result};
