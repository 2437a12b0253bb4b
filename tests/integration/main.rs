//! Integration tests: one binary, one module per concern.

mod anyexport;
mod browser;
mod common;
mod dataset;
mod desk;
mod errors;
mod exact;
mod fuzz_regressions;
mod golden;
mod loss;
mod outdir;
mod privacy;
mod quirks;
mod sie;
mod validate;
mod xlsx;
