//! The docs cannot rot: every shell block of README.md and docs/ marked `sh test` runs, in
//! order, as written, against a throwaway redis-server; every `json` block parses, and each of
//! its values is held to docs/schema/rpq.schema.json unless the block says why not (`json
//! no-schema: REASON`: JSON that is not rpq's output, such as what a handler writes); a shell
//! block that is marked neither way fails the test. The convention is in docs/contributing.md.

use crate::support::*;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How long one block may run: examples are quick, and one that waits on something that never
/// comes should fail with its text rather than hang the suite.
const BLOCK_LIMIT: Duration = Duration::from_secs(90);

/// The address the docs give `rpq serve` (its default). Several suites may run on one machine,
/// so the runner gives each file a free port and writes it where a block says 127.0.0.1:7464:
/// the one change it makes to what a block says.
const SERVE_ADDRESS: &str = "127.0.0.1:7464";

#[derive(Debug, PartialEq)]
enum Kind {
    /// ```sh test, or a hidden `<!-- doc-test ... -->` set-up.
    Run,
    /// ```sh no-test: REASON
    NotRun(String),
    /// ```sh with neither marker: an error, so no example goes unrun by accident.
    Unmarked,
    Json,
    /// ```json no-schema: REASON: parsed, not held to the schema (not a line rpq writes).
    JsonNotHeld(String),
    /// Any other language (toml, yaml, python, text): not ours to check.
    Other,
}

#[derive(Debug)]
struct Block {
    line: usize,
    kind: Kind,
    text: String,
}

fn kind_of(info: &str) -> Kind {
    let mut words = info.splitn(2, char::is_whitespace);
    let lang = words.next().unwrap_or("");
    let rest = words.next().unwrap_or("").trim();
    match lang {
        "sh" | "bash" | "shell" | "console" => {
            if rest == "test" {
                Kind::Run
            } else if let Some(reason) = rest.strip_prefix("no-test:") {
                if reason.trim().is_empty() {
                    Kind::Unmarked
                } else {
                    Kind::NotRun(reason.trim().to_string())
                }
            } else {
                Kind::Unmarked
            }
        }
        "json" | "ndjson" => match rest.strip_prefix("no-schema:").map(str::trim) {
            Some(reason) if !reason.is_empty() => Kind::JsonNotHeld(reason.to_string()),
            _ => Kind::Json,
        },
        _ => Kind::Other,
    }
}

/// The fenced blocks of a Markdown file, with the line each starts on. A hidden set-up (an HTML
/// comment `<!-- doc-test` ... `-->`) runs in the same shell as the `sh test` block after it, so
/// what it starts in the background lives while that block runs.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut hidden = String::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let (kind, end) = if let Some(info) = line.strip_prefix("```") {
            (kind_of(info.trim()), "```")
        } else if line.trim_end() == "<!-- doc-test" {
            (Kind::Run, "-->")
        } else {
            continue;
        };
        let mut text = String::new();
        for (_, body) in lines.by_ref() {
            if body.trim_end() == end {
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        if end == "-->" {
            hidden.push_str(&text);
            continue;
        }
        if kind == Kind::Run {
            text.insert_str(0, &std::mem::take(&mut hidden));
        }
        out.push(Block {
            line: n + 1,
            kind,
            text,
        });
    }
    assert!(
        hidden.is_empty(),
        "a hidden doc-test set-up with no `sh test` block after it"
    );
    out
}

/// A JSON example of rpq's output is a line of the vocabulary: it is held to the schema by the
/// schema test's own checker.
fn check_json_example(at: &str, value: &serde_json::Value) -> Result<(), String> {
    let errs = crate::schema::breaches(value);
    if errs.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{at}: not a line of rpq's JSON (docs/schema/rpq.schema.json; a block that is not rpq's \
         output is `json no-schema: REASON`): {value}\n{}",
        errs.join("\n")
    ))
}

/// A `json` block is one JSON document or NDJSON lines: its values.
fn json_values(at: &str, text: &str) -> Result<Vec<serde_json::Value>, String> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        return Ok(vec![v]);
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map_err(|e| format!("{at} (line {} of the block): not JSON: {e}\n{line}", i + 1))
        })
        .collect()
}

