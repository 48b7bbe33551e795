//! The `dockward` command: a thin layer over the library crates that parses arguments, wires
//! collectors to rules to reports, and maps outcomes to exit codes.

// mimalloc: the lint of a big Dockerfile allocates and frees millions of small words and results;
// glibc malloc spent ~20% of the run on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Read as _, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod authz;
mod lint;
mod policy;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand, ValueEnum};
use dockward_collect::{Client, Environment, ImageSelection, Limits, Options, collect_snapshot};
use dockward_model::snapshot::SNAPSHOT_SCHEMA_VERSION;
use dockward_model::{CollectionError, DaemonFacts, Origin, Severity, Snapshot, Status, Target, TargetKind};
use dockward_report::{Report, TextOptions, render_text, visible};

const EXIT_CODES_HELP: &str = "Exit codes:
  0    nothing at or above --fail-on failed
  1    a failure at or above --fail-on, or an error (a check that could not be assessed) on a
       rule at or above it unless --errors-ok
  2    dockward could not do its job: bad arguments (-c/--image naming nothing, --target naming
       no stage, an unknown rule in --enable, --disable or --severity), an invalid policy file,
       an unreadable or malformed --baseline, daemon unreachable, unreadable input, or nothing
       could be judged (every result an error)
  141  standard output was closed early (broken pipe)";

/// Exit code when failing results reach the threshold.
const EXIT_FINDINGS: u8 = 1;
/// Exit code when dockward could not do its job: bad arguments, unreadable input, nothing judged.
const EXIT_TROUBLE: u8 = 2;
/// Exit code when standard output was closed early (`dockward audit | head -1`): the status of
/// a process killed by SIGPIPE (128 + 13), which Rust programs are not since they ignore it.
const EXIT_BROKEN_PIPE: u8 = 141;
/// The largest Dockerfile `lint` reads, from a file or standard input: generous (real ones are
/// kilobytes; `bench/lint.sh` lints a 20 MB one), yet bounded.
const DOCKERFILE_LIMIT: u64 = 32 << 20;
/// The largest snapshot `audit --snapshot` reads.
const SNAPSHOT_LIMIT: u64 = 1 << 30;

#[derive(Parser)]
#[command(
    name = "dockward",
    version,
    about = "Audit and harden a Docker platform against the CIS Docker Benchmark",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit the Docker host at DOCKER_HOST (or a saved snapshot).
    Audit(AuditArgs),
    /// Collect the facts only and write them as a JSON snapshot for a later `audit --snapshot`.
    Collect(CollectArgs),
    /// Lint Dockerfiles: files, directories (searched recursively, honouring .gitignore) or `-`
    /// for standard input.
    Lint(lint::LintArgs),
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Print one rule's documentation.
    Explain {
        /// Rule id (CT0006) or name (privileged-container).
        rule: String,
    },
    /// Enforce the rules as dockerd's authorization plugin (`serve`), or package it as a
    /// managed plugin (`package`).
    Authz(authz::AuthzArgs),
    /// Serve the Engine API in front of the daemon's socket and deny what the rules deny
    /// (for hosts whose daemon flags cannot change).
    Proxy(authz::ProxyArgs),
    /// The policy file: `show` the effective rule set and where each setting came from, `test`
    /// its Rego modules, `check` that it is valid.
    Policy(policy::PolicyArgs),
}

#[derive(clap::Args)]
struct TargetArgs {
    /// Daemon to audit (unix:///path or tcp://host:port); overrides DOCKER_HOST and contexts.
    #[arg(short = 'H', long, value_name = "URL")]
    host: Option<String>,
    /// Accepted for compatibility and does nothing: containers in every state (created,
    /// exited, paused) are judged by default, as `docker ps --all` lists them.
    #[arg(short, long, conflicts_with = "running")]
    all: bool,
    /// Judge only running containers.
    #[arg(long)]
    running: bool,
    /// Audit only this container (name or id); repeatable.
    #[arg(short, long = "container", value_name = "NAME|ID")]
    containers: Vec<String>,
    /// Concurrent inspect connections.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// Read the host's files under this directory (the host's `/` mounted into dockward's
    /// container, e.g. `/host`).
    #[arg(long, value_name = "DIR")]
    host_root: Option<PathBuf>,
    /// Seconds to wait for an answer of the daemon to start or to make progress (an image
    /// archive's first byte may take longer, in proportion to the image's size).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Seconds the whole collection may take; what is not collected by then is reported as
    /// `error`.
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86400))]
    deadline: u64,
    /// Audit only this image (name, tag or id) and only the image rules, e.g. right after
    /// `docker build`; repeatable.
    #[arg(long = "image", value_name = "NAME|ID")]
    images: Vec<String>,
    /// Do not read the images' filesystems (skips the setuid and secret-file checks).
    #[arg(long)]
    no_image_files: bool,
}

