#![no_main]
//! The SIE reader on arbitrary bytes: never panics; reading the file seven bytes at a time
//! with a head of two rows gives the table of reading it in one piece.
use libfuzzer_sys::fuzz_target;
use reskontra::read::sie::{read_sie, read_sie_in_pieces, tokenize_line, SieAccounts};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (path, accounts) = (Path::new("fuzz.se"), SieAccounts::default());
    let whole = read_sie(path, data, &accounts);
    let pieces = read_sie_in_pieces(path, data, &accounts, 2, 7);
    match (whole, pieces) {
        (Ok(whole), Ok(pieces)) => {
            assert!(whole.rows == pieces.rows, "rows differ");
            assert!(whole.pre_skipped == pieces.pre_skipped, "skipped differ");
        }
        (Err(_), Err(_)) => {}
        (whole, pieces) => panic!(
            "one way reads, the other not: {:?} / {:?}",
            whole.err(),
            pieces.err()
        ),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for line in text.lines() {
            let _ = tokenize_line(line);
        }
    }
});