/// A `json` block parses, and each of its values is held to the schema.
fn check_json_block(at: &str, text: &str) -> Result<usize, String> {
    let values = json_values(at, text)?;
    for v in &values {
        check_json_example(at, v)?;
    }
    Ok(values.len())
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs one block with bash -euo pipefail in `dir`, in a process group of its own: its
/// background jobs are stopped and waited for when it ends, and whatever else is left in the
/// group gets a SIGTERM.
fn run_block(text: &str, dir: &Path, logs: &Path, url: &str) -> Result<(), String> {
    let bin_dir = Path::new(&bin()).parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (out_path, err_path) = (logs.join("stdout"), logs.join("stderr"));
    // Files, not pipes: a job left in the background would hold a pipe open past the block.
    // A home of its own, so an example that installs into ~ installs into the temp dir.
    let home = dir.join(".home");
    std::fs::create_dir_all(&home).unwrap();
    // What the block left in the background is stopped and waited for before the next block
    // starts, so that a consumer it started cannot take the next block's tasks.
    let script = format!("trap 'kill $(jobs -p) 2>/dev/null || true; wait || true' EXIT\n{text}");
    let mut sh = std::process::Command::new("bash");
    clean_env(&mut sh)
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir)
        .env("HOME", &home)
        .env("PATH", path)
        .env("RPQ_URL", url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .process_group(0);
    let mut child = sh.spawn().map_err(|e| format!("starting bash: {e}"))?;
    let group = child.id() as i32;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > BLOCK_LIMIT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // SAFETY: kill(2) on the group this block's bash leads; it has been waited for only if it
    // exited, and its group id stays reserved while any member lives.
    unsafe {
        libc::kill(-group, libc::SIGTERM);
    }
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let said =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(format!(
            "{s}\nstdout:\n{}\nstderr:\n{}",
            said(&out_path),
            said(&err_path)
        )),
        None => Err(format!(
            "still running after {BLOCK_LIMIT:?}\nstdout:\n{}\nstderr:\n{}",
            said(&out_path),
            said(&err_path)
        )),
    }
}

/// What one file's blocks came to.
#[derive(Debug, Default)]
struct Tally {
    ran: usize,
    not_run: Vec<String>,
    json: usize,
    /// `json no-schema` examples: parsed only, with their reasons.
    json_not_held: Vec<String>,
    failures: Vec<String>,
}

/// Runs every block of `file` (relative to the repository) in order, in one temp dir, against one
/// redis-server: a file reads as a session, so a later block may use what an earlier one made.
fn check_file(file: &str) -> Tally {
    let markdown = std::fs::read_to_string(root().join(file)).unwrap();
    let server = redis();
    let dir = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let port = rpq::server::free_port().unwrap();
    let mut tally = Tally::default();
    for block in blocks(&markdown) {
        let at = format!("{file}:{}", block.line);
        match block.kind {
            Kind::Run => {
                let text = block
                    .text
                    .replace(SERVE_ADDRESS, &format!("127.0.0.1:{port}"));
                tally.ran += 1;
                if let Err(e) = run_block(&text, dir.path(), logs.path(), &server.url()) {
                    tally.failures.push(format!(
                        "{at}: the block failed: {e}\n--- block:\n{}",
                        block.text
                    ));
                }
            }
            Kind::NotRun(reason) => tally.not_run.push(format!("{at} ({reason})")),
            Kind::Unmarked => tally.failures.push(format!(
                "{at}: a shell block marked neither `sh test` nor `sh no-test: REASON` \
                 (docs/contributing.md)"
            )),
            Kind::Json => match check_json_block(&at, &block.text) {
                Ok(n) => tally.json += n,
                Err(e) => tally.failures.push(e),
            },
            Kind::JsonNotHeld(reason) => match json_values(&at, &block.text) {
                Ok(_) => tally.json_not_held.push(format!("{at} ({reason})")),
                Err(e) => tally.failures.push(e),
            },
            Kind::Other => {}
        }
    }
    // Counted aloud, so nobody takes a block that was not run for one that was.
    eprintln!(
        "{file}: {} shell blocks run, {} not run, {} JSON examples held to the schema, {} JSON \
         blocks parsed only",
        tally.ran,
        tally.not_run.len(),
        tally.json,
        tally.json_not_held.len()
    );
    for n in &tally.not_run {
        eprintln!("  not run: {n}");
    }
    for n in &tally.json_not_held {
        eprintln!("  not held to the schema: {n}");
    }
    tally
}