/// `--format`, with `-f` for short where `-f` means nothing else (`lint -f` names a compose file).
#[derive(clap::Args)]
struct FormatArg {
    /// Output format.
    #[arg(short, long, value_enum, default_value = "text")]
    format: ReportFormat,
}

#[derive(clap::Args)]
struct OutputArgs {
    /// Exit with 1 when a failing result has this severity or higher (`none`: never). A check
    /// that ended in an error (could not be assessed) counts like a failure when its rule's
    /// severity is at or above SEVERITY, unless --errors-ok.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_threshold)]
    fail_on: Threshold,
    /// Errors (checks that could not be assessed) do not fail the run; a run where nothing at
    /// all could be judged still exits with 2.
    #[arg(long)]
    errors_ok: bool,
    /// List passing and not-applicable results too (text format).
    #[arg(long)]
    show_all: bool,
    /// When to colour text output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Report only failures that this previous JSON report (`--format json`, written without
    /// --baseline) does not have, and list the ones fixed since; only new failures count for
    /// the exit code.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

#[derive(clap::Args)]
struct AuditArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Audit the facts saved by `dockward collect` instead of a live daemon (a regular file of
    /// at most 1 GiB).
    #[arg(long, value_name = "FILE", conflicts_with = "host")]
    snapshot: Option<PathBuf>,
    /// Users trusted to control the daemon (CIS 1.1.2); comma-separated or repeated.
    #[arg(long, value_name = "USER,...", value_delimiter = ',')]
    trusted_users: Option<Vec<String>>,
    /// Judge only these parts: containers, daemon, host, files, swarm, images (comma-separated
    /// or repeated).
    #[arg(long, value_name = "SCOPE,...", value_delimiter = ',', value_parser = parse_scope)]
    only: Option<Vec<dockward_rules::Scope>>,
    #[command(flatten)]
    rules: policy::RuleArgs,
    #[command(flatten)]
    format: FormatArg,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args)]
struct CollectArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Where to write the snapshot (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug)]
enum Threshold {
    At(Severity),
    Never,
}

fn parse_scope(s: &str) -> Result<dockward_rules::Scope, String> {
    dockward_rules::Scope::parse(s).ok_or_else(|| {
        let names: Vec<&str> = dockward_rules::Scope::ALL.iter().map(|(name, _)| *name).collect();
        format!("expected one of {}", names.join(", "))
    })
}

fn parse_threshold(s: &str) -> Result<Threshold, String> {
    if s == "none" {
        return Ok(Threshold::Never);
    }
    Severity::parse(s)
        .map(Threshold::At)
        .ok_or_else(|| "expected one of critical, high, medium, low, info, none".to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(EXIT_BROKEN_PIPE);
            }
            eprintln!("dockward: {}", visible(&format!("{err:#}")));
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Audit(args) => audit(args),
        Command::Collect(args) => collect(args),
        Command::Lint(args) => lint::lint(args),
        Command::Rules { format } => {
            write_stdout(&rules_listing(format))?;
            Ok(0)
        }
        Command::Explain { rule } => {
            let Some(found) = dockward_rules::find(&rule) else {
                bail!("unknown rule \"{rule}\"; `dockward rules` lists them");
            };
            write_stdout(&dockward_rules::docs::explain(found))?;
            Ok(0)
        }
        Command::Authz(args) => authz::authz(args),
        Command::Proxy(args) => authz::proxy(args),
        Command::Policy(args) => policy::policy(args),
    }
}

