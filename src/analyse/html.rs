//! The report in Swedish, `rapport.html`: one self-contained page (its style inline, its
//! charts inline SVG drawn here, no script, nothing loaded from anywhere) rendered by the
//! askama template `templates/analyse/rapport.html`, which escapes every text it is given.

use super::common::Table;
use super::data::MASKED_KEY;
use super::suppliers::SupplierRow;
use super::{Analysis, TABLE_FILES};
use crate::error::{Error, Result};
use askama::Template;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Rows a table of the report shows at most (the CSV beside it has them all).
pub const SHOWN_ROWS: usize = 40;

/// Suppliers shown per buyer and year.
pub const SHOWN_SUPPLIERS: usize = 15;

/// Colours of the charts' series (readable on white, told apart in grey too).
const COLOURS: [&str; 6] = [
    "#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#566573",
];

/// An amount the Swedish way: `1 234 567,89 kr` (the thousands separated by a no-break space).
pub fn kronor(value: Decimal) -> String {
    let text = super::common::rounded(value).to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("−", rest),
        None => ("", text.as_str()),
    };
    let (whole, decimals) = digits.split_once('.').unwrap_or((digits, "00"));
    format!("{sign}{},{decimals}\u{a0}kr", grouped(whole))
}

/// A count with its thousands separated: `12 345`.
pub fn count(n: u64) -> String {
    grouped(&n.to_string())
}

