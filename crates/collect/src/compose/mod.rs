//! Compose projects as `docker compose` reads them, turned into one [`Workload`] per service with
//! the file position of every fact.
//!
//! Loading follows docker compose (compose-go v2), per file in `-f` order:
//! 1. the file is read (refused above [`MAX_FILE_BYTES`] before parsing) and parsed with
//!    positions ([`crate::yaml`]: anchors, aliases and `<<` merge keys resolved, alias bombs,
//!    depth and duplicate keys refused); a tag other than `!reset` / `!override` is an error;
//! 2. values (never keys) are interpolated ([`env::interpolate`]);
//! 3. `include` entries are loaded as projects of their own and their resources imported;
//! 4. `extends` is resolved (same file and `file:`), cycles are errors;
//! 5. the file is merged onto the files before it ([`merge`]: mappings merge, sequences append,
//!    `command`/`entrypoint`/`healthcheck.test` replace, `ports`/`volumes`/`secrets`/`configs`/
//!    `devices` and the other unique lists merge by their key, `!reset` clears, `!override`
//!    replaces).
//!
//! Then `profiles` select the services ([`ComposeOptions::profiles`]) and each service is mapped
//! ([`service`]). A value pulled in through an alias, a `<<` merge key or `extends` points where
//! it is written, and carries the sites that pulled it in (`Provenance::File.via`).
//!
//! # Interpolation variables and their precedence
//! The same as docker compose's, highest first:
//! 1. the process environment (passed in as [`ComposeOptions::environment`]; the library never
//!    reads `std::env` itself);
//! 2. the `--env-file` files ([`ComposeOptions::env_files`]), a later file winning over an
//!    earlier one; when any is given, the project directory's `.env` is not read;
//! 3. otherwise the `.env` file in the project directory (the directory of the first file).
//!
//! An `include`d project reads its own `env_file` list (relative to the including project's
//! directory), else the `.env` in its own project directory; those values win over the
//! including project's variables, as in docker compose. The project name is `--project-name`
//! ([`ComposeOptions::project_name`]), else `COMPOSE_PROJECT_NAME`, else the top-level `name:`,
//! else the project directory's name, lower-cased with everything but `a-z0-9_-` removed.

pub mod env;
mod merge;
mod service;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use dockward_model::{SourceError, Workload};

use crate::yaml::{self, Limits, Mark, Node, Scalar, Value};

pub use env::Variables;

/// The largest compose file read: 16 MiB (larger files are refused before parsing). Every
/// file of a project, also those reached through `extends` and `include`, has this bound.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// At most this many files (given, extended and included) per project.
const MAX_FILES: usize = 256;

/// At most this deep an `extends` chain or `include` nesting.
const MAX_NESTING: usize = 32;

/// The file names docker compose looks for in a directory, in its order of preference.
pub const DEFAULT_FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// The override files docker compose applies on top of a default file, in its order of
/// preference (the first that exists is applied, whichever default file was found).
pub const OVERRIDE_FILE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Whether a file name is a compose file's: one of [`DEFAULT_FILE_NAMES`] or `*.compose.yaml` /
/// `*.compose.yml`. Override files ([`is_override_file_name`]) are not: they are applied with
/// their base file, never alone.
pub fn is_compose_file_name(name: &str) -> bool {
    DEFAULT_FILE_NAMES.contains(&name)
        || name
            .strip_suffix(".compose.yaml")
            .or_else(|| name.strip_suffix(".compose.yml"))
            .is_some_and(|stem| !stem.is_empty())
}

/// Whether a file name is one of the override files docker compose applies automatically.
pub fn is_override_file_name(name: &str) -> bool {
    OVERRIDE_FILE_NAMES.contains(&name)
}

/// The override files `docker compose` applies automatically with `file`: for a file named like
/// one of [`DEFAULT_FILE_NAMES`], the first of [`OVERRIDE_FILE_NAMES`] that exists next to it
/// (docker compose warns when there are several and uses that one); none for other names
/// (`docker compose -f app.compose.yaml` applies no override either).
pub fn override_siblings(file: &Path) -> Vec<PathBuf> {
    let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    if !DEFAULT_FILE_NAMES.contains(&name) {
        return Vec::new();
    }
    let dir = file.parent().unwrap_or(Path::new(""));
    OVERRIDE_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .into_iter()
        .collect()
}

