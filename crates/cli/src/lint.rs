//! `dockward lint`: Dockerfiles, compose projects, Kubernetes manifests, daemon.json files and
//! seccomp profiles, found in the paths given, judged by the same rules as a live audit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use dockward_collect::compose::{ComposeOptions, load_project};
use dockward_collect::config_files::{MAX_CONFIG_BYTES, daemon_json_facts, seccomp_profile};
use dockward_collect::discover::{Discovered, SourceKind, discover};
use dockward_collect::kubernetes::{MAX_MANIFEST_BYTES, load_manifest};
use dockward_collect::parse::dockerfile::parse_dockerfile;
use dockward_model::dockerfile::Dockerfile;
use dockward_model::{RuleResult, SourceError, Status, TargetKind, Workload};
use dockward_report::{LintCounts, Report, SourceLines, visible};
use dockward_rules::LintInput;
use dockward_rules::lint::{FailedSource, evaluate_sources};

use crate::{
    DOCKERFILE_LIMIT, EXIT_TROUBLE, OutputArgs, ReadError, ReportFormat, emit, read_limited,
    read_regular_file, utf8,
};

#[derive(clap::Args)]
pub(crate) struct LintArgs {
    /// Files or directories to lint; `-` reads a Dockerfile from standard input. Directories are
    /// searched recursively (honouring .gitignore) for Dockerfiles, compose files (with their
    /// override files), Kubernetes manifests, daemon.json files and seccomp profiles; a file
    /// named here is judged by its content (or --kind). Only regular files are read.
    #[arg(value_name = "PATH", required_unless_present = "files")]
    paths: Vec<PathBuf>,
    /// A compose file of one project; repeated, the files are merged in order, like
    /// `docker compose -f a.yml -f b.yml`.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Environment file for compose interpolation, instead of the project's `.env`; repeatable
    /// (later files win). The process environment wins over both.
    #[arg(long = "env-file", value_name = "FILE")]
    env_files: Vec<PathBuf>,
    /// What the files named are, instead of telling by name and content.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    kind: Option<SourceKind>,
    /// The stage that ships (as `docker build --target`); the last stage by default.
    #[arg(long, value_name = "STAGE")]
    target: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
    // The rules: a profile judges compose services and Kubernetes containers by its rules (the
    // Pod Security Standards level and the container rules it maps to); Dockerfiles and
    // configuration files keep their rules, less those disabled.
    #[command(flatten)]
    rules: crate::policy::RuleArgs,
    #[command(flatten)]
    output: OutputArgs,
}

