//! The settings an operator can change while the plugin or the proxy runs: profile, mode,
//! decision log and policy file. They come from the defaults, then the `--config` file, then the
//! command line (a flag given on the command line always wins), and are read again on SIGHUP.
//!
//! The file is plain `key = value` lines so that it needs no parser beyond this one and reads the
//! same to a person and to a shell script:
//!
//! ```text
//! # /etc/dockward/authz.conf
//! profile = restricted
//! mode = audit
//! decision-log = /var/log/dockward/decisions.log
//! policy = /etc/dockward/dockward.toml
//! ```
//!
//! The policy file (`dockward.toml`) is only ever the one named here or by `--policy`: unlike
//! `audit` and `lint`, the plugin does not look for one from its working directory upward,
//! because a service's working directory says nothing about what it should enforce (systemd
//! starts it in `/`, a managed plugin in its rootfs). Its `profile` applies when neither the
//! settings file nor the command line names one (see [`ProfileFrom`]).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use dockward_rules::profile::Profile;

/// Enforce the profile, or only log what it would deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Deny what the profile denies.
    Enforce,
    /// Allow everything; log what enforce would have denied (`"verdict":"would-deny"`).
    Audit,
}

impl Mode {
    /// `enforce` or `audit`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
        }
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "enforce" => Ok(Mode::Enforce),
            "audit" => Ok(Mode::Audit),
            other => Err(format!("unknown mode \"{other}\" (expected enforce or audit)")),
        }
    }
}

/// Where decisions are logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogTarget {
    /// Standard output (`-`).
    Stdout,
    /// A file, appended to.
    File(PathBuf),
}

impl LogTarget {
    /// `-` is standard output, anything else a file path.
    pub fn parse(value: &str) -> Self {
        if value == "-" {
            LogTarget::Stdout
        } else {
            LogTarget::File(PathBuf::from(value))
        }
    }
}

impl std::fmt::Display for LogTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogTarget::Stdout => f.write_str("-"),
            LogTarget::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Where the profile in force was chosen, by precedence: the default (baseline) < the policy
/// file's `profile` < the settings file's `profile` < `--profile` (or `DOCKWARD_PROFILE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileFrom {
    /// Nothing named one: baseline.
    Default,
    /// The policy file's `profile`.
    Policy,
    /// The `--config` file's `profile`.
    Config,
    /// `--profile` or `DOCKWARD_PROFILE`.
    CommandLine,
}

impl ProfileFrom {
    /// How the start and reload lines say it.
    pub fn name(self) -> &'static str {
        match self {
            ProfileFrom::Default => "default",
            ProfileFrom::Policy => "policy file",
            ProfileFrom::Config => "settings file",
            ProfileFrom::CommandLine => "command line",
        }
    }
}

/// The settings in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Which rules decide.
    pub profile: Profile,
    /// Where `profile` was chosen.
    pub profile_from: ProfileFrom,
    /// Enforce or audit.
    pub mode: Mode,
    /// Where decisions are logged; `None` logs nothing.
    pub decision_log: Option<LogTarget>,
    /// The policy file (`--policy`, or `policy =` in the settings file); `None` for no policy.
    pub policy: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: Profile::Baseline,
            profile_from: ProfileFrom::Default,
            mode: Mode::Enforce,
            decision_log: None,
            policy: None,
        }
    }
}

/// Settings given on the command line: each one, when given, overrides the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--profile`.
    pub profile: Option<Profile>,
    /// `--mode`.
    pub mode: Option<Mode>,
    /// `--decision-log`.
    pub decision_log: Option<LogTarget>,
    /// `--policy`.
    pub policy: Option<PathBuf>,
}

