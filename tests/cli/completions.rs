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
