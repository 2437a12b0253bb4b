//! What a collect run is given: the files among the inputs (folders searched), each hashed,
//! the same bytes kept once, the pages of one row-store dataset grouped into one source, and
//! the sources file that names the buyer of files without buyer columns.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The extensions a folder is searched for. Text files (`.txt`) and SIE files count only when
/// given by name or matched by the sources file: a folder of downloads holds notes too.
pub const FOLDER_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "json", "xlsx", "xlsm", "xlsb", "xls", "ods", "parquet", "se", "si", "sie",
];

/// The sources file a folder given as input may hold at its top.
pub const SOURCES_FILE: &str = "sources.toml";

/// A file among the inputs: where it is, the path as the user gave it, its content.
#[derive(Debug, Clone)]
pub struct Found {
    /// The file.
    pub path: PathBuf,
    /// The path as given (a folder's files as the folder given joined with the rest), with
    /// forward slashes and no `./`.
    pub given: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// One rule of a sources file: the files it matches and what they need.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceRule {
    /// A folder (every file below it) or a file pattern (`*`, `?`, `**`), relative to the
    /// sources file.
    pub path: String,
    /// The buyer's organisation number, for files without a buyer column (checked against
    /// the rows of files that have one: it never relabels them).
    pub kopare_id: Option<String>,
    /// The buyer's name, for files without it.
    pub kopare: Option<String>,
    /// The buyer's SCB municipality code, for files without it.
    pub kommun_id: Option<String>,
    /// A built-in layout's name or a layout file (relative to the sources file); detected when
    /// absent.
    pub layout: Option<String>,
    /// A supplier register (relative to the sources file) joined on the supplier number; it is
    /// not collected itself.
    pub suppliers: Option<String>,
    /// The matched files are one export (Raindance's postings with its supplier and account
    /// tables), converted together; otherwise each file is a source of its own.
    #[serde(default)]
    pub together: bool,
    /// The text encoding, when it is not detected right.
    pub encoding: Option<String>,
    /// The sheet of a workbook to read.
    pub sheet: Option<String>,
    /// The folder of the sources file the rule is in (absolute): its paths are relative to it.
    #[serde(skip)]
    pub dir: PathBuf,
}

impl SourceRule {
    /// A file the rule names (a layout file, a register), relative to its sources file.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether the rule matches a file (absolute): a folder matches every file below it, a
    /// pattern the file's path relative to the sources file's folder.
    fn matches(&self, file: &Path) -> bool {
        let target = self.dir.join(&self.path);
        if target.is_dir() {
            return file.starts_with(absolute(&target));
        }
        // the pattern's leading `./` and `../` move the folder it is matched below
        let mut base = self.dir.clone();
        let mut pattern = self.path.as_str();
        loop {
            if let Some(rest) = pattern.strip_prefix("./") {
                pattern = rest;
            } else if let Some(rest) = pattern.strip_prefix("../") {
                base.pop();
                pattern = rest;
            } else {
                break;
            }
        }
        let Ok(relative) = file.strip_prefix(&base) else {
            return false;
        };
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        glob::Pattern::new(pattern).is_ok_and(|p| p.matches_with(&as_given(relative), options))
    }
}

/// A sources file (`sources.toml`): `[[source]]` rules, first match wins; or the rules of
/// several such files, one after the other.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    /// The rules, in order.
    #[serde(default, rename = "source")]
    pub rules: Vec<SourceRule>,
    /// The files read, as given.
    #[serde(skip)]
    pub paths: Vec<PathBuf>,
}