/// How to load a project: what `docker compose` takes from its command line and environment.
#[derive(Clone, Debug, Default)]
pub struct ComposeOptions {
    /// `--env-file` files, in order; when any is given the project's `.env` is not read.
    pub env_files: Vec<PathBuf>,
    /// The process environment (wins over every env file).
    pub environment: BTreeMap<String, String>,
    /// `--profile`s: `None` judges every service, also profile-gated ones; `Some` only the
    /// services docker compose would start with those profiles (`*` enables all).
    pub profiles: Option<Vec<String>>,
    /// `--project-name`.
    pub project_name: Option<String>,
}

/// A loaded project.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComposeProject {
    /// The project name.
    pub name: String,
    /// Every file read, as given or found: the files given, then extended and included ones.
    pub files: Vec<String>,
    /// One workload per selected service, in the order the services are written.
    pub workloads: Vec<Workload>,
    /// What could not be read or understood, at its position; the rest is still loaded.
    pub errors: Vec<SourceError>,
    /// What docker compose would warn about (e.g. a join to a container outside the project).
    pub warnings: Vec<String>,
}

/// Loads the project made of `files` (merged in order, like `docker compose -f a -f b`; pass a
/// default file and its [`override_siblings`] for what `docker compose` does by itself). The
/// project directory is the first file's directory.
pub fn load_project(files: &[PathBuf], options: &ComposeOptions) -> ComposeProject {
    let mut loader = Loader {
        options,
        errors: Vec::new(),
        warnings: Vec::new(),
        files: Vec::new(),
        dirs: BTreeMap::new(),
        home: options.environment.get("HOME").cloned(),
        extended_nodes: 0,
        extended_files: HashMap::new(),
    };
    let Some(first) = files.first() else {
        return ComposeProject {
            errors: vec![SourceError {
                path: String::new(),
                line: 0,
                column: 0,
                message: "no compose file given".into(),
            }],
            ..ComposeProject::default()
        };
    };
    let project_dir = parent_dir(first);
    let vars = loader.project_variables(&project_dir, &options.env_files, None);
    let model = loader.load_model(files, &project_dir, &vars, &mut Vec::new());

    let name = options
        .project_name
        .clone()
        .or_else(|| vars.get("COMPOSE_PROJECT_NAME").cloned())
        .filter(|n| !n.is_empty())
        .or_else(|| {
            model
                .as_ref()
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str)
                .map(str::to_string)
        })
        .map(|n| normalize_project_name(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| normalize_project_name(&dir_name(&project_dir)));

    if model.is_none() && loader.errors.is_empty() {
        loader.errors.push(file_error(
            &first.to_string_lossy(),
            "the compose file is empty (docker compose refuses an empty project)",
        ));
    }
    let mut workloads = Vec::new();
    if let Some(model) = &model {
        workloads = service::map_project(&mut loader, model, &name);
    }
    // By file (in the order first met), then by position.
    let mut order: Vec<String> = Vec::new();
    for e in &loader.errors {
        if !order.contains(&e.path) {
            order.push(e.path.clone());
        }
    }
    loader
        .errors
        .sort_by_key(|e| (order.iter().position(|p| *p == e.path), e.line, e.column));
    ComposeProject {
        name,
        files: loader.files,
        workloads,
        errors: loader.errors,
        warnings: loader.warnings,
    }
}

/// docker compose's project name normalization: lower case, only `a-z0-9_-`, no leading `_`/`-`.
fn normalize_project_name(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect::<String>()
        .trim_start_matches(['_', '-'])
        .to_string()
}

