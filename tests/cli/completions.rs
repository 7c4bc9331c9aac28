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