impl SourcesFile {
    /// Read and check a sources file: buyer numbers and municipality codes valid, patterns
    /// well formed, named registers and layout files present.
    pub fn load(path: &Path) -> Result<SourcesFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut file: SourcesFile = toml::from_str(&text).map_err(|e| {
            Error::input(
                path,
                format!("not a sources file: {}", e.message().trim_end()),
            )
        })?;
        // made absolute once: every file of the inputs is matched against the rules
        let dir = absolute(match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        });
        file.paths = vec![path.to_path_buf()];
        for (i, rule) in file.rules.iter_mut().enumerate() {
            rule.dir = dir.clone();
            let at = |message: String| {
                Error::input(
                    path,
                    format!("[[source]] number {} ({}): {message}", i + 1, rule.path),
                )
            };
            if let Some(id) = &rule.kopare_id {
                let checked = crate::plan::check_buyer_id(id).map_err(|_| {
                    at(format!(
                        "kopare_id '{id}' is not a valid organisation number (10 digits, digits \
                         3-4 at least 20, a valid check digit)"
                    ))
                })?;
                rule.kopare_id = Some(checked);
            }
            if let Some(code) = &rule.kommun_id {
                let checked = crate::plan::check_kommun_id(code).map_err(|_| {
                    at(format!(
                        "kommun_id '{code}' is not one of the 290 SCB municipality codes (e.g. 0180)"
                    ))
                })?;
                rule.kommun_id = Some(checked);
            }
            glob::Pattern::new(&rule.path).map_err(|e| at(format!("not a file pattern: {e}")))?;
            for (what, file_name) in [("suppliers", &rule.suppliers), ("layout", &rule.layout)] {
                let Some(name) = file_name else { continue };
                let is_builtin_layout = what == "layout" && !name.contains(['/', '\\', '.']);
                if !is_builtin_layout && !rule.file(name).is_file() {
                    return Err(at(format!("the {what} file {name} is not there")));
                }
            }
        }
        Ok(file)
    }

    /// Another sources file's rules after these.
    pub fn and(mut self, other: SourcesFile) -> SourcesFile {
        self.rules.extend(other.rules);
        self.paths.extend(other.paths);
        self
    }

    /// The first rule that matches a file, with its index.
    pub fn rule_for(&self, file: &Path) -> Option<(usize, &SourceRule)> {
        let file = absolute(file);
        self.rules
            .iter()
            .enumerate()
            .find(|(_, rule)| rule.matches(&file))
    }

    /// The supplier registers the rules name (files that are not collected themselves).
    pub fn registers(&self) -> Vec<PathBuf> {
        self.rules
            .iter()
            .filter_map(|r| r.suppliers.as_ref().map(|s| absolute(&r.file(s))))
            .collect()
    }
}

/// A path made absolute without touching the disk more than needed (canonical when it
/// exists).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// A path as given, cleaned: forward slashes, no `./` parts.
pub(crate) fn as_given(path: &Path) -> String {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

/// The files among the inputs: files given by name as they are; folders searched (with the
/// folders below them, in name order) for [`FOLDER_EXTENSIONS`] and for the files the sources
/// file matches, leaving out hidden folders, `internal/`, reports, the sources file and the
/// registers it names, and the output folder itself.
///
/// Each file comes with its path as given ([`Found::given`]): relative paths as they are; a
/// file given by an absolute path by its name, a folder given so by its name and the path
/// below it (a dataset names no folder of the machine it was made on).
pub fn files_of(
    inputs: &[PathBuf],
    out: &Path,
    sources: &SourcesFile,
) -> Result<Vec<(PathBuf, String)>> {
    let out = absolute(out);
    let registers = sources.registers();
    let mut files = Vec::new();
    for input in inputs {
        if !input.exists() {
            return Err(Error::unreadable(input, "no such file or folder"));
        }
        if !input.is_dir() {
            let given = if input.is_absolute() {
                crate::read::file_name(input)
            } else {
                as_given(input)
            };
            files.push((input.clone(), given));
            continue;
        }
        let shown = if input.is_absolute() {
            absolute(input)
                .file_name()
                .map(|n| PathBuf::from(n.to_string_lossy().into_owned()))
                .unwrap_or_default()
        } else {
            input.clone()
        };
        let mut below = Vec::new();
        crate::validate::collect_every_file(input, &mut below)?;
        let datasets = collected_datasets(&below);
        for file in below {
            let abs = absolute(&file);
            if abs.starts_with(&out)
                || registers.contains(&abs)
                || datasets.iter().any(|d| file.starts_with(d))
            {
                continue;
            }
            let name = crate::read::file_name(&file);
            let ext = file
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let metadata = matches!(
                name.as_str(),
                "report.json" | "datapackage.json" | SOURCES_FILE
            );
            let wanted = FOLDER_EXTENSIONS.contains(&ext.as_str())
                || sources.rule_for(&file).is_some() && ext != "toml";
            if wanted && !metadata {
                let below = file.strip_prefix(input).unwrap_or(&file);
                files.push((file.clone(), as_given(&shown.join(below))));
            }
        }
    }
    Ok(files)
}

/// The folders among `files` that hold a collected dataset (a `report.json` of kind
/// `collect`): a dataset collected into a folder of downloads is not collected again.
fn collected_datasets(files: &[PathBuf]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|f| crate::read::file_name(f) == "report.json")
        .filter(|f| {
            std::fs::read_to_string(f)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|report| report["kind"] == super::KIND)
        })
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect()
}