fn assert_file(file: &str) {
    let tally = check_file(file);
    assert!(
        tally.failures.is_empty(),
        "{} of {file}'s examples failed:\n\n{}",
        tally.failures.len(),
        tally.failures.join("\n\n")
    );
}

/// Every Markdown file the runner covers: a file added to docs/ must be added here too.
const FILES: &[&str] = &[
    "README.md",
    "docs/PROTOCOL.md",
    "docs/README.md",
    "docs/bench.md",
    "docs/cli.md",
    "docs/consume.md",
    "docs/contributing.md",
    "docs/controls.md",
    "docs/events.md",
    "docs/flows.md",
    "docs/groups-and-flows.md",
    "docs/groups.md",
    "docs/guarantees.md",
    "docs/handlers.md",
    "docs/inspect.md",
    "docs/internals.md",
    "docs/layout-v2.md",
    "docs/output.md",
    "docs/produce.md",
    "docs/recipes.md",
    "docs/running.md",
    "docs/schedule.md",
    "docs/serve.md",
];

macro_rules! doc_tests {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_file($file);
            }
        )*
        /// The tests above cover exactly `FILES`, and `FILES` is every Markdown file of the
        /// README and docs/.
        #[test]
        fn every_doc_is_run() {
            let tested = [$($file),*];
            assert_eq!(tested.as_slice(), FILES);
            let mut found = vec!["README.md".to_string()];
            for entry in std::fs::read_dir(root().join("docs")).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                if name.ends_with(".md") {
                    found.push(format!("docs/{name}"));
                }
            }
            found.sort();
            let mut listed: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
            listed.sort();
            assert_eq!(found, listed, "add the new file to FILES and to doc_tests! in tests/cli/docs.rs");
        }
    };
}

doc_tests! {
    readme => "README.md",
    docs_protocol => "docs/PROTOCOL.md",
    docs_index => "docs/README.md",
    docs_bench => "docs/bench.md",
    docs_cli => "docs/cli.md",
    docs_consume => "docs/consume.md",
    docs_contributing => "docs/contributing.md",
    docs_controls => "docs/controls.md",
    docs_events => "docs/events.md",
    docs_flows => "docs/flows.md",
    docs_groups_and_flows => "docs/groups-and-flows.md",
    docs_groups => "docs/groups.md",
    docs_guarantees => "docs/guarantees.md",
    docs_handlers => "docs/handlers.md",
    docs_inspect => "docs/inspect.md",
    docs_internals => "docs/internals.md",
    docs_layout_v2 => "docs/layout-v2.md",
    docs_output => "docs/output.md",
    docs_produce => "docs/produce.md",
    docs_recipes => "docs/recipes.md",
    docs_running => "docs/running.md",
    docs_schedule => "docs/schedule.md",
    docs_serve => "docs/serve.md",
}