fn grouped(whole: &str) -> String {
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A share the Swedish way: `12,34 %`.
pub fn share(value: Decimal) -> String {
    format!(
        "{}\u{a0}%",
        super::common::rounded(value).to_string().replace('.', ",")
    )
}

/// A cell of a table on the page.
pub struct Cell {
    /// Its text.
    pub text: String,
    /// Whether it is a number (right-aligned).
    pub number: bool,
}

fn text(s: impl Into<String>) -> Cell {
    Cell {
        text: s.into(),
        number: false,
    }
}

fn number(s: impl Into<String>) -> Cell {
    Cell {
        text: s.into(),
        number: true,
    }
}

/// A table on the page.
pub struct HtmlTable {
    /// Its heading.
    pub caption: String,
    /// Its column names.
    pub headers: Vec<String>,
    /// Which columns are numbers.
    pub numeric: Vec<bool>,
    /// The rows shown.
    pub rows: Vec<Vec<Cell>>,
    /// Rows left out (in the CSV only).
    pub more: usize,
    /// The CSV holding every row.
    pub file: String,
}

impl HtmlTable {
    fn new(caption: impl Into<String>, file: &str, headers: &[(&str, bool)]) -> HtmlTable {
        HtmlTable {
            caption: caption.into(),
            headers: headers.iter().map(|(h, _)| h.to_string()).collect(),
            numeric: headers.iter().map(|(_, n)| *n).collect(),
            rows: Vec::new(),
            more: 0,
            file: file.to_string(),
        }
    }

    fn push(&mut self, row: Vec<Cell>) {
        if self.rows.len() < SHOWN_ROWS {
            self.rows.push(row);
        } else {
            self.more += 1;
        }
    }
}

/// A bar of a chart.
pub struct Bar {
    /// The label at its left.
    pub label: String,
    /// The value written at its end.
    pub value: String,
    /// Its top.
    pub y: u32,
    /// Its width.
    pub width: u32,
    /// Whether it is the masked persons' line (drawn apart).
    pub masked: bool,
}

/// A horizontal bar chart.
pub struct BarChart {
    /// Its heading.
    pub title: String,
    /// Its height.
    pub height: u32,
    /// Its bars.
    pub bars: Vec<Bar>,
}

/// How wide a bar chart's widest bar is (its bars start at 260, as the template draws them).
const BAR_SPACE: u32 = 420;

fn bar_chart(title: String, items: &[(String, Decimal, bool)]) -> BarChart {
    let largest = items
        .iter()
        .map(|(_, v, _)| v.abs())
        .max()
        .unwrap_or_default();
    let bars = items
        .iter()
        .enumerate()
        .map(|(i, (label, value, masked))| {
            let width = if largest.is_zero() {
                0
            } else {
                let w = value.abs() * Decimal::from(BAR_SPACE) / largest;
                u32::try_from(w.round().mantissa()).unwrap_or(0).max(1)
            };
            Bar {
                label: shortened(label, 38),
                value: kronor(*value),
                y: 8 + 24 * i as u32,
                width,
                masked: *masked,
            }
        })
        .collect::<Vec<_>>();
    BarChart {
        title,
        height: 16 + 24 * bars.len() as u32,
        bars,
    }
}

fn shortened(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// A series of a line chart.
pub struct Series {
    /// Its name (the buyer).
    pub name: String,
    /// Its colour.
    pub colour: String,
    /// Its points, `x,y x,y …`.
    pub points: String,
    /// Its legend's top.
    pub legend_y: u32,
}

/// A label on an axis.
pub struct AxisLabel {
    /// Where.
    pub at: u32,
    /// What.
    pub text: String,
}

/// A line chart of sums per month.
pub struct LineChart {
    /// Its heading.
    pub title: String,
    /// The series.
    pub series: Vec<Series>,
    /// The months along the bottom (every few).
    pub months: Vec<AxisLabel>,
    /// The amounts up the side.
    pub amounts: Vec<AxisLabel>,
    /// The y of the zero line.
    pub zero_y: u32,
}

const PLOT_LEFT: u32 = 110;
const PLOT_WIDTH: u32 = 560;
const PLOT_TOP: u32 = 10;
const PLOT_HEIGHT: u32 = 220;

/// Every month from the first to the last that a series has.
fn month_span(series: &BTreeMap<String, BTreeMap<(i32, u32), Decimal>>) -> Vec<(i32, u32)> {
    let all: std::collections::BTreeSet<(i32, u32)> =
        series.values().flat_map(|m| m.keys().copied()).collect();
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return Vec::new();
    };
    let mut months = Vec::new();
    let mut at = *first;
    while at <= *last {
        months.push(at);
        at = if at.1 == 12 {
            (at.0 + 1, 1)
        } else {
            (at.0, at.1 + 1)
        };
    }
    months
}

/// Where an amount and a month are drawn in the plot.
struct Scale {
    top: Decimal,
    bottom: Decimal,
    step: u32,
}

impl Scale {
    /// The scale of these values (0 always shown) over `months` months.
    fn of(values: impl Iterator<Item = Decimal> + Clone, months: usize) -> Scale {
        let top = values.clone().max().unwrap_or_default().max(Decimal::ZERO);
        let bottom = values.min().unwrap_or_default().min(Decimal::ZERO);
        let step = match u32::try_from(months) {
            Ok(n) if n > 1 => PLOT_WIDTH / (n - 1),
            _ => 0,
        };
        Scale { top, bottom, step }
    }

    fn span(&self) -> Decimal {
        if self.top == self.bottom {
            Decimal::ONE
        } else {
            self.top - self.bottom
        }
    }

    fn y(&self, v: Decimal) -> u32 {
        let from_top = (self.top - v) * Decimal::from(PLOT_HEIGHT) / self.span();
        PLOT_TOP + u32::try_from(from_top.round().mantissa()).unwrap_or(0)
    }

    fn x(&self, i: usize) -> u32 {
        PLOT_LEFT + self.step * u32::try_from(i).unwrap_or(0)
    }
}

fn line_chart(
    title: String,
    series: &BTreeMap<String, BTreeMap<(i32, u32), Decimal>>,
) -> LineChart {
    let months = month_span(series);
    let scale = Scale::of(
        series.values().flat_map(|m| m.values().copied()),
        months.len(),
    );
    let drawn = series
        .iter()
        .enumerate()
        .map(|(n, (name, by_month))| Series {
            name: name.clone(),
            colour: COLOURS[n % COLOURS.len()].to_string(),
            points: months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let v = by_month.get(m).copied().unwrap_or_default();
                    format!("{},{}", scale.x(i), scale.y(v))
                })
                .collect::<Vec<_>>()
                .join(" "),
            legend_y: PLOT_TOP + PLOT_HEIGHT + 40 + 18 * n as u32,
        })
        .collect();
    let every = months.len().div_ceil(8).max(1);
    let month_labels = months
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (y, m))| AxisLabel {
            at: scale.x(i),
            text: format!("{y}-{m:02}"),
        })
        .collect();
    let middle = scale.bottom + scale.span() / Decimal::TWO;
    let amounts = [scale.top, middle, scale.bottom]
        .into_iter()
        .map(|v| AxisLabel {
            at: scale.y(v),
            text: kronor(v.round()),
        })
        .collect();
    LineChart {
        title,
        series: drawn,
        months: month_labels,
        amounts,
        zero_y: scale.y(Decimal::ZERO),
    }
}

