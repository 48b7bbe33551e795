//! Rule documentation rendered from the registry: `dockward explain`, `dockward rules` and
//! `docs/rules.md` all come from here, so they cannot drift apart.

use std::fmt::Write;

use crate::registry::{PLANNED, RULES};
use crate::rule::{Rule, section_title};

/// One rule's documentation as Markdown.
pub fn explain(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}\n", rule.id, rule.name);
    let _ = writeln!(out, "{}\n", rule.title);
    let _ = writeln!(out, "Severity: {}  ", rule.severity.as_str());
    let _ = writeln!(out, "References: {}\n", rule.references.join(", "));
    let _ = writeln!(out, "{}\n", rule.documentation());
    out.trim_end().to_string() + "\n"
}

/// The whole catalogue as Markdown: an index table, every rule's documentation, and the
/// benchmark items that are not automated yet.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# dockward rules\n\n\
         Generated from the rule registry by `dockward rules --format markdown`; do not edit by hand.\n\n\
         | ID | Name | Severity | CIS Docker 1.6.0 | Title |\n|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let cis: Vec<&str> = rule
            .references
            .iter()
            .filter_map(|r| r.strip_prefix("cis-docker-1.6.0:"))
            .collect();
        let _ = writeln!(
            out,
            "| [{id}](#{anchor}) | {name} | {sev} | {cis} | {title} |",
            id = rule.id,
            anchor = format!("{}-{}", rule.id, rule.name).to_ascii_lowercase(),
            name = rule.name,
            sev = rule.severity.as_str(),
            cis = cis.join(", "),
            title = rule.title,
        );
    }
    let mut section = "";
    for rule in RULES {
        if rule.section() != section {
            section = rule.section();
            let _ = writeln!(out, "\n## Section {section}: {}", section_title(section));
        }
        out.push('\n');
        out.push_str(
            &explain(rule)
                .replacen("# ", "### ", 1)
                .replace("\n## ", "\n#### "),
        );
    }
    out.push_str("\n## Not automated yet\n\n| Reference | Title | Why |\n|---|---|---|\n");
    for planned in PLANNED {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            planned.reference, planned.title, planned.reason
        );
    }
    out
}
