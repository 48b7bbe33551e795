//! The policy file: every key, every kind of error at its line and column, discovery, and the
//! precedence profile < file < command line.

use std::path::{Path, PathBuf};

use dockward_model::Severity;
use dockward_policy::{CliChoices, Policy, SettingOrigin, discover};
use dockward_rules::{Profile, RuleOptions, Scope};

fn parse(text: &str) -> Result<Policy, Vec<String>> {
    Policy::parse(
        text,
        Path::new("dockward.toml"),
        Path::new("/nonexistent/policy-base"),
    )
    .map_err(|e| e.0.iter().map(ToString::to_string).collect())
}

fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => panic!("the policy was accepted:\n{text}"),
        Err(errors) => errors,
    }
}

fn valid(text: &str) -> Policy {
    match parse(text) {
        Ok(policy) => policy,
        Err(errors) => panic!("the policy was refused:\n{}", errors.join("\n")),
    }
}

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("dockward-policy-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn file_origin(line: u32, column: u32) -> SettingOrigin {
    SettingOrigin::File {
        path: "dockward.toml".to_string(),
        line,
        column,
    }
}

fn rule<'a>(rules: &'a [dockward_policy::EffectiveRule], id: &str) -> &'a dockward_policy::EffectiveRule {
    rules.iter().find(|r| r.id == id).expect("the rule is listed")
}

#[test]
fn every_key_is_read() {
    let policy = valid(
        r#"
"$schema" = "https://example.com/policy.schema.json"
profile = "restricted"

[rules]
enable = ["base-image-without-digest", "images"]
disable = ["CT0011", "custom/ORG002"]
severity = { memory-unlimited = "high", "custom/ORG001" = "critical" }

[options]
allowed-capabilities = ["net_bind_service", "CAP_CHOWN", "NET_BIND_SERVICE"]
sensitive-host-paths = ["/srv/secrets"]
min-pids-limit = 0x100
trusted-registries = ["registry.example.com", "docker.io/library"]
trusted-users = ["alice", "root"]

[[waiver]]
rules = ["host-pid", "custom/ORG001", "containers"]
containers = ["node-exporter*"]
images = ["prom/*"]
labels = ["team=observability", "monitoring"]
services = ["exporter"]
paths = ["deploy/**/*.yaml"]
namespaces = ["monitoring"]
names = ["node-exporter"]
reason = "reads host processes"
expires = 2027-06-30
"#,
    );
    assert_eq!(policy.profile(), Some(Some(Profile::Restricted)));
    assert_eq!(policy.path.as_deref(), Some(Path::new("dockward.toml")));
    assert!(policy.rego().is_none());
    let settings = policy.settings(&CliChoices::default());
    assert_eq!(settings.profile, Some(Profile::Restricted));
    let images: Vec<String> = dockward_rules::RULES
        .iter()
        .filter(|r| Scope::of(r.id) == Some(Scope::Images))
        .map(|r| r.id.to_string())
        .collect();
    let mut enable = vec!["DF0008".to_string()];
    enable.extend(images);
    assert_eq!(settings.enable, enable);
    assert_eq!(settings.disable, ["CT0011", "custom/ORG002"]);
    assert_eq!(
        settings.options,
        RuleOptions {
            allowed_capabilities: Some(vec!["NET_BIND_SERVICE".into(), "CHOWN".into()]),
            sensitive_host_paths: vec!["/srv/secrets".into()],
            min_pids_limit: Some(256),
            trusted_registries: Some(vec!["registry.example.com".into(), "docker.io/library".into()]),
        }
    );
    assert_eq!(settings.trusted_users, Some(vec!["alice".into(), "root".into()]));

    let shown = policy.show(&CliChoices::default());
    assert_eq!(shown.len(), dockward_rules::RULES.len());
    let memory = rule(&shown, "CT0010");
    assert_eq!(
        (memory.severity, &memory.severity_by),
        (Severity::High, &file_origin(8, 14))
    );
    assert_eq!(
        memory.enabled_by,
        SettingOrigin::Profile {
            name: "restricted".into()
        }
    );
    let digest = rule(&shown, "DF0008");
    assert_eq!((digest.enabled, &digest.enabled_by), (true, &file_origin(6, 11)));
    let cpu = rule(&shown, "CT0011");
    assert_eq!(cpu.enabled_by, file_origin(7, 12));
    let cap = rule(&shown, "CT0004");
    assert_eq!(
        (cap.severity_by.clone(), cap.enabled),
        (SettingOrigin::Default, true)
    );
}

