#![no_main]
//! The workbook reader on arbitrary bytes, as each workbook kind: never panics.
use libfuzzer_sys::fuzz_target;
use reskontra::read::{workbook::read_workbook, ReadOptions};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let name = match data.first().map(|b| b % 3) {
        Some(0) => "fuzz.xlsx",
        Some(1) => "fuzz.xls",
        _ => "fuzz.ods",
    };
    let _ = read_workbook(Path::new(name), data.to_vec(), &ReadOptions::default());
});
