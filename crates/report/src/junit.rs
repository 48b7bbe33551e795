//! JUnit XML output, so CI servers (Jenkins, GitLab, Azure DevOps...) show an audit as a test
//! run: one suite per rule, one test case per target judged.
//!
//! There is no formal JUnit standard; this follows the de-facto schema those servers read.
//! Failures are failed tests, results that could not be assessed are errored tests, and
//! not-applicable, suppressed or waived results are skipped tests, so the counts match what gates a build.
//! Every text is escaped, and characters XML 1.0 cannot carry are dropped, so any container
//! name or message yields a well-formed document.

use std::fmt::Write;

use dockward_model::{RuleResult, Status};
use dockward_rules::RULES;

use crate::json::Report;
use crate::sarif::kind_name;

/// The report as JUnit XML (ending with a newline).
///
/// Suites follow the registry order (rules it does not know come last, in report order); test
/// cases keep the report order within their suite.
pub fn render_junit(report: &Report) -> String {
    let suites = group_by_rule(&report.results);
    let total = suites.iter().fold(Counts::default(), |mut sum, suite| {
        sum.add(&suite.counts);
        sum
    });
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"dockward\" {}>", total.attributes());
    for suite in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" {}>",
            escape(&format!("{} {}", suite.rule, suite.name)),
            suite.counts.attributes()
        );
        for r in &suite.results {
            write_testcase(&mut out, r);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// One rule's results.
struct Suite<'a> {
    rule: &'a str,
    name: &'a str,
    results: Vec<&'a RuleResult>,
    counts: Counts,
}

/// Test counts of a suite or of the whole run.
#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn count(&mut self, r: &RuleResult) {
        self.tests += 1;
        match outcome(r) {
            Outcome::Failure => self.failures += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Skipped(_) => self.skipped += 1,
            Outcome::Pass => {}
        }
    }

    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// How a result shows as a test.
enum Outcome {
    Pass,
    Failure,
    Error,
    /// Skipped, with the message to show.
    Skipped(String),
}

fn outcome(r: &RuleResult) -> Outcome {
    if let (Status::Fail, Some(waived)) = (r.status, &r.waived) {
        // A waived failure does not gate the build either; the reason says why.
        return Outcome::Skipped(format!("waived: {}", waived.reason));
    }
    match (r.status, &r.suppressed) {
        (Status::Pass, _) => Outcome::Pass,
        (Status::Fail, None) => Outcome::Failure,
        // A suppressed failure does not gate the build, like a skipped test.
        (Status::Fail, Some(s)) if s.reason.is_empty() => Outcome::Skipped("suppressed".to_string()),
        (Status::Fail, Some(s)) => Outcome::Skipped(format!("suppressed: {}", s.reason)),
        (Status::Error, _) => Outcome::Error,
        (Status::NotApplicable, _) => Outcome::Skipped(r.message.clone()),
    }
}

/// Results grouped per rule: registry order first, unknown rules after in order of appearance.
fn group_by_rule(results: &[RuleResult]) -> Vec<Suite<'_>> {
    let mut suites: Vec<(usize, Suite<'_>)> = Vec::new();
    for r in results {
        let position = match suites.iter().position(|(_, s)| s.rule == r.rule) {
            Some(position) => position,
            None => {
                let order = RULES
                    .iter()
                    .position(|rule| rule.id.eq_ignore_ascii_case(&r.rule))
                    .unwrap_or(RULES.len());
                suites.push((
                    order,
                    Suite {
                        rule: &r.rule,
                        name: &r.name,
                        results: Vec::new(),
                        counts: Counts::default(),
                    },
                ));
                suites.len() - 1
            }
        };
        if let Some((_, suite)) = suites.get_mut(position) {
            suite.results.push(r);
            suite.counts.count(r);
        }
    }
    // Stable sort: unknown rules (all at RULES.len()) keep their order of appearance.
    suites.sort_by_key(|(order, _)| *order);
    suites.into_iter().map(|(_, suite)| suite).collect()
}

fn write_testcase(out: &mut String, r: &RuleResult) {
    let mut name = format!("{} {}", kind_name(r.target.kind), r.target.name);
    if let Some(location) = &r.location {
        let _ = write!(name, " ({}:{})", location.path, location.line);
    }
    let _ = write!(
        out,
        "    <testcase classname=\"dockward.{}\" name=\"{}\"",
        escape(&r.rule),
        escape(&name)
    );
    match outcome(r) {
        Outcome::Pass => out.push_str("/>\n"),
        Outcome::Failure => {
            let _ = write!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\"",
                escape(&r.message),
                r.severity.as_str()
            );
            let details = failure_details(r);
            if details.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(out, ">{}</failure>", escape_text(&details));
            }
            out.push_str("    </testcase>\n");
        }
        Outcome::Error => {
            let _ = writeln!(out, ">\n      <error message=\"{}\"/>", escape(&r.message));
            out.push_str("    </testcase>\n");
        }
        Outcome::Skipped(message) => {
            let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>", escape(&message));
            out.push_str("    </testcase>\n");
        }
    }
}

/// The body of a failure: one `at = value` line per piece of evidence, then the fix.
fn failure_details(r: &RuleResult) -> String {
    let mut lines: Vec<String> = r
        .evidence
        .iter()
        .map(|e| format!("{} = {}", e.at, e.value))
        .collect();
    if let Some(fix) = &r.fix {
        lines.push(format!("fix: {fix}"));
    }
    lines.join("\n")
}

/// Whether XML 1.0 can carry the character at all (its `Char` production; Rust strings hold no
/// surrogates).
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes an attribute value. Tabs and line breaks become character references, since a parser
/// would otherwise turn them into spaces.
fn escape(s: &str) -> String {
    escape_with(s, true)
}

/// Escapes element text. Carriage returns become references, since a parser would otherwise
/// turn them into line feeds.
fn escape_text(s: &str) -> String {
    escape_with(s, false)
}

fn escape_with(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| allowed_in_xml(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_whitespace_and_forbidden_characters() {
        assert_eq!(
            escape("a<b>&\"c'\t\n\r"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#9;&#10;&#13;"
        );
        assert_eq!(escape_text("a\tb\nc\rd"), "a\tb\nc&#13;d");
        assert_eq!(
            escape("x\u{0}\u{1b}\u{7f}\u{FFFE}\u{FFFF}\u{D7FF}\u{10000}y"),
            "x\u{7f}\u{D7FF}\u{10000}y"
        );
    }
}
