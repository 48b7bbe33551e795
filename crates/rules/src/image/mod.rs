//! Rules judging images: their configuration and history from the API (CIS Docker Benchmark
//! 1.6.0 section 4) and what their filesystem holds.

use dockward_model::{Fact, ImageFacts, Observed, Verdict};

pub(crate) use crate::facts::ev;

pub mod content_trust_disabled;
pub mod image_add_in_history;
pub mod image_exposes_ssh;
pub mod image_healthcheck_missing;
pub mod image_runs_as_root;
pub mod image_secret_env;
pub mod image_secret_files;
pub mod image_setuid_files;
pub mod image_untrusted_registry;

/// How many paths a message lists before it says "and N more"; evidence lists them all.
const LISTED: usize = 5;

/// `a, b, c and 4 more`.
pub(crate) fn listing<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    let shown = items.iter().take(LISTED).copied().collect::<Vec<_>>().join(", ");
    match items.len().saturating_sub(LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// `1 layer`, `3 layers`.
pub(crate) fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The image's filesystem facts, or the verdict to give when they were not read.
pub(crate) fn filesystem<'a, T>(
    image: &'a ImageFacts,
    pick: impl Fn(&'a dockward_model::ImageFilesystem) -> T,
) -> Result<(T, &'a Fact<dockward_model::ImageFilesystem>), Verdict> {
    match &image.filesystem {
        None => Err(Verdict::not_applicable(
            "the image's files were not read (--no-image-files)",
        )),
        Some(Observed::Unknown { reason }) => Err(Verdict::error(format!(
            "could not read the image's files: {reason}"
        ))),
        Some(Observed::Known(fact)) => Ok((pick(&fact.value), fact)),
    }
}
