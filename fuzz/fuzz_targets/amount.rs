#![no_main]
//! The amount parser: never panics; a parsed amount has at most two decimals and re-parses to
//! itself when formatted; what `auto` reads, one of the declared marks reads the same (nothing
//! is read at a magnitude no declared reading gives); a file's reader agrees with `auto` or
//! with the convention it learnt.
use libfuzzer_sys::fuzz_target;
use reskontra::amount::{format_amount, parse_amount, AmountReader, DecimalMark};

fuzz_target!(|text: &str| {
    for mark in [DecimalMark::Auto, DecimalMark::Comma, DecimalMark::Point] {
        if let Ok(a) = parse_amount(text, mark) {
            assert!(a.value.scale() <= 2);
            let formatted = format_amount(a.value);
            let again = parse_amount(&formatted, DecimalMark::Point).expect("formatted amount parses");
            assert_eq!(again.value, a.value);
        }
    }
    if let Ok(auto) = parse_amount(text, DecimalMark::Auto) {
        let comma = parse_amount(text, DecimalMark::Comma).map(|a| a.value);
        let point = parse_amount(text, DecimalMark::Point).map(|a| a.value);
        assert!(comma == Ok(auto.value) || point == Ok(auto.value));
    }
    // a file of this value's lines: every value reads as a declared mark would
    let mut reader = AmountReader::new(DecimalMark::Auto, false);
    for line in text.lines() {
        if let Ok(a) = reader.read(line) {
            let comma = parse_amount(line, DecimalMark::Comma).map(|c| c.value);
            let point = parse_amount(line, DecimalMark::Point).map(|p| p.value);
            assert!(comma == Ok(a.value) || point == Ok(a.value));
        }
    }
});
