//! One decision, shared by the plugin and the proxy: parse the request as dockerd routes it,
//! look up what it refers to, let the profile's rules decide, apply the policy (custom rules,
//! disabled rules, waivers), apply the mode, log it.
//!
//! There is no rule logic here: the decision is
//! `policy(decide(context, resolve(parse_request(request)), profile))`.
//!
//! Settings and policy are one [`InForce`] value behind an `Arc`: a reload (SIGHUP, or a change
//! of the policy's files) builds and validates a whole new one before it replaces the old, so a
//! decision sees either the old or the new, and a broken edit leaves the old in force.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use dockward_collect::request::{RequestParts, parse_request};
use dockward_model::{Action, ApiRequest};
use dockward_policy::Date;

use crate::log::{DecisionLog, Record, RuleRecord, WarningRecord};
use crate::lookup::{Lookups, Resolution};
use crate::policy::{InForce, Judgement, LoadError, waived_of};
use crate::settings::{Mode, Settings, SettingsError, SettingsSource};
use dockward_rules::decide::{Decision, decide};

/// How often the policy file and its modules are looked at for a change.
pub const POLICY_POLL: Duration = Duration::from_secs(1);

/// A request as the plugin or the proxy received it.
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Request URI as sent.
    pub uri: &'a str,
    /// Headers in the order received.
    pub headers: &'a [(String, String)],
    /// The body, when there is one.
    pub body: Option<&'a [u8]>,
    /// Whether `body` is the whole body (see [`RequestParts::body_complete`]).
    pub body_complete: bool,
    /// `User` of the plugin request (TLS client certificate), else empty.
    pub user: &'a str,
    /// `UserAuthNMethod` of the plugin request, else empty.
    pub authn: &'a str,
}

/// What to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Let the request through.
    pub allow: bool,
    /// Why it is denied (for an allow in audit mode: what enforce would have said).
    pub message: String,
}

/// Decides requests with the settings in force; shared by every connection.
pub struct Engine {
    source: SettingsSource,
    state: RwLock<Arc<InForce>>,
    log: DecisionLog,
    lookups: Lookups,
    /// Which front end decides: `plugin` or `proxy`, for the log.
    front: &'static str,
    /// The bound on all lookups of one decision.
    lookup_budget: Duration,
    /// Policy loads: how many were put in force, how many failed, the last failure.
    reloads: AtomicU64,
    failed_reloads: AtomicU64,
    last_failure: Mutex<Option<String>>,
}

