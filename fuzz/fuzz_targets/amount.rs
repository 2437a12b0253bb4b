#![no_main]
//! The amount parser: never panics; a parsed amount has at most two decimals and re-parses to
//! itself when formatted.
use libfuzzer_sys::fuzz_target;
use reskontra::amount::{format_amount, parse_amount, DecimalMark};

fuzz_target!(|text: &str| {
    for mark in [DecimalMark::Auto, DecimalMark::Comma, DecimalMark::Point] {
        if let Ok(a) = parse_amount(text, mark) {
            assert!(a.value.scale() <= 2);
            let formatted = format_amount(a.value);
            let again = parse_amount(&formatted, DecimalMark::Point).expect("formatted amount parses");
            assert_eq!(again.value, a.value);
        }
    }
});
