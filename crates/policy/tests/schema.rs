//! docs/policy.schema.json and docs/policy.md against the parser: the documented example is a
//! valid policy and valid to the schema, and the schema names exactly the keys, profiles,
//! severities, categories and rules the parser accepts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dockward_model::Severity;
use dockward_policy::file::{OPTIONS_KEYS, RULES_KEYS, TOP_LEVEL_KEYS, WAIVER_KEYS};
use dockward_policy::{CliChoices, Policy, Subjects};
use dockward_rules::{Profile, Scope};
use serde_json::Value;
use toml::de::{DeTable, DeValue};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn schema() -> Value {
    let path = docs().join("policy.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The TOML block after the marker comment in docs/policy.md.
fn documented_example() -> String {
    let path = docs().join("policy.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let after = text
        .split_once("crates/policy/tests/schema.rs")
        .map(|(_, rest)| rest)
        .expect("docs/policy.md marks its complete example");
    let (_, block) = after
        .split_once("```toml\n")
        .expect("a toml block follows the marker");
    let (example, _) = block.split_once("\n```").expect("the toml block ends");
    format!("{example}\n")
}

/// A TOML value as the JSON editors validate (dates as their `YYYY-MM-DD` strings).
fn json_of(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(s) => Value::from(s.as_ref()),
        DeValue::Integer(i) => Value::from(i64::from_str_radix(i.as_str(), i.radix()).expect("an i64")),
        DeValue::Float(f) => Value::from(f.as_str().parse::<f64>().expect("a float")),
        DeValue::Boolean(b) => Value::from(*b),
        DeValue::Datetime(d) => Value::from(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|v| json_of(v.get_ref())).collect()),
        DeValue::Table(t) => json_of_table(t),
    }
}

fn json_of_table(table: &DeTable<'_>) -> Value {
    Value::Object(
        table
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), json_of(v.get_ref())))
            .collect(),
    )
}

fn json_of_text(text: &str) -> Value {
    let table = DeTable::parse(text).expect("valid TOML");
    json_of_table(table.get_ref())
}

fn schema_errors(instance: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema())
        .expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// A directory with the example's Rego module, removed when dropped.
struct Base(PathBuf);

