//! CIS 4.1: the image a Dockerfile builds runs as root.

use dockward_model::dockerfile::{Args, Dockerfile, Instruction};

use super::{base_reference, builds_on_stage, clean, fail_at, shipping_stage, stage_chain};
use crate::common::is_root_user;
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The user the built image runs as: the last `USER` instruction of the stage that ships (the
    /// last stage, or `--target`) and of the stages it is built `FROM`. It fails when that user is
    /// `root`, UID `0` or `0:0`, and when no stage in the chain sets a user at all, in which case
    /// the image runs as root unless its base image sets a user (`FROM scratch` always does).
    /// `USER` in build stages that do not ship does not count.
    ///
    /// A Dockerfile cannot show what user its base image sets, except for a short list of images
    /// documented to run as a non-root user, which pass without a `USER` (a later `USER root`
    /// still fails):
    /// - distroless images with a `nonroot` tag (`gcr.io/distroless/static-debian12:nonroot`,
    ///   `:debug-nonroot`, `:nonroot-amd64` …): user `nonroot`, uid 65532;
    /// - .NET chiseled and distroless images (`mcr.microsoft.com/dotnet/runtime-deps`, `runtime`,
    ///   `aspnet` with a tag containing `chiseled` or `distroless`): user `app` (uid 1654 from
    ///   .NET 8).
    ///
    /// Chainguard images are not on the list: each sets its own user, and some (such as
    /// `wolfi-base`) run as root. `dockward audit --image` judges a built image's real user.
    ///
    /// ## Why it matters
    /// A process running as root in a container is root on the host kernel; one capability too
    /// many, a writable host mount or a kernel bug and it escapes. Declaring a non-root user in
    /// the Dockerfile makes every container of the image safe by default, without relying on
    /// everyone remembering `docker run --user`.
    ///
    /// ## How to fix
    /// Create an unprivileged user and switch to it at the end of the final stage, after the
    /// steps that need root: `RUN useradd --system --uid 10001 app` then `USER 10001:10001`.
    pub static RULE = Rule {
        id: "DF0001",
        name: "dockerfile-runs-as-root",
        title: "Dockerfile sets a non-root USER",
        severity: Severity::Medium,
        references: &["cis-docker-1.6.0:4.1"],
        fix: "add USER with a non-root user (USER 10001:10001) at the end of the final stage",
        check: Check::Dockerfile(check),
    };
}

fn check(ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let Some(stage) = shipping_stage(ctx, df) else {
        return vec![Verdict::not_applicable(match &ctx.settings.target_stage {
            Some(target) => format!("no stage named \"{target}\""),
            None => "the Dockerfile has no FROM".to_string(),
        })];
    };
    let chain = stage_chain(df, stage);
    let last_user: Option<&Instruction> = chain
        .iter()
        .rev()
        .flat_map(|s| s.instructions.iter().rev())
        .find(|i| i.keyword == "USER");
    match last_user {
        None => {
            let root = chain.first().filter(|s| !builds_on_stage(df, s));
            if let Some(base) = root.and_then(|s| base_reference(df, s))
                && let Some(user) = known_non_root_base(&base)
            {
                return clean(format!(
                    "no USER instruction, but the base image {base} runs as non-root ({user})"
                ));
            }
            let base_is_scratch = chain.first().is_some_and(|s| builds_on_stage(df, s));
            let message = if base_is_scratch {
                "no USER instruction and the image is built from scratch, so it runs as root".to_string()
            } else {
                "no USER instruction in the shipped stage, so the image runs as root unless its base image sets a user".to_string()
            };
            vec![fail_at(df, stage.from.pos, message)]
        }
        Some(user) => {
            let spec = user_spec(user);
            if spec.contains('$') {
                clean(format!(
                    "the image runs as user \"{spec}\", set from a build argument"
                ))
            } else if is_root_user(&spec) {
                vec![fail_at(
                    df,
                    user.pos,
                    format!("the last USER of the shipped stage is root (\"{spec}\")"),
                )]
            } else {
                clean(format!("the image runs as user \"{spec}\""))
            }
        }
    }
}

fn user_spec(user: &Instruction) -> String {
    match &user.args {
        Args::Words { words } | Args::Exec { words } => words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Args::Shell { text, .. } => text.trim().to_string(),
        Args::Pairs { .. } => String::new(),
    }
}

/// The user of a base image documented to run as non-root, by its reference: distroless
/// `nonroot` tags and .NET chiseled or distroless images. A reference without a tag (a digest
/// only) is not known.
fn known_non_root_base(reference: &str) -> Option<&'static str> {
    let name = reference
        .split('@')
        .next()
        .unwrap_or(reference)
        .to_ascii_lowercase();
    let (repository, tag) = match name.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, tag),
        _ => return None,
    };
    let nonroot_tag = |t: &str| t == "nonroot" || t.starts_with("nonroot-");
    if repository.starts_with("gcr.io/distroless/")
        && (nonroot_tag(tag) || tag.strip_prefix("debug-").is_some_and(nonroot_tag))
    {
        return Some("user nonroot, uid 65532");
    }
    let dotnet = ["runtime-deps", "runtime", "aspnet"]
        .iter()
        .any(|r| repository == format!("mcr.microsoft.com/dotnet/{r}"));
    if dotnet && (tag.contains("chiseled") || tag.contains("distroless")) {
        // From .NET 8 the images name the uid (`APP_UID=1654`); earlier chiseled ones only the user.
        let major: Option<u32> = tag.split('.').next().and_then(|m| m.parse().ok());
        return Some(if major.is_some_and(|m| m >= 8) {
            "user app, uid 1654"
        } else {
            "user app"
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::known_non_root_base;

    #[test]
    fn non_root_bases() {
        for (reference, user) in [
            (
                "gcr.io/distroless/static-debian12:nonroot",
                Some("user nonroot, uid 65532"),
            ),
            (
                "gcr.io/distroless/base:debug-nonroot",
                Some("user nonroot, uid 65532"),
            ),
            (
                "gcr.io/distroless/java17-debian12:nonroot-arm64",
                Some("user nonroot, uid 65532"),
            ),
            (
                "gcr.io/distroless/static:nonroot@sha256:0123",
                Some("user nonroot, uid 65532"),
            ),
            ("gcr.io/distroless/static-debian12", None),
            ("gcr.io/distroless/static-debian12:latest", None),
            ("gcr.io/distroless/static-debian12:debug", None),
            ("example.com/distroless/static:nonroot", None),
            (
                "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled",
                Some("user app, uid 1654"),
            ),
            (
                "mcr.microsoft.com/dotnet/runtime-deps:9.0-noble-chiseled-extra",
                Some("user app, uid 1654"),
            ),
            (
                "mcr.microsoft.com/dotnet/runtime:8.0-azurelinux3.0-distroless",
                Some("user app, uid 1654"),
            ),
            ("mcr.microsoft.com/dotnet/aspnet:8.0", None),
            (
                "mcr.microsoft.com/dotnet/runtime-deps:6.0-jammy-chiseled",
                Some("user app"),
            ),
            ("mcr.microsoft.com/dotnet/sdk:8.0-jammy-chiseled", None),
            ("localhost:5000/app", None),
        ] {
            assert_eq!(known_non_root_base(reference), user, "{reference}");
        }
    }
}
