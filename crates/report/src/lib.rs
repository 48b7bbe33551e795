//! Report rendering: the JSON report (whose struct is its schema) and the human text report.
#![warn(missing_docs)]

mod json;
pub mod junit;
pub mod sarif;
mod text;

pub use json::{
    LintCounts, REPORT_SCHEMA_VERSION, Report, SeverityCounts, Source, SourceLines, StatusCounts, Summary,
    Tool,
};
pub use text::{TextOptions, render_text, visible};