/// One buyer's year among the largest suppliers: a chart and a table.
pub struct SupplierSection {
    /// The heading (`Exempelby kommun (2120000142), 2024`).
    pub heading: String,
    /// The buyer's spend that year.
    pub total: String,
    /// The chart.
    pub chart: BarChart,
    /// The table.
    pub table: HtmlTable,
}

/// A line of the facts about the dataset.
pub struct Fact {
    /// What.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// The report's template and what it shows.
#[derive(Template)]
#[template(path = "analyse/rapport.html")]
pub struct Report {
    /// The facts about the dataset and the options.
    pub facts: Vec<Fact>,
    /// What the tables found, in brief.
    pub findings: Vec<Fact>,
    /// Analysis 1.
    pub suppliers: Vec<SupplierSection>,
    /// Analysis 2.
    pub over_limit: HtmlTable,
    /// The limits used, with their sources.
    pub limits: HtmlTable,
    /// Years the table of limits does not reach.
    pub years_without_limit: String,
    /// Analysis 3: its settings in words.
    pub split_settings: String,
    /// Analysis 3.
    pub splits: HtmlTable,
    /// Analysis 4.
    pub duplicates: HtmlTable,
    /// Analysis 5: whom it follows.
    pub over_time_heading: String,
    /// Analysis 5's chart.
    pub over_time_chart: Option<LineChart>,
    /// Analysis 5.
    pub over_time: HtmlTable,
    /// Analysis 6.
    pub invoices: HtmlTable,
    /// Analysis 7.
    pub months: HtmlTable,
    /// Analysis 7.
    pub fill: HtmlTable,
    /// Analysis 7.
    pub concentration: HtmlTable,
    /// Analysis 7.
    pub new_suppliers: HtmlTable,
    /// The files beside the report.
    pub files: Vec<Fact>,
}

/// The report of an analysis as one HTML page.
pub fn render(analysis: &Analysis) -> Result<String> {
    Report::of(analysis)
        .render()
        .map_err(|e| Error::Internal(format!("the report's template: {e}")))
}

impl Report {
    /// What the page shows of an analysis.
    pub fn of(a: &Analysis) -> Report {
        Report {
            facts: facts(a),
            findings: findings(a),
            suppliers: supplier_sections(a),
            over_limit: over_limit_table(a),
            limits: limits_table(a),
            years_without_limit: a
                .tables
                .years_without_limit
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            split_settings: split_settings(a),
            splits: splits_table(a),
            duplicates: duplicates_table(a),
            over_time_heading: over_time_heading(a),
            over_time_chart: over_time_chart(a),
            over_time: over_time_table(a),
            invoices: invoices_table(a),
            months: months_table(a),
            fill: fill_table(a),
            concentration: concentration_table(a),
            new_suppliers: new_suppliers_table(a),
            files: TABLE_FILES
                .iter()
                .map(|(file, what)| Fact {
                    name: file.to_string(),
                    value: what.to_string(),
                })
                .collect(),
        }
    }
}

fn fact(name: &str, value: String) -> Fact {
    Fact {
        name: name.into(),
        value,
    }
}

/// What the tables found, in a few lines at the top of the page.
fn findings(a: &Analysis) -> Vec<Fact> {
    let groups = |numbers: Vec<u32>| {
        let mut n = numbers;
        n.dedup();
        count(n.len() as u64)
    };
    let masked: Decimal = a
        .tables
        .largest_suppliers
        .iter()
        .filter(|r| r.leverantor_nyckel == MASKED_KEY)
        .map(|r| r.summa)
        .sum();
    vec![
        fact(
            "Över direktupphandlingsgränsen",
            format!(
                "{} fall där en leverantörs summa hos en köpare under ett år är över gränsen (en sållning, inte ett fynd)",
                count(a.tables.over_limit.len() as u64)
            ),
        ),
        fact(
            "Möjliga uppdelade köp",
            format!(
                "{} grupper av fakturor",
                count(a.tables.splits.len() as u64)
            ),
        ),
        fact(
            "Möjliga dubbelbetalningar",
            format!(
                "{} grupper av verifikationer",
                groups(a.tables.duplicates.iter().map(|r| r.grupp).collect())
            ),
        ),
        fact(
            "Maskerade privatpersoner och enskilda firmor",
            format!("{} (en egen rad, inte en leverantör)", kronor(masked)),
        ),
    ]
}

fn facts(a: &Analysis) -> Vec<Fact> {
    let buyers = a
        .dataset
        .buyers
        .iter()
        .map(|b| format!("{} ({})", b.name, b.id))
        .collect::<Vec<_>>()
        .join(", ");
    let years = a
        .dataset
        .years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        fact(
            "Datamängd",
            format!("{} ({})", a.options.dataset.join(", "), a.dataset.kind),
        ),
        fact("Köpare", buyers),
        fact("År", years),
        fact("Rader (konteringsrader)", count(a.dataset.rows)),
        fact("Summa belopp exkl. moms", kronor(a.dataset.amount)),
        fact(
            "Urval",
            match (&a.options.buyer, a.options.year) {
                (None, None) => "alla köpare och år".to_string(),
                (Some(b), None) => format!("köpare {b}, alla år"),
                (None, Some(y)) => format!("alla köpare, år {y}"),
                (Some(b), Some(y)) => format!("köpare {b}, år {y}"),
            },
        ),
    ]
}