fn parent_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The directory's own name; for `.` and relative paths the name of the absolute directory.
fn dir_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let cleaned = lexical_clean(&absolute);
    cleaned
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `.` and `..` resolved without touching the filesystem.
pub(crate) fn lexical_clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !path.is_absolute() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Shared state of one project load.
pub(crate) struct Loader<'o> {
    options: &'o ComposeOptions,
    pub(crate) errors: Vec<SourceError>,
    pub(crate) warnings: Vec<String>,
    files: Vec<String>,
    /// For every file read, the directory its relative paths are relative to: the project
    /// directory for the files given, its own directory for an extended file, the included
    /// project's directory for an included one.
    pub(crate) dirs: BTreeMap<String, PathBuf>,
    /// `HOME` from the environment, for `~` in bind sources.
    pub(crate) home: Option<String>,
    /// Nodes copied by `extends` so far (bounded by [`MAX_EXTENDED_NODES`]).
    extended_nodes: usize,
    /// The services of every file named by `extends.file`, read once.
    extended_files: HashMap<String, Result<Rc<ExtendedFile>, SourceError>>,
}

/// The services of a file named by `extends.file`, and their index.
type ExtendedFile = (Vec<(Node, Node)>, HashMap<String, usize>);

pub(crate) fn error_at(mark: &Mark, message: impl Into<String>) -> SourceError {
    SourceError {
        path: mark.file.to_string(),
        line: mark.line,
        column: mark.column,
        message: message.into(),
    }
}

fn file_error(path: &str, message: impl Into<String>) -> SourceError {
    SourceError {
        path: path.to_string(),
        line: 0,
        column: 0,
        message: message.into(),
    }
}