fn audit(args: AuditArgs) -> anyhow::Result<u8> {
    args.rules.check()?;
    // An invalid policy or baseline stops the run before anything is collected.
    let policy = match args.rules.load() {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let baseline = args
        .output
        .baseline
        .as_deref()
        .map(policy::read_baseline)
        .transpose()?;
    let (snapshot, trouble) = match &args.snapshot {
        Some(path) => (filter_snapshot(read_snapshot(path)?, &args.target), None),
        None => match live_snapshot(&args.target) {
            Ok(snapshot) => (snapshot, None),
            Err(err) => {
                let reason = format!("{err:#}");
                (unreachable_snapshot(&args.target, &reason), Some(reason))
            }
        },
    };
    // `--image` gates one build: only the image rules, unless --only says otherwise.
    let only = match (&args.only, args.target.images.is_empty()) {
        (None, false) => Some(vec![dockward_rules::Scope::Images]),
        (only, _) => only.clone(),
    };
    let cli = dockward_policy::CliChoices {
        trusted_users: args.trusted_users.clone(),
        only,
        ..args.rules.choices()
    };
    let settings = policy.settings(&cli);
    let mut results = dockward_rules::evaluate(&snapshot, &settings);
    if let Some(modules) = policy.rego() {
        let mut custom = dockward_policy::rego::audit_results(modules, &snapshot);
        policy::keep_selected_custom(&mut custom, &settings);
        results.extend(custom);
    }
    let subjects = dockward_policy::Subjects::from_snapshot(&snapshot);
    let outcome = policy::apply(&policy, &mut results, &subjects, &cli);
    let mut report = Report::new(&snapshot, results);
    policy::record(&mut report, outcome);
    if let Some(baseline) = &baseline {
        report.apply_baseline(baseline);
    }
    let code = emit(&report, args.format.format, &args.output)?;
    if let Some(reason) = trouble {
        eprintln!("dockward: {}", visible(&reason));
        return Ok(EXIT_TROUBLE);
    }
    let unmatched = unmatched_selectors(&snapshot);
    for problem in &unmatched {
        eprintln!("dockward: {}", visible(problem));
    }
    if !unmatched.is_empty() {
        return Ok(EXIT_TROUBLE);
    }
    if code == EXIT_TROUBLE {
        eprintln!("dockward: {NOTHING_JUDGED}");
    }
    Ok(code)
}

/// `-c NAME` and `--image REF` that named nothing on the daemon (or in the snapshot): bad
/// arguments, not findings.
fn unmatched_selectors(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .errors
        .iter()
        .filter(|e| e.named_nothing)
        .map(|e| {
            if e.reason.ends_with(e.target.name.as_str()) {
                e.reason.clone()
            } else {
                format!("{}: {}", e.reason, e.target.name)
            }
        })
        .collect()
}

const NOTHING_JUDGED: &str = "nothing could be judged: every check ended in an error";

const NO_SUCH_CONTAINER_IN_SNAPSHOT: &str = "no such container in the snapshot";
const NO_SUCH_IMAGE_IN_SNAPSHOT: &str = "no such image in the snapshot";

/// Writes the report in the chosen format and returns the exit code its findings call for.
fn emit(report: &Report, format: ReportFormat, output: &OutputArgs) -> anyhow::Result<u8> {
    match format {
        ReportFormat::Json => report.write_json(std::io::stdout().lock())?,
        ReportFormat::Sarif => write_stdout(&dockward_report::sarif::render_sarif(report))?,
        ReportFormat::Junit => write_stdout(&dockward_report::junit::render_junit(report))?,
        ReportFormat::Text => write_stdout(&render_text(
            report,
            TextOptions {
                color: use_color(output.color),
                show_all: output.show_all,
            },
        ))?,
    }
    Ok(exit_code(report, output))
}

/// 2 when nothing could be judged (every result an error or not applicable, with at least one
/// error); 1 when a failure, or an error unless --errors-ok, is at or above --fail-on; else 0.
fn exit_code(report: &Report, output: &OutputArgs) -> u8 {
    let judged = report
        .results
        .iter()
        .any(|r| matches!(r.status, Status::Pass | Status::Fail));
    if !judged && report.results.iter().any(|r| r.status == Status::Error) {
        return EXIT_TROUBLE;
    }
    let Threshold::At(threshold) = output.fail_on else {
        return 0;
    };
    let errors_fail = !output.errors_ok
        && report
            .results
            .iter()
            .any(|r| r.status == Status::Error && r.severity >= threshold);
    if report.fails_at(threshold) || errors_fail {
        EXIT_FINDINGS
    } else {
        0
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

/// Why bounded input could not be read.
#[derive(Debug)]
enum ReadError {
    /// Not a regular file: a FIFO would block forever, a device never ends.
    NotRegular(&'static str),
    /// Over the limit (in bytes).
    TooLarge(u64),
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            ReadError::TooLarge(limit) => write!(f, "larger than the {} limit", human_size(*limit)),
            ReadError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

fn file_kind(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Reads a regular file of at most `limit` bytes. The type is checked before opening (opening a
/// FIFO for reading blocks until a writer comes), the file is opened non-blocking in case it
/// was swapped for one since, and checked again on the open descriptor.
fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_kind(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_kind(meta.file_type())));
    }
    read_limited(file, limit)
}

use libc::O_NONBLOCK;

/// Reads at most `limit` bytes: one more tells a file that is too large (or grew) from one that
/// is exactly at the limit, without ever holding more.
fn read_limited(reader: impl std::io::Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

fn collect(args: CollectArgs) -> anyhow::Result<u8> {
    let snapshot = live_snapshot(&args.target)?;
    let json = serde_json::to_string_pretty(&snapshot).context("serializing the snapshot")? + "\n";
    if args.output == Path::new("-") {
        write_stdout(&json)?;
    } else {
        std::fs::write(&args.output, json).with_context(|| format!("writing {}", args.output.display()))?;
    }
    // The snapshot is written all the same: it records what the selectors found.
    let unmatched = unmatched_selectors(&snapshot);
    for problem in &unmatched {
        eprintln!("dockward: {}", visible(problem));
    }
    Ok(if unmatched.is_empty() { 0 } else { EXIT_TROUBLE })
}

fn collect_options(target: &TargetArgs) -> Options {
    Options {
        all: !target.running,
        containers: target.containers.clone(),
        concurrency: usize::from(target.concurrency),
        // One image asked for: nothing else on the host matters.
        inspect_host: target.images.is_empty(),
        skip_containers: !target.images.is_empty(),
        host_root: target.host_root.clone(),
        images: if target.images.is_empty() {
            ImageSelection::All
        } else {
            ImageSelection::Only(target.images.clone())
        },
        image_files: !target.no_image_files,
    }
}

fn live_snapshot(target: &TargetArgs) -> anyhow::Result<Snapshot> {
    let endpoint = dockward_collect::endpoint::resolve(target.host.as_deref(), &Environment::from_process())?;
    let limits = Limits {
        timeout: Duration::from_secs(target.timeout),
        deadline: Duration::from_secs(target.deadline),
        ..Limits::default()
    };
    let client = Client::with_limits(endpoint, limits)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(collect_snapshot(&client, &collect_options(target)))?)
}

/// A snapshot standing for a daemon whose API could not be reached: every container rule reports
/// `error`, while what the host's files tell is still judged.
fn unreachable_snapshot(target: &TargetArgs, reason: &str) -> Snapshot {
    let endpoint = dockward_collect::endpoint::resolve(target.host.as_deref(), &Environment::from_process());
    let (mut daemon, host, host_error) = match &endpoint {
        Ok(endpoint) => dockward_collect::platform_without_api(endpoint, &collect_options(target)),
        Err(_) => (
            DaemonFacts {
                endpoint: target.host.clone().unwrap_or_else(|| "(unresolved)".into()),
                ..DaemonFacts::default()
            },
            None,
            Some("the daemon's endpoint could not be resolved".to_string()),
        ),
    };
    daemon.info_error = Some(reason.to_string());
    Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        collected_by: concat!("dockward ", env!("CARGO_PKG_VERSION")).to_string(),
        collected_at: dockward_collect::now_rfc3339(),
        all_containers: !target.running,
        containers_listed: None,
        daemon,
        host,
        host_error,
        client: Some(dockward_collect::client_facts()),
        containers: Vec::new(),
        images: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        unreachable: Some(reason.to_string()),
    }
}

fn read_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let bytes = read_regular_file(path, SNAPSHOT_LIMIT)
        .with_context(|| format!("cannot read snapshot {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("cannot read snapshot {}: not UTF-8 text", path.display()))?;
    let version: Option<u64> = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("schema_version").and_then(serde_json::Value::as_u64));
    if let Some(version) = version.filter(|v| *v != u64::from(SNAPSHOT_SCHEMA_VERSION)) {
        bail!(
            "snapshot {} has schema_version {version}; this dockward reads version {SNAPSHOT_SCHEMA_VERSION}",
            path.display()
        );
    }
    serde_json::from_str(&text).with_context(|| format!("snapshot {} is malformed", path.display()))
}

/// Narrows a snapshot as a live audit with the same arguments would: `--running`, `-c` (by name,
/// id or id prefix) and `--image` (by tag, id or id prefix). A selector matching nothing becomes
/// an error entry, as it would live.
fn filter_snapshot(mut snapshot: Snapshot, target: &TargetArgs) -> Snapshot {
    if target.running {
        snapshot
            .containers
            .retain(|w| matches!(&w.origin, Origin::Container { state, .. } if state == "running"));
        snapshot.all_containers = false;
    }
    let selectors = &target.containers;
    let matches = |name: &str, id: Option<&str>, selector: &str| {
        let selector = selector.trim_start_matches('/');
        name == selector || id.is_some_and(|id| id.starts_with(selector))
    };
    if !selectors.is_empty() {
        snapshot.containers.retain(|w| {
            selectors
                .iter()
                .any(|s| matches(w.origin.name(), w.origin.id(), s))
        });
        snapshot.errors.retain(|e| {
            e.target.kind != TargetKind::Container
                || selectors
                    .iter()
                    .any(|s| matches(&e.target.name, e.target.id.as_deref(), s))
        });
        for selector in selectors {
            let found = snapshot
                .containers
                .iter()
                .any(|w| matches(w.origin.name(), w.origin.id(), selector))
                || snapshot
                    .errors
                    .iter()
                    .any(|e| matches(&e.target.name, e.target.id.as_deref(), selector));
            if !found {
                snapshot.errors.push(missing(
                    TargetKind::Container,
                    selector,
                    NO_SUCH_CONTAINER_IN_SNAPSHOT,
                ));
            }
        }
    }
    if !target.images.is_empty() {
        let image_matches = |image: &dockward_model::ImageFacts, selector: &str| {
            let id = image.id.trim_start_matches("sha256:");
            image.tags.iter().any(|t| t == selector)
                || image.id == selector
                || (selector.len() >= 4 && id.starts_with(selector.trim_start_matches("sha256:")))
        };
        snapshot
            .images
            .retain(|i| target.images.iter().any(|s| image_matches(i, s)));
        for selector in &target.images {
            if !snapshot.images.iter().any(|i| image_matches(i, selector)) {
                snapshot
                    .errors
                    .push(missing(TargetKind::Image, selector, NO_SUCH_IMAGE_IN_SNAPSHOT));
            }
        }
    }
    snapshot
}

fn missing(kind: TargetKind, name: &str, reason: &str) -> CollectionError {
    CollectionError {
        target: Target {
            kind,
            name: name.to_string(),
            id: None,
        },
        reason: reason.into(),
        named_nothing: true,
    }
}

fn rules_listing(format: RulesFormat) -> String {
    use dockward_rules::{PLANNED, RULES};
    match format {
        RulesFormat::Markdown => dockward_rules::docs::catalogue_markdown(),
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "name": r.name, "title": r.title, "severity": r.severity,
                        "references": r.references, "fix": r.fix, "opt_in": r.opt_in(),
                    })
                })
                .collect();
            let planned: Vec<serde_json::Value> = PLANNED
                .iter()
                .map(|p| serde_json::json!({"reference": p.reference, "title": p.title, "reason": p.reason}))
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({"rules": rules, "not_automated": planned}))
                .unwrap_or_default()
                + "\n"
        }
        RulesFormat::Text => {
            let mut out = String::new();
            for r in RULES {
                let cis: Vec<&str> = r
                    .references
                    .iter()
                    .filter_map(|x| x.strip_prefix("cis-docker-1.6.0:"))
                    .collect();
                out.push_str(&format!(
                    "{:<7} {:<32} {:<9} {:<6} {}{}\n",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    cis.join(","),
                    r.title,
                    if r.opt_in() { " (opt-in: --enable)" } else { "" }
                ));
            }
            out.push_str("\nNot automated yet:\n");
            for p in PLANNED {
                let cis = p
                    .reference
                    .strip_prefix("cis-docker-1.6.0:")
                    .unwrap_or(p.reference);
                out.push_str(&format!("  CIS {cis:<5} {}: {}\n", p.title, p.reason));
            }
            out
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