#[test]
fn an_empty_file_is_the_defaults() {
    let policy = valid("# nothing\n");
    let settings = policy.settings(&CliChoices::default());
    assert_eq!(settings.profile, None);
    assert!(settings.enable.is_empty() && settings.disable.is_empty());
    assert_eq!(settings.options, RuleOptions::default());
    assert_eq!(settings.trusted_users, None);
    let none = Policy::none().settings(&CliChoices::default());
    assert_eq!(
        (none.profile, none.enable.len(), none.disable.len()),
        (None, 0, 0)
    );
}

#[test]
fn profiles_by_name_and_default() {
    assert_eq!(
        valid("profile = \"baseline\"").profile(),
        Some(Some(Profile::Baseline))
    );
    assert_eq!(valid("profile = \"default\"").profile(), Some(None));
    assert_eq!(valid("").profile(), None);
    let expected: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(
        errors("profile = \"strict\""),
        [format!(
            "dockward.toml:1:11: unknown profile \"strict\": expected one of {}, default",
            expected.join(", ")
        )]
    );
}

#[test]
fn errors_are_reported_at_their_line_and_column() {
    let text = r#"profile = 3
colour = "blue"

[rules]
enable = ["host-pdi", "containres", 7]
disable = "CT0011"
severity = { memory-unlimited = "hgh", CT0001 = 1, "custom/" = "low", containers = "low" }
order = []

[options]
allowed-capabilities = ["NET BIND"]
sensitive-host-paths = ["srv/secrets"]
min-pids-limit = -4
trusted-registries = [""]
trusted-users = "alice"
max-memory = 1

[[waiver]]
rules = []
containers = ["[ab"]
labels = ["=x", "tier=[", "ok"]
images = []
reason = ""
expires = "2027-06-30"
until = 2027-06-30

[[waiver]]
containers = ["web"]
expires = 2027-06-30T10:00:00

  [[waiver]]
rules = ["CT0015"]
reason = "x"
expires = 7
"#;
    assert_eq!(
        errors(text),
        [
            "dockward.toml:1:11: profile must be a string, found an integer",
            "dockward.toml:2:1: unknown key \"colour\": expected one of $schema, profile, rego, rego-time-limit-ms, rules, options, waiver",
            "dockward.toml:5:11: unknown rule, rule name or category \"host-pdi\" (did you mean \"host-pid\"?)",
            "dockward.toml:5:23: unknown rule, rule name or category \"containres\" (did you mean \"containers\"?)",
            "dockward.toml:5:37: each element of rules.enable must be a string, found an integer",
            "dockward.toml:6:11: rules.disable must be an array of strings, found a string",
            "dockward.toml:7:33: unknown severity \"hgh\": expected one of critical, high, medium, low, info",
            "dockward.toml:7:49: rules.severity.CT0001 must be a string, found an integer",
            "dockward.toml:7:52: bad custom rule id \"custom/\": expected custom/ and an id without spaces (custom/ORG001)",
            "dockward.toml:7:71: unknown rule or rule name \"containers\": a category is not allowed here",
            "dockward.toml:8:1: unknown key \"order\" in [rules]: expected one of enable, disable, severity",
            "dockward.toml:11:25: bad capability \"NET BIND\": expected a name such as NET_BIND_SERVICE",
            "dockward.toml:12:25: sensitive host paths must be absolute, \"srv/secrets\" is not",
            "dockward.toml:13:18: options.min-pids-limit must be a positive integer",
            "dockward.toml:14:23: bad registry \"\": expected a host, optionally with a path (registry.example.com/team)",
            "dockward.toml:15:17: options.trusted-users must be an array of strings, found a string",
            "dockward.toml:16:1: unknown key \"max-memory\" in [options]: expected one of allowed-capabilities, sensitive-host-paths, min-pids-limit, trusted-registries, trusted-users",
            "dockward.toml:19:9: rules must name at least one rule",
            "dockward.toml:20:15: bad glob \"[ab\": unclosed character class; missing ']'",
            "dockward.toml:21:11: bad label selector \"=x\": expected key=value or key (a label that is present)",
            "dockward.toml:21:17: bad glob \"[\": unclosed character class; missing ']'",
            "dockward.toml:22:10: images must not be empty: leave it out to match any image",
            "dockward.toml:23:10: reason must not be empty",
            "dockward.toml:24:11: expires must be a TOML local date (expires = 2027-06-30), found a string: write it without quotes (expires = 2027-06-30)",
            "dockward.toml:25:1: unknown key \"until\" in [[waiver]]: expected one of rules, containers, images, labels, services, paths, namespaces, names, reason, expires",
            "dockward.toml:27:1: waiver without \"rules\": name the rules it accepts failures of",
            "dockward.toml:27:1: waiver without \"reason\": say why the exception is acceptable",
            "dockward.toml:29:11: expires must be a TOML local date (expires = 2027-06-30), found a date-time",
            "dockward.toml:34:11: expires must be a TOML local date (expires = 2027-06-30), found an integer",
        ]
    );
}

