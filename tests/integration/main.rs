//! Integration tests: one binary, one module per concern.

// a test: a failed step may stop it with a message (Cargo.toml's [lints] deny this in the library)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyse;
mod anyexport;
mod browser;
mod collect;
mod common;
mod dataset;
mod dcat;
mod defects;
mod desk;
mod errors;
mod exact;
mod fuzz_regressions;
mod golden;
mod layers;
mod loss;
mod outdir;
mod privacy;
#[path = "../publishers/gen.rs"]
mod publishers;
mod quirks;
mod sie;
mod validate;
mod xlsx;