/// A file left out for holding the same bytes as another: (its path as given, the other's).
pub type Repeated = (String, String);

/// Hash every file; the same bytes found again are kept once (under the path with the fewest
/// folders, then the first in name order: a copy put aside in a folder of its own is the one
/// left out), the others returned as (path as given, the kept one's path as given).
pub fn hash_and_dedupe(
    files: Vec<(PathBuf, String)>,
    progress: &crate::progress::Progress,
) -> Result<(Vec<Found>, Vec<Repeated>)> {
    let mut found = Vec::with_capacity(files.len());
    for (path, given) in files {
        progress.stage(&format!("reading {}", crate::read::file_name(&path)));
        let (sha256, bytes) = crate::read::sha256_file(&path).map_err(|e| Error::io(&path, e))?;
        found.push(Found {
            given,
            path,
            sha256,
            bytes,
        });
    }
    found.sort_by(|a, b| {
        let depth = |f: &Found| f.given.matches('/').count();
        depth(a).cmp(&depth(b)).then_with(|| a.given.cmp(&b.given))
    });
    let mut kept: BTreeMap<String, String> = BTreeMap::new();
    let mut unique = Vec::new();
    let mut repeated = Vec::new();
    for f in found {
        match kept.get(&f.sha256) {
            Some(first) => repeated.push((f.given.clone(), first.clone())),
            None => {
                kept.insert(f.sha256.clone(), f.given.clone());
                unique.push(f);
            }
        }
    }
    Ok((unique, repeated))
}

/// A source: the files converted together, the rule of the sources file that matched them.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its key: the SHA-256 of its only file, or of its files' hashes in order.
    pub key: String,
    /// Its files, in the order they are read.
    pub files: Vec<Found>,
    /// The rule that matched it.
    pub rule: Option<usize>,
}

impl Source {
    /// The path that names the source (its first file's, as given).
    pub fn name(&self) -> &str {
        self.files.first().map_or("", |f| f.given.as_str())
    }
}

