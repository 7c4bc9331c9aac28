//! The files in completions/ are exactly `rpq completions SHELL`; RPQ_BLESS=1 rewrites them.

use crate::support::*;

const FILES: [(&str, &str); 5] = [
    ("bash", "rpq.bash"),
    ("zsh", "_rpq"),
    ("fish", "rpq.fish"),
    ("elvish", "rpq.elv"),
    ("powershell", "_rpq.ps1"),
];

#[test]
fn completion_files_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let mut stale = Vec::new();
    for (shell, file) in FILES {
        let out = bare().args(["completions", shell]).assert().success();
        let fresh = &out.get_output().stdout;
        assert!(!fresh.is_empty(), "{shell}: empty completions");
        let path = dir.join(file);
        if std::env::var_os("RPQ_BLESS").is_some() {
            std::fs::write(&path, fresh).unwrap();
            continue;
        }
        if std::fs::read(&path).ok().as_ref() != Some(fresh) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are out of date; regenerate them with `RPQ_BLESS=1 cargo test completion`"
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    bare().args(["completions", "tcsh"]).assert().code(2);
}

/// man/ holds the man page of rpq and of each subcommand, exactly; RPQ_BLESS=1 rewrites it too.
#[test]
fn man_pages_are_up_to_date() {
    use clap::CommandFactory;
    fn paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in cmd.get_subcommands() {
            if !sub.is_hide_set() && sub.get_name() != "help" {
                let mut p = prefix.to_vec();
                p.push(sub.get_name().to_string());
                paths(sub, &p, out);
            }
        }
    }
    let mut all = Vec::new();
    paths(&rpq::cli::Cli::command(), &[], &mut all);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let bless = std::env::var_os("RPQ_BLESS").is_some();
    if bless {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut expected = Vec::new();
    let mut stale = Vec::new();
    for path in &all {
        let file = std::iter::once("rpq".to_string())
            .chain(path.iter().cloned())
            .collect::<Vec<_>>()
            .join("-")
            + ".1";
        let fresh = &rpq::commands::completions::man_page(path).unwrap();
        assert!(fresh.starts_with(b".ie"), "{file}: not a man page");
        if bless {
            std::fs::write(dir.join(&file), fresh).unwrap();
        } else if std::fs::read(dir.join(&file)).ok().as_ref() != Some(fresh) {
            stale.push(file.clone());
        }
        expected.push(file);
    }
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    present.retain(|f| !expected.contains(f));
    assert!(
        stale.is_empty() && present.is_empty(),
        "man/ is out of date (stale {stale:?}, unknown {present:?}); regenerate it with \
         `RPQ_BLESS=1 cargo test completion`"
    );
}

/// A subcommand's --help shows its own options first and the global ones under their own
/// heading (they were interleaved), and so do the man pages.
#[test]
fn global_options_have_their_own_heading() {
    for args in [
        &["consume", "--help"][..],
        &["dead", "purge", "--help"],
        &["len", "--help"],
    ] {
        let out = bare().args(args).assert().success();
        let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let (own, global) = help
            .split_once("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("{args:?}: no Global options heading:\n{help}"));
        for flag in [
            "--url",
            "--queue",
            "--cluster",
            "--tls-ca",
            "--shards",
            "--json",
        ] {
            assert!(
                !own.contains(flag),
                "{args:?}: {flag} among the command's own options"
            );
            assert!(
                global.contains(flag),
                "{args:?}: {flag} not under Global options"
            );
        }
    }
    let page =
        String::from_utf8(rpq::commands::completions::man_page(&["consume".into()]).unwrap())
            .unwrap();
    assert!(
        page.contains(".SH \"GLOBAL OPTIONS\"") || page.contains(".SH GLOBAL OPTIONS"),
        "{page}"
    );
}

/// No man page names a page that does not exist (`rpq-help(1)`, `rpq-dead-help(1)`). The pages
/// as generated: `man_pages_are_up_to_date` holds the committed ones to them.
#[test]
fn man_pages_name_only_pages_that_exist() {
    use clap::CommandFactory;
    fn paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = prefix.to_vec();
            p.push(sub.get_name().to_string());
            paths(sub, &p, out);
        }
    }
    let mut all = Vec::new();
    paths(&rpq::cli::Cli::command(), &[], &mut all);
    let name = |p: &[String]| {
        std::iter::once("rpq")
            .chain(p.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-")
    };
    let pages: Vec<String> = all.iter().map(|p| name(p)).collect();
    for path in &all {
        let page = String::from_utf8(rpq::commands::completions::man_page(path).unwrap())
            .unwrap()
            .replace("\\-", "-");
        for (at, _) in page.match_indices("(1)") {
            let before = &page[..at];
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .map_or(0, |i| i + 1);
            let named = &before[start..];
            if named.starts_with("rpq") {
                assert!(
                    pages.iter().any(|p| p == named),
                    "{} names {named}(1), which has no page",
                    name(path)
                );
            }
        }
    }
}

/// After `--priority`, bash offers the priorities, not file names.
#[test]
fn bash_completes_priorities() {
    let out = bare().args(["completions", "bash"]).assert().success();
    let script = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let cases: Vec<&str> = script.split("--priority)").skip(1).collect();
    assert!(cases.len() >= 2, "produce and len take --priority");
    for case in cases {
        let body = case.split(";;").next().unwrap();
        assert!(
            body.contains("compgen -W \"1 2 3 high medium low\""),
            "{body}"
        );
        assert!(!body.contains("compgen -f"), "{body}");
    }
}

/// `rpq man` gives whoever has only the binary (`cargo install`) the pages of man/: one on
/// stdout, or all of them into a directory; an unknown subcommand is a usage error.
#[test]
fn rpq_man_prints_and_installs_the_pages_of_man() {
    let man = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let page = bare().args(["man", "dead", "list"]).output().unwrap();
    assert!(page.status.success());
    assert_eq!(
        page.stdout,
        std::fs::read(man.join("rpq-dead-list.1")).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("man1");
    bare()
        .args(["man", "--dir"])
        .arg(&into)
        .assert()
        .success()
        .stdout(predicates::str::contains("man pages into"));
    let names = |d: &std::path::Path| {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&into), names(&man));
    for name in names(&man) {
        assert_eq!(
            std::fs::read(into.join(&name)).unwrap(),
            std::fs::read(man.join(&name)).unwrap(),
            "{name:?}"
        );
    }
    bare()
        .args(["man", "nosuch"])
        .assert()
        .code(2)
        .stderr("rpq: no subcommand 'nosuch'\n");
}
