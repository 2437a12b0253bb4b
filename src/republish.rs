//! Which delivery of a buyer's month to use when several files deliver it: a corrected
//! re-publication, a yearly file beside the monthly ones, a page downloaded twice under two
//! names. Deliveries are never summed; one is chosen by a stated rule that depends on what
//! the files are, never on the order they were given or named in.
//!
//! The rule, level by level (the first level at which one delivery is ahead decides):
//! 1. **preferred**: a file the user prefers (`--prefer FILE`; among several, the one named
//!    last);
//! 2. **named as a correction**: a path that says the file corrects or replaces another
//!    (`rättad`, `korrigerad`, `uppdaterad`, `rättelse`, `corrected`, `revised`, ...), or
//!    names a later version (`v2` over `v1`);
//! 3. **reaches later months**: the delivery whose file holds rows of a later month (a file
//!    holding later months was published later: a yearly file beside a monthly one);
//! 4. **more rows** in the month (the fuller delivery);
//! 5. **content**: the greater SHA-256 of the file — arbitrary but fixed, for deliveries that
//!    nothing else tells apart.

use crate::date::Period;
use serde::{Deserialize, Serialize};

/// One delivery of a month, as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery<'a> {
    /// The path as given (folders count: `rattad/…` marks a correction too).
    pub path: &'a str,
    /// The latest month of any row in the delivery's file (not only in this month).
    pub last_month: Option<Period>,
    /// The delivery's rows in the month.
    pub rows: u64,
    /// The file's (or source's) SHA-256.
    pub sha256: &'a str,
    /// The position of the file among the preferred ones (1 for the first), 0 when not
    /// preferred.
    pub preferred: usize,
}

/// The level of the rule that chose a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    /// Only one delivery.
    Only,
    /// Preferred by the user (`--prefer`).
    Preferred,
    /// Its path names it a correction or a later version.
    NamedCorrection,
    /// Its file holds a later month.
    LaterMonths,
    /// It has more rows in the month.
    MoreRows,
    /// Its SHA-256 is the greater (nothing else told them apart).
    Content,
}

impl Ground {
    /// The ground in words, for summaries.
    pub fn describe(self) -> &'static str {
        match self {
            Ground::Only => "the only delivery",
            Ground::Preferred => "preferred (--prefer)",
            Ground::NamedCorrection => "named as a correction or a later version",
            Ground::LaterMonths => "its file reaches later months (published later)",
            Ground::MoreRows => "it has more rows in the month",
            Ground::Content => "nothing else told them apart: the greater SHA-256",
        }
    }
}

/// Words in a path that mark a file as a correction or a replacement (compared as lower-case
/// ASCII words, å and ä read as a, ö as o).
const CORRECTION_WORDS: &[&str] = &[
    "rattad",
    "rattade",
    "rattat",
    "rattelse",
    "rattning",
    "korr",
    "korrigerad",
    "korrigerade",
    "korrigerat",
    "korrigering",
    "uppdaterad",
    "uppdaterade",
    "uppdaterat",
    "uppdatering",
    "reviderad",
    "reviderade",
    "ersatter",
    "ny",
    "nytt",
    "nya",
    "corrected",
    "correction",
    "revised",
    "revision",
    "updated",
    "replacement",
];

/// How strongly a path names its file a correction: the version it names (`v2`, `version 3`,
/// `ver2`), else 1 for a correction word, else 0.
pub fn correction_rank(path: &str) -> u32 {
    let folded: String = crate::chars::fold(path)
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' => 'e',
            _ => c,
        })
        .collect();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut rank = 0;
    for (i, word) in words.iter().enumerate() {
        if CORRECTION_WORDS.contains(word) {
            rank = rank.max(1);
        }
        let version = ["version", "ver", "v"].iter().find_map(|prefix| {
            let rest = word.strip_prefix(prefix)?;
            match rest {
                // `version 2`: the number is the next word
                "" if *prefix != "v" => words.get(i + 1)?.parse::<u32>().ok(),
                "" => None,
                digits => digits.parse::<u32>().ok(),
            }
        });
        if let Some(v) = version.filter(|v| *v < 1000) {
            rank = rank.max(v);
        }
    }
    rank
}

/// The ranking key of a delivery, level by level (greater is preferred).
fn key<'a>(d: &Delivery<'a>) -> (usize, u32, Option<Period>, u64, &'a str) {
    (
        d.preferred,
        correction_rank(d.path),
        d.last_month,
        d.rows,
        d.sha256,
    )
}

