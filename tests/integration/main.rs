//! Integration tests: one binary, one module per concern.

mod anyexport;
mod common;
mod dataset;
mod errors;
mod exact;
mod fuzz_regressions;
mod golden;
mod layers;
mod loss;
mod outdir;
mod privacy;
mod quirks;
mod sie;
mod validate;
mod xlsx;
