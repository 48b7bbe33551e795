//! Collects image facts: configuration and history from the API, and the merged filesystem
//! from the image's `docker save` archive, streamed into the scanner on a blocking thread.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use bytes::Bytes;
use dockward_model::{
    CollectionError, Fact, Healthcheck, HistoryEntry, ImageFacts, ImageFilesystem, Observed, Provenance,
    Target, TargetKind,
};
use serde::Deserialize;
use tokio::sync::{Semaphore, mpsc};

use crate::client::{Client, Connection};
use crate::error::CollectError;
use crate::image_fs::{scan_image_archive, scan_image_passwd};

/// Which images to collect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ImageSelection {
    /// Every image on the daemon.
    #[default]
    All,
    /// Only these (names, tags or ids).
    Only(Vec<String>),
    /// None.
    Skip,
}

/// How many image archives are read at once: each is a stream the daemon produces from disk,
/// and the scan is CPU-bound.
const ARCHIVE_CONCURRENCY: usize = 2;
/// Chunks buffered between the HTTP stream and the scanner.
const CHANNEL_CHUNKS: usize = 32;
/// How the reason for an archive the run had no time for begins.
pub(crate) const SKIPPED_FOR_TIME: &str = "image archive not read: skipped for time";

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ImageJson {
    id: String,
    repo_tags: Option<Vec<String>>,
    config: Option<ImageConfig>,
    /// Bytes on disk; how long the daemon takes to start an archive depends on it.
    size: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ImageConfig {
    user: Option<String>,
    healthcheck: Option<HealthcheckJson>,
    env: Option<Vec<String>>,
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthcheckJson {
    test: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HistoryJson {
    created: Option<i64>,
    created_by: Option<String>,
    size: Option<i64>,
}

/// Collects the selected images. Images that cannot be inspected become collection errors;
/// a history or archive that cannot be read becomes an unknown fact on the image.
pub(crate) async fn collect_images(
    client: &Client,
    conn: &mut Connection,
    listed: Result<Vec<String>, String>,
    selection: &ImageSelection,
    read_files: bool,
    concurrency: usize,
) -> (Vec<ImageFacts>, Vec<CollectionError>) {
    let mut errors = Vec::new();
    let references: Vec<String> = match selection {
        ImageSelection::Skip => return (Vec::new(), errors),
        ImageSelection::Only(names) => names.clone(),
        ImageSelection::All => match &listed {
            Ok(ids) => ids.clone(),
            Err(e) => {
                errors.push(images_failed(format!("could not list images: {e}")));
                return (Vec::new(), errors);
            }
        },
    };

    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::with_capacity(references.len());
    for reference in &references {
        let client = client.clone();
        let reference = reference.clone();
        let limit = Arc::clone(&limit);
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            let mut conn = client.connect().await?;
            inspect_image(&mut conn, &reference).await
        }));
    }
    let mut images = Vec::with_capacity(tasks.len());
    let mut histories = Vec::with_capacity(tasks.len());
    let mut sizes = Vec::with_capacity(tasks.len());
    for (reference, task) in references.iter().zip(tasks) {
        let outcome = task.await.unwrap_or_else(|e| {
            Err(CollectError::Endpoint(format!(
                "inspecting the image failed: {e}"
            )))
        });
        match outcome {
            Ok((image, history, size)) => {
                if images.iter().any(|i: &ImageFacts| i.id == image.id) {
                    continue;
                }
                images.push(image);
                histories.push(history);
                sizes.push(size);
            }
            Err(e) => {
                let mut error = image_error(reference, None, describe(&e, reference));
                // Listed images can vanish before they are inspected; only a selector names nothing.
                error.named_nothing = matches!(selection, ImageSelection::Only(_)) && e.status() == Some(404);
                errors.push(error);
            }
        }
    }
    if matches!(selection, ImageSelection::All) {
        attribute_base_images(&mut images, &histories);
    } else if let Ok(listed) = &listed {
        // Some images asked for: their bases may still be on the daemon.
        let mut everything = Vec::new();
        for other in listed.iter().filter(|id| !images.iter().any(|i| &i.id == *id)) {
            if let Ok(found) = inspect_image(conn, other).await {
                everything.push(found);
            }
        }
        let (others, other_histories): (Vec<ImageFacts>, Vec<History>) =
            everything.into_iter().map(|(i, h, _)| (i, h)).unzip();
        let chosen = images.len();
        images.extend(others);
        histories.extend(other_histories);
        attribute_base_images(&mut images, &histories);
        images.truncate(chosen);
    }

    if read_files {
        let limit = Arc::new(Semaphore::new(ARCHIVE_CONCURRENCY));
        let mut tasks = Vec::with_capacity(images.len());
        for (image, size) in images.iter().zip(&sizes) {
            let client = client.clone();
            let id = image.id.clone();
            let limit = Arc::clone(&limit);
            let size = *size;
            tasks.push(tokio::spawn(async move {
                let _permit = limit.acquire_owned().await;
                scan_filesystem(&client, &id, size).await
            }));
        }
        for (image, task) in images.iter_mut().zip(tasks) {
            image.filesystem = Some(match task.await {
                Ok(Ok(fs)) => Observed::Known(Fact {
                    value: fs,
                    at: Provenance::pointer(format!("GET /images/{}/get", image.id)),
                }),
                Ok(Err(reason)) => Observed::unknown(reason),
                Err(e) => Observed::unknown(format!("scanning the image failed: {e}")),
            });
        }
    }
    (images, errors)
}