impl Loader<'_> {
    /// The variables of a project: env files (or `dir/.env`), then `base` (an including
    /// project's variables, which the included env files override), with the process
    /// environment on top for the main project.
    fn project_variables(
        &mut self,
        dir: &Path,
        env_files: &[PathBuf],
        base: Option<&Variables>,
    ) -> Variables {
        let environment = &self.options.environment;
        let mut from_files: Variables = Variables::new();
        let files: Vec<PathBuf> = if env_files.is_empty() {
            let default = dir.join(".env");
            if default.is_file() {
                vec![default]
            } else {
                Vec::new()
            }
        } else {
            env_files.to_vec()
        };
        for file in files {
            let shown = file.to_string_lossy().into_owned();
            let text = match read_bounded(&file) {
                Ok(text) => text,
                Err(e) => {
                    self.errors.push(file_error(&shown, e));
                    continue;
                }
            };
            // The including project's variables (or the process environment) win inside env
            // files too, then what the files before set.
            let outer = |name: &str| -> Option<String> {
                match base {
                    Some(base) => base.get(name).cloned(),
                    None => environment.get(name).cloned(),
                }
            };
            let earlier = |name: &str| from_files.get(name).cloned();
            match env::parse_dotenv(&text, &outer, &earlier) {
                Ok(pairs) => from_files.extend(pairs),
                Err(e) => self.errors.push(SourceError {
                    path: shown,
                    line: e.line,
                    column: 1,
                    message: e.message,
                }),
            }
        }
        match base {
            // An included project: its env files win over the including project's variables.
            Some(base) => {
                let mut vars = base.clone();
                vars.extend(from_files);
                vars
            }
            None => {
                let mut vars = from_files;
                vars.extend(environment.iter().map(|(k, v)| (k.clone(), v.clone())));
                vars
            }
        }
    }

    /// Reads, parses and interpolates one file: its documents' root mappings.
    fn read_documents(&mut self, path: &Path, vars: &Variables) -> Result<Vec<Node>, SourceError> {
        let shown = path.to_string_lossy().into_owned();
        if self.files.len() >= MAX_FILES {
            return Err(file_error(
                &shown,
                format!("more than {MAX_FILES} files in one project (extends and include count); not read"),
            ));
        }
        if !self.files.contains(&shown) {
            self.files.push(shown.clone());
        }
        let text = read_bounded(path).map_err(|e| file_error(&shown, e))?;
        let limits = Limits {
            max_bytes: MAX_FILE_BYTES as usize,
            ..Limits::default()
        };
        let documents = yaml::load_all(&shown, &text, &limits)?;
        let mut roots = Vec::new();
        for doc in documents {
            let mut root = doc.root;
            check_tags(&root)?;
            match &root.value {
                Value::Null => continue,
                Value::Map(_) => {}
                _ => {
                    return Err(error_at(
                        &root.at,
                        format!(
                            "a compose file's top level must be a mapping, not a {}",
                            root.kind_name()
                        ),
                    ));
                }
            }
            interpolate_values(&mut root, vars)?;
            // What cannot merge is refused per file, so the other files still count.
            if let Some(services) = root.get("services") {
                match &services.value {
                    Value::Null => {}
                    Value::Map(entries) => {
                        if let Some((name, service)) =
                            entries.iter().find(|(_, s)| !s.is_map() && !s.is_null())
                        {
                            return Err(error_at(
                                &service.at,
                                format!(
                                    "service {} must be a mapping, not a {}",
                                    name.as_str().unwrap_or_default(),
                                    service.kind_name()
                                ),
                            ));
                        }
                    }
                    _ => {
                        return Err(error_at(
                            &services.at,
                            format!("services must be a mapping, not a {}", services.kind_name()),
                        ));
                    }
                }
            }
            roots.push(root);
        }
        Ok(roots)
    }

    /// Loads `files` into one merged model (the root mapping), each file's `include` and
    /// `extends` resolved first. `None` when no file could be read at all.
    fn load_model(
        &mut self,
        files: &[PathBuf],
        project_dir: &Path,
        vars: &Variables,
        includes: &mut Vec<PathBuf>,
    ) -> Option<Node> {
        let mut model: Option<Node> = None;
        for file in files {
            let shown = file.to_string_lossy().into_owned();
            self.dirs.insert(shown.clone(), project_dir.to_path_buf());
            let documents = match self.read_documents(file, vars) {
                Ok(docs) => docs,
                Err(e) => {
                    self.errors.push(e);
                    continue;
                }
            };
            for mut doc in documents {
                self.apply_include(&mut doc, project_dir, vars, includes, file);
                self.apply_extends(&mut doc, file, vars);
                model = Some(match model.take() {
                    None => merge::merge_file(None, doc),
                    Some(base) => merge::merge_file(Some(base), doc),
                });
            }
        }
        model.map(merge::finish)
    }

    /// Imports the resources of every `include` entry of `doc` (services, volumes, networks,
    /// secrets, configs), the including file's own definitions winning, and removes `include`.
    fn apply_include(
        &mut self,
        doc: &mut Node,
        working_dir: &Path,
        vars: &Variables,
        includes: &mut Vec<PathBuf>,
        file: &Path,
    ) {
        let Some(include) = merge::take_key(doc, "include") else {
            return;
        };
        let entries: Vec<Node> = match include.value {
            Value::Seq(items) => items,
            Value::Null => return,
            _ => {
                self.errors.push(error_at(
                    &include.at,
                    format!("include must be a list, not a {}", include.kind_name()),
                ));
                return;
            }
        };
        includes.push(lexical_clean(
            &std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
        ));
        for entry in entries {
            if let Err(e) = self.include_one(doc, &entry, working_dir, vars, includes) {
                self.errors.push(e);
            }
        }
        includes.pop();
    }

    fn include_one(
        &mut self,
        doc: &mut Node,
        entry: &Node,
        working_dir: &Path,
        vars: &Variables,
        includes: &mut Vec<PathBuf>,
    ) -> Result<(), SourceError> {
        let strings = |node: Option<&Node>, what: &str| -> Result<Vec<String>, SourceError> {
            match node {
                None => Ok(Vec::new()),
                Some(n) => match &n.value {
                    Value::Scalar(s) => Ok(vec![s.text.clone()]),
                    Value::Seq(items) => items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map(str::to_string)
                                .ok_or_else(|| error_at(&i.at, format!("include {what} must be strings")))
                        })
                        .collect(),
                    _ => Err(error_at(
                        &n.at,
                        format!("include {what} must be a string or a list"),
                    )),
                },
            }
        };
        let (paths, project_directory, env_files) = match &entry.value {
            Value::Scalar(s) => (vec![s.text.clone()], None, Vec::new()),
            Value::Map(_) => (
                strings(entry.get("path"), "path")?,
                entry
                    .get("project_directory")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                strings(entry.get("env_file"), "env_file")?,
            ),
            _ => {
                return Err(error_at(
                    &entry.at,
                    format!(
                        "an include entry must be a path or a mapping, not a {}",
                        entry.kind_name()
                    ),
                ));
            }
        };
        if paths.is_empty() {
            return Err(error_at(&entry.at, "include entry without a path"));
        }
        if includes.len() >= MAX_NESTING {
            return Err(error_at(
                &entry.at,
                format!("include nesting deeper than {MAX_NESTING}"),
            ));
        }
        let files: Vec<PathBuf> = paths
            .iter()
            .map(|p| lexical_clean(&working_dir.join(p)))
            .collect();
        let absolute_first =
            lexical_clean(&std::path::absolute(&files[0]).unwrap_or_else(|_| files[0].clone()));
        if includes.contains(&absolute_first) {
            let chain: Vec<String> = includes
                .iter()
                .chain([&absolute_first])
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            return Err(error_at(
                &entry.at,
                format!("include cycle: {}", chain.join(" includes ")),
            ));
        }
        let sub_dir = match project_directory {
            Some(dir) => lexical_clean(&working_dir.join(dir)),
            None => parent_dir(&files[0]),
        };
        let env_paths: Vec<PathBuf> = env_files
            .iter()
            .filter(|f| f.as_str() != "/dev/null")
            .map(|f| working_dir.join(f))
            .collect();
        let sub_vars = self.project_variables(&sub_dir, &env_paths, Some(vars));
        let Some(mut imported) = self.load_model(&files, &sub_dir, &sub_vars, includes) else {
            return Ok(());
        };
        // Everything imported was pulled in by this entry.
        merge::add_via(&mut imported, &entry.at);
        merge::import_resources(doc, imported, &entry.at);
        Ok(())
    }

    /// Resolves `extends` of every service of `doc` (a file's document).
    fn apply_extends(&mut self, doc: &mut Node, file: &Path, vars: &Variables) {
        let Some(services) = doc.get("services").filter(|s| s.is_map()) else {
            return;
        };
        let has_extends = services.entries().iter().any(|(_, s)| s.get("extends").is_some());
        if !has_extends {
            return;
        }
        let shown = file.to_string_lossy().into_owned();
        let context = services.entries().to_vec();
        let index = index_of(&context);
        let mut resolved = Vec::with_capacity(context.len());
        for (key, _) in &context {
            let name = key.as_str().unwrap_or_default().to_string();
            let mut stack = Vec::new();
            match self.resolve_service(&shown, file, (&context, &index), &name, &mut stack, vars) {
                Ok(node) => resolved.push((key.clone(), node)),
                Err(e) => {
                    self.errors.push(e);
                    // Judge what the service itself says.
                    let own = index.get(&name).map(|i| &context[*i]).map(|(_, v)| {
                        let mut v = v.clone();
                        merge::take_key(&mut v, "extends");
                        v
                    });
                    if let Some(own) = own {
                        resolved.push((key.clone(), own));
                    }
                }
            }
        }
        if let Some(slot) = merge::value_mut(doc, "services") {
            slot.value = Value::Map(resolved);
        }
    }

    /// The service `name` of `services` (the services of `file`) with its `extends` chain merged
    /// in. `stack` holds the (file, service) pairs being resolved, for cycle detection.
    fn resolve_service(
        &mut self,
        shown: &str,
        file: &Path,
        (services, index): (&[(Node, Node)], &HashMap<String, usize>),
        name: &str,
        stack: &mut Vec<(String, String)>,
        vars: &Variables,
    ) -> Result<Node, SourceError> {
        let Some((_, service)) = index.get(name).map(|i| &services[*i]) else {
            return Err(file_error(shown, format!("service {name:?} not found")));
        };
        let Some((extends_key, extends)) = service.entry("extends") else {
            return Ok(service.clone());
        };
        let (reference, other_file) = match &extends.value {
            Value::Scalar(s) => (s.text.clone(), None),
            Value::Map(_) => {
                let Some(reference) = extends.get("service").and_then(Node::as_str) else {
                    return Err(error_at(
                        &extends.at,
                        format!("extends of service {name} needs `service`"),
                    ));
                };
                let other = match extends.get("file") {
                    None => None,
                    Some(f) => Some(
                        f.as_str()
                            .ok_or_else(|| error_at(&f.at, "extends.file must be a path"))?
                            .to_string(),
                    ),
                };
                (reference.to_string(), other)
            }
            _ => {
                return Err(error_at(
                    &extends.at,
                    format!(
                        "extends must be a service name or a mapping, not a {}",
                        extends.kind_name()
                    ),
                ));
            }
        };
        stack.push((shown.to_string(), name.to_string()));
        if stack.len() > MAX_NESTING {
            return Err(error_at(
                &extends_key.at,
                format!("extends chain longer than {MAX_NESTING}"),
            ));
        }
        let (base_file_shown, base_path) = match &other_file {
            None => (shown.to_string(), file.to_path_buf()),
            Some(f) => {
                let dir = parent_dir(file);
                let path = lexical_clean(&dir.join(f));
                (path.to_string_lossy().into_owned(), path)
            }
        };
        if let Some(start) = stack
            .iter()
            .position(|(f, s)| *f == base_file_shown && *s == reference)
        {
            let mut chain: Vec<String> = stack[start..].iter().map(|(f, s)| format!("{s} ({f})")).collect();
            chain.push(format!("{reference} ({base_file_shown})"));
            return Err(error_at(
                &extends_key.at,
                format!("extends cycle: {}", chain.join(" -> ")),
            ));
        }
        let base = match &other_file {
            None => {
                if !index.contains_key(&reference) {
                    return Err(error_at(
                        &extends.at,
                        format!("cannot extend service {name}: service {reference:?} not found in {shown}"),
                    ));
                }
                self.resolve_service(shown, file, (services, index), &reference, stack, vars)?
            }
            Some(_) => {
                self.dirs
                    .entry(base_file_shown.clone())
                    .or_insert_with(|| parent_dir(&base_path));
                // Read once per project however many services extend from it.
                let cached = match self.extended_files.get(&base_file_shown) {
                    Some(cached) => cached.clone(),
                    None => {
                        let read = self.read_documents(&base_path, vars).map(|documents| {
                            let mut services: Vec<(Node, Node)> = Vec::new();
                            for doc in &documents {
                                if let Some(s) = doc.get("services") {
                                    services.extend(s.entries().iter().cloned());
                                }
                            }
                            let index = index_of(&services);
                            Rc::new((services, index))
                        });
                        self.extended_files.insert(base_file_shown.clone(), read.clone());
                        read
                    }
                };
                let cached = cached?;
                let (other_services, other_index) = (&cached.0, &cached.1);
                if !other_index.contains_key(&reference) {
                    return Err(error_at(
                        &extends.at,
                        format!(
                            "cannot extend service {name}: service {reference:?} not found in {base_file_shown}"
                        ),
                    ));
                }
                self.resolve_service(
                    &base_file_shown,
                    &base_path,
                    (other_services, other_index),
                    &reference,
                    stack,
                    vars,
                )?
            }
        };
        stack.pop();
        self.extended_nodes += node_count(&base);
        if self.extended_nodes > MAX_EXTENDED_NODES {
            return Err(error_at(
                &extends_key.at,
                format!("extends copies more than {MAX_EXTENDED_NODES} nodes in this project"),
            ));
        }
        let mut base = base;
        merge::add_via(&mut base, &extends_key.at);
        let mut own = service.clone();
        merge::take_key(&mut own, "extends");
        Ok(merge::merge_service(base, own))
    }
}