fn supplier_sections(a: &Analysis) -> Vec<SupplierSection> {
    let mut by: BTreeMap<(&str, i32), Vec<&SupplierRow>> = BTreeMap::new();
    for row in &a.tables.largest_suppliers {
        by.entry((row.kopare_id.as_str(), row.ar))
            .or_default()
            .push(row);
    }
    by.into_iter()
        .map(|((buyer, year), rows)| supplier_section(buyer, year, &rows))
        .collect()
}

/// One buyer's year: the ten largest and the masked persons in a chart, the
/// [`SHOWN_SUPPLIERS`] largest and the masked persons in a table.
fn supplier_section(buyer: &str, year: i32, rows: &[&SupplierRow]) -> SupplierSection {
    let name = rows.first().map(|r| r.kopare.clone()).unwrap_or_default();
    let total: Decimal = rows.iter().map(|r| r.summa).sum();
    let shown: Vec<&SupplierRow> = rows
        .iter()
        .copied()
        .filter(|r| r.rang.is_some_and(|n| n as usize <= SHOWN_SUPPLIERS))
        .collect();
    let masked = rows
        .iter()
        .copied()
        .find(|r| r.leverantor_nyckel == MASKED_KEY);
    let bars: Vec<(String, Decimal, bool)> = shown
        .iter()
        .take(10)
        .chain(masked.iter())
        .map(|r| (r.leverantor.clone(), r.summa, r.rang.is_none()))
        .collect();
    let mut table = HtmlTable::new(
        "",
        SupplierRow::FILE,
        &[
            ("Rang", true),
            ("Leverantör", false),
            ("Organisationsnummer", false),
            ("Matchning", false),
            ("Summa", true),
            ("Rader", true),
            ("Fakturor", true),
            ("Andel", true),
        ],
    );
    for r in shown.iter().chain(masked.iter()) {
        table.push(vec![
            number(r.rang.map(|n| n.to_string()).unwrap_or_else(|| "–".into())),
            text(r.leverantor.clone()),
            text(r.leverantor_id.clone().unwrap_or_default()),
            text(r.matchning.clone()),
            number(kronor(r.summa)),
            number(count(r.rader)),
            number(count(r.fakturor)),
            number(share(r.andel_procent)),
        ]);
    }
    table.more = rows.len().saturating_sub(table.rows.len());
    SupplierSection {
        heading: format!("{name} ({buyer}), {year}"),
        total: kronor(total),
        chart: bar_chart(
            format!("De tio största leverantörerna, {name} {year}"),
            &bars,
        ),
        table,
    }
}

