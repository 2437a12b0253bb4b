//! An output folder holds one run, whole: another run's outputs are refused or replaced
//! (`--replace`), two runs at once do not mix, a killed run leaves nothing report.json does not
//! describe, and a full disk or a read-only folder leaves the folder as it was.

use crate::common::*;
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A spec 1.1 export of `rows` rows for a month, with `tag` in its texts (so two exports differ).
fn export(dir: &Path, month: &str, rows: usize, tag: &str) -> PathBuf {
    let mut text = format!("{}\n", reskontra::spec::HEADER);
    for i in 0..rows {
        text.push_str(&format!(
            "2120000142,Exempelby kommun,V{i},Kontorsvaror AB,5566101233,6110,Kontor {tag},{}.{:02},{month}-{:02},KS,F{i},,,0180,\n",
            i % 9999,
            i % 100,
            1 + i % 28
        ));
    }
    let path = dir.join(format!("export-{month}.csv"));
    std::fs::write(&path, text).expect("write export");
    path
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("reskontra")
}

fn convert_cmd(input: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("convert")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["-q", "--formats", "csv,json,parquet"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of a folder that are not hidden (and not in hidden folders), relative.
fn visible_files(dir: &Path) -> Vec<String> {
    files_below(dir)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !name.split('/').any(|part| part.starts_with('.')))
        .collect()
}

/// Whether a killed commit left its journal (the next run finishes it).
fn commit_in_flight(out: &Path) -> bool {
    out.join(".reskontra-commit.json").exists()
}

/// report.json describes exactly the files beside it: every listed file is there with its
/// SHA-256, and no other visible file is; without a report there are no files at all.
fn assert_described_exactly(out: &Path, label: &str) {
    let files = visible_files(out);
    if !out.join("report.json").exists() {
        assert!(
            files.is_empty(),
            "{label}: files without a report: {files:?}"
        );
        return;
    }
    let report = report(out);
    let mut listed: Vec<String> = vec!["report.json".into()];
    for o in report["outputs"].as_array().expect("outputs") {
        let path = o["path"].as_str().expect("path");
        let file = out.join(path);
        assert!(file.exists(), "{label}: {path} is listed but missing");
        assert_eq!(
            sha256(&file),
            o["sha256"].as_str().expect("sha"),
            "{label}: {path} is not the file its report describes"
        );
        listed.push(path.to_string());
    }
    listed.sort();
    assert_eq!(files, listed, "{label}: files beside report.json");
}

#[test]
fn another_runs_outputs_are_refused_or_replaced() {
    let dir = temp();
    let out = dir.path().join("out");
    let april = export(dir.path(), "2024-04", 3, "a");
    let may = export(dir.path(), "2024-05", 3, "b");
    convert_ok(&april, &out, &[]);
    std::fs::write(out.join("notes.txt"), "the publisher's own").expect("notes");
    let before = files_below(&out);

    // this month's export into last month's folder: refused, naming that run and the ways on
    let run = convert_cmd(&may, &out, &[]).output().expect("run");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("already holds the outputs of another run (leverantorsreskontra-2024-04, from export-2024-04.csv)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("another folder (-o)") && stderr.contains("--replace"),
        "{stderr}"
    );
    assert_eq!(files_below(&out), before, "the folder is as it was");

    // the same export again (after a policy change, say) replaces its own outputs
    convert_ok(&april, &out, &["--kommun-id", "0180"]);
    assert_eq!(report(&out)["options"]["kommun_id"], "0180");

    // --replace: the earlier run's files go, the publisher's own file stays
    convert_ok(&may, &out, &["--replace"]);
    assert!(!out.join("leverantorsreskontra-2024-04.csv").exists());
    assert!(out.join("leverantorsreskontra-2024-05.csv").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).expect("notes"),
        "the publisher's own"
    );
    std::fs::remove_file(out.join("notes.txt")).expect("rm");
    assert_described_exactly(&out, "after --replace");
    assert!(!out.join(".reskontra.lock").exists());
}

