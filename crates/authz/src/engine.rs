//! One decision, shared by the plugin and the proxy: parse the request as dockerd routes it,
//! look up what it refers to, let the profile's rules decide, apply the mode, log it.
//!
//! There is no rule logic here: the decision is
//! `decide(context, resolve(parse_request(request)), profile)`.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use dockward_collect::request::{RequestParts, parse_request};
use dockward_model::{Action, ApiRequest};

use crate::log::{DecisionLog, Record, RuleRecord};
use crate::lookup::{Lookups, Resolution};
use crate::settings::{Mode, Settings, SettingsError, SettingsSource};
use dockward_rules::decide::{Decision, decide};

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
    settings: RwLock<Arc<Settings>>,
    log: DecisionLog,
    lookups: Lookups,
    rule_settings: dockward_rules::Settings,
    /// Which front end decides: `plugin` or `proxy`, for the log.
    front: &'static str,
    /// The bound on all lookups of one decision.
    lookup_budget: Duration,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The settings file is unusable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
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
        let settings = source.load()?;
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
            settings: RwLock::new(Arc::new(settings)),
            log,
            lookups,
            rule_settings: dockward_rules::Settings::default(),
            front,
            // A backstop: every lookup has its own bound (see `lookup`).
            lookup_budget: lookup_timeout
                .saturating_mul(3)
                .saturating_add(crate::lookup::MAX_EXPORT_TIME),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> Arc<Settings> {
        match self.settings.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Where lookups go.
    pub fn lookups(&self) -> &Lookups {
        &self.lookups
    }

    /// SIGHUP: reads the settings again, reopens the decision log (after rotation, or at its
    /// new path) and forgets cached lookups. A settings file that cannot be used leaves the
    /// settings in force unchanged (the log is still reopened).
    pub fn reload(&self) -> Result<Arc<Settings>, String> {
        self.lookups.clear();
        let loaded = self.source.load();
        let current = self.settings();
        let next = match &loaded {
            Ok(settings) => Arc::new(settings.clone()),
            Err(_) => current,
        };
        // Settings first: decisions logged to the new log then carry the new settings (one
        // decided just before may still land there).
        if let Ok(mut slot) = self.settings.write() {
            *slot = Arc::clone(&next);
        }
        let reopened = self.log.reopen(next.decision_log.as_ref());
        match (loaded, reopened) {
            (Err(e), _) => Err(format!("{e}; the settings in force are kept")),
            (Ok(_), Err(e)) => Err(format!(
                "cannot open the decision log {}: {e}; decisions are not logged until the next SIGHUP",
                next.decision_log
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
        let settings = self.settings();
        let decision = Decision::unjudgeable(&format!("the plugin request {reason}"));
        let message = decision.message();
        let received = Received {
            method: "",
            uri: "",
            headers: &[],
            body: None,
            body_complete: false,
            user: "",
            authn: "",
        };
        let mut record = record(
            self.front, &received, None, &decision, &settings, "deny", &message,
        );
        record.route = "(unreadable plugin request)".into();
        self.log.write(&record);
        Verdict {
            allow: false,
            message,
        }
    }

    /// Decides one request and logs the decision.
    pub async fn judge(&self, received: &Received<'_>) -> Verdict {
        let settings = self.settings();
        let parts = RequestParts {
            method: received.method,
            uri: received.uri,
            headers: received.headers,
            body: received.body,
            user: received.user,
            body_complete: received.body_complete,
        };
        let mut notes = Vec::new();
        let (decision, request) = match parse_request(&parts) {
            Err(unjudgeable) => (Decision::unjudgeable(&unjudgeable.reason), None),
            Ok(mut request) => {
                let resolution = if matches!(request.action, Action::Read | Action::Allowed) {
                    // Reads are allowed at once: dockerd authorizes the plugin's own lookups
                    // through this same plugin while a decision waits on them.
                    Ok(Resolution::default())
                } else {
                    match tokio::time::timeout(
                        self.lookup_budget,
                        self.lookups.resolve(&mut request, settings.profile),
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
                let decision = match resolution {
                    Err(reason) => Decision::unjudgeable(&reason),
                    Ok(resolution) => {
                        notes = resolution.notes;
                        let ctx = dockward_rules::Context {
                            daemon: &resolution.daemon,
                            host: None,
                            host_error: Some("the plugin does not collect host facts"),
                            client: None,
                            settings: &self.rule_settings,
                        };
                        decide(&ctx, &request, settings.profile)
                    }
                };
                (decision, Some(request))
            }
        };
        let mut message = decision.message();
        if !notes.is_empty() {
            let noted = notes.join("; ");
            message = if message.is_empty() {
                noted
            } else {
                format!("{message} (note: {noted})")
            };
        }
        let verdict_name = match (decision.allow, settings.mode) {
            (true, _) => "allow",
            (false, Mode::Enforce) => "deny",
            (false, Mode::Audit) => "would-deny",
        };
        self.log.write(&record(
            self.front,
            received,
            request.as_ref(),
            &decision,
            &settings,
            verdict_name,
            &message,
        ));
        Verdict {
            allow: decision.allow || settings.mode == Mode::Audit,
            message,
        }
    }
}

fn record(
    front: &'static str,
    received: &Received<'_>,
    request: Option<&ApiRequest>,
    decision: &Decision,
    settings: &Settings,
    verdict: &'static str,
    message: &str,
) -> Record {
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
        time: dockward_collect::now_rfc3339(),
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
        rules: decision
            .findings
            .iter()
            .map(|f| RuleRecord {
                id: f.id.to_string(),
                name: f.name.to_string(),
                status: serde_json::to_value(f.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                message: f.message.clone(),
            })
            .collect(),
        reason: message.to_string(),
    }
}
