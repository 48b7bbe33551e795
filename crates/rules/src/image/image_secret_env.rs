//! CIS 4.10: secrets in the image's environment.

use dockward_model::{Evidence, ImageFacts};

use crate::common::{mask, placeholder_value, secret_name, secret_value};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The image's environment (`Config.Env`): variables whose name says secret
    /// (`DB_PASSWORD`, `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY` …) with a real value, and any
    /// value shaped like a private key, an AWS access key id or a GitHub, GitLab, Slack, Stripe,
    /// Google or npm token. Names like `GPG_KEY` or `PASSWORD_FILE` pass; empty values, `$VAR`
    /// and paths pass. Values are masked in the report.
    ///
    /// ## Why it matters
    /// Anyone who can pull the image reads its environment with `docker inspect`, and every
    /// container started from it inherits the secret.
    ///
    /// ## How to fix
    /// Remove the `ENV` from the Dockerfile and pass the secret at run time (Docker secrets, an
    /// orchestrator's secret store, `--env-file`); rotate the leaked value.
    pub static RULE = Rule {
        id: "IM0003",
        name: "image-secret-env",
        title: "Image environment holds no secrets",
        severity: Severity::High,
        references: &["cis-docker-1.6.0:4.10"],
        fix: "remove the secret from ENV, pass it at run time, and rotate it",
        check: Check::Image(check),
    };
}

fn check(_ctx: &Context<'_>, image: &ImageFacts) -> Verdict {
    let mut names = Vec::new();
    let mut evidence = Vec::new();
    for (index, entry) in image.env.value.iter().enumerate() {
        let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
        let found = match secret_value(value) {
            Some(kind) => Some(kind.to_string()),
            None if secret_name(name) && !placeholder_value(value) => {
                Some("a secret by its name".to_string())
            }
            None => None,
        };
        if let Some(kind) = found {
            names.push(name.to_string());
            evidence.push(Evidence::new(
                format!("/Config/Env/{index}"),
                format!("{name}={} ({kind})", mask(value)),
            ));
        }
    }
    if names.is_empty() {
        Verdict::pass(format!(
            "none of the {} environment variables holds a secret",
            image.env.value.len()
        ))
    } else {
        Verdict::fail(format!(
            "the image environment holds secrets: {}",
            names.join(", ")
        ))
        .with_evidence(evidence)
    }
}
