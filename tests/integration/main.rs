//! Integration tests: one binary, one module per concern.

mod common;
mod errors;
mod golden;
mod privacy;
mod quirks;
