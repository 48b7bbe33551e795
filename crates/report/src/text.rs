//! The human report: failures and errors grouped by CIS section, with evidence and the fix,
//! a summary per section and overall. Colour only when asked (the CLI asks on a TTY).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

use dockward_model::{RuleResult, Severity, Status, TargetKind};
use dockward_rules::section_title;

use crate::json::{Report, SourceLines, StatusCounts, section_of_result};

/// How to render text.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Show passing and not-applicable results too.
    pub show_all: bool,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn status(&self, status: Status) -> String {
        let (label, code) = match status {
            Status::Fail => ("FAIL ", "1;31"),
            Status::Error => ("ERROR", "1;35"),
            Status::Pass => ("PASS ", "32"),
            Status::NotApplicable => ("N/A  ", "2"),
        };
        self.wrap(code, label)
    }

    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Critical | Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low | Severity::Info => "2",
        };
        self.wrap(code, &format!("({})", severity.as_str()))
    }

    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// Errors shared by this many rules on one target are printed once.
const COLLAPSE_AT: usize = 3;

/// Renders the report as text.
pub fn render_text(report: &Report, options: TextOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    let source = &report.source;
    let version = source
        .server_version
        .as_deref()
        .map(|v| format!(" (Docker {})", visible(v)))
        .unwrap_or_default();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if source.endpoint.is_empty() {
        let mut read: Vec<String> = [
            (source.compose_projects, "compose project"),
            (source.manifests, "Kubernetes manifest"),
            (source.daemon_json, "daemon.json file"),
            (source.seccomp_profiles, "seccomp profile"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| plural(n, word))
        .collect();
        if source.dockerfiles > 0 || read.is_empty() {
            read.insert(0, plural(source.dockerfiles, "Dockerfile"));
        }
        let _ = writeln!(
            out,
            "{} lint of {}",
            paint.bold(&format!("dockward {}", report.tool.version)),
            read.join(", "),
        );
    } else {
        let images = if source.images > 0 {
            format!(", {}", plural(source.images, "image"))
        } else {
            String::new()
        };
        // Listed against judged: containers the audit left out (--running, -c, failed
        // inspections) are visible at a glance.
        let containers = match (source.containers_listed, source.running_only) {
            (Some(listed), false) => format!("{listed} listed, {} judged", source.containers),
            (Some(listed), true) => format!("{} judged (--running), {listed} listed", source.containers),
            (None, false) => format!("{} judged", source.containers),
            (None, true) => format!("{} judged (--running)", source.containers),
        };
        let _ = writeln!(
            out,
            "{} audit of {}{version}: containers: {containers}{images} · collected {}",
            paint.bold(&format!("dockward {}", report.tool.version)),
            visible(&source.endpoint),
            source.collected_at,
        );
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "{} {}", paint.wrap("1;33", "warning:"), visible(warning));
    }

    // Errors that hit many rules on one target (an uninspectable container, an unreachable
    // daemon) are one problem: show it once.
    let mut shared_errors: BTreeMap<(String, String), Vec<&RuleResult>> = BTreeMap::new();
    for r in report.results.iter().filter(|r| r.status == Status::Error) {
        shared_errors
            .entry((target_label(r), r.message.clone()))
            .or_default()
            .push(r);
    }
    shared_errors.retain(|_, rules| rules.len() >= COLLAPSE_AT);
    let collapsed = |r: &RuleResult| {
        r.status == Status::Error && shared_errors.contains_key(&(target_label(r), r.message.clone()))
    };

    let mut sections: BTreeMap<&str, Vec<&RuleResult>> = BTreeMap::new();
    for r in &report.results {
        sections.entry(section_of_result(r)).or_default().push(r);
    }
    // Benchmark sections in order, dockward's own rules ("-") after them.
    let mut ordered: Vec<(&&str, &Vec<&RuleResult>)> = sections.iter().collect();
    ordered.sort_by_key(|(section, _)| (**section == "-", **section));
    for (section, results) in ordered {
        let _ = writeln!(
            out,
            "\n{}",
            paint.bold(&format!("[{section}] {}", section_title(section)))
        );
        let shown: Vec<&RuleResult> = results
            .iter()
            .copied()
            .filter(|r| {
                options.show_all
                    || matches!(r.status, Status::Fail | Status::Error)
                    || r.suppressed.is_some()
                    || r.waived.is_some()
            })
            .filter(|r| !collapsed(r))
            .collect();
        let counts = report.summary.sections.get(*section).cloned().unwrap_or_default();
        if shown.is_empty() {
            let note = if counts.fail + counts.error == 0 {
                "nothing failed"
            } else {
                "see \"Could not assess\" below"
            };
            let _ = writeln!(out, "  {}", paint.dim(note));
        }
        // Results arrive ordered by rule: one block per rule, one line per target.
        for block in shown.chunk_by(|a, b| a.rule == b.rule) {
            render_rule_block(&mut out, &paint, block, &report.lines);
        }
        if *section == "1" {
            // Waived findings need no fix: the rules file leaves them out.
            let counting: Vec<RuleResult> = report
                .results
                .iter()
                .filter(|r| r.waived.is_none())
                .cloned()
                .collect();
            render_audit_rules_file(&mut out, &paint, &counting);
        }
        let _ = writeln!(out, "  {}", paint.dim(&counts_line(&counts)));
    }

    if !shared_errors.is_empty() {
        let _ = writeln!(out, "\n{}", paint.bold("Could not assess"));
        for ((target, message), rules) in &shared_errors {
            let _ = writeln!(
                out,
                "  {} {}: {} ({} rules)",
                paint.status(Status::Error),
                visible(target),
                visible(message),
                rules.len()
            );
            render_excerpt(&mut out, &paint, rules[0], &report.lines);
        }
    }

    let s = &report.summary;
    let failures: Vec<String> = Severity::ALL
        .iter()
        .filter(|sev| s.failures_by_severity.get(**sev) > 0)
        .map(|sev| format!("{} {}", s.failures_by_severity.get(*sev), sev.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "\n{} {} results: {} fail{}{}, {} error, {} pass, {} not applicable",
        paint.bold("Summary:"),
        s.total,
        s.by_status.fail,
        if failures.is_empty() {
            String::new()
        } else {
            format!(" ({})", failures.join(", "))
        },
        if s.waived > 0 {
            format!(", {} waived", s.waived)
        } else {
            String::new()
        },
        s.by_status.error,
        s.by_status.pass,
        s.by_status.not_applicable,
    );
    if s.suppressed > 0 {
        let _ = writeln!(
            out,
            "{} suppressed by dockward ignore comments.",
            plural(s.suppressed, "failure")
        );
    }
    if s.waived > 0 {
        let _ = writeln!(
            out,
            "{} waived by the policy (listed above as WAIVED, with their reasons).",
            plural(s.waived, "failure")
        );
    }
    if let Some(baseline) = &report.baseline {
        render_baseline(&mut out, &paint, baseline);
    }
    if s.by_status.error > 0 {
        let _ = writeln!(
            out,
            "{} checks could not be assessed; see the errors above.",
            s.by_status.error
        );
    }
    if !options.show_all {
        let _ = writeln!(
            out,
            "{}",
            paint.dim("Passing and not applicable results are hidden; --show-all lists them.")
        );
    }
    out
}

fn target_label(r: &RuleResult) -> String {
    let kind = match r.target.kind {
        TargetKind::Container => "container",
        TargetKind::Image => "image",
        TargetKind::Dockerfile => "dockerfile",
        TargetKind::Daemon => "daemon",
        TargetKind::Host => "host",
        TargetKind::File => "file",
        TargetKind::Client => "client",
        TargetKind::ComposeService => "compose service",
        TargetKind::K8sContainer => "kubernetes container",
        TargetKind::DaemonJson => "daemon.json",
        TargetKind::SeccompProfile => "seccomp profile",
    };
    match &r.location {
        // A file workload's name says which one of the file's services or containers it is.
        Some(at)
            if at.path != r.target.name
                && matches!(
                    r.target.kind,
                    TargetKind::ComposeService | TargetKind::K8sContainer
                ) =>
        {
            format!("{}:{}:{} ({kind} {})", at.path, at.line, at.column, r.target.name)
        }
        Some(at) => format!("{}:{}:{}", at.path, at.line, at.column),
        None => format!("{kind} {}", r.target.name),
    }
}

/// The source line a located result points at, with a caret under its column, and the sites
/// that pulled the value in.
fn render_excerpt(out: &mut String, paint: &Paint, r: &RuleResult, lines: &SourceLines) {
    let Some(at) = &r.location else {
        return;
    };
    if let Some(text) = lines.get(&at.path).and_then(|file| file.get(&at.line)) {
        let number = at.line.to_string();
        let mut shown = String::new();
        let mut offset = 0;
        for (i, c) in text.chars().enumerate() {
            let rendered = if c == '\t' {
                Cow::Borrowed("    ")
            } else {
                visible(c.encode_utf8(&mut [0; 4])).into_owned().into()
            };
            if (i as u64) + 1 < u64::from(at.column) {
                offset += rendered.chars().count();
            }
            shown.push_str(&rendered);
        }
        let _ = writeln!(out, "          {} {}", paint.dim(&format!("{number} |")), shown);
        if at.column >= 1 {
            let _ = writeln!(
                out,
                "          {} {}{}",
                paint.dim(&format!("{} |", " ".repeat(number.len()))),
                " ".repeat(offset),
                paint.wrap("1;31", "^")
            );
        }
    }
    for via in &at.via {
        let _ = writeln!(
            out,
            "          {}",
            paint.dim(&visible(&format!(
                "pulled in at {}:{}:{}",
                via.path, via.line, via.column
            )))
        );
    }
}

fn render_rule_block(out: &mut String, paint: &Paint, block: &[&RuleResult], lines: &SourceLines) {
    let first = block[0];
    // A custom rule (`custom/ORG001`) has no registry entry: its id is its name.
    let title = match dockward_rules::find(&first.rule) {
        Some(rule) => rule.title,
        None if first.rule.starts_with("custom/") => "a custom rule of the policy (Rego)",
        None => "",
    };
    let heading = if first.name == first.rule {
        first.rule.to_string()
    } else {
        format!("{} {}", first.rule, first.name)
    };
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(": {title}")
    };
    let _ = writeln!(
        out,
        "  {} {}{title}",
        paint.bold(&heading),
        paint.severity(first.severity),
    );
    // Suppressed and waived findings need no fix.
    let active: Vec<&&RuleResult> = block
        .iter()
        .filter(|r| r.suppressed.is_none() && r.waived.is_none())
        .collect();
    let shared_fix = active
        .first()
        .filter(|first| active.iter().all(|r| r.fix == first.fix))
        .and_then(|first| first.fix.as_ref());
    // Waived findings after the rule's failures: reported, not hidden, yet apart.
    for r in block.iter().filter(|r| r.waived.is_none()) {
        if let Some(suppressed) = &r.suppressed {
            let why = if suppressed.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", suppressed.reason)
            };
            let _ = writeln!(
                out,
                "    {} {}: {} {}",
                paint.dim("SUPPRESSED"),
                visible(&target_label(r)),
                visible(&r.message),
                paint.dim(&visible(&format!("(ignored at {}{why})", suppressed.at))),
            );
            continue;
        }
        let _ = writeln!(
            out,
            "    {} {}: {}",
            paint.status(r.status),
            visible(&target_label(r)),
            visible(&r.message)
        );
        if matches!(r.status, Status::Fail | Status::Error) {
            render_excerpt(out, paint, r, lines);
        }
        for e in &r.evidence {
            let _ = writeln!(
                out,
                "          {}",
                paint.dim(&visible(&format!("{} = {}", e.at, e.value)))
            );
        }
        if let (None, Some(fix)) = (shared_fix, &r.fix) {
            let _ = writeln!(out, "          fix: {}", visible(fix));
        }
    }
    for r in block.iter() {
        let Some(waived) = &r.waived else {
            continue;
        };
        let until = waived
            .expires
            .as_ref()
            .map(|date| format!(" until {date}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {} {}: {} {}",
            paint.wrap("1;34", "WAIVED"),
            visible(&target_label(r)),
            visible(&r.message),
            paint.dim(&visible(&format!(
                "(waived by {}{until}: {})",
                waived.at, waived.reason
            ))),
        );
    }
    if let Some(fix) = shared_fix {
        let _ = writeln!(out, "    fix: {}", visible(fix));
    }
}

