//! CIS 4.5: content trust is not enabled for the Docker client.

use dockward_model::{Evidence, Target, TargetKind};

use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// `DOCKER_CONTENT_TRUST` in the environment dockward runs in, as the `docker` CLI would
    /// read it: it passes when the value is `1` or `true`, fails when it is unset,
    /// empty or false. The setting belongs to each user's client, so this judges only the
    /// environment of the audit; in a container pass it with `-e DOCKER_CONTENT_TRUST`. Offline
    /// snapshots recorded without it give no verdict.
    ///
    /// ## Why it matters
    /// With content trust the client pulls, runs and builds only images whose tags are signed,
    /// so a registry or network attacker cannot substitute an image under a trusted name.
    ///
    /// ## How to fix
    /// `export DOCKER_CONTENT_TRUST=1` in the profiles of users and CI jobs that pull images,
    /// and sign the images you publish.
    pub static RULE = Rule {
        id: "IM0008",
        name: "content-trust-disabled",
        title: "Content trust is enabled for the Docker client",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.5"],
        fix: "export DOCKER_CONTENT_TRUST=1 for users and CI jobs",
        check: Check::Platform(check),
    };
}

fn check(ctx: &Context<'_>) -> Vec<Judged> {
    let target = Target {
        kind: TargetKind::Client,
        name: "environment".to_string(),
        id: None,
    };
    let verdict = match ctx.client {
        None => Verdict::not_applicable("the client environment was not recorded in this snapshot"),
        Some(client) => {
            let value = client.content_trust.as_deref().unwrap_or("");
            let evidence = Evidence::new("env/DOCKER_CONTENT_TRUST", client.content_trust.as_deref());
            // The values Go's strconv.ParseBool, which the docker CLI uses, reads as true.
            let enabled = matches!(value.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True");
            if enabled {
                Verdict::pass(format!("DOCKER_CONTENT_TRUST={value}")).with_evidence([evidence])
            } else if client.content_trust.is_none() {
                Verdict::fail("DOCKER_CONTENT_TRUST is not set, so unsigned images are pulled and run")
                    .with_evidence([evidence])
            } else {
                Verdict::fail(format!(
                    "DOCKER_CONTENT_TRUST={value} does not enable content trust"
                ))
                .with_evidence([evidence])
            }
        }
    };
    vec![Judged { target, verdict }]
}