/// Choose among the deliveries of one month: the index of the one to use and the level of the
/// rule that decided. `None` for no deliveries.
pub fn choose(deliveries: &[Delivery<'_>]) -> Option<(usize, Ground)> {
    let (best, winner) = deliveries
        .iter()
        .enumerate()
        .max_by(|(_, a), (_, b)| key(a).cmp(&key(b)))?;
    let runner_up = deliveries
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, d)| d)
        .max_by(|a, b| key(a).cmp(&key(b)));
    let Some(other) = runner_up else {
        return Some((best, Ground::Only));
    };
    let (w, o) = (key(winner), key(other));
    let ground = if w.0 != o.0 {
        Ground::Preferred
    } else if w.1 != o.1 {
        Ground::NamedCorrection
    } else if w.2 != o.2 {
        Ground::LaterMonths
    } else if w.3 != o.3 {
        Ground::MoreRows
    } else {
        Ground::Content
    };
    Some((best, ground))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d<'a>(path: &'a str, last: &str, rows: u64, sha: &'a str) -> Delivery<'a> {
        Delivery {
            path,
            last_month: Period::parse(last),
            rows,
            sha256: sha,
            preferred: 0,
        }
    }

    #[test]
    fn a_corrected_file_wins_whatever_its_name_sorts_as() {
        let original = d("x/leverantorsreskontra-2025-02.csv", "2025-02", 120, "aa");
        let corrected = d(
            "x/leverantorsreskontra-2025-02-rattad.csv",
            "2025-02",
            118,
            "00",
        );
        for pair in [
            vec![original.clone(), corrected.clone()],
            vec![corrected.clone(), original.clone()],
        ] {
            let (i, ground) = choose(&pair).unwrap();
            assert_eq!(pair[i].path, corrected.path);
            assert_eq!(ground, Ground::NamedCorrection);
        }
    }

    #[test]
    fn each_level_decides_only_when_the_ones_above_tie() {
        let monthly = d("m/2024-03.csv", "2024-03", 10, "ff");
        let yearly = d("y/2024.csv", "2024-12", 9, "00");
        assert_eq!(
            choose(&[monthly.clone(), yearly.clone()]),
            Some((1, Ground::LaterMonths))
        );
        let fuller = d("b.csv", "2024-03", 11, "00");
        assert_eq!(
            choose(&[monthly.clone(), fuller.clone()]),
            Some((1, Ground::MoreRows))
        );
        let same = d("c.csv", "2024-03", 10, "00");
        assert_eq!(
            choose(&[same.clone(), monthly.clone()]),
            Some((1, Ground::Content))
        );
        let mut preferred = same.clone();
        preferred.preferred = 1;
        assert_eq!(
            choose(&[monthly, preferred, yearly]),
            Some((1, Ground::Preferred))
        );
        assert_eq!(choose(&[same]), Some((0, Ground::Only)));
        assert_eq!(choose(&[]), None);
    }

    #[test]
    fn correction_words_and_versions_are_read_from_the_whole_path() {
        assert_eq!(correction_rank("leverantorsreskontra-2025-02.csv"), 0);
        assert_eq!(
            correction_rank("Leverantörsreskontra 2025-02 RÄTTAD.csv"),
            1
        );
        assert_eq!(correction_rank("korrigerade/2025-02.csv"), 1);
        assert_eq!(correction_rank("2025-02_v2.csv"), 2);
        assert_eq!(correction_rank("2025-02 version 3.xlsx"), 3);
        assert_eq!(correction_rank("nyheter/2025-02.csv"), 0);
        assert_eq!(correction_rank("korrespondens-2025.csv"), 0);
        assert_eq!(correction_rank("2025-02-ny.csv"), 1);
    }

    proptest::proptest! {
        /// The choice does not depend on the order the deliveries are given in.
        #[test]
        fn the_choice_does_not_depend_on_the_order(
            rows in proptest::collection::vec((0u64..4, 0u8..3, 0u8..3, 0u8..4), 1..6),
            rotate in 0usize..6,
        ) {
            let names = ["a.csv", "a-rattad.csv", "a-v2.csv"];
            let shas: Vec<String> = (0..rows.len()).map(|i| format!("{i:02}")).collect();
            let months = ["2024-01", "2024-06", "2024-12"];
            let list: Vec<Delivery> = rows
                .iter()
                .zip(&shas)
                .map(|((n, name, month, pref), sha)| Delivery {
                    path: names[usize::from(*name)],
                    last_month: Period::parse(months[usize::from(*month)]),
                    rows: *n,
                    sha256: sha,
                    preferred: usize::from(*pref),
                })
                .collect();
            let (i, ground) = choose(&list).unwrap();
            let mut turned = list.clone();
            turned.rotate_left(rotate % list.len());
            let (j, again) = choose(&turned).unwrap();
            proptest::prop_assert_eq!(&list[i], &turned[j]);
            proptest::prop_assert_eq!(ground, again);
        }
    }
}