/// How reloads of the policy have gone (for tests and the start line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReloadStatus {
    /// Reloads put in force (SIGHUP or a change), not counting the start.
    pub reloaded: u64,
    /// Reloads refused (the previous settings and policy were kept).
    pub failed: u64,
    /// Why the last refused reload was refused.
    pub last_failure: Option<String>,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The settings file is unusable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The policy file (or a Rego module it names) is invalid: every problem at its position.
    #[error("invalid policy: {0}")]
    Policy(String),
    /// The decision log cannot be opened.
    #[error("cannot open the decision log {target}: {source}")]
    Log {
        /// The log target.
        target: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl Engine {
    /// Reads the settings, opens the decision log.
    pub fn new(
        source: SettingsSource,
        lookups: Lookups,
        front: &'static str,
        lookup_timeout: Duration,
    ) -> Result<Self, EngineError> {
        let state = InForce::load(&source).map_err(|e| match e {
            LoadError::Settings(e) => EngineError::Settings(e),
            LoadError::Policy(e) => EngineError::Policy(e.to_string()),
        })?;
        let settings = Arc::clone(&state.settings);
        let log = DecisionLog::start(settings.decision_log.as_ref()).map_err(|e| EngineError::Log {
            target: settings
                .decision_log
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            source: e,
        })?;
        Ok(Engine {
            source,
            state: RwLock::new(Arc::new(state)),
            log,
            lookups,
            front,
            // A backstop: every lookup has its own bound (see `lookup`).
            lookup_budget: lookup_timeout
                .saturating_mul(3)
                .saturating_add(crate::lookup::MAX_EXPORT_TIME),
            reloads: AtomicU64::new(0),
            failed_reloads: AtomicU64::new(0),
            last_failure: Mutex::new(None),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> Arc<Settings> {
        Arc::clone(&self.state().settings)
    }

    /// Settings, policy and rule settings in force.
    pub fn state(&self) -> Arc<InForce> {
        match self.state.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn put_in_force(&self, next: Arc<InForce>) {
        match self.state.write() {
            Ok(mut slot) => *slot = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
        self.reloads.fetch_add(1, Ordering::SeqCst);
    }

    fn refused(&self, why: String) -> String {
        if let Ok(mut last) = self.last_failure.lock() {
            *last = Some(why.clone());
        }
        self.failed_reloads.fetch_add(1, Ordering::SeqCst);
        why
    }

    /// How reloads have gone.
    pub fn reload_status(&self) -> ReloadStatus {
        ReloadStatus {
            reloaded: self.reloads.load(Ordering::SeqCst),
            failed: self.failed_reloads.load(Ordering::SeqCst),
            last_failure: self.last_failure.lock().ok().and_then(|l| l.clone()),
        }
    }

    /// Reads the policy again when its file or one of its modules changed since it was read
    /// (the background poll). `None`: nothing changed; `Some(Err)`: the new version is broken
    /// and the previous policy stays in force. A file seen changing is read once per change.
    pub fn reload_policy_if_changed(
        &self,
        tried: &mut Option<crate::policy::Fingerprint>,
    ) -> Option<Result<Arc<InForce>, String>> {
        let state = self.state();
        if state.fingerprint.is_empty() {
            return None;
        }
        let now = state.fingerprint.now();
        if now == state.fingerprint || tried.as_ref() == Some(&now) {
            return None;
        }
        *tried = Some(now);
        Some(match InForce::with_policy_of(state.given.clone()) {
            Ok(next) => {
                let next = Arc::new(next);
                self.put_in_force(Arc::clone(&next));
                Ok(next)
            }
            Err(e) => Err(self.refused(format!("policy reload failed, keeping the previous policy: {e}"))),
        })
    }

    /// Polls the policy's files every [`POLICY_POLL`] until the returned task is aborted.
    pub fn watch_policy(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let engine = Arc::clone(self);
        tokio::spawn(async move {
            let mut tried = None;
            let mut tick = tokio::time::interval(POLICY_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // Reading a policy and compiling its modules is file I/O and CPU work: off the
                // threads that answer dockerd.
                let engine = Arc::clone(&engine);
                let mut attempt = tried.take();
                let done = tokio::task::spawn_blocking(move || {
                    let result = engine.reload_policy_if_changed(&mut attempt);
                    (result, attempt)
                })
                .await;
                let Ok((result, attempt)) = done else { continue };
                tried = attempt;
                match result {
                    None => {}
                    Some(Ok(state)) => eprintln!("dockward: policy changed: {}", describe(&state)),
                    Some(Err(e)) => eprintln!("dockward: {e}"),
                }
            }
        })
    }

    /// Where lookups go.
    pub fn lookups(&self) -> &Lookups {
        &self.lookups
    }

    /// SIGHUP: reads the settings again, reopens the decision log (after rotation, or at its
    /// new path) and forgets cached lookups. A settings file that cannot be used leaves the
    /// settings in force unchanged (the log is still reopened).
    pub fn reload(&self) -> Result<Arc<InForce>, String> {
        self.lookups.clear();
        let loaded = InForce::load(&self.source).map(Arc::new);
        let next = match &loaded {
            Ok(state) => {
                // Settings first: decisions logged to the new log then carry the new settings
                // (one decided just before may still land there).
                self.put_in_force(Arc::clone(state));
                Arc::clone(state)
            }
            Err(_) => self.state(),
        };
        let reopened = self.log.reopen(next.settings.decision_log.as_ref());
        match (loaded, reopened) {
            (Err(LoadError::Policy(e)), _) => Err(self.refused(format!(
                "policy reload failed, keeping the previous policy: {}",
                LoadError::Policy(e)
            ))),
            (Err(e), _) => Err(self.refused(format!("{e}; the settings in force are kept"))),
            (Ok(_), Err(e)) => Err(format!(
                "cannot open the decision log {}: {e}; decisions are not logged until the next SIGHUP",
                next.settings
                    .decision_log
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )),
            (Ok(_), Ok(())) => Ok(next),
        }
    }

    /// Denies a plugin request that could not be read (`reason` completes "the plugin request
    /// …"), in every mode, and logs it.
    pub fn refuse_unreadable(&self, reason: &str) -> Verdict {
        let state = self.state();
        let decision = Decision::unjudgeable(&format!("the plugin request {reason}"));
        let message = decision.message();
        let judgement = Judgement::of(decision);
        let received = Received {
            method: "",
            uri: "",
            headers: &[],
            body: None,
            body_complete: false,
            user: "",
            authn: "",
        };
        let mut record = record(self.front, &received, None, &judgement, &state, "deny", &message);
        record.route = "(unreadable plugin request)".into();
        self.log.write(record);
        Verdict {
            allow: false,
            message,
        }
    }

    /// Decides one request and logs the decision.
    pub async fn judge(&self, received: &Received<'_>) -> Verdict {
        let state = self.state();
        let settings = &state.settings;
        let parts = RequestParts {
            method: received.method,
            uri: received.uri,
            headers: received.headers,
            body: received.body,
            user: received.user,
            body_complete: received.body_complete,
        };
        let mut notes = Vec::new();
        let (judgement, request) = match parse_request(&parts) {
            Err(unjudgeable) => (Judgement::of(Decision::unjudgeable(&unjudgeable.reason)), None),
            Ok(mut request) => {
                let resolution = if matches!(request.action, Action::Read | Action::Allowed) {
                    // Reads are allowed at once: dockerd authorizes the plugin's own lookups
                    // through this same plugin while a decision waits on them.
                    Ok(Resolution::default())
                } else {
                    match tokio::time::timeout(
                        self.lookup_budget,
                        self.lookups.resolve(&mut request, &state.rules),
                    )
                    .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(format!(
                            "the lookups through the daemon took more than {} s",
                            self.lookup_budget.as_secs()
                        )),
                    }
                };
                let judgement = match resolution {
                    Err(reason) => Judgement::of(Decision::unjudgeable(&reason)),
                    Ok(resolution) => {
                        notes = resolution.notes;
                        let ctx = dockward_rules::Context {
                            daemon: &resolution.daemon,
                            host: None,
                            host_error: Some("the plugin does not collect host facts"),
                            client: None,
                            settings: &state.rules,
                        };
                        let decision = decide(&ctx, &request, settings.profile);
                        Judgement::new(&state, &request, decision, Date::today())
                    }
                };
                (judgement, Some(request))
            }
        };
        let allow = judgement.allow();
        let mut message = judgement.message();
        notes.extend(judgement.notes());
        if !notes.is_empty() {
            let noted = notes.join("; ");
            message = if message.is_empty() {
                noted
            } else {
                format!("{message} (note: {noted})")
            };
        }
        let verdict_name = match (allow, settings.mode) {
            (true, _) => "allow",
            (false, Mode::Enforce) => "deny",
            (false, Mode::Audit) => "would-deny",
        };
        self.log.write(record(
            self.front,
            received,
            request.as_ref(),
            &judgement,
            &state,
            verdict_name,
            &message,
        ));
        Verdict {
            allow: allow || settings.mode == Mode::Audit,
            message,
        }
    }
}

/// What is in force, for the start line and the line after a reload.
pub fn describe(state: &InForce) -> String {
    let settings = &state.settings;
    format!(
        "profile {} ({}), mode {}, decision log {}, policy {}",
        settings.profile.name(),
        settings.profile_from.name(),
        settings.mode.name(),
        settings
            .decision_log
            .as_ref()
            .map_or_else(|| "none".to_string(), ToString::to_string),
        settings
            .policy
            .as_ref()
            .map_or_else(|| "none".to_string(), |p| p.display().to_string()),
    )
}

fn record(
    front: &'static str,
    received: &Received<'_>,
    request: Option<&ApiRequest>,
    judgement: &Judgement,
    state: &InForce,
    verdict: &'static str,
    message: &str,
) -> Record {
    let settings: &Settings = &state.settings;
    let (route, container, image) = match request {
        None => (
            format!("{} {}", received.method, received.uri),
            String::new(),
            String::new(),
        ),
        Some(request) => {
            let (container, image) = match &request.action {
                Action::Container(w) | Action::Service(w) | Action::Volume(w) => {
                    (w.origin.name().to_string(), w.image.value.clone())
                }
                Action::Exec(e) => (e.container.clone(), String::new()),
                Action::Update(u) => (u.container.clone(), String::new()),
                _ => (String::new(), String::new()),
            };
            (request.route(), container, image)
        }
    };
    Record {
        time: std::time::SystemTime::now(),
        source: front,
        method: received.method.to_string(),
        uri: received.uri.to_string(),
        route,
        user: received.user.to_string(),
        authn: received.authn.to_string(),
        container,
        image,
        verdict,
        profile: settings.profile.name(),
        mode: settings.mode.name(),
        rules: judgement
            .denials
            .iter()
            .map(|f| {
                let (waived, expired) = waived_of(&f.waiver);
                RuleRecord {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    status: serde_json::to_value(f.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    message: f.message.clone(),
                    module: f.module.clone(),
                    waived: waived.cloned(),
                    waiver_expired: expired.cloned(),
                }
            })
            .collect(),
        warnings: judgement
            .warnings
            .iter()
            .map(|w| WarningRecord {
                id: w.id.clone(),
                severity: w.severity,
                message: w.message.clone(),
                module: w.module.clone(),
            })
            .collect(),
        policy: settings
            .policy
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        reason: message.to_string(),
    }
}