#[test]
fn toml_syntax_errors_and_impossible_dates_are_located() {
    assert_eq!(
        errors("[options]\nmin-pids-limit = 1\n[options]\n"),
        ["dockward.toml:3:2: duplicate key options"]
    );
    assert_eq!(
        errors("[rules]\nenable = [\"CT0001\"\n"),
        ["dockward.toml:2:19: unclosed array, expected `]`"]
    );
    assert_eq!(
        errors("profile = \"baseline\"\nprofile = \"restricted\"\n"),
        ["dockward.toml:2:1: duplicate key profile"]
    );
    assert_eq!(
        errors("[[waiver]]\nrules = [\"CT0015\"]\nreason = \"x\"\nexpires = 2027-02-29\n"),
        ["dockward.toml:4:11: invalid date, expected day between 01 and 28"]
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(
        errors("# é\n[[waiver]]\nrules = [\"CT0015\"]\nreason = \"für\"; \"x\"\n"),
        errors("# e\n[[waiver]]\nrules = [\"CT0015\"]\nreason = \"fur\"; \"x\"\n")
    );
    assert_eq!(
        errors("[rules]\nenable = [\"é\", \"nope\"]\n"),
        [
            "dockward.toml:2:11: unknown rule, rule name or category \"é\" (custom rules are written custom/ID)",
            "dockward.toml:2:16: unknown rule, rule name or category \"nope\" (custom rules are written custom/ID)",
        ]
    );
}

#[test]
fn the_waiver_table_must_be_an_array_of_tables() {
    assert_eq!(
        errors("[waiver]\nrules = [\"CT0015\"]\nreason = \"x\"\n"),
        ["dockward.toml:1:1: waiver must be an array of tables ([[waiver]]), found a table"]
    );
    assert_eq!(
        errors("waiver = [1]\n"),
        ["dockward.toml:1:11: each waiver must be a table, found an integer"]
    );
    // Inline tables in an array are the same waivers.
    valid("waiver = [{ rules = [\"CT0015\"], reason = \"x\" }]\n");
}

#[test]
fn load_bounds_and_refuses_what_is_not_a_policy_file() {
    let dir = TempDir::new("load");
    let err = |path: &Path| -> Vec<String> {
        match Policy::load(path) {
            Ok(_) => panic!("loaded {}", path.display()),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    };
    let d = dir.0.display();
    assert_eq!(err(&dir.0), [format!("{d}: not a regular file")]);
    let missing = dir.0.join("missing.toml");
    let message = err(&missing);
    assert!(
        message.len() == 1
            && message[0].starts_with(&format!("{d}/missing.toml: cannot read the policy file: ")),
        "{message:?}"
    );
    let big = dir.0.join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(1 << 20))).expect("write");
    assert_eq!(
        err(&big),
        [format!("{d}/big.toml: the policy file is larger than 1 MiB")]
    );
    let binary = dir.0.join("binary.toml");
    std::fs::write(&binary, b"profile = \"baseline\"\n# \xff\n").expect("write");
    assert_eq!(
        err(&binary),
        [format!("{d}/binary.toml:2:3: the file is not valid UTF-8")]
    );
    let good = dir.0.join("dockward.toml");
    std::fs::write(&good, "profile = \"baseline\"\n[rules]\ndisable = [\"CT0006\"]\n").expect("write");
    let policy = Policy::load(&good).expect("a valid policy");
    assert_eq!(policy.path.as_deref(), Some(good.as_path()));
    let shown = policy.show(&CliChoices::default());
    assert_eq!(
        rule(&shown, "CT0006").enabled_by,
        SettingOrigin::File {
            path: good.display().to_string(),
            line: 3,
            column: 12
        }
    );
}