/// The runner itself fails a broken example, a bad JSON example and an unmarked block, and
/// counts what it did not run.
#[test]
fn the_runner_fails_a_broken_example() {
    let md = "```sh test\nrpq produce --type t --id a\ntest \"$(rpq len)\" = 1\n```\n\
              <!-- doc-test\nrpq produce --type t --id b\n-->\n\
              ```sh test\ntest \"$(rpq len)\" = 2\nrpq no-such-command\n```\n\
              ```sh no-test: runs until Ctrl+C\nrpq consume\n```\n\
              ```sh\nrpq len\n```\n\
              ```json\n{\"a\":1}\n{\"b\":\n```\n";
    let dir = tempfile::tempdir().unwrap();
    let kinds: Vec<Kind> = blocks(md).into_iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::Run,
            Kind::Run,
            Kind::NotRun("runs until Ctrl+C".into()),
            Kind::Unmarked,
            Kind::Json
        ]
    );
    let server = redis();
    let logs = tempfile::tempdir().unwrap();
    let runs: Vec<bool> = blocks(md)
        .iter()
        .filter(|b| b.kind == Kind::Run)
        .map(|b| run_block(&b.text, dir.path(), logs.path(), &server.url()).is_ok())
        .collect();
    // The second block's second task came from the hidden set-up; its bad command fails it.
    assert_eq!(runs, [true, false]);
    assert!(check_json_block("x", "{\"aging_ms\":0}\n{\"aging_ms\":60000}\n").is_ok());
    assert!(check_json_block("x", "{\"aging_ms\":0}\n{\"b\":\n").is_err());
}

/// A JSON example is held to the schema (issue 21): a line of rpq's JSON passes; one with a
/// field in an old shape, or one no line has, fails, naming where; a block that says why it is
/// not rpq's output is parsed only.
#[test]
fn a_json_example_is_held_to_the_schema() {
    let len = r#"{"waiting":3,"high":1,"medium":1,"low":1,"in_flight":0,"retrying":0,"dead":0,"scheduled":0,"blocked":0}"#;
    assert_eq!(check_json_block("x", len), Ok(1));
    let old = len.replace(r#""waiting":3"#, r#""waiting":{"total":3}"#);
    let e = check_json_block("docs/x.md:7", &old).unwrap_err();
    assert!(
        e.starts_with("docs/x.md:7: not a line of rpq's JSON") && e.contains("len.waiting"),
        "{e}"
    );
    assert!(check_json_block("x", &format!("{len}\n{{\"a\":1}}\n")).is_err());
    let md = "```json no-schema: what a --pipe handler writes\n{\"id\":\"a\",\"ok\":true}\n```\n\
              ```json no-schema:\n{}\n```\n";
    let kinds: Vec<Kind> = blocks(md).into_iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::JsonNotHeld("what a --pipe handler writes".into()),
            Kind::Json
        ]
    );
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every relative link of README.md and docs/ reaches a file that exists, and a heading of it
/// when it names one: moving a section cannot leave a link behind.
#[test]
fn every_link_between_the_docs_resolves() {
    let mut broken = Vec::new();
    for file in FILES {
        let path = root().join(file);
        let markdown = std::fs::read_to_string(&path).unwrap();
        for (n, line) in markdown.lines().enumerate() {
            for link in line
                .split("](")
                .skip(1)
                .filter_map(|rest| rest.split(')').next())
            {
                if link.contains("://") || link.starts_with("mailto:") {
                    continue;
                }
                let (target, anchor) = link.split_once('#').unwrap_or((link, ""));
                let target = if target.is_empty() {
                    path.clone()
                } else {
                    path.parent().unwrap().join(target)
                };
                let at = format!("{file}:{}: {link}", n + 1);
                if !target.exists() {
                    broken.push(format!("{at}: no such file"));
                } else if !anchor.is_empty() {
                    let text = std::fs::read_to_string(&target).unwrap_or_default();
                    if !anchors(&text).iter().any(|a| a == anchor) {
                        broken.push(format!("{at}: no such heading"));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// README.md stays a first ten minutes, and its two set-up commands are those CI runs.
#[test]
fn the_readme_is_short_and_its_set_up_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines; move detail to docs/"
    );
    let set_up = readme
        .split("## Set up")
        .nth(1)
        .and_then(|rest| rest.split("```sh").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has a `## Set up` section with a shell block");
    let commands: Vec<&str> = set_up
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(commands.len(), 2, "two set-up commands: {commands:?}");
    let (demo, tests) = (commands[0], commands[1]);
    assert!(demo.contains(" demo") && demo.starts_with(".ci/install-deps --demo && "));
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == tests),
        ".ci/run does not run the README's test command `{tests}`"
    );
    assert!(
        ci.lines().any(|l| l.trim() == ".ci/install-deps --demo"),
        ".ci/run does not run the demo's set-up on its own"
    );
}
