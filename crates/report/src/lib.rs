//! Report rendering: the JSON report (whose struct is its schema) and the human text report.
#![warn(missing_docs)]

pub mod baseline;
mod json;
pub mod junit;
pub mod sarif;
mod text;

pub use json::{
    LintCounts, PolicyUse, REPORT_SCHEMA_VERSION, Report, SeverityCounts, Source, SourceLines, StatusCounts,
    Summary, Tool, WaiverState,
};
pub use text::{TextOptions, render_text, visible};
