//! CIS 4.6: the image a Dockerfile builds has no health check.

use dockward_model::dockerfile::{Args, Dockerfile};

use super::{clean, fail_at, shipping_stage, stage_chain};
use crate::prelude::*;

declare_rule! {
    /// ## What it checks
    /// The last `HEALTHCHECK` of the stage that ships (the last stage, or `--target`) and the
    /// stages it builds on. It fails when there is none (the base image may define one, which a
    /// Dockerfile cannot show; `dockward audit --image` judges the built image) and when it is
    /// `HEALTHCHECK NONE`, which switches off the base image's check.
    ///
    /// Its severity is `info`: almost every real Dockerfile has no `HEALTHCHECK`, and many images
    /// run where the orchestrator probes them instead, so `--fail-on low` does not fail a build
    /// over it; `--fail-on info` does.
    ///
    /// ## Why it matters
    /// Without a health check Docker only knows whether the process exists, not whether it
    /// works: a hung service stays "running", restart policies and orchestrators never replace it,
    /// and rolling updates go ahead onto broken containers.
    ///
    /// ## How to fix
    /// Add a check that exercises the service, e.g.
    /// `HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1:8080/health || exit 1`.
    pub static RULE = Rule {
        id: "DF0006",
        name: "dockerfile-healthcheck-missing",
        title: "Dockerfile defines a HEALTHCHECK",
        severity: Severity::Info,
        references: &["cis-docker-1.6.0:4.6"],
        fix: "add a HEALTHCHECK CMD that exercises the service",
        check: Check::Dockerfile(check),
    };
}

fn check(ctx: &Context<'_>, df: &Dockerfile) -> Vec<Verdict> {
    let Some(stage) = shipping_stage(ctx, df) else {
        return vec![Verdict::not_applicable(
            "the shipped stage is not in the Dockerfile",
        )];
    };
    let chain = stage_chain(df, stage);
    let last = chain
        .iter()
        .rev()
        .flat_map(|s| s.instructions.iter().rev())
        .find(|i| i.keyword == "HEALTHCHECK");
    match last {
        None => vec![fail_at(df, stage.from.pos, "no HEALTHCHECK in the shipped stage")],
        Some(healthcheck) if disables(&healthcheck.args) => {
            vec![fail_at(
                df,
                healthcheck.pos,
                "HEALTHCHECK NONE disables the health check",
            )]
        }
        Some(_) => clean("the shipped stage defines a HEALTHCHECK"),
    }
}

fn disables(args: &Args) -> bool {
    match args {
        Args::Words { words } => words.first().is_some_and(|w| w.text.eq_ignore_ascii_case("NONE")),
        Args::Shell { text, .. } => text.trim().eq_ignore_ascii_case("NONE"),
        _ => false,
    }
}
