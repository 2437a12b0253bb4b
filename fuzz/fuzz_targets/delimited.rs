#![no_main]
//! The delimited reader on arbitrary bytes: never panics; rows come in line order; reading a
//! head of two rows and then the rest batch by batch, the text read seven bytes at a time,
//! gives the rows of one pass.
use libfuzzer_sys::fuzz_target;
use reskontra::read::{
    delimited::{read_delimited, read_delimited_head},
    ReadOptions,
};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.csv");
    let options = ReadOptions::default();
    let whole = read_delimited(path, data, &options);
    let in_pieces = ReadOptions {
        piece_bytes: Some(7),
        ..ReadOptions::default()
    };
    let streamed = read_delimited_head(path, data.to_vec(), &in_pieces, 2).and_then(|mut t| {
        t.read_rest()?;
        Ok(t)
    });
    match (whole, streamed) {
        (Ok(whole), Ok(streamed)) => {
            assert!(whole.rows.windows(2).all(|w| w[0].line <= w[1].line));
            assert!(whole.rows == streamed.rows, "streamed rows differ");
        }
        (Err(_), Err(_)) => {}
        (whole, streamed) => panic!(
            "one way reads, the other not: {:?} / {:?}",
            whole.err(),
            streamed.err()
        ),
    }
});
