//! The decision log: one JSON line per decision, appended to a file (mode 0600) or written to
//! standard output.
//!
//! Decisions never wait for the log: lines go through a bounded queue to a writer thread, and a
//! line that does not fit (the disk or the reader of standard output is stuck) is dropped and
//! counted. A failure is reported on standard error once, not once per line, until writing works
//! again.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::settings::LogTarget;

/// How many lines may wait for the writer.
const QUEUE: usize = 4096;

/// One decision, as logged.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// When it was decided (RFC 3339, UTC).
    pub time: String,
    /// `plugin` or `proxy`.
    pub source: &'static str,
    /// The HTTP method.
    pub method: String,
    /// The request URI as received.
    pub uri: String,
    /// The normalized route (`POST /containers/create`), or the raw one when it could not be
    /// parsed.
    pub route: String,
    /// The authenticated user (`User` of the plugin request), when the daemon reports one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// How the user was authenticated (`UserAuthNMethod`), when the daemon reports it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub authn: String,
    /// The container (service, volume) the request names or changes.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub container: String,
    /// The image the request would run.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image: String,
    /// `allow`, `deny`, or `would-deny` (audit mode allowed what enforce would deny).
    pub verdict: &'static str,
    /// The profile that decided.
    pub profile: &'static str,
    /// `enforce` or `audit`.
    pub mode: &'static str,
    /// The rules that failed or could not judge (custom Rego rules too, as `custom/ID`), each
    /// with the waiver that accepted it, if one did.
    pub rules: Vec<RuleRecord>,
    /// The decision's message (why it was denied, or what was noted).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The custom rules' `warn` findings: logged, never denying.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<WarningRecord>,
    /// The policy file in force, when there is one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub policy: String,
}

/// One rule's verdict on the request.
#[derive(Clone, Debug, Serialize)]
pub struct RuleRecord {
    /// Rule id.
    pub id: String,
    /// Rule name.
    pub name: String,
    /// `fail` or `error`.
    pub status: String,
    /// What the rule found.
    pub message: String,
    /// The Rego module of a custom rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The waiver in force that accepted this finding: its reason, position and expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<dockward_model::Waived>,
    /// A waiver that would have accepted it but expired: the finding counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver_expired: Option<dockward_model::Waived>,
}

/// A custom rule's `warn` finding.
#[derive(Clone, Debug, Serialize)]
pub struct WarningRecord {
    /// `custom/ID`.
    pub id: String,
    /// Its severity.
    pub severity: dockward_model::Severity,
    /// Its message.
    pub message: String,
    /// The Rego module.
    pub module: String,
}

enum Msg {
    Line(String),
    Swap(Option<Box<dyn Write + Send>>, String),
}

/// A handle on the decision log; cheap to clone.
#[derive(Clone)]
pub struct DecisionLog {
    tx: SyncSender<Msg>,
    dropped: Arc<AtomicU64>,
    target: Arc<Mutex<Option<LogTarget>>>,
}

/// Opens a log target for appending.
fn open(target: &LogTarget) -> std::io::Result<Box<dyn Write + Send>> {
    match target {
        LogTarget::Stdout => Ok(Box::new(std::io::stdout())),
        LogTarget::File(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let file = OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o600)
                .open(path)?;
            Ok(Box::new(file))
        }
    }
}

impl DecisionLog {
    /// Opens the log (or none) and starts its writer thread.
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn start(target: Option<&LogTarget>) -> std::io::Result<Self> {
        let writer = target.map(open).transpose()?;
        let (tx, rx) = sync_channel(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let name = target.map(ToString::to_string).unwrap_or_default();
        let counter = Arc::clone(&dropped);
        std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || writer_thread(rx, writer, name, counter))?;
        Ok(DecisionLog {
            tx,
            dropped,
            target: Arc::new(Mutex::new(target.cloned())),
        })
    }

    /// Opens the target again (after log rotation, or a changed setting). On failure the log
    /// stays closed, which is reported, and decisions go on.
    pub fn reopen(&self, target: Option<&LogTarget>) -> std::io::Result<()> {
        if let Ok(mut current) = self.target.lock() {
            current.clone_from(&target.cloned());
        }
        let name = target.map(ToString::to_string).unwrap_or_default();
        let opened = target.map(open).transpose();
        let (writer, result) = match opened {
            Ok(writer) => (writer, Ok(())),
            Err(e) => (None, Err(e)),
        };
        // A swap must not be lost to a full queue, nor make the caller (the accept loop) wait
        // for a writer stuck on a full pipe: a thread waits for it.
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("decision-log-swap".into())
            .spawn(move || tx.send(Msg::Swap(writer, name)));
        result
    }

    /// Queues one record; never waits.
    pub fn write(&self, record: &Record) {
        let Ok(mut line) = serde_json::to_string(record) else {
            return;
        };
        line.push('\n');
        match self.tx.try_send(Msg::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("dockward: the decision log is not keeping up; dropping lines until it does");
                }
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

fn writer_thread(
    rx: Receiver<Msg>,
    mut writer: Option<Box<dyn Write + Send>>,
    mut name: String,
    dropped: Arc<AtomicU64>,
) {
    let mut failing = false;
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Swap(new, new_name) => {
                writer = new;
                name = new_name;
                failing = false;
            }
            Msg::Line(line) => {
                let Some(out) = writer.as_mut() else { continue };
                let result = out.write_all(line.as_bytes()).and_then(|()| out.flush());
                match result {
                    Ok(()) => {
                        if failing {
                            eprintln!("dockward: writing the decision log {name} works again");
                        }
                        failing = false;
                        let lost = dropped.swap(0, Ordering::Relaxed);
                        if lost > 0 {
                            eprintln!("dockward: {lost} decision log lines were dropped");
                        }
                    }
                    Err(e) => {
                        if !failing {
                            eprintln!("dockward: cannot write the decision log {name}: {e}");
                        }
                        failing = true;
                    }
                }
            }
        }
    }
}
