//! The library's modules form layers without cycles: every `crate::` path in `src/**/*.rs` is
//! read, the graph of top-level modules is built, and each edge must point to the module's own
//! layer or one below it, with no cycle among the edges. The table is also the one in lib.rs's
//! documentation (checked below), so the docs cannot drift from what the build enforces.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module may import from its own layer and the ones below.
/// `plan` and `serve` are the commands' plan-building and web layers (listed before their files
/// exist so that adding them needs no change here).
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaf",
        &[
            "amount",
            "batch",
            "chars",
            "date",
            "error",
            "ident",
            "names",
            "paths",
            "progress",
            "rdf",
            "republish",
            "rules",
            "spec",
            "staging",
            "workers",
        ],
    ),
    ("readers", &["infer", "layout", "read", "table"]),
    (
        "stages",
        &[
            "dcat",
            "map",
            "normalise",
            "protect",
            "report",
            "scan",
            "texts",
            "write",
            "xlsx",
        ],
    ),
    (
        "commands",
        &[
            "analyse", "collect", "convert", "dataset", "plan", "serve", "validate", "verify",
        ],
    ),
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/read/json.rs` → `read`), none for the crate
/// root and the binary.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src_dir()).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The text without `//` comments (doc links are not imports).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first names after each `crate::` (with `crate::{a, b::c}` giving `a` and `b`).
fn crate_references(code: &str) -> Vec<String> {
    references(code, "crate::")
}

/// The first names after each `prefix` (`crate::`, `super::`, `crate::read::`), groups read
/// as in [`crate_references`].
fn references(code: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| is_ident_char(c) || c == '$') {
            continue; // e.g. `$crate::` or a longer name
        }
        let rest_trimmed = rest.trim_start();
        if let Some(group) = rest_trimmed.strip_prefix('{') {
            // the names at the group's top level
            let mut depth = 1;
            let mut word = String::new();
            let mut expecting_name = true;
            for c in group.chars() {
                if depth == 0 {
                    break;
                }
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 1 && is_ident_char(c) {
                    word.push(c);
                    continue;
                }
                if !word.is_empty() && expecting_name {
                    names.push(std::mem::take(&mut word));
                    expecting_name = false;
                }
                word.clear();
                if (depth == 1 && c == ',') || depth == 0 {
                    expecting_name = true;
                }
            }
        } else {
            let name: String = rest_trimmed
                .chars()
                .take_while(|c| is_ident_char(*c))
                .collect();
            names.push(name);
        }
    }
    names
}

/// module → the other top-level modules it refers to, with a file where it does.
fn module_graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.sort();
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let edges = graph.entry(module.clone()).or_default();
        let text = std::fs::read_to_string(file).expect("read a source file");
        for name in crate_references(&without_comments(&text)) {
            if name != module && modules.contains(&name) {
                edges.entry(name).or_insert_with(|| file.clone());
            }
        }
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

#[test]
fn the_reference_reader_sees_paths_and_groups() {
    let code = "use crate::error::{Error, Result};\nuse crate::{amount::{self, X}, spec};\n\
                let x = crate::read::sha(y); $crate::not";
    assert_eq!(
        crate_references(code),
        ["error", "amount", "spec", "read"].map(String::from)
    );
    assert_eq!(
        without_comments("a // crate::x\n/// [`crate::y`]\nb"),
        "a \n\nb"
    );
}