/// Service name → index in a services mapping's entries.
fn index_of(services: &[(Node, Node)]) -> HashMap<String, usize> {
    services
        .iter()
        .enumerate()
        .filter_map(|(i, (k, _))| Some((k.as_str()?.to_string(), i)))
        .collect()
}

/// Reads a file of at most [`MAX_FILE_BYTES`], refusing a larger one before reading it whole.
fn read_bounded(path: &Path) -> Result<String, String> {
    // Only regular files: a FIFO or a device named by `include` or `extends` must not block or
    // stream forever.
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file; not read".into());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if let Ok(meta) = file.metadata()
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(format!(
            "the file is {} bytes, above the {} MiB limit for a compose file; not parsed",
            meta.len(),
            MAX_FILE_BYTES >> 20
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than the {} MiB limit for a compose file; not parsed",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("the file is not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

/// The tags compose knows; any other is an error, as in docker compose.
fn check_tags(node: &Node) -> Result<(), SourceError> {
    if let Some(tag) = &node.tag
        && tag != "!reset"
        && tag != "!override"
    {
        return Err(error_at(&node.at, format!("unknown YAML tag {tag}")));
    }
    match &node.value {
        Value::Seq(items) => items.iter().try_for_each(check_tags),
        Value::Map(entries) => entries.iter().try_for_each(|(k, v)| {
            check_tags(k)?;
            check_tags(v)
        }),
        _ => Ok(()),
    }
}

/// The most text interpolation may add to one file (many values naming a long variable).
const MAX_INTERPOLATED_BYTES: usize = 64 << 20;

/// Interpolates every scalar value (not mapping keys).
fn interpolate_values(node: &mut Node, vars: &Variables) -> Result<(), SourceError> {
    let lookup = |name: &str| vars.get(name).cloned();
    let mut added = 0usize;
    walk_values(node, &mut |n| {
        if let Value::Scalar(Scalar { text, .. }) = &mut n.value
            && text.contains('$')
        {
            let value = env::interpolate(text, &lookup).map_err(|e| error_at(&n.at, e.message))?;
            added += value.len().saturating_sub(text.len());
            if added > MAX_INTERPOLATED_BYTES {
                return Err(error_at(
                    &n.at,
                    format!(
                        "interpolation makes the file more than {} MiB larger",
                        MAX_INTERPOLATED_BYTES >> 20
                    ),
                ));
            }
            *text = value;
        }
        Ok(())
    })
}

/// Nodes in a tree.
fn node_count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(node_count).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| node_count(k) + node_count(v)).sum(),
        _ => 0,
    }
}

