//! CIS 4.1: the image a Dockerfile builds runs as root.

use dockward_model::dockerfile::{Args, Dockerfile, Instruction};

use super::{builds_on_stage, clean, fail_at, shipping_stage, stage_chain};
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