/// Group the files into sources: the files of a `together` rule are one source; the pages of
/// one row-store dataset (JSON envelopes in one folder whose names differ only in the last
/// number, `…-sida1.json`, `…-sida2.json`) are one source, in the order of that number; every
/// other file is a source of its own. Sorted by the name of their first file.
pub fn sources_of(files: Vec<Found>, rules: &SourcesFile) -> Vec<Source> {
    let mut groups: BTreeMap<(u8, String), Vec<(u64, Found)>> = BTreeMap::new();
    let mut rule_of: BTreeMap<(u8, String), Option<usize>> = BTreeMap::new();
    for file in files {
        let rule = rules.rule_for(&file.path);
        let key = match rule {
            Some((i, r)) if r.together => (0, format!("rule {i}")),
            _ => match page_stem(&file) {
                Some((stem, number)) => {
                    let key = (1, stem);
                    rule_of.insert(key.clone(), rule.map(|(i, _)| i));
                    groups.entry(key).or_default().push((number, file));
                    continue;
                }
                None => (2, file.given.clone()),
            },
        };
        rule_of.insert(key.clone(), rule.map(|(i, _)| i));
        groups.entry(key).or_default().push((0, file));
    }
    let mut sources: Vec<Source> = groups
        .into_iter()
        .map(|(key, mut files)| {
            files.sort_by(|(a, fa), (b, fb)| a.cmp(b).then_with(|| fa.given.cmp(&fb.given)));
            let files: Vec<Found> = files.into_iter().map(|(_, f)| f).collect();
            let key_hash = match files.as_slice() {
                [only] => only.sha256.clone(),
                many => {
                    let joined: String = many.iter().map(|f| f.sha256.as_str()).collect();
                    crate::read::sha256_hex(joined.as_bytes())
                }
            };
            Source {
                key: key_hash,
                rule: rule_of.get(&key).copied().flatten(),
                files,
            }
        })
        .collect();
    sources.sort_by(|a, b| a.name().cmp(b.name()));
    sources
}

/// A row-store page's group (its folder and its name with the last number taken out) and the
/// page's number: for a JSON file that starts as an envelope (`{... "results": ...`).
fn page_stem(file: &Found) -> Option<(String, u64)> {
    let ext = file.path.extension()?.to_string_lossy().to_lowercase();
    if ext != "json" || !is_envelope(&file.path) {
        return None;
    }
    let name = crate::read::file_name(&file.path);
    let stem = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".JSON"))?;
    let end = stem.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = stem[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    if !after_a_page_word(&stem[..start]) {
        return None;
    }
    let number = stem[start..end].parse().ok()?;
    let folder = file.given.rsplit_once('/').map_or("", |(folder, _)| folder);
    Some((
        format!("{folder}/{}#{}", &stem[..start], &stem[end..]),
        number,
    ))
}

/// The words that name a page before its number (`-sida2`, `_page_3`, `offset=500`): only
/// such a number groups files as the pages of one dataset (a `-2024-10` is a month).
const PAGE_WORDS: &[&str] = &["sida", "page", "p", "del", "part", "offset", "_offset"];

/// Whether the text before a number ends with a page word (and a separator or none).
fn after_a_page_word(before: &str) -> bool {
    let trimmed = before
        .trim_end_matches(['-', '_', '.', '=', ' '])
        .to_lowercase();
    PAGE_WORDS.iter().any(|word| {
        trimmed
            .strip_suffix(word)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| !c.is_alphanumeric()))
    })
}