fn parse_kind(s: &str) -> Result<SourceKind, String> {
    SourceKind::parse(s).ok_or_else(|| {
        let names: Vec<&str> = SourceKind::ALL.iter().map(|(name, _)| *name).collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// `# dockward ignore=` comments naming a rule that does not exist: a typo there would silently
/// suppress nothing.
fn unknown_ignores(parsed: &[(String, Result<Dockerfile, ParseFailure>)]) -> Vec<String> {
    let mut warnings = Vec::new();
    // Files with tens of thousands of comments name the same few rules over and over.
    let mut known: HashMap<&str, bool> = HashMap::new();
    for df in parsed.iter().filter_map(|(_, outcome)| outcome.as_ref().ok()) {
        for pragma in &df.pragmas {
            for rule in pragma.rules.iter().filter(|r| {
                !*known
                    .entry(r.as_str())
                    .or_insert_with(|| dockward_rules::find(r).is_some())
            }) {
                warnings.push(format!(
                    "{}:{}:{}: dockward ignore names unknown rule \"{rule}\"",
                    df.path, pragma.pos.line, pragma.pos.column
                ));
            }
        }
    }
    warnings
}

/// Where and why a Dockerfile could not be parsed: line, column, message.
type ParseFailure = (u32, u32, String);

/// What the files other than Dockerfiles gave: workloads, the files that could not be read or
/// understood, warnings, and how many files of each kind were linted.
#[derive(Default)]
struct Sources {
    workloads: Vec<Workload>,
    failed: Vec<(SourceError, TargetKind)>,
    warnings: Vec<String>,
    compose_projects: usize,
    manifests: usize,
    /// The manifests' texts, for the lines the text report quotes.
    texts: HashMap<String, String>,
}

pub(crate) fn lint(args: LintArgs) -> anyhow::Result<u8> {
    args.rules.check()?;
    // An invalid policy or baseline stops the run before anything is read.
    let policy = match args.rules.load() {
        Ok(policy) => policy,
        Err(code) => return Ok(code),
    };
    let baseline = args
        .output
        .baseline
        .as_deref()
        .map(crate::policy::read_baseline)
        .transpose()?;
    let cli = dockward_policy::CliChoices {
        target_stage: args.target.clone(),
        ..args.rules.choices()
    };
    let base_settings = policy.settings(&cli);
    let stdin = Path::new("-");
    let from_stdin = args.paths.iter().any(|p| p == stdin);
    let paths: Vec<PathBuf> = args.paths.iter().filter(|p| *p != stdin).cloned().collect();
    let mut found = if paths.is_empty() {
        Discovered::default()
    } else {
        discover(&paths, args.kind)
    };
    // `-f a -f b` is one project, merged in order; no override file is added.
    if !args.files.is_empty() {
        found.compose.insert(0, args.files.clone());
    }
    for error in &found.errors {
        let verb = if error.path.exists() {
            "cannot lint"
        } else {
            "cannot search"
        };
        eprintln!(
            "dockward: {verb} {}: {}",
            visible(&error.path.display().to_string()),
            visible(&error.message)
        );
    }

    // Dockerfiles, as before compose files and manifests existed.
    let mut sources: Vec<(String, Result<String, String>)> = Vec::with_capacity(found.dockerfiles.len() + 1);
    if from_stdin {
        let read = read_limited(std::io::stdin().lock(), DOCKERFILE_LIMIT)
            .map_err(|e| match e {
                ReadError::Io(e) => format!("cannot read standard input: {e}"),
                refused => {
                    eprintln!("dockward: cannot read -: {refused}");
                    refused.to_string()
                }
            })
            .and_then(utf8);
        sources.push(("-".to_string(), read));
    }
    for path in &found.dockerfiles {
        sources.push((path.display().to_string(), read_text(path, DOCKERFILE_LIMIT)));
    }
    let parsed: Vec<(String, Result<Dockerfile, ParseFailure>)> = sources
        .into_iter()
        .map(|(path, text)| {
            let outcome = match text {
                Ok(text) => parse_dockerfile(&path, &text)
                    .map_err(|e| (e.line, e.column, e.message))
                    .and_then(|df| has_target(df, args.target.as_deref())),
                Err(message) => Err((0, 0, message)),
            };
            (path, outcome)
        })
        .collect();
    for (path, outcome) in &parsed {
        if let Err((0, 0, message)) = outcome
            && message.starts_with("target stage")
        {
            eprintln!("dockward: {}: {message}", visible(path));
        }
    }
    let inputs: Vec<LintInput<'_>> = parsed
        .iter()
        .map(|(path, outcome)| match outcome {
            Ok(df) => LintInput::Parsed(df),
            Err((line, column, message)) => LintInput::Failed {
                path,
                line: *line,
                column: *column,
                message,
            },
        })
        .collect();
    // Dockerfiles and configuration files keep their own rules whatever the profile.
    let dockerfile_settings = dockward_rules::Settings {
        only: Some(vec![dockward_rules::Scope::Dockerfiles]),
        target_stage: args.target.clone(),
        profile: None,
        ..base_settings.clone()
    };
    let mut results = if inputs.is_empty() {
        Vec::new()
    } else {
        dockward_rules::evaluate_dockerfiles(&inputs, &dockerfile_settings)
    };

    // Compose projects and manifests.
    let other = load_workloads(&found, &args);
    for warning in &other.warnings {
        eprintln!("dockward: warning: {}", visible(warning));
    }
    let settings = base_settings.clone();
    if !other.workloads.is_empty() || !other.failed.is_empty() {
        let failed: Vec<FailedSource<'_>> = other
            .failed
            .iter()
            .map(|(error, kind)| FailedSource { error, kind: *kind })
            .collect();
        results.extend(evaluate_sources(&other.workloads, &failed, &settings));
    }
    let config_settings = dockward_rules::Settings {
        profile: None,
        ..base_settings.clone()
    };
    let mut config_failed = false;
    let mut config_texts: HashMap<String, String> = HashMap::new();
    for path in &found.daemon_json {
        let (name, loaded) = load_config(path, &mut config_texts, daemon_json_facts);
        match loaded {
            Ok(facts) => results.extend(dockward_rules::evaluate_daemon_json(
                &facts,
                &name,
                &config_settings,
            )),
            Err(error) => {
                config_failed = true;
                results.extend(dockward_rules::daemon_json_error(&error, &config_settings));
            }
        }
    }
    for path in &found.seccomp {
        let (_, loaded) = load_config(path, &mut config_texts, seccomp_profile);
        match loaded {
            Ok(profile) => results.extend(dockward_rules::evaluate_seccomp_profile(
                &profile,
                &config_settings,
            )),
            Err(error) => {
                config_failed = true;
                results.extend(dockward_rules::seccomp_profile_error(&error, &config_settings));
            }
        }
    }

    if let Some(modules) = policy.rego() {
        let workloads: Vec<&Workload> = other.workloads.iter().collect();
        let dockerfiles: Vec<&Dockerfile> = parsed
            .iter()
            .filter_map(|(_, outcome)| outcome.as_ref().ok())
            .collect();
        let mut custom = dockward_policy::rego::lint_results(modules, &workloads, &dockerfiles);
        crate::policy::keep_selected_custom(&mut custom, &base_settings);
        results.extend(custom);
    }
    let subjects = dockward_policy::Subjects::from_workloads(&other.workloads);
    // Files (Dockerfiles, daemon.json, seccomp profiles) are known by their path, which is
    // what a target of their kind shows without being recorded.
    let outcome = crate::policy::apply(&policy, &mut results, &subjects, &cli);

    let counts = LintCounts {
        dockerfiles: inputs.len(),
        compose_projects: other.compose_projects,
        manifests: other.manifests,
        daemon_json: found.daemon_json.len(),
        seccomp_profiles: found.seccomp.len(),
    };
    let mut report = Report::for_lint(results, counts, dockward_collect::now_rfc3339());
    report.warnings = unknown_ignores(&parsed);
    report.warnings.extend(other.warnings.iter().cloned());
    crate::policy::record(&mut report, outcome);
    if let Some(baseline) = &baseline {
        report.apply_baseline(baseline);
    }
    if matches!(args.format, ReportFormat::Text) {
        config_texts.extend(other.texts.iter().map(|(k, v)| (k.clone(), v.clone())));
        report.lines = quoted_lines(&report.results, &config_texts);
    }
    let code = emit(&report, args.format, &args.output)?;
    let no_inputs = inputs.is_empty()
        && other.compose_projects == 0
        && other.manifests == 0
        && found.daemon_json.is_empty()
        && found.seccomp.is_empty();
    let any_failed =
        parsed.iter().any(|(_, outcome)| outcome.is_err()) || !other.failed.is_empty() || config_failed;
    // The process ends right after: freeing hundreds of thousands of results and syntax nodes
    // one by one would only cost time (a tenth of a 20 MB lint).
    drop(inputs);
    std::mem::forget(report);
    std::mem::forget(parsed);
    std::mem::forget(other);
    if no_inputs {
        eprintln!(
            "dockward: nothing to lint: no Dockerfiles found, nor compose files, Kubernetes manifests, daemon.json files or seccomp profiles"
        );
        return Ok(EXIT_TROUBLE);
    }
    if !found.errors.is_empty() || any_failed {
        return Ok(code.max(EXIT_TROUBLE));
    }
    Ok(code)
}

/// Reads a text file of at most `limit` bytes; a refusal (a FIFO, a device, too large) is said
/// beside the report too.
fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    read_regular_file(path, limit)
        .map_err(|e| match e {
            ReadError::Io(e) => format!("cannot read the file: {e}"),
            refused => {
                eprintln!(
                    "dockward: cannot read {}: {refused}",
                    visible(&path.display().to_string())
                );
                refused.to_string()
            }
        })
        .and_then(utf8)
}

/// Loads every compose project and manifest found.
fn load_workloads(found: &Discovered, args: &LintArgs) -> Sources {
    let mut out = Sources::default();
    let options = ComposeOptions {
        env_files: args.env_files.clone(),
        // The process environment feeds interpolation, over the env files, as in docker compose.
        // `vars()` would panic on a variable that is not UTF-8; such a variable cannot be
        // interpolated into YAML text anyway.
        environment: std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect::<BTreeMap<String, String>>(),
        profiles: None,
        project_name: None,
    };
    for files in &found.compose {
        let project = load_project(files, &options);
        out.compose_projects += 1;
        out.workloads.extend(project.workloads);
        out.failed.extend(
            project
                .errors
                .into_iter()
                .map(|e| (e, TargetKind::ComposeService)),
        );
        out.warnings.extend(project.warnings);
    }
    let explicit: HashSet<&PathBuf> = found.explicit_manifests.iter().collect();
    for (path, manifest) in found.manifests.iter().zip(load_manifests(&found.manifests)) {
        let name = path.display().to_string();
        let (manifest, text) = match manifest {
            Ok(loaded) => loaded,
            Err(message) => {
                out.manifests += 1;
                out.failed.push((
                    SourceError {
                        path: name,
                        line: 0,
                        column: 0,
                        message,
                    },
                    TargetKind::K8sContainer,
                ));
                continue;
            }
        };
        // Other YAML found in a directory is not a manifest: skipped without a word.
        if !manifest.is_manifest && !explicit.contains(path) {
            continue;
        }
        out.manifests += 1;
        if !manifest.is_manifest && manifest.errors.is_empty() {
            out.failed.push((
                SourceError {
                    path: name.clone(),
                    line: 0,
                    column: 0,
                    message: "not a Kubernetes manifest: no document carries apiVersion and kind".into(),
                },
                TargetKind::K8sContainer,
            ));
        }
        out.workloads.extend(manifest.workloads);
        out.failed
            .extend(manifest.errors.into_iter().map(|e| (e, TargetKind::K8sContainer)));
        out.texts.insert(name, text);
    }
    out
}

type LoadedManifest = Result<(dockward_collect::kubernetes::Manifest, String), String>;

/// Reads and loads manifests on every core, in the order given.
fn load_manifests(paths: &[PathBuf]) -> Vec<LoadedManifest> {
    let load = |path: &PathBuf| -> LoadedManifest {
        let text = read_text(path, MAX_MANIFEST_BYTES as u64)?;
        Ok((load_manifest(&path.display().to_string(), &text), text))
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len());
    if workers <= 1 {
        return paths.iter().map(load).collect();
    }
    let chunk = paths.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(load).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// The lines that failing and erroring results in compose files and manifests point at, for
/// the text report: from the manifests' texts already read, else read again (compose files
/// are read by their loader), each file at most once and bounded.
fn quoted_lines(results: &[RuleResult], texts: &HashMap<String, String>) -> SourceLines {
    let mut wanted: BTreeMap<&str, HashSet<u32>> = BTreeMap::new();
    for r in results {
        // Dockerfile findings are many and quoted nowhere yet: their report stays as it was.
        let workload = !matches!(r.target.kind, TargetKind::Dockerfile);
        if let (true, Status::Fail | Status::Error, Some(at)) = (workload, r.status, &r.location)
            && at.line > 0
        {
            wanted.entry(at.path.as_str()).or_default().insert(at.line);
        }
    }
    let mut lines = SourceLines::new();
    for (path, numbers) in wanted {
        let read;
        let text = match texts.get(path) {
            Some(text) => text.as_str(),
            None => match read_regular_file(Path::new(path), MAX_MANIFEST_BYTES as u64)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            {
                Some(text) => {
                    read = text;
                    read.as_str()
                }
                None => continue,
            },
        };
        let file: HashMap<u32, String> = text
            .lines()
            .zip(1u32..)
            .filter(|(_, n)| numbers.contains(n))
            .map(|(line, n)| (n, line.to_string()))
            .collect();
        lines.insert(path.to_string(), file);
    }
    lines
}

/// A Dockerfile without the `--target` stage cannot be judged for it, as `docker build` refuses.
fn has_target(df: Dockerfile, target: Option<&str>) -> Result<Dockerfile, ParseFailure> {
    match target {
        Some(target)
            if !df
                .stages
                .iter()
                .any(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(target))) =>
        {
            Err((0, 0, format!("target stage \"{target}\" could not be found")))
        }
        _ => Ok(df),
    }
}

/// Reads a configuration file (daemon.json, a seccomp profile) within the size bound and parses
/// it; the text is kept for the report's quoted lines.
fn load_config<T>(
    path: &Path,
    texts: &mut HashMap<String, String>,
    parse: fn(&str, &str) -> Result<T, SourceError>,
) -> (String, Result<T, SourceError>) {
    let name = path.display().to_string();
    let loaded = read_text(path, MAX_CONFIG_BYTES as u64)
        .map_err(|message| SourceError {
            path: name.clone(),
            line: 0,
            column: 0,
            message,
        })
        .and_then(|text| {
            let parsed = parse(&name, &text);
            texts.insert(name.clone(), text);
            parsed
        });
    (name, loaded)
}