fn over_limit_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Leverantörer vars summa under året är över direktupphandlingsgränsen (LOU)",
        super::over_limit::OverLimitRow::FILE,
        &[
            ("Köpare", false),
            ("År", true),
            ("Leverantör", false),
            ("Summa", true),
            ("Gräns (LOU)", true),
            ("Över LUF-gränsen", false),
            ("Rader", true),
            ("Rader med avtal", true),
            ("Rader med grund", true),
        ],
    );
    for r in &a.tables.over_limit {
        let limit = if r.tva_granser {
            format!("{} (två gränser under året)", kronor(r.grans_lou))
        } else {
            kronor(r.grans_lou)
        };
        t.push(vec![
            text(r.kopare.clone()),
            number(r.ar.to_string()),
            text(r.leverantor.clone()),
            number(kronor(r.summa)),
            number(limit),
            text(if r.over_luf { "ja" } else { "nej" }),
            number(count(r.rader)),
            number(count(r.rader_med_avtal)),
            number(count(r.rader_med_grund)),
        ]);
    }
    t
}

fn limits_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Direktupphandlingsgränserna som används",
        "",
        &[
            ("Lag", false),
            ("Från och med", false),
            ("Till och med", false),
            ("Gräns", true),
            ("Källa", false),
        ],
    );
    for l in &a.limits {
        t.push(vec![
            text(match l.law {
                super::limits::Law::Lou => "LOU",
                super::limits::Law::Luf => "LUF",
            }),
            text(l.from.to_string()),
            text(
                l.to.map(|d| d.to_string())
                    .unwrap_or_else(|| "gäller".into()),
            ),
            number(kronor(l.amount)),
            text(l.source.clone()),
        ]);
    }
    t
}

fn split_settings(a: &Analysis) -> String {
    let s = &a.options.split;
    let limit = match s.limit {
        Some(l) => kronor(l),
        None => "direktupphandlingsgränsen (LOU) den dag fönstret börjar".to_string(),
    };
    format!(
        "Fönster: {} dagar. Gräns: {limit}. Minst {} fakturor per grupp.",
        s.window_days, s.min_invoices
    )
}

