#![no_main]
//! The SIE reader on arbitrary bytes: never panics.
use libfuzzer_sys::fuzz_target;
use reskontra::read::sie::{read_sie, tokenize_line, SieAccounts};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let _ = read_sie(Path::new("fuzz.se"), data, &SieAccounts::default());
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = tokenize_line(line);
        }
    }
});