type History = Vec<(Option<i64>, String)>;

/// An image's facts, its history keys and its size in bytes.
async fn inspect_image(
    conn: &mut Connection,
    reference: &str,
) -> Result<(ImageFacts, History, u64), CollectError> {
    let path = format!("/images/{}/json", encode(reference));
    let bytes = conn.get(&path).await?;
    let json: ImageJson = serde_json::from_slice(&bytes).map_err(|source| CollectError::Json {
        what: format!("GET {path}"),
        source,
    })?;
    let config = json.config.unwrap_or_default();
    let size = json.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
    let history_path = format!("/images/{}/history", encode(&json.id));
    let (history, keys) = match conn.get_json::<Vec<HistoryJson>>(&history_path).await {
        Ok(mut entries) => {
            // The API lists the newest step first.
            entries.reverse();
            let keys = entries
                .iter()
                .map(|e| (e.created, e.created_by.clone().unwrap_or_default()))
                .collect();
            let entries = entries
                .into_iter()
                .map(|e| HistoryEntry {
                    created_by: e.created_by.unwrap_or_default(),
                    empty_layer: e.size.unwrap_or(0) == 0,
                })
                .collect();
            (
                Observed::Known(Fact::at_pointer(entries, format!("GET {history_path}"))),
                keys,
            )
        }
        Err(e) => (Observed::unknown(e.to_string()), Vec::new()),
    };
    let tags = json
        .repo_tags
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t != "<none>:<none>")
        .collect();
    let healthcheck = config.healthcheck.map(|h| Healthcheck {
        test: h.test.unwrap_or_default(),
    });
    let image = ImageFacts {
        id: json.id,
        tags,
        used_by: Vec::new(),
        user: Fact::at_pointer(config.user.unwrap_or_default(), "/Config/User"),
        healthcheck: Fact::at_pointer(healthcheck, "/Config/Healthcheck"),
        env: Fact::at_pointer(config.env.unwrap_or_default(), "/Config/Env"),
        exposed_ports: Fact::at_pointer(
            config
                .exposed_ports
                .map(|p| p.into_keys().collect())
                .unwrap_or_default(),
            "/Config/ExposedPorts",
        ),
        history,
        base_history: 0,
        base_image: None,
        filesystem: None,
    };
    Ok((image, keys, size))
}

/// For each image, the longest history of another image that is a strict prefix of its own:
/// that image is its base, and those steps are not the image's own.
fn attribute_base_images(images: &mut [ImageFacts], histories: &[History]) {
    for i in 0..images.len() {
        let mut best: Option<(usize, usize)> = None;
        for (j, other) in histories.iter().enumerate() {
            let own = &histories[i];
            let longer = best.is_none_or(|(len, _)| other.len() > len);
            if i != j && !other.is_empty() && other.len() < own.len() && longer && own.starts_with(other) {
                best = Some((other.len(), j));
            }
        }
        if let Some((len, j)) = best {
            let name = images[j]
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| images[j].display_name());
            images[i].base_history = len;
            images[i].base_image = Some(name);
        }
    }
}

/// Streams `GET /images/{id}/get` into the archive scanner running on a blocking thread. The
/// first byte may take as long as the daemon needs to write an image of `size` bytes.
async fn scan_filesystem(client: &Client, id: &str, size: u64) -> Result<ImageFilesystem, String> {
    stream_archive(client, id, size, scan_image_archive).await
}

/// The image's `/etc/passwd` (see [`scan_image_passwd`]), read from `GET /images/{id}/get`
/// like the filesystem scan reads it. `size` is the image's size, which bounds how long the
/// daemon may take to start the archive.
///
/// # Errors
/// The archive could not be read or scanned; the reason.
pub async fn image_passwd(client: &Client, id: &str, size: u64) -> Result<Option<Vec<u8>>, String> {
    stream_archive(client, id, size, scan_image_passwd).await
}

