//! The config file: `[profile.NAME]` sections of settings, read once, for `Config` to put
//! below the flags and the environment. A file that does not parse, or that holds a setting
//! rpq does not know, is a usage error that names its line.

use crate::error::UsageError;
use anyhow::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The settings a profile may hold; every one optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub url: Option<String>,
    pub cluster: Option<bool>,
    pub queue: Option<String>,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_insecure: Option<bool>,
    pub shards: Option<u32>,
    pub password_file: Option<PathBuf>,
    pub password: Option<String>,
    pub log_format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    #[serde(default)]
    profile: BTreeMap<String, Profile>,
}

/// A config file as read.
#[derive(Debug)]
pub struct File {
    pub path: PathBuf,
    profiles: BTreeMap<String, Profile>,
    /// Whether users other than its owner (and group) may read it.
    pub others_read: bool,
}

impl File {
    /// Reads `path`; None when it does not exist and was not asked for by name.
    pub fn read(path: &Path, asked: bool) -> Result<Option<File>> {
        use std::os::unix::fs::PermissionsExt;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !asked => return Ok(None),
            Err(e) => {
                return Err(UsageError(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                ))
                .into())
            }
        };
        let parsed: FileText = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map_or(String::new(), |l| format!(" line {l}"));
            UsageError(format!(
                "config file {}{at}: {}",
                path.display(),
                e.message().trim().replace('\n', "; ")
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut profiles = parsed.profile;
        // Files named in a profile are where the profile says, relative to the config file.
        for p in profiles.values_mut() {
            for f in [
                &mut p.tls_ca,
                &mut p.tls_cert,
                &mut p.tls_key,
                &mut p.password_file,
            ]
            .into_iter()
            .flatten()
            {
                if f.is_relative() {
                    *f = dir.join(&*f);
                }
            }
        }
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        Ok(Some(File {
            path: path.to_path_buf(),
            profiles,
            others_read: mode & 0o004 != 0,
        }))
    }

    /// The profile called `name`; a name the file does not have is a usage error.
    pub fn profile(&self, name: &str) -> Result<&Profile> {
        self.profiles.get(name).ok_or_else(|| {
            let have: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            UsageError(format!(
                "no profile '{name}' in {} (it has {})",
                self.path.display(),
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            ))
            .into()
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.profiles.contains_key(name)
    }

    /// Whether any profile holds a password, in the clear or in its URL.
    pub fn holds_password(&self) -> bool {
        self.profiles.values().any(|p| {
            p.password.is_some() || p.url.as_deref().and_then(super::url_password).is_some()
        })
    }
}

/// Where the config file is when none is named: `$XDG_CONFIG_HOME/rpq/config.toml`, else
/// `~/.config/rpq/config.toml`.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("rpq").join("config.toml"))
}