fn splits_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Grupper av fakturor",
        super::splits::SplitLine::FILE,
        &[
            ("Grupp", true),
            ("Köpare", false),
            ("Leverantör", false),
            ("Period", true),
            ("Gruppens summa", true),
            ("Gräns", true),
            ("Fakturanummer", false),
            ("Verifikation", false),
            ("Datum", true),
            ("Belopp", true),
        ],
    );
    for line in super::splits::lines(&a.tables.splits) {
        let (g, i) = (line.group, line.invoice);
        t.push(vec![
            number(g.grupp.to_string()),
            text(g.kopare.clone()),
            text(g.leverantor.clone()),
            number(format!("{} – {}", g.fran, g.till)),
            number(kronor(g.summa)),
            number(kronor(g.grans)),
            text(i.fakturanummer.clone().unwrap_or_default()),
            text(i.verifikationsnummer.clone().unwrap_or_default()),
            number(i.datum.clone()),
            number(kronor(i.belopp)),
        ]);
    }
    t
}

fn duplicates_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Grupper av möjliga dubbelbetalningar",
        super::duplicates::DuplicateRow::FILE,
        &[
            ("Grupp", true),
            ("Typ", false),
            ("Köpare", false),
            ("Leverantör", false),
            ("Belopp", true),
            ("Verifikation", false),
            ("Fakturanummer", false),
            ("Datum", true),
        ],
    );
    for r in &a.tables.duplicates {
        t.push(vec![
            number(r.grupp.to_string()),
            text(r.typ.clone()),
            text(r.kopare.clone()),
            text(r.leverantor.clone()),
            number(kronor(r.belopp)),
            text(r.verifikationsnummer.clone()),
            text(r.fakturanummer.clone().unwrap_or_default()),
            number(r.datum.clone()),
        ]);
    }
    t
}

fn over_time_heading(a: &Analysis) -> String {
    let names: Vec<String> = a
        .tables
        .chosen_suppliers
        .iter()
        .map(|c| format!("{} ({})", c.name, c.key))
        .collect();
    if names.is_empty() {
        "Ingen leverantör att följa.".to_string()
    } else {
        names.join(", ")
    }
}

fn over_time_chart(a: &Analysis) -> Option<LineChart> {
    if a.tables.over_time.is_empty() {
        return None;
    }
    let mut series: BTreeMap<String, BTreeMap<(i32, u32), Decimal>> = BTreeMap::new();
    for r in &a.tables.over_time {
        *series
            .entry(format!("{} ({})", r.kopare, r.kopare_id))
            .or_default()
            .entry((r.ar, r.manad))
            .or_default() += r.summa;
    }
    Some(line_chart(
        "Summa per månad och köpare".to_string(),
        &series,
    ))
}

fn over_time_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Per månad och köpare",
        super::over_time::OverTimeRow::FILE,
        &[
            ("Leverantör", false),
            ("Köpare", false),
            ("Månad", false),
            ("Summa", true),
            ("Rader", true),
            ("Fakturor", true),
        ],
    );
    for r in &a.tables.over_time {
        t.push(vec![
            text(r.leverantor.clone()),
            text(r.kopare.clone()),
            text(format!("{}-{:02}", r.ar, r.manad)),
            number(kronor(r.summa)),
            number(count(r.rader)),
            number(count(r.fakturor)),
        ]);
    }
    t
}

fn invoices_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Rader och fakturor per köpare och månad",
        super::invoices::InvoiceRow::FILE,
        &[
            ("Köpare", false),
            ("Månad", false),
            ("Rader", true),
            ("Fakturor", true),
            ("Verifikationer", true),
            ("Rader per faktura", true),
            ("Rader utan nummer", true),
            ("Summa", true),
        ],
    );
    for r in &a.tables.invoices {
        t.push(vec![
            text(r.kopare.clone()),
            text(format!("{}-{:02}", r.ar, r.manad)),
            number(count(r.rader)),
            number(count(r.fakturor)),
            number(count(r.verifikationer)),
            number(r.rader_per_faktura.to_string().replace('.', ",")),
            number(count(r.rader_utan_nummer)),
            number(kronor(r.summa)),
        ]);
    }
    t
}