#[test]
fn discovery_walks_up_and_prefers_the_plain_name() {
    let dir = TempDir::new("discover");
    let deep = dir.0.join("a/b/c");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(dir.0.join("a/.dockward.toml"), "").expect("write");
    assert_eq!(discover(&deep), Some(dir.0.join("a/.dockward.toml")));
    std::fs::write(dir.0.join("a/b/.dockward.toml"), "").expect("write");
    std::fs::write(dir.0.join("a/b/dockward.toml"), "").expect("write");
    assert_eq!(discover(&deep), Some(dir.0.join("a/b/dockward.toml")));
    assert_eq!(
        discover(&dir.0.join("a/b")),
        Some(dir.0.join("a/b/dockward.toml"))
    );
    // A directory of that name is found too: loading it says it is not a file.
    std::fs::create_dir_all(deep.join("dockward.toml")).expect("mkdir");
    assert_eq!(discover(&deep), Some(deep.join("dockward.toml")));
}

#[test]
fn discovery_finds_nothing_where_no_directory_has_a_policy() {
    let dir = TempDir::new("discover-none");
    let found = discover(&dir.0);
    // Only a policy above the temporary directory (none on a clean machine) could be found.
    assert!(found.as_ref().is_none_or(|p| !p.starts_with(&dir.0)), "{found:?}");
}

const PRECEDENCE: &str = r#"profile = "baseline"
[rules]
enable = ["CT0011", "DF0008"]
disable = ["CT0006", "CT0010"]
severity = { CT0006 = "low", host-pid = "medium" }
[options]
trusted-users = ["alice"]
"#;

