//! CIS 1.2.2: the Docker version.

use crate::facts::{daemon_info, on_host};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The running daemon's version (`/info` `ServerVersion`) against known security fixes and the
    /// newest release line dockward knows of. It fails for versions that lack a fix for the
    /// authorization-plugin bypasses CVE-2024-41110 (fixed in 23.0.15, 25.0.6, 26.1.5, 27.1.1) or
    /// CVE-2026-34040 (fixed in 25.0.16 and 29.3.1), and for release lines older than the newest known
    /// one. Distribution packages may carry backported fixes; the message says so for such versions.
    ///
    /// ## Why it matters
    /// Old engines carry known, published ways around authorization plugins and container isolation;
    /// the fixes exist only in current releases.
    ///
    /// ## How to fix
    /// Upgrade to a current Docker Engine release (or your distribution's package that carries the
    /// fixes), and keep upgrading: enable live restore so upgrades do not stop containers.
    pub static RULE = Rule {
        id: "HO0019",
        name: "docker-outdated",
        title: "The version of Docker is up to date",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:1.2.2"],
        fix: "upgrade Docker Engine to a supported release that carries the security fixes",
        check: Check::Platform(check),
    };
}

/// The newest release line dockward knows of, and its newest release.
pub const NEWEST_KNOWN: (u64, u64, u64) = (29, 4, 2);

/// A release: major, minor, patch.
type Release = (u64, u64, u64);

/// Security fixes: the CVE and the first fixed release of each line that has one.
const FIXES: [(&str, &[Release]); 2] = [
    (
        "CVE-2024-41110",
        &[(23, 0, 15), (25, 0, 6), (26, 1, 5), (27, 1, 1)],
    ),
    ("CVE-2026-34040", &[(25, 0, 16), (29, 3, 1)]),
];

/// `MAJOR.MINOR.PATCH` from the start of a version such as `20.10.24+dfsg1`.
fn parse_version(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch))
}

/// Whether `version` lacks the fix whose first fixed releases are `fixed`: it is fixed when its own
/// line has the fix at or below it, or when it is newer than every fixed release (later lines were
/// cut after the fix). Lines between (end-of-life lines) never got it.
fn lacks_fix(version: Release, fixed: &[Release]) -> bool {
    let fixed_in_line = fixed
        .iter()
        .any(|f| (f.0, f.1) == (version.0, version.1) && version >= *f);
    let newer_than_all = fixed.iter().all(|f| version >= *f);
    !(fixed_in_line || newer_than_all)
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let info = match daemon_info(ctx, "the daemon's version is") {
        Ok(info) => info,
        Err(unknown) => return on_host(ctx, unknown),
    };
    let raw = info.server_version.as_str();
    let evidence = Evidence::new("/info/ServerVersion", raw);
    let Some(version) = parse_version(raw) else {
        return on_host(
            ctx,
            Verdict::error(format!("the daemon's version \"{raw}\" could not be read"))
                .with_evidence([evidence]),
        );
    };
    let (nm, nn, np) = NEWEST_KNOWN;
    let missing: Vec<&str> = FIXES
        .iter()
        .filter(|(_, fixed)| lacks_fix(version, fixed))
        .map(|(cve, _)| *cve)
        .collect();
    let backport = if raw.contains(['+', '~']) {
        " (distribution packages may carry backported fixes)"
    } else {
        ""
    };
    let verdict = if !missing.is_empty() {
        Verdict::fail(format!(
            "Docker {raw} lacks the fixes for {}{backport}; the newest known release is {nm}.{nn}.{np}",
            missing.join(" and ")
        ))
    } else if (version.0, version.1) < (nm, nn) {
        Verdict::fail(format!(
            "Docker {raw} is older than the newest known release line {nm}.{nn} ({nm}.{nn}.{np})"
        ))
    } else {
        Verdict::pass(format!(
            "Docker {raw} carries the known security fixes and is on the newest known release line"
        ))
    };
    on_host(ctx, verdict.with_evidence([evidence]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_fixes() {
        assert_eq!(parse_version("20.10.24+dfsg1"), Some((20, 10, 24)));
        assert_eq!(parse_version("v29.4"), Some((29, 4, 0)));
        assert_eq!(parse_version("dev"), None);
        let fixed = FIXES[0].1;
        assert!(lacks_fix((20, 10, 24), fixed));
        assert!(lacks_fix((24, 0, 9), fixed));
        assert!(lacks_fix((27, 1, 0), fixed));
        assert!(!lacks_fix((27, 1, 1), fixed));
        assert!(!lacks_fix((28, 0, 0), fixed));
        assert!(lacks_fix((28, 5, 1), FIXES[1].1));
        assert!(!lacks_fix((29, 3, 1), FIXES[1].1));
        assert!(!lacks_fix((25, 0, 16), FIXES[1].1));
        assert!(
            lacks_fix((26, 1, 5), FIXES[1].1),
            "an end-of-life line between fixed lines"
        );
        assert!(lacks_fix((29, 3, 0), FIXES[1].1));
        assert!(!lacks_fix((29, 4, 2), FIXES[1].1));
    }
}