/// Where settings come from: the command line, and a file read again on SIGHUP.
#[derive(Clone, Debug, Default)]
pub struct SettingsSource {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// The command-line flags.
    pub overrides: Overrides,
}

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line is not understood.
    #[error("{path}:{line}: {message}")]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl SettingsSource {
    /// Reads the settings now: defaults, then the file, then the command line.
    pub fn load(&self) -> Result<Settings, SettingsError> {
        let mut settings = Settings::default();
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                path: path.clone(),
                source,
            })?;
            apply_file(&mut settings, path, &text)?;
        }
        let o = &self.overrides;
        if let Some(profile) = o.profile {
            settings.profile = profile;
            settings.profile_from = ProfileFrom::CommandLine;
        }
        if let Some(mode) = o.mode {
            settings.mode = mode;
        }
        if let Some(log) = &o.decision_log {
            settings.decision_log = Some(log.clone());
        }
        if let Some(policy) = &o.policy {
            settings.policy = Some(policy.clone());
        }
        Ok(settings)
    }
}

/// Applies a settings file's lines.
pub fn apply_file(settings: &mut Settings, path: &Path, text: &str) -> Result<(), SettingsError> {
    for (index, raw) in text.lines().enumerate() {
        let error = |message: String| SettingsError::Line {
            path: path.to_path_buf(),
            line: index + 1,
            message,
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(error(format!("expected `key = value`, found \"{line}\"")));
        };
        let key = key.trim();
        let value = unquote(value.trim());
        match key {
            "profile" => {
                settings.profile = value
                    .parse()
                    .map_err(|e: <Profile as FromStr>::Err| error(e.to_string()))?;
                settings.profile_from = ProfileFrom::Config;
            }
            "mode" => settings.mode = value.parse().map_err(error)?,
            "decision-log" | "decision_log" => {
                settings.decision_log = (!value.is_empty()).then(|| LogTarget::parse(value));
            }
            "policy" => {
                // Relative to the settings file, not to the service's working directory.
                settings.policy = (!value.is_empty()).then(|| {
                    let base = path.parent().unwrap_or(Path::new(""));
                    base.join(value)
                });
            }
            other => {
                return Err(error(format!(
                    "unknown setting \"{other}\" (known: profile, mode, decision-log, policy)"
                )));
            }
        }
    }
    Ok(())
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn file_then_flags() {
        let mut s = Settings::default();
        apply_file(
            &mut s,
            Path::new("a.conf"),
            "# c\nprofile = restricted\nmode=\"audit\"\n\ndecision-log = -\npolicy = dockward.toml\n",
        )
        .unwrap();
        assert_eq!(
            s,
            Settings {
                profile: Profile::Restricted,
                profile_from: ProfileFrom::Config,
                mode: Mode::Audit,
                decision_log: Some(LogTarget::Stdout),
                policy: Some(PathBuf::from("dockward.toml")),
            }
        );
        let mut s = Settings::default();
        apply_file(
            &mut s,
            Path::new("/etc/dockward/authz.conf"),
            "policy = 'dockward.toml'\n",
        )
        .unwrap();
        assert_eq!(s.policy, Some(PathBuf::from("/etc/dockward/dockward.toml")));
        assert_eq!(s.profile_from, ProfileFrom::Default);
        let source = SettingsSource {
            config: None,
            overrides: Overrides {
                profile: Some(Profile::Baseline),
                policy: Some(PathBuf::from("/p.toml")),
                ..Overrides::default()
            },
        };
        let s = source.load().unwrap();
        assert_eq!(s.profile_from, ProfileFrom::CommandLine);
        assert_eq!(s.policy, Some(PathBuf::from("/p.toml")));
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let mut s = Settings::default();
        let err = apply_file(&mut s, Path::new("a.conf"), "mode = audit\nprofil = x\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.conf:2: unknown setting \"profil\" (known: profile, mode, decision-log, policy)"
        );
        let err = apply_file(&mut s, Path::new("a.conf"), "mode = loud\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.conf:1: unknown mode \"loud\" (expected enforce or audit)"
        );
        let err = apply_file(&mut s, Path::new("a.conf"), "restricted\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.conf:1: expected `key = value`, found \"restricted\""
        );
    }
}