#[test]
fn precedence_profile_then_file_then_command_line() {
    let policy = valid(PRECEDENCE);

    // The file's profile, without a command line.
    let settings = policy.settings(&CliChoices::default());
    assert_eq!(settings.profile, Some(Profile::Baseline));
    assert_eq!(settings.enable, ["CT0011", "DF0008"]);
    assert_eq!(settings.disable, ["CT0006", "CT0010"]);
    assert_eq!(settings.trusted_users, Some(vec!["alice".to_string()]));

    // The command line's profile, enables over the file's disables, disables over its enables.
    let cli = CliChoices {
        profile: Some(Some(Profile::Restricted)),
        enable: vec!["privileged-container".into()],
        disable: vec!["DF0008".into()],
        severity: vec![("CT0006".into(), Severity::Info)],
        trusted_users: Some(vec!["bob".into()]),
        only: Some(vec![Scope::Containers]),
        target_stage: Some("prod".into()),
    };
    let settings = policy.settings(&cli);
    assert_eq!(settings.profile, Some(Profile::Restricted));
    assert_eq!(settings.enable, ["CT0011", "DF0008", "CT0006"]);
    assert_eq!(settings.disable, ["CT0010", "DF0008"]);
    assert_eq!(settings.trusted_users, Some(vec!["bob".to_string()]));
    assert_eq!(settings.only, Some(vec![Scope::Containers]));
    assert_eq!(settings.target_stage.as_deref(), Some("prod"));

    // `--profile default` clears the file's profile.
    let settings = policy.settings(&CliChoices {
        profile: Some(None),
        ..CliChoices::default()
    });
    assert_eq!(settings.profile, None);

    let shown = policy.show(&cli);
    let privileged = rule(&shown, "CT0006");
    assert_eq!(
        privileged.enabled_by,
        SettingOrigin::CommandLine {
            flag: "--enable".into()
        }
    );
    assert_eq!(
        (privileged.severity, &privileged.severity_by),
        (
            Severity::Info,
            &SettingOrigin::CommandLine {
                flag: "--severity".into()
            }
        )
    );
    let pid = rule(&shown, "CT0015");
    assert_eq!(
        (pid.severity, &pid.severity_by),
        (Severity::Medium, &file_origin(5, 30))
    );
    assert_eq!(
        pid.enabled_by,
        SettingOrigin::Profile {
            name: "restricted".into()
        }
    );
    assert!(pid.enabled);
    let digest = rule(&shown, "DF0008");
    assert_eq!(
        (digest.enabled, &digest.enabled_by),
        (
            false,
            &SettingOrigin::CommandLine {
                flag: "--only".into()
            }
        )
    );
    let shown = policy.show(&CliChoices::default());
    assert_eq!(rule(&shown, "CT0010").enabled_by, file_origin(4, 22));
    assert_eq!(
        rule(&shown, "CT0015").enabled_by,
        SettingOrigin::Profile {
            name: "baseline".into()
        }
    );
}

#[test]
fn a_category_disabled_in_the_file_keeps_the_rule_the_command_line_enables() {
    let policy = valid("[rules]\ndisable = [\"containers\"]\n");
    let settings = policy.settings(&CliChoices {
        enable: vec!["host-pid".into()],
        ..CliChoices::default()
    });
    assert!(settings.disable.iter().any(|id| id == "CT0006"));
    assert!(!settings.disable.iter().any(|id| id == "CT0015"));
    assert!(settings.disable.iter().all(|id| id.starts_with("CT")));
    let settings = policy.settings(&CliChoices {
        enable: vec!["containers".into()],
        ..CliChoices::default()
    });
    assert!(settings.disable.is_empty());
}

#[test]
fn show_renders_a_table() {
    let policy = valid(PRECEDENCE);
    let shown = policy.show(&CliChoices::default());
    let text = dockward_policy::render_show_text(&shown);
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    assert!(header.starts_with("ID      NAME"), "{header}");
    assert!(
        header.ends_with("ENABLED BY              SEVERITY BY") || header.contains("SEVERITY BY"),
        "{header}"
    );
    let privileged = text
        .lines()
        .find(|l| l.starts_with("CT0006 "))
        .expect("CT0006 is listed");
    let cells: Vec<&str> = privileged.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "CT0006",
            "privileged-container",
            "off",
            "low",
            "dockward.toml:4:12",
            "dockward.toml:5:14"
        ]
    );
    let on = shown.iter().filter(|r| r.enabled).count();
    assert_eq!(
        text.lines().last(),
        Some(format!("{on} of {} rules on", shown.len()).as_str())
    );
}