/// The most nodes `extends` may copy in one project.
const MAX_EXTENDED_NODES: usize = 2_000_000;

fn walk_values(
    node: &mut Node,
    f: &mut dyn FnMut(&mut Node) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().try_for_each(|i| walk_values(i, f)),
        Value::Map(entries) => entries.iter_mut().try_for_each(|(_, v)| walk_values(v, f)),
        _ => f(node),
    }
}

/// A synthetic scalar node at `at` (for values docker compose fills in).
pub(crate) fn scalar_at(text: &str, at: &Mark) -> Node {
    Node {
        value: Value::Scalar(Scalar {
            text: text.to_string(),
            quoted: true,
        }),
        at: at.clone(),
        via: Vec::new(),
        tag: None,
    }
}

/// Names of the active profiles' services: `None` = all.
pub(crate) fn service_active(service: &Node, profiles: Option<&[String]>) -> bool {
    let Some(active) = profiles else { return true };
    let own: BTreeSet<&str> = service
        .get("profiles")
        .map(|p| p.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    own.is_empty() || active.iter().any(|p| p == "*" || own.contains(p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_file_names() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
            "web.compose.yaml",
            "a.compose.yml",
        ] {
            assert!(is_compose_file_name(name), "{name}");
        }
        for name in [
            "compose.override.yaml",
            ".compose.yaml",
            "compose.json",
            "docker-compose.override.yml",
            "values.yaml",
        ] {
            assert!(!is_compose_file_name(name), "{name}");
        }
        assert!(is_override_file_name("docker-compose.override.yml"));
    }

    #[test]
    fn project_names_normalize_like_compose() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("__x-Y_"), "x-y_");
    }
}
