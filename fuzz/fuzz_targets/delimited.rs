#![no_main]
//! The delimited reader on arbitrary bytes: never panics; rows come in line order.
use libfuzzer_sys::fuzz_target;
use reskontra::read::{delimited::read_delimited, ReadOptions};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = read_delimited(Path::new("fuzz.csv"), data, &ReadOptions::default()) {
        assert!(table.rows.windows(2).all(|w| w[0].line <= w[1].line));
    }
});