#[test]
fn every_module_has_a_layer_and_imports_only_downward() {
    let graph = module_graph();
    let mut problems = Vec::new();
    for (module, edges) in &graph {
        let Some(layer) = layer_of(module) else {
            problems.push(format!(
                "src/{module} is in no layer: add it to LAYERS in tests/integration/layers.rs \
                 and to the table in src/lib.rs"
            ));
            continue;
        };
        for (to, file) in edges {
            match layer_of(to) {
                Some(to_layer) if to_layer <= layer => {}
                _ => problems.push(format!(
                    "{module} ({}) imports {to} ({}) in {}",
                    LAYERS[layer].0,
                    layer_of(to).map_or("no layer", |l| LAYERS[l].0),
                    file.display()
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The cycles of a graph of modules, each as `a → b → a`.
fn cycles(graph: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> Vec<String> {
    // depth-first search; a module met again while still on the path closes a cycle
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeMap<String, PathBuf>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module);
            cycles.push(cycle.join(" → "));
            return;
        }
        path.push(module);
        for to in graph.get(module).into_iter().flat_map(BTreeMap::keys) {
            visit(to, graph, path, done, cycles);
        }
        path.pop();
        done.insert(module);
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

/// Per module that is a folder (`src/read/`), the graph of its own modules: the file or
/// folder below it → the others it refers to (`super::x`, `crate::read::x`), with a file where
/// it does. The folder's `mod.rs` (its root, which declares them) is left out.
fn folder_graphs() -> BTreeMap<String, BTreeMap<String, BTreeMap<String, PathBuf>>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.sort();
    let inner = |file: &Path| -> Option<(String, String)> {
        let rel = file.strip_prefix(src_dir()).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let (folder, name) = (parts.first()?, parts.get(1)?);
        let name = name.strip_suffix(".rs").unwrap_or(name);
        (name != "mod").then(|| (folder.clone(), name.to_string()))
    };
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        if let Some((folder, name)) = inner(file) {
            members.entry(folder).or_default().insert(name);
        }
    }
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeMap<String, PathBuf>>> = BTreeMap::new();
    for file in &files {
        let Some((folder, name)) = inner(file) else {
            continue;
        };
        let siblings = &members[&folder];
        let code = without_comments(&std::fs::read_to_string(file).expect("read a source file"));
        let mut referred = references(&code, "super::");
        referred.extend(references(&code, &format!("crate::{folder}::")));
        let edges = graphs
            .entry(folder)
            .or_default()
            .entry(name.clone())
            .or_default();
        for to in referred {
            if to != name && siblings.contains(&to) {
                edges.entry(to).or_insert_with(|| file.clone());
            }
        }
    }
    graphs
}

#[test]
fn the_imports_have_no_cycle() {
    let graph = module_graph();
    let found = cycles(&graph);
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
    // the check sees the graph: the commands import the stages, the stages the leaves
    assert!(graph["convert"].contains_key("write"));
    assert!(graph["write"].contains_key("spec"));
}

#[test]
fn the_modules_inside_a_folder_have_no_import_cycle() {
    let graphs = folder_graphs();
    let mut problems = Vec::new();
    for (folder, graph) in &graphs {
        for cycle in cycles(graph) {
            problems.push(format!("src/{folder}/: {cycle}"));
        }
    }
    assert!(
        problems.is_empty(),
        "import cycles:\n{}",
        problems.join("\n")
    );
    // the check sees the folders' graphs: the delimited reader reads through the byte source,
    // which decodes by the encoding's plan
    assert!(graphs["read"]["delimited"].contains_key("source"));
    assert!(graphs["read"]["source"].contains_key("encoding"));
}

#[test]
fn the_layer_table_in_lib_rs_is_this_one() {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).expect("read lib.rs");
    let mut documented: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! | ") else {
            continue;
        };
        let cells: Vec<&str> = row.split(" | ").collect();
        let Some((first, modules)) = cells.first().zip(cells.get(1)) else {
            continue;
        };
        // the first cell names the layer last (`1 leaf`)
        let name = first.split_whitespace().last().unwrap_or_default();
        if !LAYERS.iter().any(|(layer, _)| *layer == name) {
            continue;
        }
        let names = modules
            .split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect();
        documented.push((name.to_string(), names));
    }
    let wanted: Vec<(String, BTreeSet<String>)> = LAYERS
        .iter()
        .map(|(name, modules)| {
            (
                name.to_string(),
                modules.iter().map(|m| m.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(documented, wanted, "the layer table in src/lib.rs");
}