fn months_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Månader med rader",
        super::coverage::MonthsRow::FILE,
        &[
            ("Köpare", false),
            ("Första månad", false),
            ("Sista månad", false),
            ("Månader", true),
            ("Saknade månader", false),
        ],
    );
    for r in &a.tables.months {
        t.push(vec![
            text(format!("{} ({})", r.kopare, r.kopare_id)),
            text(r.forsta_manad.clone()),
            text(r.sista_manad.clone()),
            number(count(r.manader_med_rader)),
            text(if r.saknade_manader.is_empty() {
                "inga".to_string()
            } else {
                r.saknade_manader.clone()
            }),
        ]);
    }
    t
}

fn fill_table(a: &Analysis) -> HtmlTable {
    // one row per buyer, one column per spec column
    let columns = super::data::FILLED_COLUMNS;
    let mut headers: Vec<(&str, bool)> = vec![("Köpare", false)];
    headers.extend(columns.iter().map(|c| (*c, true)));
    let mut t = HtmlTable::new(
        "Andel rader där kolumnen är ifylld",
        super::coverage::FillRow::FILE,
        &headers,
    );
    let mut by: BTreeMap<(String, String), BTreeMap<String, Decimal>> = BTreeMap::new();
    for r in &a.tables.fill {
        by.entry((r.kopare_id.clone(), r.kopare.clone()))
            .or_default()
            .insert(r.kolumn.clone(), r.andel_procent);
    }
    for ((id, name), shares) in by {
        let mut row = vec![text(format!("{name} ({id})"))];
        row.extend(
            columns
                .iter()
                .map(|c| number(share(shares.get(*c).copied().unwrap_or_default()))),
        );
        t.push(row);
    }
    t
}

fn concentration_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Koncentration per köpare och år",
        super::coverage::ConcentrationRow::FILE,
        &[
            ("Köpare", false),
            ("År", true),
            ("Summa", true),
            ("Varav maskerade", true),
            ("Leverantörer", true),
            ("Tio största, andel", true),
            ("Herfindahlindex", true),
        ],
    );
    for r in &a.tables.concentration {
        t.push(vec![
            text(r.kopare.clone()),
            number(r.ar.to_string()),
            number(kronor(r.summa)),
            number(kronor(r.maskerad_summa)),
            number(count(r.leverantorer)),
            number(share(r.topp10_andel_procent)),
            number(r.hhi.to_string().replace('.', ",")),
        ]);
    }
    t
}

fn new_suppliers_table(a: &Analysis) -> HtmlTable {
    let mut t = HtmlTable::new(
        "Nya leverantörer jämfört med året före (störst först)",
        super::coverage::NewSupplierRow::FILE,
        &[
            ("Köpare", false),
            ("År", true),
            ("Leverantör", false),
            ("Summa", true),
            ("Rader", true),
        ],
    );
    let mut rows: Vec<&super::coverage::NewSupplierRow> = a.tables.new_suppliers.iter().collect();
    rows.sort_by(|x, y| {
        (
            &x.kopare_id,
            x.ar,
            std::cmp::Reverse(x.summa),
            &x.leverantor_nyckel,
        )
            .cmp(&(
                &y.kopare_id,
                y.ar,
                std::cmp::Reverse(y.summa),
                &y.leverantor_nyckel,
            ))
    });
    for r in rows {
        t.push(vec![
            text(r.kopare.clone()),
            number(r.ar.to_string()),
            text(r.leverantor.clone()),
            number(kronor(r.summa)),
            number(count(r.rader)),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_are_written_the_swedish_way() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(kronor(d("1234567.8")), "1\u{a0}234\u{a0}567,80\u{a0}kr");
        assert_eq!(kronor(d("-700000")), "−700\u{a0}000,00\u{a0}kr");
        assert_eq!(kronor(d("12")), "12,00\u{a0}kr");
        assert_eq!(share(d("7.5")), "7,50\u{a0}%");
        assert_eq!(count(1234), "1\u{a0}234");
    }
}
