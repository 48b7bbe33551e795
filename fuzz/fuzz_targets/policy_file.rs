//! The policy file (`dockward.toml`): `Policy::parse` on any text never panics; every problem is
//! reported inside the file (a 1-based line of the file, a column at most one past the line's
//! last character); parsing is deterministic; and a policy it accepts yields settings, `policy
//! show`, waivers applied to failures of every rule, and the authorization plugin's waiver
//! lookup without panicking.
#![no_main]

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use dockward_model::{RuleResult, Status, Target, TargetKind};
use dockward_policy::{CliChoices, Date, Policy, Subject, Subjects, render_show_text};
use libfuzzer_sys::fuzz_target;
use toml::de::{DeTable, DeValue};

/// An empty directory: `rego` globs relative to it name nothing.
fn base_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dockward-fuzz-policy-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        dir
    })
}

/// Whether a `rego` pattern could leave the empty base directory (absolute, `..`, `~`): those
/// would walk the machine's files, which is the module loader's business, not this target's.
fn leaves_base(text: &str) -> bool {
    let Ok(table) = DeTable::parse(text) else {
        return false;
    };
    let Some(rego) = table.get_ref().get("rego") else {
        return false;
    };
    match rego.get_ref() {
        DeValue::Array(items) => items.iter().any(|item| match item.get_ref() {
            DeValue::String(s) => {
                s.starts_with('/') || s.contains("..") || s.starts_with('~') || s.contains('\\')
            }
            _ => false,
        }),
        _ => false,
    }
}

fn failure(id: &str, name: &str, kind: TargetKind, target: &str) -> RuleResult {
    RuleResult {
        rule: Cow::Owned(id.to_string()),
        name: Cow::Owned(name.to_string()),
        status: Status::Fail,
        severity: dockward_model::Severity::Medium,
        target: Arc::new(Target {
            kind,
            name: target.to_string(),
            id: None,
        }),
        message: String::new(),
        evidence: Vec::new(),
        fix: None,
        location: None,
        references: Arc::from(Vec::<Cow<'static, str>>::new()),
        suppressed: None,
        waived: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if leaves_base(text) {
        return;
    }
    let path = Path::new("dockward.toml");
    let lines: Vec<usize> = text.split('\n').map(|l| l.chars().count()).collect();
    match Policy::parse(text, path, base_dir()) {
        Err(error) => {
            assert!(!error.0.is_empty(), "an invalid policy without a diagnostic");
            for d in &error.0 {
                if d.path != "dockward.toml" {
                    // A Rego module's own diagnostic (none exist in the empty base directory).
                    panic!("a diagnostic for another file: {d}");
                }
                assert!(d.line >= 1, "{d}: no line");
                let Some(length) = lines.get(d.line as usize - 1) else {
                    panic!("{d}: past the file's {} lines", lines.len());
                };
                assert!(
                    d.column >= 1 && d.column as usize <= length + 1,
                    "{d}: past the line's {length} characters"
                );
                assert!(
                    !d.message.is_empty() && !d.message.ends_with('.'),
                    "{d}: message style"
                );
            }
            let again = Policy::parse(text, path, base_dir()).err();
            assert_eq!(again.as_ref(), Some(&error), "parsing is not deterministic");
        }
        Ok(policy) => {
            let cli = CliChoices::default();
            let settings = policy.settings(&cli);
            assert_eq!(
                policy.settings(&cli).disable,
                settings.disable,
                "settings are not deterministic"
            );
            let shown = policy.show(&cli);
            assert_eq!(shown.len(), dockward_rules::RULES.len());
            let _ = render_show_text(&shown);
            let mut results: Vec<RuleResult> = dockward_rules::RULES
                .iter()
                .take(40)
                .map(|r| failure(r.id, r.name, TargetKind::Container, "web"))
                .collect();
            results.push(failure(
                "custom/ORG001",
                "custom/ORG001",
                TargetKind::Dockerfile,
                "docker/Dockerfile",
            ));
            let mut subjects = Subjects::default();
            subjects.insert(
                TargetKind::Container,
                "web",
                Subject {
                    container: Some("web".into()),
                    images: vec!["registry.example.com/team/web:1".into()],
                    labels: [("team".to_string(), "ops".to_string())].into(),
                    ..Subject::default()
                },
            );
            let today = Date::from_days_since_epoch(20_500);
            let outcome = policy.apply(&mut results, &subjects, &cli, today);
            let accepted = results.iter().filter(|r| r.waived.is_some()).count();
            assert_eq!(outcome.waivers.iter().map(|w| w.matched).sum::<usize>(), accepted);
            assert!(
                outcome
                    .waivers
                    .iter()
                    .all(|w| w.state != "expired" || w.matched == 0)
            );
            let _ = policy.waiver_for("CT0015", &Subject::default(), today);
        }
    }
});
