//! The enforcement decision: one Engine API request, one profile, allow or deny.
//!
//! The decision uses the very checks an audit uses ([`ContainerCheck::judge`](crate::ContainerCheck::judge)
//! for containers, with the same handling of unknown facts), restricted to the profile's rules,
//! so the authorization plugin, the proxy and `dockward audit` cannot disagree about a container.

use std::borrow::Cow;
use std::fmt::Write;

use dockward_model::{Action, ApiRequest, Status, Verdict, Workload};
use serde::Serialize;

use crate::profile::{Profile, judges_volumes};
use crate::registry::RULES;
use crate::rule::{Check, Context, Rule, Settings};

/// A rule that failed (or could not judge) the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id, e.g. `CT0006`.
    pub id: &'static str,
    /// Rule name, e.g. `privileged-container`.
    pub name: &'static str,
    /// `fail`, or `error` when the rule could not judge the request (both deny).
    pub status: Status,
    /// What the rule found, or why it could not judge.
    pub message: String,
    /// What to change: the verdict's own fix where it has one, else the rule's.
    pub fix: Cow<'static, str>,
}

/// What to do with one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allow: bool,
    /// Every selected rule that failed or could not judge the request, in registry order.
    pub findings: Vec<Finding>,
    /// The request changes state on a route dockward does not know (denied by `restricted`,
    /// allowed by `baseline`); the decision log records it.
    pub unknown_route: bool,
    /// The request as the message names it: `POST /containers/create (name web, image busybox)`.
    /// Empty for a request that could not be judged.
    pub request: String,
    /// The profile that decided; `None` for a request that could not be judged.
    pub profile: Option<Profile>,
    /// Why the request could not be judged, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unjudgeable: Option<String>,
}

impl Decision {
    /// A denial of a request dockward cannot judge (a body it cannot decode as dockerd would, a
    /// body dockerd withheld): no rule applies, the reason says why.
    pub fn unjudgeable(reason: &str) -> Decision {
        Decision {
            allow: false,
            findings: Vec::new(),
            unknown_route: false,
            request: String::new(),
            profile: None,
            unjudgeable: Some(reason.to_string()),
        }
    }

    /// One line for the docker CLI, which prints it after
    /// `Error response from daemon: authorization denied by plugin dockward: `: the request, the
    /// verdict, and for a denial every failed rule with its reason and fix. Control characters
    /// (and bidirectional overrides) in names taken from the request are escaped, so the line
    /// cannot be split or disguised.
    pub fn message(&self) -> String {
        let mut out = String::with_capacity(128 + self.findings.len() * 160);
        if let Some(reason) = &self.unjudgeable {
            out.push_str("request denied because dockward cannot judge it: ");
            out.push_str(reason);
            return escape_controls(out);
        }
        out.push_str(&self.request);
        let profile = self.profile.map_or("?", Profile::name);
        if self.allow {
            let _ = write!(out, " allowed by profile {profile}");
            if self.unknown_route {
                out.push_str(" (a state-changing route dockward does not know)");
            }
            return escape_controls(out);
        }
        let _ = write!(out, " denied by profile {profile}: ");
        for (i, finding) in self.findings.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            match finding.status {
                Status::Error => {
                    let _ = write!(
                        out,
                        "{} {} could not judge it: {}",
                        finding.id, finding.name, finding.message
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        "{} {}: {} (fix: {})",
                        finding.id, finding.name, finding.message, finding.fix
                    );
                }
            }
        }
        escape_controls(out)
    }
}