#[test]
fn the_engine_selects_what_the_precedence_says() {
    let find = |id: &str| dockward_rules::find(id).expect("a rule");
    let policy = valid("[rules]\ndisable = [\"CT0011\", \"host-pid\"]\nenable = [\"DF0008\", \"CT0010\"]\n");
    let selected = |cli: &CliChoices, id: &str| policy.settings(cli).selects(find(id));
    let none = CliChoices::default();
    assert!(!selected(&none, "CT0011"));
    assert!(!selected(&none, "CT0015"));
    assert!(selected(&none, "DF0008"));
    assert!(selected(&none, "CT0006"));
    let cli = CliChoices {
        enable: vec!["CT0011".into()],
        disable: vec!["DF0008".into(), "cpu-unlimited".into()],
        ..CliChoices::default()
    };
    // The command line's enable wins over the file's disable (and over its own disable), its
    // disable over the file's enable.
    assert!(selected(&cli, "CT0011"));
    assert!(!selected(&cli, "DF0008"));
    assert!(!selected(&cli, "CT0015"));

    // A file disable of a category, and the one rule the command line turns back on.
    let policy = valid("[rules]\ndisable = [\"containers\"]\n");
    let settings = policy.settings(&CliChoices {
        enable: vec!["host-pid".into()],
        ..CliChoices::default()
    });
    assert!(settings.selects(find("CT0015")));
    assert!(!settings.selects(find("CT0006")));
    assert!(settings.selects(find("DA0001")));

    // Under a profile: the profile's rules and what the file enables.
    let policy = valid("profile = \"baseline\"\n[rules]\nenable = [\"memory-unlimited\"]\n");
    let settings = policy.settings(&CliChoices::default());
    assert!(settings.selects(find("CT0010")));
    assert!(settings.selects(find("CT0015")));
    assert!(!settings.selects(find("CT0011")));
}

#[test]
fn rego_patterns_are_resolved_beside_the_file_and_reported_at_their_position() {
    assert_eq!(
        errors("profile = \"baseline\"\nrego = [\"policies/*.rego\", \"\"]\n"),
        [
            "dockward.toml:2:9: rego pattern `policies/*.rego` matches no file",
            "dockward.toml:2:28: rego patterns must not be empty",
        ]
    );
    assert_eq!(
        errors("rego = \"policies/*.rego\"\n"),
        ["dockward.toml:1:8: rego must be an array of strings, found a string"]
    );
    // No patterns, no modules.
    assert!(valid("rego = []\n").rego().is_none());
}

#[test]
fn the_rego_time_limit_is_set_in_milliseconds_and_bounded() {
    let dir = TempDir::new("time-limit");
    std::fs::create_dir_all(dir.0.join("policies")).expect("mkdir");
    std::fs::write(
        dir.0.join("policies/team.rego"),
        "package dockward.team\nimport rego.v1\ndeny contains {\"id\": \"T1\", \"message\": \"m\"} if false\n",
    )
    .expect("write");
    let parse_in_dir = |text: &str| Policy::parse(text, Path::new("dockward.toml"), &dir.0);
    let limit_of = |text: &str| match parse_in_dir(text) {
        Ok(policy) => policy.rego().map(|m| m.time_limit()),
        Err(e) => panic!("refused: {e:?}"),
    };
    let patterns = "rego = [\"policies/*.rego\"]\n";
    assert_eq!(limit_of(patterns), Some(std::time::Duration::from_secs(1)));
    assert_eq!(
        limit_of(&format!("{patterns}rego-time-limit-ms = 250\n")),
        Some(std::time::Duration::from_millis(250))
    );
    assert_eq!(
        limit_of(&format!("rego-time-limit-ms = 60_000\n{patterns}")),
        Some(std::time::Duration::from_secs(60))
    );
    for (value, message) in [
        ("0", "1:22: rego-time-limit-ms must be from 1 to 60000"),
        ("60001", "1:22: rego-time-limit-ms must be from 1 to 60000"),
        ("-5", "1:22: rego-time-limit-ms must be from 1 to 60000"),
        (
            "\"1s\"",
            "1:22: rego-time-limit-ms must be an integer (milliseconds), found a string",
        ),
        (
            "1.5",
            "1:22: rego-time-limit-ms must be an integer (milliseconds), found a float",
        ),
    ] {
        assert_eq!(
            errors(&format!("rego-time-limit-ms = {value}\n")),
            [format!("dockward.toml:{message}")],
            "{value}"
        );
    }
}
