//! Charts of a month, drawn on the server as SVG from the published CSV file (so they show
//! what is published, masked names as masked): sum per förvaltning, the ten largest
//! suppliers, sum per day.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Sums of a published file.
#[derive(Debug, Default, PartialEq)]
pub struct MonthSums {
    /// Per förvaltning (empty: `(ingen)`).
    pub per_unit: BTreeMap<String, Decimal>,
    /// Per supplier name.
    pub per_supplier: BTreeMap<String, Decimal>,
    /// Per date.
    pub per_day: BTreeMap<String, Decimal>,
    /// Rows read.
    pub rows: u64,
}

/// Add up a published CSV file (the spec's columns, by name).
pub fn month_sums(csv: &Path) -> Option<MonthSums> {
    let mut reader = csv::ReaderBuilder::new().from_path(csv).ok()?;
    let header = reader.headers().ok()?.clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    let (amount, supplier, unit, day) = (
        at("belopp")?,
        at("leverantor")?,
        at("forvaltning"),
        at("datum")?,
    );
    let mut sums = MonthSums::default();
    for record in reader.records() {
        let record = record.ok()?;
        let Ok(value) = record.get(amount).unwrap_or("").parse::<Decimal>() else {
            continue;
        };
        sums.rows += 1;
        let unit_name = unit
            .and_then(|u| record.get(u))
            .filter(|u| !u.is_empty())
            .unwrap_or("(ingen)");
        *sums.per_unit.entry(unit_name.to_string()).or_default() += value;
        *sums
            .per_supplier
            .entry(record.get(supplier).unwrap_or("").to_string())
            .or_default() += value;
        *sums
            .per_day
            .entry(record.get(day).unwrap_or("").to_string())
            .or_default() += value;
    }
    Some(sums)
}

/// The largest `n` entries, largest first (ties by name).
pub fn largest(map: &BTreeMap<String, Decimal>, n: usize) -> Vec<(String, Decimal)> {
    let mut v: Vec<(String, Decimal)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Kronor with a space between thousands and a decimal comma (`1 234 567,89`).
pub fn kronor(value: Decimal) -> String {
    let text = format!("{:.2}", value.round_dp(2));
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("−", d));
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac}")
}

/// A horizontal bar chart of labelled values, laid out for the chart template (negative bars
/// drawn to the left of zero).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// The caption.
    pub title: String,
    /// The drawing's width.
    pub width: usize,
    /// The drawing's height.
    pub height: usize,
    /// Where the labels end.
    pub label_end: usize,
    /// Where the values start.
    pub value_x: usize,
    /// A bar's height.
    pub bar_height: usize,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// One bar of a [`Chart`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// The label (at most 38 characters).
    pub label: String,
    /// The value in kronor (`1 234,50`).
    pub value: String,
    /// The bar's left edge.
    pub x: usize,
    /// The bar's top.
    pub y: usize,
    /// The bar's length.
    pub len: usize,
    /// The baseline of the texts.
    pub text_y: usize,
}

/// Lay out a bar chart of labelled values.
pub fn chart(title: &str, items: &[(String, Decimal)]) -> Chart {
    let row_h = 22;
    let label_w = 260;
    let bar_w = 420;
    let value_w = 150;
    let max = items
        .iter()
        .map(|(_, v)| v.abs())
        .max()
        .unwrap_or_default()
        .max(Decimal::ONE);
    let has_negative = items.iter().any(|(_, v)| v.is_sign_negative());
    let zero = if has_negative {
        label_w + bar_w / 2
    } else {
        label_w
    };
    let span = if has_negative { bar_w / 2 } else { bar_w } as f64;
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = 20 + i * row_h;
            // a display length only: the value shown beside it is the exact decimal
            let ratio = (value.abs() / max)
                .to_string()
                .parse::<f64>()
                .unwrap_or(0.0);
            let len = (ratio * span).round().max(1.0) as usize;
            Bar {
                label: label.chars().take(38).collect(),
                value: kronor(*value),
                x: if value.is_sign_negative() {
                    zero - len
                } else {
                    zero
                },
                y: y + 3,
                len,
                text_y: y + 14,
            }
        })
        .collect();
    Chart {
        title: title.to_string(),
        width: label_w + bar_w + value_w,
        height: row_h * items.len() + 30,
        label_end: label_w - 8,
        value_x: label_w + bar_w + 8,
        bar_height: row_h - 6,
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kronor_are_grouped_with_a_decimal_comma() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(kronor(d("1234567.891")), "1\u{a0}234\u{a0}567,89");
        assert_eq!(kronor(d("-12.5")), "−12,50");
        assert_eq!(kronor(d("0")), "0,00");
        assert_eq!(kronor(d("100")), "100,00");
    }

    #[test]
    fn sums_add_up_the_published_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(
            &path,
            format!(
                "{}\n5560000001,Kommunen,1,A AB,5560000001,4000,Mat,100.50,2024-05-02,Skola,,,,,\n\
                 5560000001,Kommunen,2,A AB,5560000001,4000,Mat,-0.50,2024-05-02,,,,,,\n\
                 5560000001,Kommunen,3,B AB,5560000002,4000,Mat,7.00,2024-05-03,Skola,,,,,\n",
                crate::spec::HEADER
            ),
        )
        .unwrap();
        let sums = month_sums(&path).unwrap();
        assert_eq!(sums.rows, 3);
        assert_eq!(sums.per_supplier["A AB"], Decimal::new(10000, 2));
        assert_eq!(sums.per_unit["(ingen)"], Decimal::new(-50, 2));
        assert_eq!(sums.per_day["2024-05-02"], Decimal::new(10000, 2));
        let top = largest(&sums.per_supplier, 1);
        assert_eq!(top, vec![("A AB".to_string(), Decimal::new(10000, 2))]);
        let chart = chart("x", &top);
        assert_eq!(chart.bars.len(), 1);
        assert_eq!(
            (chart.bars[0].label.as_str(), chart.bars[0].value.as_str()),
            ("A AB", "100,00")
        );
        assert_eq!(chart.bars[0].len, 420, "the largest bar is full length");
    }
}