/// Decides one request under `profile`. Reads and routes that need no judging are allowed;
/// a container (create, legacy start, swarm service) is judged by the profile's container rules,
/// a volume by its mount rules, everything else by its request rules. A `fail` or `error` of any
/// selected rule denies.
///
/// The rules are the profile's as `ctx.settings` adjusts them: `enable` adds rules (by id, name or
/// category), `disable` removes them, exactly as [`Settings::selects_under`] selects for an audit
/// (its `profile` and `only` are not read: the profile is the argument, and enforcement has no
/// scopes).
pub fn decide(ctx: &Context<'_>, request: &ApiRequest, profile: Profile) -> Decision {
    let settings = ctx.settings;
    let mut findings = Vec::new();
    match &request.action {
        Action::Read | Action::Allowed => {}
        Action::Container(w) | Action::Service(w) => judge_workload(
            ctx,
            w,
            &selected(profile, settings, profile.container_rules(), |r| {
                matches!(r.check, Check::Container(_))
            }),
            &mut findings,
        ),
        Action::Volume(w) => judge_workload(
            ctx,
            w,
            &selected(profile, settings, profile.volume_rules(), judges_volumes),
            &mut findings,
        ),
        Action::Exec(_)
        | Action::Update(_)
        | Action::Build(_)
        | Action::BuildKit
        | Action::Plugin(_)
        | Action::Unknown => {
            let rules = selected(profile, settings, profile.request_rules(), |r| {
                matches!(r.check, Check::Request(_))
            });
            for rule in rules.iter() {
                if let Check::Request(check) = rule.check
                    && let Some(verdict) = check(ctx, request)
                {
                    push_finding(rule, verdict, &mut findings);
                }
            }
        }
    }
    Decision {
        allow: findings.is_empty(),
        findings,
        unknown_route: matches!(request.action, Action::Unknown),
        request: describe(request),
        profile: Some(profile),
        unjudgeable: None,
    }
}

/// The rules of one kind that decide: the profile's own list (resolved once) when the settings
/// change nothing, else the registry's rules of that kind the settings select under the profile.
fn selected(
    profile: Profile,
    settings: &Settings,
    plain: &'static [&'static Rule],
    of_kind: fn(&Rule) -> bool,
) -> Cow<'static, [&'static Rule]> {
    if settings.is_plain_profile() {
        return Cow::Borrowed(plain);
    }
    Cow::Owned(
        RULES
            .iter()
            .copied()
            .filter(|r| of_kind(r) && settings.selects_under(Some(profile), r))
            .collect(),
    )
}

fn judge_workload(
    ctx: &Context<'_>,
    workload: &Workload,
    rules: &[&'static Rule],
    findings: &mut Vec<Finding>,
) {
    for rule in rules {
        if let Check::Container(check) = rule.check {
            push_finding(rule, check.judge(ctx, workload), findings);
        }
    }
}

fn push_finding(rule: &'static Rule, verdict: Verdict, findings: &mut Vec<Finding>) {
    if matches!(verdict.status, Status::Fail | Status::Error) {
        findings.push(Finding {
            id: rule.id,
            name: rule.name,
            status: verdict.status,
            message: verdict.message,
            fix: verdict.fix.map_or(Cow::Borrowed(rule.fix), Cow::Owned),
        });
    }
}

/// Longest name or image taken from the request into the message; the rest is elided, so a
/// huge `?name=` cannot bloat every log line and error.
const MAX_NAME: usize = 128;

/// `POST /containers/create (name web, image busybox)`.
fn describe(request: &ApiRequest) -> String {
    let mut out = String::with_capacity(request.method.len() + request.path.len() + 48);
    out.push_str(&request.method);
    out.push(' ');
    out.push_str(&request.path);
    let mut parts: [(&str, &str); 2] = [("", ""); 2];
    match &request.action {
        Action::Container(w) | Action::Service(w) => {
            parts = [("name", w.origin.name()), ("image", &w.image.value)];
        }
        Action::Volume(w) => parts[0] = ("volume", w.origin.name()),
        Action::Exec(e) => parts[0] = ("container", &e.container),
        Action::Update(u) => parts[0] = ("container", &u.container),
        Action::Plugin(p) => parts[0] = ("plugin", &p.plugin),
        _ => {}
    }
    let mut first = true;
    for (label, value) in parts {
        if value.is_empty() {
            continue;
        }
        out.push_str(if first { " (" } else { ", " });
        first = false;
        out.push_str(label);
        out.push(' ');
        match value.char_indices().nth(MAX_NAME) {
            Some((cut, _)) => {
                out.push_str(&value[..cut]);
                out.push_str("...");
            }
            None => out.push_str(value),
        }
    }
    if !first {
        out.push(')');
    }
    out
}

/// Characters that would break the one-line message or disguise it on a terminal.
fn must_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters and bidirectional overrides escaped (`\n`, `\u{202e}`), as
/// [`Decision::message`] escapes its parts: for messages built from untrusted text.
pub fn escape_controls(text: String) -> String {
    if !text.chars().any(must_escape) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if must_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}