#[test]
fn a_dataset_build_follows_the_same_rule() {
    let dir = temp();
    let _out = dir.path().join("out");
    let months = dir.path().join("months");
    std::fs::create_dir_all(&months).expect("mkdir");
    for month in ["2024-01", "2024-02"] {
        let export = export(dir.path(), month, 2, month);
        convert_ok(&export, &months.join(month), &["--formats", "csv"]);
    }
    // a dataset into a folder that holds a monthly run
    let monthly = months.join("2024-01");
    let build = |extra: &[&str]| {
        reskontra()
            .args(["dataset", "build"])
            .arg(&months)
            .args(["--year", "2024", "-o"])
            .arg(&monthly)
            .args(extra)
            .output()
            .expect("run")
    };
    let refused = build(&[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("already holds the outputs of another run"));
    // a year dataset built elsewhere, and again over itself
    let year = dir.path().join("year");
    for _ in 0..2 {
        let run = reskontra()
            .args(["dataset", "build"])
            .arg(&months)
            .args(["--year", "2024", "-o"])
            .arg(&year)
            .output()
            .expect("run");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    assert_described_exactly(&year, "dataset rebuilt over itself");
    // a monthly run into the dataset's folder names the dataset
    let march = export(dir.path(), "2024-03", 2, "c");
    let run = convert_cmd(&march, &year, &[]).output().expect("run");
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("another run (the 2024 dataset, from"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn two_runs_at_once_end_with_one_runs_outputs_whole() {
    let dir = temp();
    let out = dir.path().join("out");
    let a = export(dir.path(), "2024-04", 30_000, "a");
    let b = export(dir.path(), "2024-05", 30_000, "b");
    for wait in ["100", "30000"] {
        let _ = std::fs::remove_dir_all(&out);
        let runs: Vec<_> = [&a, &b]
            .iter()
            .map(|input| {
                convert_cmd(input, &out, &[])
                    .env("RESKONTRA_LOCK_WAIT_MS", wait)
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let outputs: Vec<_> = runs
            .into_iter()
            .map(|r| r.wait_with_output().expect("wait"))
            .collect();
        let ok = outputs.iter().filter(|o| o.status.success()).count();
        assert_eq!(ok, 1, "wait {wait}: exactly one run succeeds");
        let refused = outputs
            .iter()
            .find(|o| !o.status.success())
            .expect("refused");
        assert_eq!(refused.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&refused.stderr);
        if wait == "100" {
            // the second gave up waiting, and said who holds the folder
            assert!(
                stderr.contains("another reskontra run is writing here (process "),
                "{stderr}"
            );
        } else {
            // the second waited for the first and then found its outputs
            assert!(
                stderr.contains("already holds the outputs of another run"),
                "{stderr}"
            );
        }
        assert_described_exactly(&out, &format!("wait {wait}"));
    }
}

/// Kill `cmd` (SIGKILL) after `after`; whether it had already finished.
fn kill_after(mut cmd: Command, after: Duration) -> bool {
    let mut child = cmd.spawn().expect("spawn");
    let started = Instant::now();
    while started.elapsed() < after {
        if child.try_wait().expect("wait").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[test]
fn a_run_killed_at_any_point_leaves_only_described_files() {
    let dir = temp();
    let out = dir.path().join("out");
    let april = export(dir.path(), "2024-04", 40_000, "a");
    let may = export(dir.path(), "2024-05", 40_000, "b");
    // how long a whole run takes here
    let started = Instant::now();
    let whole = convert_cmd(&april, &out, &[]).output().expect("run");
    assert!(whole.status.success());
    let took = started.elapsed();
    let april_files = files_below(&out);

    // kill runs that replace April by May at many points: the folder holds April whole, or
    // May whole, and never a mixture or a partial file
    let points = 16;
    for k in 1..=points {
        let after = took * k / points;
        let finished = kill_after(convert_cmd(&may, &out, &["--replace"]), after);
        let label = format!("killed after {after:?} (finished: {finished})");
        if commit_in_flight(&out) {
            // killed within the few renames of a commit: the next run finishes it first
            eprintln!("{label}: a commit was in flight");
        } else {
            assert_described_exactly(&out, &label);
        }
        let months: Vec<String> = visible_files(&out)
            .into_iter()
            .filter(|f| f.ends_with(".csv") && !f.starts_with("internal/"))
            .collect();
        assert!(months.len() <= 1, "{label}: {months:?}");
        if finished {
            break;
        }
        // back to April for the next kill when May got in
        if out.join("leverantorsreskontra-2024-05.csv").exists() {
            let back = convert_cmd(&april, &out, &["--replace"])
                .output()
                .expect("run");
            assert!(
                back.status.success(),
                "{}",
                String::from_utf8_lossy(&back.stderr)
            );
            assert_eq!(files_below(&out).len(), april_files.len());
        }
    }
    // the next run succeeds, finishing or clearing what the killed ones left
    let last = convert_cmd(&may, &out, &["--replace"])
        .output()
        .expect("run");
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    assert_described_exactly(&out, "after the kills");
    let hidden: Vec<String> = files_below(&out)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "left behind: {hidden:?}");
    assert!(std::fs::read_dir(&out).expect("dir").flatten().all(|e| !e
        .file_name()
        .to_string_lossy()
        .starts_with(".reskontra-staging-")));
}

/// A small tmpfs mounted at `dir` (root only); `None` where mounting is not allowed.
fn mount_tmpfs(dir: &Path, options: &str) -> Option<MountGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| MountGuard(dir.to_path_buf()))
}

struct MountGuard(PathBuf);

impl MountGuard {
    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", options])
            .arg(&self.0)
            .status()
            .expect("mount");
        assert!(status.success());
    }
}

impl Drop for MountGuard {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_and_a_read_only_folder_leave_the_folder_as_it_was() {
    let dir = temp();
    let small = export(dir.path(), "2024-04", 3, "a");
    let big = export(dir.path(), "2024-05", 20_000, "b");
    let disk = dir.path().join("disk");
    let Some(mount) = mount_tmpfs(&disk, "size=1m") else {
        eprintln!("skipped: this machine does not let the test mount a tmpfs (needs root)");
        return;
    };
    let out = disk.join("out");
    convert_ok(&small, &out, &[]);
    let before = files_below(&out);

    // full: the run stops with the system's message, exit 2, and the earlier run stays whole
    let run = convert_cmd(&big, &out, &["--replace"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(
        files_below(&out),
        before,
        "full disk: the folder is as it was"
    );

    // read-only: the same
    mount.remount("remount,ro");
    let run = convert_cmd(&small, &out, &["--replace"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("Read-only file system"), "{stderr}");
    assert_eq!(
        files_below(&out),
        before,
        "read-only: the folder is as it was"
    );
    mount.remount("remount,rw");
}

#[test]
fn an_input_that_changes_during_the_run_is_refused_or_read_whole() {
    let dir = temp();
    let input = export(dir.path(), "2024-05", 40_000, "a");
    let original = std::fs::read(&input).expect("read");
    // read in small pieces and converted in small batches, so that the reading spans the run
    let slow = ["--read-bytes", "65536", "--batch-rows", "500"];
    let started = Instant::now();
    let out = dir.path().join("timing");
    assert!(convert_cmd(&input, &out, &slow)
        .output()
        .expect("run")
        .status
        .success());
    let took = started.elapsed();
    let original_sha = sha256(&input);
    let mut refused = 0;
    for fraction in [3u32, 5, 7] {
        std::fs::write(&input, &original).expect("reset");
        let out = dir.path().join(format!("out-{fraction}"));
        let child = convert_cmd(&input, &out, &slow).spawn().expect("spawn");
        std::thread::sleep(took * fraction / 10);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&input)
            .expect("open");
        std::io::Write::write_all(
            &mut file,
            b"2120000142,Exempelby kommun,V9,Tillagd AB,5566101233,6110,Kontor,1.00,2024-05-01,KS,F9,,,0180,\n",
        )
        .expect("append");
        drop(file);
        let run = child.wait_with_output().expect("wait");
        if run.status.success() {
            // it read the file whole, before or after the change: the report says which
            let report = report(&out);
            let rows = report["rows"]["read"].as_u64().expect("rows");
            let sha = report["inputs"][0]["sha256"]
                .as_str()
                .expect("sha")
                .to_string();
            assert!(
                (sha == original_sha && rows == 40_000)
                    || (sha == sha256(&input) && rows == 40_001),
                "read {rows} rows of the file with SHA-256 {sha}"
            );
        } else {
            assert_eq!(run.status.code(), Some(2));
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert!(
                stderr.contains("the file changed while it was being read"),
                "{stderr}"
            );
            assert!(!out.exists(), "a refused run leaves no folder");
            refused += 1;
        }
    }
    assert!(refused > 0, "no change was caught mid-run");
}