async fn stream_archive<T: Send + 'static>(
    client: &Client,
    id: &str,
    size: u64,
    scan: fn(ChannelReader) -> Result<T, crate::image_fs::ImageArchiveError>,
) -> Result<T, String> {
    let skipped = |e: CollectError| match e {
        CollectError::Deadline { .. } => format!("{SKIPPED_FOR_TIME} ({e})"),
        e => e.to_string(),
    };
    if client.past_deadline() {
        let path = format!("/images/{}/get", encode(id));
        return Err(skipped(CollectError::Deadline {
            path,
            seconds: client.limits().deadline.as_secs(),
        }));
    }
    let mut conn = client.connect().await.map_err(skipped)?;
    let (tx, rx) = mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
    let scanner = tokio::task::spawn_blocking(move || scan(ChannelReader::new(rx)));
    let path = format!("/images/{}/get", encode(id));
    let first_byte = client.limits().archive_first_byte(size);
    let streamed = conn
        .get_streamed(&path, first_byte, |chunk| {
            let tx = tx.clone();
            // A closed channel means the scanner stopped (done or failed): stop downloading.
            async move { tx.send(chunk).await.is_ok() }
        })
        .await;
    drop(tx);
    let scanned = scanner
        .await
        .map_err(|e| format!("the archive scanner failed: {e}"))?;
    match (streamed, scanned) {
        (Err(e), _) => Err(skipped(e)),
        (Ok(()), Ok(fs)) => Ok(fs),
        (Ok(()), Err(e)) => Err(e.to_string()),
    }
}

/// A blocking reader over chunks arriving on a channel.
struct ChannelReader {
    rx: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<Bytes>) -> Self {
        Self {
            rx,
            current: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// The error entry for images as a whole (the list could not be read).
pub(crate) fn images_failed(reason: String) -> CollectionError {
    image_error("images", None, reason)
}

fn image_error(name: &str, id: Option<String>, reason: String) -> CollectionError {
    CollectionError {
        target: Target {
            kind: TargetKind::Image,
            name: name.to_string(),
            id,
        },
        reason,
        named_nothing: false,
    }
}

fn describe(error: &CollectError, reference: &str) -> String {
    match error.status() {
        Some(404) => format!("no such image: {reference}"),
        _ => error.to_string(),
    }
}

/// Percent-encodes what a name or tag may contain that a path segment must not (`/` stays: the
/// API accepts `registry/repo:tag` as written).
fn encode(reference: &str) -> String {
    let mut out = String::with_capacity(reference.len());
    for byte in reference.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'@' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(tag: &str) -> ImageFacts {
        ImageFacts {
            id: format!("sha256:{tag}"),
            tags: vec![tag.to_string()],
            used_by: Vec::new(),
            user: Fact::at_pointer(String::new(), "/Config/User"),
            healthcheck: Fact::at_pointer(None, "/Config/Healthcheck"),
            env: Fact::at_pointer(Vec::new(), "/Config/Env"),
            exposed_ports: Fact::at_pointer(Vec::new(), "/Config/ExposedPorts"),
            history: Observed::unknown("test"),
            base_history: 0,
            base_image: None,
            filesystem: None,
        }
    }

    #[test]
    fn the_longest_history_prefix_is_the_base() {
        let step = |n: i64, s: &str| (Some(n), s.to_string());
        let os = vec![step(1, "ADD file:a in /")];
        let runtime = vec![
            step(1, "ADD file:a in /"),
            step(2, "RUN apt-get install -y python3"),
        ];
        let app = vec![
            step(1, "ADD file:a in /"),
            step(2, "RUN apt-get install -y python3"),
            step(3, "COPY . /app"),
        ];
        let other = vec![step(1, "ADD file:b in /"), step(2, "RUN x")];
        let mut images = vec![image("app"), image("os"), image("runtime"), image("other")];
        attribute_base_images(&mut images, &[app, os, runtime, other]);
        assert_eq!(
            (images[0].base_history, images[0].base_image.as_deref()),
            (2, Some("runtime"))
        );
        assert_eq!(
            (images[1].base_history, images[1].base_image.as_deref()),
            (0, None)
        );
        assert_eq!(
            (images[2].base_history, images[2].base_image.as_deref()),
            (1, Some("os"))
        );
        assert_eq!(
            (images[3].base_history, images[3].base_image.as_deref()),
            (0, None)
        );
    }

    #[test]
    fn the_channel_reader_reassembles_chunks() {
        let (tx, rx) = mpsc::channel(4);
        let writer = std::thread::spawn(move || {
            for chunk in [&b"hel"[..], b"", b"lo wor", b"ld"] {
                tx.blocking_send(Bytes::copy_from_slice(chunk))
                    .expect("reader alive");
            }
        });
        let mut text = String::new();
        ChannelReader::new(rx).read_to_string(&mut text).expect("read");
        writer.join().expect("writer");
        assert_eq!(text, "hello world");
    }

    #[test]
    fn references_are_encoded_for_paths() {
        assert_eq!(encode("registry:5000/team/app:1.0"), "registry:5000/team/app:1.0");
        assert_eq!(encode("app name?"), "app%20name%3F");
    }
}