impl Base {
    fn new() -> Base {
        let dir = std::env::temp_dir().join(format!("dockward-policy-schema-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("policies")).expect("mkdir");
        std::fs::write(
            dir.join("policies/team.rego"),
            "package dockward.custom\nimport rego.v1\n\
             deny contains {\"id\": \"ORG001\", \"message\": \"team images come from registry.example.com\"} if {\n\
             \tinput.kind == \"container\"\n\
             \tnot startswith(input.workload.image.value, \"registry.example.com/\")\n}\n",
        )
        .expect("write");
        Base(dir)
    }
}

impl Drop for Base {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_documented_example_is_a_valid_policy_and_valid_to_the_schema() {
    let example = documented_example();
    let base = Base::new();
    let policy = Policy::parse(&example, Path::new("dockward.toml"), &base.0)
        .unwrap_or_else(|e| panic!("the documented example is refused:\n{e}"));
    assert_eq!(policy.profile(), Some(Some(Profile::Baseline)));
    let modules = policy.rego().expect("the example names Rego modules");
    assert_eq!(modules.files, [base.0.join("policies/team.rego")]);
    let settings = policy.settings(&CliChoices::default());
    assert_eq!(settings.disable, ["CT0011"]);
    assert_eq!(settings.options.min_pids_limit, Some(200));
    let outcome = policy.apply(
        &mut [],
        &Subjects::default(),
        &CliChoices::default(),
        "2027-01-01".parse().expect("a date"),
    );
    assert_eq!(outcome.waivers.len(), 5);

    let errors = schema_errors(&json_of_text(&example));
    assert!(
        errors.is_empty(),
        "the documented example is invalid to the schema: {errors:#?}"
    );
}

#[test]
fn the_schema_refuses_what_the_parser_refuses() {
    let cases = [
        "colour = \"blue\"\n",
        "profile = \"strict\"\n",
        "[rules]\nenable = [\"host-pdi\"]\n",
        "[rules]\nseverity = { CT0006 = \"extreme\" }\n",
        "[rules]\nseverity = { containers = \"low\" }\n",
        "[options]\nmin-pids-limit = 0\n",
        "[options]\nsensitive-host-paths = [\"srv\"]\n",
        "[[waiver]]\nrules = [\"CT0015\"]\n",
        "[[waiver]]\nreason = \"r\"\n",
        "[[waiver]]\nrules = []\nreason = \"r\"\n",
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"\"\n",
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"r\"\ncontainers = []\n",
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"r\"\nexpires = \"soon\"\n",
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"r\"\nexpires = 2027-06-30T10:00:00\n",
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"r\"\nlabels = [\"=x\"]\n",
        "[[waiver]]\nrules = [\"CT0015\"]\nreason = \"r\"\nuntil = 2027-06-30\n",
    ];
    for case in cases {
        assert!(
            Policy::parse(case, Path::new("dockward.toml"), Path::new("/nonexistent")).is_err(),
            "the parser accepts:\n{case}"
        );
        assert!(
            !schema_errors(&json_of_text(case)).is_empty(),
            "the schema accepts:\n{case}"
        );
    }
}

fn property_names(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

#[test]
fn the_schema_names_exactly_what_the_parser_accepts() {
    let schema = schema();
    assert_eq!(property_names(&schema), set(TOP_LEVEL_KEYS));
    assert_eq!(property_names(&schema["properties"]["rules"]), set(RULES_KEYS));
    assert_eq!(
        property_names(&schema["properties"]["options"]),
        set(OPTIONS_KEYS)
    );
    assert_eq!(
        property_names(&schema["properties"]["waiver"]["items"]),
        set(WAIVER_KEYS)
    );

    let mut profiles: Vec<String> = Profile::ALL.iter().map(|p| p.name().to_string()).collect();
    profiles.push("default".into());
    assert_eq!(strings(&schema["properties"]["profile"]["enum"]), profiles);
    let severities: Vec<String> = Severity::ALL.iter().map(|s| s.as_str().to_string()).collect();
    assert_eq!(strings(&schema["$defs"]["severity"]["enum"]), severities);
    let categories: Vec<String> = Scope::ALL.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(strings(&schema["$defs"]["category"]["enum"]), categories);

    let mut rules: Vec<String> = dockward_rules::RULES.iter().map(|r| r.id.to_string()).collect();
    rules.extend(dockward_rules::RULES.iter().map(|r| r.name.to_string()));
    let mut documented = strings(&schema["$defs"]["rule"]["anyOf"][0]["enum"]);
    if documented != rules && std::env::var_os("DOCKWARD_UPDATE_SCHEMA").is_some() {
        rewrite_rule_enum(&rules);
        documented = strings(&self::schema()["$defs"]["rule"]["anyOf"][0]["enum"]);
    }
    let missing: Vec<&String> = rules.iter().filter(|r| !documented.contains(r)).collect();
    let extra: Vec<&String> = documented.iter().filter(|r| !rules.contains(r)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "docs/policy.schema.json $defs.rule lists other rules than the registry (ids, then names, \
         in registry order): missing {missing:?}, not rules {extra:?}; \
         `DOCKWARD_UPDATE_SCHEMA=1 cargo test -p dockward-policy --test schema` rewrites the list"
    );
    assert_eq!(
        documented, rules,
        "docs/policy.schema.json $defs.rule: ids, then names, in registry order"
    );
}

/// Writes the registry's rules into the schema's `$defs.rule` list, leaving the rest of the file
/// as written (`DOCKWARD_UPDATE_SCHEMA=1`, after adding a rule).
fn rewrite_rule_enum(rules: &[String]) {
    let path = docs().join("policy.schema.json");
    let text = std::fs::read_to_string(&path).expect("read the schema");
    let rule = text.find("\"rule\": {").expect("$defs.rule");
    let start = rule + text[rule..].find("\"enum\": [").expect("its enum") + "\"enum\": [".len();
    let end = start + text[start..].find(']').expect("the enum ends");
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..].chars().take_while(|c| *c == ' ').collect();
    let items: Vec<String> = rules
        .iter()
        .map(|r| format!("{indent}  {}", serde_json::to_string(r).expect("a string")))
        .collect();
    let rewritten = format!(
        "{}\n{}\n{indent}{}",
        &text[..start],
        items.join(",\n"),
        &text[end..]
    );
    // Renamed into place: the other tests read the schema meanwhile.
    let temporary = path.with_extension("json.new");
    std::fs::write(&temporary, rewritten).expect("write the schema");
    std::fs::rename(&temporary, &path).expect("replace the schema");
}
