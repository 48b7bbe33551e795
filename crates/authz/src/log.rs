//! The decision log: one JSON line per decision, appended to a file (mode 0600) or written to
//! standard output.
//!
//! Decisions never wait for the log: records go through a bounded queue to a writer thread, and a
//! record that does not fit (the disk or the reader of standard output is stuck) is dropped and
//! counted. A failure is reported on standard error once, not once per line, until writing works
//! again.
//!
//! The writer thread serializes the records (off the thread that answers) and, while decisions
//! keep coming, writes what [`BATCH_INTERVAL`] collected in one write: waking it for every line
//! cost more than the rest of the log on a busy plugin. An idle log blocks and costs nothing.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::settings::LogTarget;

/// How many records may wait for the writer.
const QUEUE: usize = 4096;
/// How long the writer lets records gather after writing a batch; a line reaches the log at most
/// this much later than it would line by line.
pub const BATCH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(2);

/// One decision, as logged.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// When it was decided (RFC 3339, UTC, seconds).
    #[serde(serialize_with = "rfc3339_seconds")]
    pub time: std::time::SystemTime,
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

fn rfc3339_seconds<S: serde::Serializer>(time: &std::time::SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&humantime::format_rfc3339_seconds(*time))
}

enum Msg {
    Line(Box<Record>),
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
    pub fn write(&self, record: Record) {
        match self.tx.try_send(Msg::Line(Box::new(record))) {
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
    writer: Option<Box<dyn Write + Send>>,
    name: String,
    dropped: Arc<AtomicU64>,
) {
    let mut out = Output {
        writer,
        name,
        failing: false,
        dropped,
        batch: Vec::new(),
    };
    // Blocks only while nothing waits: then the next record wakes it.
    while let Ok(first) = rx.recv() {
        out.take(first);
        // At most a queue's worth per write, so a batch stays bounded while records keep coming.
        for next in rx.try_iter().take(QUEUE) {
            out.take(next);
        }
        out.flush();
        std::thread::sleep(BATCH_INTERVAL);
    }
}

/// The writer thread's state: where lines go and the lines not written yet.
struct Output {
    writer: Option<Box<dyn Write + Send>>,
    name: String,
    failing: bool,
    dropped: Arc<AtomicU64>,
    batch: Vec<u8>,
}

impl Output {
    fn take(&mut self, msg: Msg) {
        match msg {
            Msg::Swap(new, new_name) => {
                // Lines decided before the swap go where they were headed.
                self.flush();
                self.writer = new;
                self.name = new_name;
                self.failing = false;
            }
            Msg::Line(record) => {
                if self.writer.is_none() {
                    return;
                }
                let start = self.batch.len();
                match serde_json::to_writer(&mut self.batch, &record) {
                    Ok(()) => self.batch.push(b'\n'),
                    // Never half a line.
                    Err(_) => self.batch.truncate(start),
                }
            }
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let Some(out) = self.writer.as_mut() else {
            self.batch.clear();
            return;
        };
        let result = out.write_all(&self.batch).and_then(|()| out.flush());
        self.batch.clear();
        match result {
            Ok(()) => {
                if self.failing {
                    eprintln!("dockward: writing the decision log {} works again", self.name);
                }
                self.failing = false;
                let lost = self.dropped.swap(0, Ordering::Relaxed);
                if lost > 0 {
                    eprintln!("dockward: {lost} decision log lines were dropped");
                }
            }
            Err(e) => {
                if !self.failing {
                    eprintln!("dockward: cannot write the decision log {}: {e}", self.name);
                }
                self.failing = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::path::Path;

    fn record(uri: &str) -> Record {
        Record {
            time: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
            source: "plugin",
            method: "GET".into(),
            uri: uri.into(),
            route: "GET /_ping".into(),
            user: String::new(),
            authn: String::new(),
            container: String::new(),
            image: String::new(),
            verdict: "allow",
            profile: "baseline",
            mode: "enforce",
            rules: Vec::new(),
            reason: String::new(),
            warnings: Vec::new(),
            policy: String::new(),
        }
    }

    /// The `uri` of each line, once the file holds `count` lines (bounded wait: the writer is
    /// another thread).
    fn uris(path: &Path, count: usize) -> Vec<String> {
        for _ in 0..500 {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            if text.lines().count() >= count {
                return text
                    .lines()
                    .map(|l| {
                        let v: serde_json::Value = serde_json::from_str(l).unwrap();
                        v["uri"].as_str().unwrap().to_string()
                    })
                    .collect();
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("{} never held {count} lines", path.display());
    }

    #[test]
    fn lines_keep_their_order_and_go_where_they_were_headed_across_a_reopen() {
        let dir = std::env::temp_dir().join(format!("dockward-log-test-{}", std::process::id()));
        let (first, second) = (dir.join("a.log"), dir.join("b.log"));
        let _ = std::fs::remove_dir_all(&dir);
        let log = DecisionLog::start(Some(&LogTarget::File(first.clone()))).unwrap();
        for i in 0..300 {
            log.write(record(&format!("/a/{i}")));
        }
        // Wait until the first file has them all: the reopen's swap may otherwise overtake
        // records still queued (it is sent from another thread).
        let expected: Vec<String> = (0..300).map(|i| format!("/a/{i}")).collect();
        assert_eq!(uris(&first, 300), expected);
        log.reopen(Some(&LogTarget::File(second.clone()))).unwrap();
        // The swap travels on its own thread: wait until a line lands in the new file.
        let mut sent = 0;
        while std::fs::read_to_string(&second).unwrap_or_default().is_empty() {
            assert!(
                sent < 500,
                "nothing reached {} after the reopen",
                second.display()
            );
            log.write(record(&format!("/b/{sent}")));
            sent += 1;
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        // Every line lands once, in order: the old file's, then the new one's.
        let lines = |path: &Path| std::fs::read_to_string(path).unwrap_or_default().lines().count();
        let mut waited = 0;
        while lines(&first) + lines(&second) < 300 + sent {
            assert!(waited < 500, "lines were lost");
            waited += 1;
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let mut all = uris(&first, 300);
        all.extend(uris(&second, 1));
        let mut expected: Vec<String> = (0..300).map(|i| format!("/a/{i}")).collect();
        expected.extend((0..sent).map(|i| format!("/b/{i}")));
        assert_eq!(all, expected);
        let line = std::fs::read_to_string(&second).unwrap();
        assert!(line.contains(r#""time":"2027-01-15T08:00:00Z""#), "{line}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
