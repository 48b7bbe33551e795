//! Meta-tests over the registry: conventions a reviewer would otherwise have to check by hand.
//!
//! Regenerate the golden files after an intended change with `DOCKWARD_BLESS=1 cargo test -p dockward-rules`.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dockward_rules::docs::catalogue_markdown;
use dockward_rules::{Check, PLANNED, RULES, find};

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

/// Compares `actual` with a committed file, or rewrites it under `DOCKWARD_BLESS=1`.
fn golden(relative: &str, actual: &str) {
    let path = repo_file(relative);
    if std::env::var_os("DOCKWARD_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{relative} is stale: regenerate it with `DOCKWARD_BLESS=1 cargo test -p dockward-rules --test registry`"
    );
}

#[test]
fn ids_are_well_formed_unique_and_stable() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in RULES {
        let (prefix, digits) = rule.id.split_at(2);
        // The prefix names the domain: CT containers, DA the daemon, HO the host, FI the daemon's
        // files, SW the swarm, IM images (and the client settings that govern pulling them), DF
        // Dockerfiles, PS Kubernetes' Pod Security Standards controls.
        let expected = match rule.check {
            Check::Container(_) => &["CT", "PS"][..],
            Check::Platform(_) => &["DA", "HO", "FI", "SW", "IM"][..],
            Check::Image(_) => &["IM"][..],
            Check::Dockerfile(_) => &["DF"][..],
            Check::Seccomp(_) => &["SC"][..],
            Check::Request(_) => &["RQ"][..],
        };
        assert!(
            expected.contains(&prefix),
            "{}: prefix {prefix} does not fit the rule's kind",
            rule.id
        );
        assert!(
            digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{}: id must be CT + 4 digits",
            rule.id
        );
        assert!(ids.insert(rule.id), "{}: duplicate id", rule.id);
        assert!(
            names.insert(rule.name),
            "{}: duplicate name {}",
            rule.id,
            rule.name
        );
        assert_eq!(
            find(rule.id).map(|r| r.name),
            Some(rule.name),
            "{}: id round trip",
            rule.id
        );
        assert_eq!(
            find(rule.name).map(|r| r.id),
            Some(rule.id),
            "{}: name round trip",
            rule.id
        );
        assert_eq!(
            (
                find(&rule.id.to_ascii_lowercase()).map(|r| r.id),
                find(&rule.name.to_ascii_uppercase()).map(|r| r.id)
            ),
            (Some(rule.id), Some(rule.id)),
            "{}: any case",
            rule.id
        );
    }
    assert!(find("no-such-rule").is_none() && find("").is_none());
    // A committed list, so renaming or renumbering a rule shows in review.
    let listing: String = RULES.iter().map(|r| format!("{} {}\n", r.id, r.name)).collect();
    golden("crates/rules/tests/rule-ids.txt", &listing);
}

#[test]
fn names_describe_the_pattern_flagged() {
    for rule in RULES {
        let name = rule.name;
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.contains("--"),
            "{}: {name} is not kebab-case",
            rule.id
        );
        for banned in ["avoid-", "use-", "prefer-", "disallow-", "no-", "ensure-"] {
            assert!(
                !name.starts_with(banned),
                "{}: name {name} must not start with {banned}",
                rule.id
            );
        }
        assert!(
            !name.ends_with("-used"),
            "{}: name {name} must not end with -used",
            rule.id
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in RULES {
        let docs = rule.documentation();
        for section in ["## What it checks\n", "## Why it matters\n", "## How to fix\n"] {
            assert!(
                docs.contains(section),
                "{}: documentation lacks {section:?}",
                rule.id
            );
        }
        assert!(
            !rule.title.is_empty() && !rule.title.ends_with('.'),
            "{}: title",
            rule.id
        );
        assert!(
            !rule.fix.is_empty() && !rule.fix.ends_with('.'),
            "{}: fix",
            rule.id
        );
        for reference in rule.references {
            let (source, item) = reference.split_once(':').unwrap_or_default();
            assert!(
                matches!(
                    source,
                    "cis-docker-1.6.0" | "docker-bench-security" | "pss" | "pss-baseline" | "pss-restricted"
                ) && !item.is_empty(),
                "{}: malformed reference {reference}",
                rule.id
            );
        }
    }
    for planned in PLANNED {
        assert!(
            planned.reference.starts_with("cis-docker-1.6.0:"),
            "{}",
            planned.reference
        );
    }
}

/// Every CIS Docker Benchmark 1.6.0 item: dockward automates it or lists it as not automated.
fn benchmark_items() -> Vec<String> {
    let mut items: Vec<String> = (1..=18).map(|n| format!("1.1.{n}")).collect();
    items.extend(["1.2.1".to_string(), "1.2.2".to_string()]);
    for (section, count) in [(2, 18), (3, 24), (4, 12), (5, 32), (6, 2), (7, 9)] {
        items.extend((1..=count).map(|n| format!("{section}.{n}")));
    }
    items
}

#[test]
fn every_benchmark_item_is_a_rule_or_planned() {
    let covered: BTreeSet<&str> = RULES
        .iter()
        .flat_map(|r| r.references.iter())
        .chain(PLANNED.iter().map(|p| &p.reference))
        .filter_map(|r| r.strip_prefix("cis-docker-1.6.0:"))
        .collect();
    let missing: Vec<String> = benchmark_items()
        .into_iter()
        .filter(|i| !covered.contains(i.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "CIS items neither automated nor listed as not automated: {missing:?}"
    );
}

#[test]
fn rules_md_is_current() {
    golden("docs/rules.md", &catalogue_markdown());
}
