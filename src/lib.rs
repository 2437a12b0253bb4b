//! reskontra: turn Swedish municipal supplier-ledger exports (leverantörsreskontra) into the
//! national open-data format 1.1, safely, and check published files.
//!
//! The pipeline flows one way, one module per stage:
//! [`read`] → [`table`] → [`map`] → [`normalise`] → [`protect`] → [`write`](mod@write) → [`report`],
//! orchestrated by [`convert`]. [`validate`] checks published files. The parsers
//! ([`amount`], [`date`], [`ident`]) do no I/O.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![warn(missing_docs)]

pub mod amount;
pub mod chars;
#[cfg(feature = "pipeline")]
pub mod convert;
#[cfg(feature = "pipeline")]
pub mod dataset;
pub mod date;
pub mod error;
pub mod ident;
pub mod infer;
pub mod layout;
#[cfg(feature = "pipeline")]
pub mod map;
#[cfg(feature = "pipeline")]
pub mod normalise;
#[cfg(feature = "pipeline")]
pub mod plan;
pub mod progress;
#[cfg(feature = "pipeline")]
pub mod protect;
pub mod read;
#[cfg(feature = "pipeline")]
pub mod report;
#[cfg(feature = "desk")]
pub mod serve;
pub mod spec;
pub mod staging;
pub mod table;
#[cfg(feature = "pipeline")]
pub mod validate;
#[cfg(feature = "pipeline")]
pub mod verify;
#[cfg(feature = "pipeline")]
pub mod write;
#[cfg(feature = "pipeline")]
pub mod xlsx;

pub use error::{Error, Result};
