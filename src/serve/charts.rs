//! Charts of a month, drawn on the server as SVG from the published CSV file (so they show
//! what is published, masked names as masked): sum per förvaltning, the ten largest
//! suppliers, sum per day.

use super::html::esc;
use rust_decimal::Decimal;
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

/// A horizontal bar chart of labelled values (negative bars drawn to the left of zero).
pub fn bars(title: &str, items: &[(String, Decimal)]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let row_h = 22;
    let label_w = 260;
    let bar_w = 420;
    let value_w = 150;
    let width = label_w + bar_w + value_w;
    let height = row_h * items.len() + 30;
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
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title)
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = 20 + i * row_h;
        // a display length only: the value shown beside it is the exact decimal
        let ratio = (value.abs() / max)
            .to_string()
            .parse::<f64>()
            .unwrap_or(0.0);
        let len = (ratio * span).round().max(1.0) as usize;
        let x = if value.is_sign_negative() {
            zero - len
        } else {
            zero
        };
        let shown: String = label.chars().take(38).collect();
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{x}\" y=\"{}\" width=\"{len}\" height=\"{}\" class=\"bar\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 8,
            y + 14,
            esc(&shown),
            y + 3,
            row_h - 6,
            label_w + bar_w + 8,
            y + 14,
            esc(&kronor(*value)),
        ));
    }
    svg.push_str("</svg></figure>");
    svg
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
        let svg = bars("x", &top);
        assert!(svg.contains("<svg") && svg.contains("A AB") && svg.contains("100,00"));
    }
}