/// What a baseline left out, and what got fixed since.
fn render_baseline(out: &mut String, paint: &Paint, baseline: &crate::baseline::BaselineUse) {
    let known = match baseline.known {
        1 => "1 known failure".to_string(),
        n => format!("{n} known failures"),
    };
    let fixed = match baseline.fixed.len() {
        0 => "none fixed since.".to_string(),
        n => format!("{n} fixed since:"),
    };
    let _ = writeln!(
        out,
        "{known} from the baseline {} not shown; {fixed}",
        visible(&baseline.path)
    );
    for f in &baseline.fixed {
        let kind = crate::sarif::kind_name(f.target.kind);
        let place = match &f.location {
            Some(at) => format!("{}:{}:{}", at.path, at.line, at.column),
            None => format!("{kind} {}", f.target.name),
        };
        let _ = writeln!(
            out,
            "  {} {} {}: {}",
            paint.wrap("32", "FIXED"),
            paint.bold(&visible(&format!("{} {}", f.rule, f.name))),
            visible(&place),
            visible(&f.message)
        );
    }
}

/// Text from files and API answers with every control character written out (`\x1b`, `\r`,
/// `\0`), so an untrusted name or Dockerfile cannot move the cursor, recolour or overwrite what
/// dockward printed (a fake `PASS`). Dockward's own colour codes are added around it afterwards.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && needs_escape(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// C0 controls, DEL, C1 controls, and the bidirectional overrides that reorder what is shown.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The one file that fixes every audit-rule finding, after them: copying it beats typing 14 lines.
fn render_audit_rules_file(out: &mut String, paint: &Paint, results: &[RuleResult]) {
    let Some(content) = dockward_rules::host::combined_audit_rules(results) else {
        return;
    };
    let _ = writeln!(
        out,
        "  {}",
        paint.bold(&format!(
            "To fix every audit-rule finding above at once, write {}:",
            dockward_rules::host::AUDIT_RULES_FILE
        ))
    );
    for line in content.lines() {
        let _ = writeln!(out, "      {}", visible(line));
    }
    let _ = writeln!(
        out,
        "    then load it: augenrules --load (check with auditctl -l)"
    );
}

fn counts_line(c: &StatusCounts) -> String {
    format!(
        "{} fail · {} error · {} pass · {} not applicable",
        c.fail, c.error, c.pass, c.not_applicable
    )
}