/// Whether a JSON file's first bytes open a row-store envelope.
fn is_envelope(path: &Path) -> bool {
    use std::io::Read;
    let mut head = vec![0; 1 << 16];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| {
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                read => n += read,
            }
        }
        Ok(n)
    }) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..n]);
    let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    text.starts_with('{') && text.contains("\"results\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(dir: &Path, name: &str, text: &str) -> Found {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        Found {
            given: format!("d/{name}"),
            sha256: crate::read::sha256_hex(text.as_bytes()),
            bytes: text.len() as u64,
            path,
        }
    }

    #[test]
    fn the_pages_of_one_row_store_dataset_are_one_source_in_page_order() {
        let dir = tempfile::tempdir().unwrap();
        let page = |n: u32| format!("{{\"next\":null,\"results\":[{{\"n\":\"{n}\"}}]}}");
        let files = vec![
            found(dir.path(), "ledger-2024-10-sida10.json", &page(10)),
            found(dir.path(), "ledger-2024-10-sida2.json", &page(2)),
            found(dir.path(), "ledger-2024-11-sida1.json", &page(1)),
            found(dir.path(), "ledger-2024-10-sida1.json", &page(11)),
            found(dir.path(), "array-2024-10-1.json", "[{\"n\":\"1\"}]"),
            // an envelope whose last number is a month, not a page: a source of its own
            found(dir.path(), "ledger-2024-12.json", &page(12)),
            found(dir.path(), "other-2024-10.csv", "a;b\n1;2\n"),
        ];
        let sources = sources_of(files, &SourcesFile::default());
        let names: Vec<Vec<&str>> = sources
            .iter()
            .map(|s| s.files.iter().map(|f| f.given.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["d/array-2024-10-1.json"],
                vec![
                    "d/ledger-2024-10-sida1.json",
                    "d/ledger-2024-10-sida2.json",
                    "d/ledger-2024-10-sida10.json"
                ],
                vec!["d/ledger-2024-11-sida1.json"],
                vec!["d/ledger-2024-12.json"],
                vec!["d/other-2024-10.csv"],
            ]
        );
        // a source of one file is keyed by the file's hash, of several by their hashes
        assert_eq!(sources[0].key, sources[0].files[0].sha256);
        assert_ne!(sources[1].key, sources[1].files[0].sha256);
    }

    #[test]
    fn the_same_bytes_are_kept_once_under_the_first_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("b.csv");
        let b = dir.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "x").unwrap();
        let (kept, repeated) = hash_and_dedupe(
            vec![(a, "b.csv".into()), (b, "a.csv".into())],
            &Default::default(),
        )
        .unwrap();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].given.ends_with("a.csv"));
        assert_eq!(repeated.len(), 1);
        assert!(repeated[0].0.ends_with("b.csv") && repeated[0].1.ends_with("a.csv"));
    }

    #[test]
    fn a_sources_file_is_checked_and_matches_folders_and_patterns() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("orebro/2024")).unwrap();
        let path = dir.path().join(SOURCES_FILE);
        std::fs::write(
            &path,
            "[[source]]\npath = \"orebro\"\nkopare_id = \"212000-1876\"\nkommun_id = \"1880\"\n\
             [[source]]\npath = \"*.xlsx\"\nkopare_id = \"2120000142\"\n",
        )
        .unwrap();
        let file = SourcesFile::load(&path).unwrap();
        assert_eq!(file.rules[0].kopare_id.as_deref(), Some("2120001876"));
        let inside = dir.path().join("orebro/2024/mars.xlsx");
        assert_eq!(file.rule_for(&inside).map(|(i, _)| i), Some(0));
        assert_eq!(
            file.rule_for(&dir.path().join("x.xlsx")).map(|(i, _)| i),
            Some(1)
        );
        assert!(file.rule_for(&dir.path().join("sub/x.xlsx")).is_none());
        // a pattern is matched against the path below the sources file's folder, so a folder
        // name with pattern characters above it does not matter
        let odd = dir.path().join("[2024] nedladdat");
        std::fs::create_dir_all(&odd).unwrap();
        let inner = odd.join(SOURCES_FILE);
        std::fs::write(
            &inner,
            "[[source]]\npath = \"*.xlsx\"\nkopare_id = \"2120000142\"\n",
        )
        .unwrap();
        let file = SourcesFile::load(&inner).unwrap();
        assert_eq!(file.rule_for(&odd.join("x.xlsx")).map(|(i, _)| i), Some(0));
        assert!(
            file.rule_for(&dir.path().join("x.xlsx")).is_none(),
            "outside its folder"
        );
        // the rules of two files, each relative to its own folder
        let both = SourcesFile::load(&path).unwrap().and(file);
        assert_eq!(both.rule_for(&odd.join("x.xlsx")).map(|(i, _)| i), Some(2));
        assert_eq!(
            both.rule_for(&dir.path().join("x.xlsx")).map(|(i, _)| i),
            Some(1)
        );
        std::fs::write(
            &path,
            "[[source]]\npath = \"a\"\nkopare_id = \"2120000143\"\n",
        )
        .unwrap();
        let err = SourcesFile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("[[source]] number 1 (a): kopare_id '2120000143' is not a valid"),
            "{err}"
        );
        std::fs::write(&path, "[[source]]\npath = \"a\"\nbuyer = \"x\"\n").unwrap();
        let err = SourcesFile::load(&path).unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }
}
