//! Reads an image's merged filesystem from `docker save` output, for CIS 4.8 (setuid and setgid
//! files) and 4.10 (secrets left in images).
//!
//! Images can be many GiB, so the archive is read once, as a stream, and nothing large is kept.
//! `manifest.json`, which says which entries are layers and in what order, usually comes after the
//! layers, so every entry that looks like a layer is scanned as it passes into a compact summary
//! (64-bit hashes of its paths, its whiteouts, its few setuid and secret files), and the summaries
//! are applied in manifest order at the end.
//!
//! The tar reader is our own rather than the `tar` crate's: it caps extension headers (the crate
//! reads them whole into memory), honours PAX sizes on a forward-only stream, and tells a
//! truncated stream from a corrupt one, which decides whether a layer or the whole scan failed.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::hash::BuildHasher;
use std::io::{self, Read};

use dockward_model::{ImageFile, ImageFilesystem, SecretFile};
use flate2::read::MultiGzDecoder;
use serde::Deserialize;

/// Size of a tar block.
const BLOCK: usize = 512;
/// Largest GNU long name or PAX header read; Go's `archive/tar`, which wrote the layers, uses the
/// same limit.
const MAX_EXTENSION: u64 = 1 << 20;
/// Largest `manifest.json` read; real ones are a few KiB even with many tags.
const MAX_MANIFEST: u64 = 16 << 20;
/// Files are sniffed for secrets only up to this size (larger ones are not key files) and
/// credential files are searched only this far.
const MAX_SNIFFED_FILE: u64 = 1 << 20;
/// How much of a candidate key file is sniffed: PEM headers sit at the top.
const KEY_SNIFF: usize = 4096;
/// Links between archive entries followed before giving up (legacy `docker save` links shared
/// `layer.tar` files once; more means a loop).
const MAX_ALIAS_HOPS: usize = 16;

/// Why a `docker save` archive could not be scanned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageArchiveError {
    /// The stream does not start with a tar header.
    #[error("not a tar archive: {0}")]
    NotTar(String),
    /// The stream ended before the archive did.
    #[error("truncated archive: {0}")]
    Truncated(String),
    /// A tar header after the first one is malformed.
    #[error("corrupt archive: {0}")]
    Corrupt(String),
    /// The archive has no `manifest.json`.
    #[error("manifest.json is missing")]
    ManifestMissing,
    /// `manifest.json` cannot be understood.
    #[error("manifest.json is invalid: {0}")]
    ManifestInvalid(String),
    /// A layer named in `manifest.json` is not in the archive.
    #[error("layer {0} named in manifest.json is missing")]
    LayerMissing(String),
    /// A layer named in `manifest.json` is in the archive but cannot be read.
    #[error("layer {layer} named in manifest.json cannot be read: {reason}")]
    LayerUnreadable {
        /// The layer's path in the archive, as `manifest.json` gives it.
        layer: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// Reading the stream failed.
    #[error("cannot read the image archive: {0}")]
    Io(#[source] io::Error),
}

/// Scans a `docker save` archive of one image, streaming.
///
/// Both the legacy layout (`<id>/layer.tar`) and the OCI layout of Docker 25 and later
/// (`blobs/sha256/<hex>`) are read, with plain or gzip-compressed layers. When `manifest.json`
/// lists several images, the first is scanned.
pub fn scan_image_archive(reader: impl Read) -> Result<ImageFilesystem, ImageArchiveError> {
    let (merged, layers) = scan(reader)?;
    Ok(merged.finish(layers))
}

/// Reads the image's `/etc/passwd` from a `docker save` archive, streaming, as the merged
/// filesystem has it (later layers win, whiteouts remove it): `None` when the image has no such
/// regular file, or it is larger than 1 MiB. The authorization plugin uses it to tell which uid
/// a user name stands for.
pub fn scan_image_passwd(reader: impl Read) -> Result<Option<Vec<u8>>, ImageArchiveError> {
    let (merged, _) = scan(reader)?;
    Ok(merged.passwd)
}

fn scan(reader: impl Read) -> Result<(Merged, usize), ImageArchiveError> {
    // Keyed per scan, so that an image cannot be crafted to make its paths collide.
    let hasher = RandomState::new();
    let mut tar = TarReader::new(reader, Role::Archive);
    let mut blobs: HashMap<Vec<u8>, Blob> = HashMap::new();
    let mut manifest = None;
    loop {
        let entry = match tar.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(err) => return Err(archive_error(err, &tar)),
        };
        let Some(path) = normalize(&entry.path) else {
            continue;
        };
        let blob = match entry.kind {
            Kind::Regular if path == b"manifest.json" => {
                manifest = Some(read_manifest(&mut tar, entry.size)?);
                continue;
            }
            Kind::Regular => sniff_blob(&mut tar, &hasher).map_err(|err| archive_error(err, &tar))?,
            Kind::Symlink => match resolve_link(parent(&path), &entry.link) {
                Some(target) => Blob::Alias(target),
                None => continue,
            },
            // Hard link names are relative to the archive root.
            Kind::HardLink => match normalize(&entry.link) {
                Some(target) => Blob::Alias(target),
                None => continue,
            },
            Kind::Directory | Kind::Other => continue,
        };
        blobs.insert(path, blob);
    }
    let manifest = manifest.ok_or(ImageArchiveError::ManifestMissing)?;
    let layer_names = parse_manifest(&manifest)?;
    let mut merged = Merged {
        passwd_hash: hasher.hash_one(PASSWD),
        ..Merged::default()
    };
    for (index, name) in layer_names.iter().enumerate() {
        merged.apply(find_layer(&blobs, name)?, index);
    }
    Ok((merged, layer_names.len()))
}

/// The path of the user table, as archive paths are normalized.
const PASSWD: &[u8] = b"etc/passwd";

/// Maps a failure of the outer archive to what the caller is told.
fn archive_error<R>(err: TarError, tar: &TarReader<R>) -> ImageArchiveError {
    match err {
        TarError::Io(err) => ImageArchiveError::Io(err),
        _ if tar.position == 0 => ImageArchiveError::NotTar("the stream is empty".to_owned()),
        // Before any valid header, whatever went wrong means this was never a tar.
        TarError::Truncated(msg) | TarError::Format(msg) if tar.headers == 0 => {
            ImageArchiveError::NotTar(msg)
        }
        TarError::Truncated(msg) => ImageArchiveError::Truncated(msg),
        TarError::Format(msg) => ImageArchiveError::Corrupt(msg),
    }
}

/// The `manifest.json` fields dockward needs.
#[derive(Deserialize)]
struct ManifestImage {
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

fn read_manifest<R: Read>(tar: &mut TarReader<R>, size: u64) -> Result<Vec<u8>, ImageArchiveError> {
    if size > MAX_MANIFEST {
        return Err(ImageArchiveError::ManifestInvalid(format!(
            "it is {size} bytes, more than the {MAX_MANIFEST} bytes dockward reads"
        )));
    }
    let mut data = Vec::new();
    let mut reader = EntryData(tar);
    if let Err(err) = reader.read_to_end(&mut data) {
        let err = tar.take_fault(err);
        return Err(archive_error(err, tar));
    }
    Ok(data)
}

/// The layer paths of the first image.
fn parse_manifest(data: &[u8]) -> Result<Vec<String>, ImageArchiveError> {
    let images: Vec<ManifestImage> =
        serde_json::from_slice(data).map_err(|err| ImageArchiveError::ManifestInvalid(err.to_string()))?;
    images
        .into_iter()
        .next()
        .map(|image| image.layers)
        .ok_or_else(|| ImageArchiveError::ManifestInvalid("it lists no image".to_owned()))
}

/// What an archive entry turned out to be.
enum Blob {
    Layer(LayerSummary),
    /// Not a tar stream: a config, a manifest, `VERSION` …
    NotLayer,
    /// Looked like a layer but could not be read; only an error if the manifest names it.
    Unreadable(String),
    /// A symbolic or hard link to another entry.
    Alias(Vec<u8>),
}

fn find_layer<'a>(
    blobs: &'a HashMap<Vec<u8>, Blob>,
    name: &str,
) -> Result<&'a LayerSummary, ImageArchiveError> {
    let missing = || ImageArchiveError::LayerMissing(name.to_owned());
    let unreadable = |reason: &str| ImageArchiveError::LayerUnreadable {
        layer: name.to_owned(),
        reason: reason.to_owned(),
    };
    let mut path = normalize(name.as_bytes()).ok_or_else(missing)?;
    for _ in 0..MAX_ALIAS_HOPS {
        match blobs.get(&path) {
            None => return Err(missing()),
            Some(Blob::Layer(layer)) => return Ok(layer),
            Some(Blob::NotLayer) => return Err(unreadable("it is not a tar archive")),
            Some(Blob::Unreadable(reason)) => return Err(unreadable(reason)),
            Some(Blob::Alias(target)) => path = target.clone(),
        }
    }
    Err(unreadable("too many links"))
}

/// Reads the current entry of the outer archive: a layer (plain or gzip tar) is summarised, anything
/// else is passed over. Only failures of the outer stream are returned as errors.
fn sniff_blob<R: Read>(tar: &mut TarReader<R>, hasher: &RandomState) -> Result<Blob, TarError> {
    let mut head = [0u8; BLOCK];
    let read = read_up_to(&mut EntryData(tar), &mut head);
    let n = read.map_err(|err| tar.take_fault(err))?;
    let head = &head[..n];
    let blob = if n == 0 {
        // An empty file can only be an empty layer; nothing else in `docker save` is empty.
        Blob::Layer(LayerSummary::default())
    } else if head.starts_with(&[0x1f, 0x8b]) {
        scan_layer_stream(MultiGzDecoder::new(head.chain(EntryData(tar))), hasher)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Blob::Unreadable("zstd-compressed layers are not supported".to_owned())
    } else {
        scan_layer_stream(head.chain(EntryData(tar)), hasher)
    };
    // A failure of the outer stream (truncation, I/O) is fatal whatever the layer reader made of it.
    match tar.fault.take() {
        Some(fault) => Err(fault),
        None => Ok(blob),
    }
}

/// Summarises a (decompressed) entry if it is a tar stream.
fn scan_layer_stream<S: Read>(mut src: S, hasher: &RandomState) -> Blob {
    let mut head = [0u8; BLOCK];
    let n = match read_up_to(&mut src, &mut head) {
        Ok(n) => n,
        Err(err) => return Blob::Unreadable(err.to_string()),
    };
    // JSON blobs are told from layers here: a tar starts with a valid header (or, when empty, zeros).
    if n < BLOCK || !(is_zero_block(&head) || checksum_ok(&head)) {
        return Blob::NotLayer;
    }
    let mut layer = TarReader::new((&head[..]).chain(src), Role::Layer);
    match scan_layer(&mut layer, hasher) {
        Ok(summary) => Blob::Layer(summary),
        Err(err) => Blob::Unreadable(err.to_string()),
    }
}

/// What one layer does to the filesystem below it, kept small: memory is proportional to the
/// number of paths, not to their names or contents.
#[derive(Default)]
struct LayerSummary {
    /// Every path the layer adds, by hash, including the directories its paths imply.
    nodes: HashMap<u64, Node>,
    /// Paths (by hash) removed from lower layers with their subtrees.
    whiteouts: Vec<u64>,
    /// Directories (by hash) whose lower-layer contents are hidden.
    opaque: Vec<u64>,
    /// Setuid and setgid files: absolute path and mode.
    setuid: HashMap<u64, (String, u32)>,
    /// Secret files: absolute path and kind.
    secrets: HashMap<u64, (String, &'static str)>,
    /// What the layer puts at `/etc/passwd`: its contents, or `Some(None)` for something that
    /// is not a readable regular file (a link, a directory, a file over 1 MiB).
    passwd: Option<Option<Vec<u8>>>,
}

#[derive(Clone, Copy)]
struct Node {
    /// Hash of the parent directory (of `""` at the top).
    parent: u64,
    dir: bool,
}

fn scan_layer<S: Read>(tar: &mut TarReader<S>, hasher: &RandomState) -> Result<LayerSummary, TarError> {
    let mut layer = LayerSummary::default();
    while let Some(entry) = tar.next_entry()? {
        let Some(path) = normalize(&entry.path) else {
            continue;
        };
        if let Some(hidden) = file_name(&path).strip_prefix(b".wh.") {
            layer.add_whiteout(&path, hidden, hasher);
            continue;
        }
        let hash = hasher.hash_one(&path[..]);
        // A later entry for the same path replaces an earlier one in the same layer.
        layer.setuid.remove(&hash);
        layer.secrets.remove(&hash);
        layer.add_node(&path, hash, entry.kind == Kind::Directory, hasher);
        let regular = entry.kind == Kind::Regular;
        if path == PASSWD {
            layer.passwd = Some(None);
            if regular && entry.size <= MAX_SNIFFED_FILE {
                let mut data = Vec::new();
                EntryData(tar)
                    .take(MAX_SNIFFED_FILE)
                    .read_to_end(&mut data)
                    .map_err(|err| tar.take_fault(err))?;
                layer.passwd = Some(Some(data));
            }
        }
        // A hard link's header carries the mode of the file it links to.
        if (regular || entry.kind == Kind::HardLink) && entry.mode & 0o6000 != 0 {
            layer.setuid.insert(hash, (display(&path), entry.mode));
        }
        if regular {
            let found = classify_secret(&path, entry.size, &mut EntryData(tar));
            if let Some(kind) = found.map_err(|err| tar.take_fault(err))? {
                layer.secrets.insert(hash, (display(&path), kind));
            }
        } else if entry.kind == Kind::HardLink
            && let Some(target) = normalize(&entry.link)
            && let Some(&(_, kind)) = layer.secrets.get(&hasher.hash_one(&target[..]))
        {
            // Same contents under another name; links only point within their own layer.
            layer.secrets.insert(hash, (display(&path), kind));
        }
    }
    Ok(layer)
}

impl LayerSummary {
    fn add_node(&mut self, path: &[u8], hash: u64, dir: bool, hasher: &RandomState) {
        let up = parent(path);
        self.nodes.insert(
            hash,
            Node {
                parent: hasher.hash_one(up),
                dir,
            },
        );
        self.add_dirs(up, hasher);
    }

    /// Records `dir` and its ancestors as directories unless already known: tar streams need not
    /// list the directories their files are in.
    fn add_dirs(&mut self, mut dir: &[u8], hasher: &RandomState) {
        while !dir.is_empty() {
            let hash = hasher.hash_one(dir);
            if self.nodes.contains_key(&hash) {
                // Its ancestors were recorded with it.
                break;
            }
            let up = parent(dir);
            self.nodes.insert(
                hash,
                Node {
                    parent: hasher.hash_one(up),
                    dir: true,
                },
            );
            dir = up;
        }
    }

    /// `hidden` is the whiteout's name without `.wh.`.
    fn add_whiteout(&mut self, path: &[u8], hidden: &[u8], hasher: &RandomState) {
        let dir = parent(path);
        // The whiteout lives in `dir`, so the layer has that directory.
        self.add_dirs(dir, hasher);
        if hidden == b".wh..opq" {
            self.opaque.push(hasher.hash_one(dir));
        } else if hidden.is_empty() || hidden.starts_with(b".wh.") {
            // AUFS bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`), not a file and not a whiteout.
        } else {
            self.whiteouts.push(hasher.hash_one(&join(dir, hidden)[..]));
        }
    }
}

/// The filesystem of the layers applied so far.
#[derive(Default)]
struct Merged {
    nodes: HashMap<u64, Node>,
    /// Children by parent hash. Entries are not removed when a child goes (that would need a
    /// search); a listed child counts only while it exists.
    children: HashMap<u64, Vec<u64>>,
    setuid: HashMap<u64, ImageFile>,
    secrets: HashMap<u64, SecretFile>,
    /// `/etc/passwd` as the layers so far have it.
    passwd: Option<Vec<u8>>,
    /// The hash of `etc/passwd`, to notice when a layer removes it.
    passwd_hash: u64,
}

impl Merged {
    fn apply(&mut self, layer: &LayerSummary, index: usize) {
        // Whiteouts and opaque directories act on the lower layers only, so they go first.
        for &hash in &layer.whiteouts {
            self.remove_tree(hash);
        }
        for &dir in &layer.opaque {
            let mut stack = Vec::new();
            self.take_children(dir, &mut stack);
            self.remove_all(stack);
        }
        // A file replacing a directory (or the reverse) hides the whole lower tree, and a file
        // replacing a file drops what was known about the old one.
        for (hash, node) in &layer.nodes {
            if let Some(old) = self.nodes.get(hash)
                && !(old.dir && node.dir)
            {
                self.remove_tree(*hash);
            }
        }
        for (&hash, &node) in &layer.nodes {
            if let Entry::Vacant(slot) = self.nodes.entry(hash) {
                slot.insert(node);
                self.children.entry(node.parent).or_default().push(hash);
            }
        }
        if !self.nodes.contains_key(&self.passwd_hash) {
            // Whited out, or its directory replaced or made opaque.
            self.passwd = None;
        }
        if let Some(passwd) = &layer.passwd {
            self.passwd.clone_from(passwd);
        }
        for (&hash, (path, mode)) in &layer.setuid {
            let file = ImageFile {
                path: path.clone(),
                mode: *mode,
                layer: index,
            };
            self.setuid.insert(hash, file);
        }
        for (&hash, (path, kind)) in &layer.secrets {
            let file = SecretFile {
                path: path.clone(),
                kind: (*kind).to_owned(),
                layer: index,
            };
            self.secrets.insert(hash, file);
        }
    }

    fn remove_tree(&mut self, hash: u64) {
        self.remove_all(vec![hash]);
    }

    fn remove_all(&mut self, mut stack: Vec<u64>) {
        while let Some(hash) = stack.pop() {
            self.nodes.remove(&hash);
            self.setuid.remove(&hash);
            self.secrets.remove(&hash);
            self.take_children(hash, &mut stack);
        }
    }

    fn take_children(&mut self, dir: u64, into: &mut Vec<u64>) {
        if let Some(children) = self.children.remove(&dir) {
            let live = children
                .into_iter()
                .filter(|c| self.nodes.get(c).is_some_and(|n| n.parent == dir));
            into.extend(live);
        }
    }

    fn finish(self, layers: usize) -> ImageFilesystem {
        let files = self.nodes.values().filter(|node| !node.dir).count();
        let mut setuid_files: Vec<ImageFile> = self.setuid.into_values().collect();
        setuid_files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut secret_files: Vec<SecretFile> = self.secrets.into_values().collect();
        secret_files.sort_by(|a, b| a.path.cmp(&b.path));
        ImageFilesystem {
            layers,
            files: u64::try_from(files).unwrap_or(u64::MAX),
            setuid_files,
            secret_files,
        }
    }
}

/// How a secret file is recognised.
enum SecretCheck {
    /// By name alone.
    Name(&'static str),
    /// By name, if the first MiB contains one of the strings.
    Contains(&'static str, &'static [&'static [u8]]),
    /// By a PEM private key header near the top.
    PrivateKey,
}

/// Which check applies to a file, from its path; most files need none, so most are never read.
fn secret_check(path: &[u8]) -> Option<SecretCheck> {
    let name = file_name(path);
    let dir = file_name(parent(path));
    let check = match (dir, name) {
        (b".aws", b"credentials") => SecretCheck::Name("AWS credentials"),
        (b".docker", b"config.json") => SecretCheck::Contains("Docker registry credentials", &[b"\"auth\""]),
        (_, b".netrc") => SecretCheck::Name("netrc credentials"),
        // `_auth` also matches `_authToken`.
        (_, b".npmrc") => SecretCheck::Contains("npm token", &[b"_auth"]),
        (_, b".git-credentials") => SecretCheck::Name("git credentials"),
        (_, b".pgpass") => SecretCheck::Name("PostgreSQL password file"),
        (b".kube", b"config") => {
            SecretCheck::Contains("Kubernetes credentials", &[b"client-key-data", b"token:"])
        }
        (_, b".vault-token") => SecretCheck::Name("Vault token"),
        _ if [".p12", ".pfx", ".jks", ".keystore"]
            .iter()
            .any(|ext| ends_with_ci(name, ext)) =>
        {
            SecretCheck::Name("key store")
        }
        _ if may_be_private_key(path, name) => SecretCheck::PrivateKey,
        _ => return None,
    };
    Some(check)
}

fn may_be_private_key(path: &[u8], name: &[u8]) -> bool {
    [".pem", ".key", ".priv", ".p8", "_key", "-key"]
        .iter()
        .any(|suffix| ends_with_ci(name, suffix))
        || (name.starts_with(b"id_") && !ends_with_ci(name, ".pub"))
        || parent(path).split(|&b| b == b'/').any(|part| part == b".ssh")
}

fn ends_with_ci(name: &[u8], suffix: &str) -> bool {
    let suffix = suffix.as_bytes();
    name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The kind of secret a regular file is, reading as little of it as the check needs.
fn classify_secret(path: &[u8], size: u64, data: &mut impl Read) -> io::Result<Option<&'static str>> {
    let Some(check) = secret_check(path) else {
        return Ok(None);
    };
    Ok(match check {
        SecretCheck::Name(kind) => Some(kind),
        SecretCheck::Contains(kind, needles) => {
            stream_contains(data.take(MAX_SNIFFED_FILE), needles)?.then_some(kind)
        }
        SecretCheck::PrivateKey if size > MAX_SNIFFED_FILE => None,
        SecretCheck::PrivateKey => {
            let mut head = [0u8; KEY_SNIFF];
            let n = read_up_to(data, &mut head)?;
            looks_like_private_key(&head[..n]).then_some("private key")
        }
    })
}

fn looks_like_private_key(head: &[u8]) -> bool {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const KINDS: [&[u8]; 6] = [
        b"PRIVATE KEY-----",
        b"RSA PRIVATE KEY-----",
        b"EC PRIVATE KEY-----",
        b"DSA PRIVATE KEY-----",
        b"OPENSSH PRIVATE KEY-----",
        b"ENCRYPTED PRIVATE KEY-----",
    ];
    head.windows(BEGIN.len()).enumerate().any(|(at, window)| {
        window == BEGIN
            && KINDS
                .iter()
                .any(|kind| head[at + BEGIN.len()..].starts_with(kind))
    })
}

/// Whether any needle occurs in the stream, read in chunks that overlap by a needle's length.
fn stream_contains(mut reader: impl Read, needles: &[&[u8]]) -> io::Result<bool> {
    const CHUNK: usize = 8192;
    let keep = needles
        .iter()
        .map(|needle| needle.len())
        .max()
        .unwrap_or(0)
        .saturating_sub(1);
    let mut buf = vec![0u8; CHUNK + keep];
    let mut filled = 0;
    loop {
        let n = read_some(&mut reader, &mut buf[filled..])?;
        if n == 0 {
            return Ok(false);
        }
        filled += n;
        if needles.iter().any(|needle| contains(&buf[..filled], needle)) {
            return Ok(true);
        }
        let start = filled.saturating_sub(keep);
        buf.copy_within(start..filled, 0);
        filled -= start;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|window| window == needle)
}

/// One read, retried when interrupted, never claiming more than the buffer holds.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Ok(n.min(buf.len())),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// Fills `buf` unless the stream ends first; returns how much was read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_some(reader, &mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// An archive path made relative and canonical (`./a//b/` → `a/b`); `None` for the root and for
/// paths with `..`, which could point outside the image.
fn normalize(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    for part in raw.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return None,
            _ => {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(part);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Where a symbolic link in directory `dir` points, within the archive; `None` if outside it.
fn resolve_link(dir: &[u8], target: &[u8]) -> Option<Vec<u8>> {
    let mut parts: Vec<&[u8]> = Vec::new();
    if !target.starts_with(b"/") {
        parts.extend(dir.split(|&b| b == b'/').filter(|part| !part.is_empty()));
    }
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    normalize(&parts.join(&b'/'))
}

/// The directory part of a normalized path (`""` at the top).
fn parent(path: &[u8]) -> &[u8] {
    path.iter()
        .rposition(|&b| b == b'/')
        .map_or(&[][..], |at| &path[..at])
}

fn file_name(path: &[u8]) -> &[u8] {
    path.iter()
        .rposition(|&b| b == b'/')
        .map_or(path, |at| &path[at + 1..])
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    if dir.is_empty() {
        name.to_vec()
    } else {
        [dir, b"/", name].concat()
    }
}

/// The absolute path shown to people.
fn display(path: &[u8]) -> String {
    format!("/{}", String::from_utf8_lossy(path))
}

/// Why a tar stream could not be read.
#[derive(Debug, thiserror::Error)]
enum TarError {
    #[error("{0}")]
    Io(io::Error),
    #[error("{0}")]
    Truncated(String),
    #[error("{0}")]
    Format(String),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Regular,
    HardLink,
    Symlink,
    Directory,
    /// Devices, FIFOs and types dockward has no use for.
    Other,
}

struct TarEntry {
    path: Vec<u8>,
    link: Vec<u8>,
    kind: Kind,
    /// Permission bits with setuid, setgid and sticky.
    mode: u32,
    size: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The `docker save` stream: must end with the end-of-archive marker; entry names are kept for
    /// messages.
    Archive,
    /// A layer inside it: its end is bounded by the outer entry, which is checked there.
    Layer,
}

/// A forward-only tar reader that holds one entry's header at a time.
struct TarReader<R> {
    src: R,
    role: Role,
    finished: bool,
    /// Data bytes of the current entry not yet read.
    remaining: u64,
    /// Padding bytes after the current entry's data.
    padding: u64,
    /// Bytes read from `src`.
    position: u64,
    /// Valid headers read.
    headers: u64,
    /// Name of the current entry, for messages (outer archive only).
    current: String,
    /// A failure of `src` met while the entry's data was being read by someone else (a
    /// decompressor, a nested tar reader), kept so it is reported as what it is.
    fault: Option<TarError>,
}

/// PAX header records that override the next entry's header.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
}

impl<R: Read> TarReader<R> {
    fn new(src: R, role: Role) -> Self {
        TarReader {
            src,
            role,
            finished: false,
            remaining: 0,
            padding: 0,
            position: 0,
            headers: 0,
            current: String::new(),
            fault: None,
        }
    }

    /// The next entry, after passing over what is left of the current one.
    fn next_entry(&mut self) -> Result<Option<TarEntry>, TarError> {
        if let Some(fault) = self.fault.take() {
            return Err(fault);
        }
        if self.finished {
            return Ok(None);
        }
        self.skip_data()?;
        let mut long_name = None;
        let mut long_link = None;
        let mut pax = Pax::default();
        loop {
            let mut block = [0u8; BLOCK];
            if !self.read_block(&mut block)? {
                if self.role == Role::Layer {
                    self.finished = true;
                    return Ok(None);
                }
                return Err(TarError::Truncated(
                    "the stream ended before the end-of-archive marker".into(),
                ));
            }
            if is_zero_block(&block) {
                self.finished = true;
                return Ok(None);
            }
            if !checksum_ok(&block) {
                let at = self.position - BLOCK as u64;
                return Err(TarError::Format(format!("bad tar header checksum at byte {at}")));
            }
            self.headers += 1;
            let typeflag = block[156];
            let size = parse_number(&block[124..136])
                .ok_or_else(|| TarError::Format("a tar header has an invalid size".to_owned()))?;
            let extension = matches!(typeflag, b'L' | b'K' | b'x' | b'g');
            let size = if extension { size } else { pax.size.unwrap_or(size) };
            // As in Go's reader, which wrote most layers: these types never have data.
            self.remaining = if matches!(typeflag, b'1'..=b'6') { 0 } else { size };
            self.padding = (BLOCK as u64 - self.remaining % BLOCK as u64) % BLOCK as u64;
            match typeflag {
                b'L' => long_name = Some(trim_nul(self.read_extension()?)),
                b'K' => long_link = Some(trim_nul(self.read_extension()?)),
                b'x' => pax = parse_pax(&self.read_extension()?)?,
                // Global PAX headers and volume labels describe no file.
                b'g' | b'V' => self.skip_data()?,
                _ => {
                    if typeflag == b'S' && block[482] != 0 {
                        self.skip_sparse_headers()?;
                    }
                    let path = pax.path.or(long_name).unwrap_or_else(|| header_path(&block));
                    let link = pax
                        .link
                        .or(long_link)
                        .unwrap_or_else(|| cstr(&block[157..257]).to_vec());
                    if self.role == Role::Archive {
                        self.current = String::from_utf8_lossy(&path).into_owned();
                    }
                    let kind = match typeflag {
                        b'0' | 0 | b'7' | b'S' => Kind::Regular,
                        b'1' => Kind::HardLink,
                        b'2' => Kind::Symlink,
                        b'5' | b'D' => Kind::Directory,
                        _ => Kind::Other,
                    };
                    let mode = parse_number(&block[100..108]).unwrap_or(0) & 0o7777;
                    let mode = u32::try_from(mode).unwrap_or(0);
                    return Ok(Some(TarEntry {
                        path,
                        link,
                        kind,
                        mode,
                        size: self.remaining,
                    }));
                }
            }
        }
    }

    /// Reads the current entry's data; a short stream is recorded as a fault.
    fn read_data(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        match self.read_src(&mut buf[..want]) {
            Ok(0) => {
                let msg = match self.role {
                    Role::Archive => format!("the stream ended inside {}", self.current),
                    Role::Layer => "a layer ended inside a file".to_owned(),
                };
                self.fault.get_or_insert(TarError::Truncated(msg));
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the tar stream ended early",
                ))
            }
            Ok(n) => {
                self.remaining -= n as u64;
                Ok(n)
            }
            Err(err) => {
                let copy = io::Error::new(err.kind(), err.to_string());
                self.fault.get_or_insert(TarError::Io(err));
                Err(copy)
            }
        }
    }

    /// The fault behind a failed data read, or the read's own error.
    fn take_fault(&mut self, err: io::Error) -> TarError {
        self.fault.take().unwrap_or(TarError::Io(err))
    }

    fn read_src(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_some(&mut self.src, buf)?;
        self.position += n as u64;
        Ok(n)
    }

    /// Reads a whole block; `false` when the stream ends cleanly before it.
    fn read_block(&mut self, block: &mut [u8; BLOCK]) -> Result<bool, TarError> {
        let mut filled = 0;
        while filled < BLOCK {
            match self.read_src(&mut block[filled..]).map_err(TarError::Io)? {
                0 if filled == 0 => return Ok(false),
                0 => {
                    return Err(TarError::Truncated(
                        "the stream ended inside a tar header".to_owned(),
                    ));
                }
                n => filled += n,
            }
        }
        Ok(true)
    }

    /// Passes over the rest of the current entry's data and its padding, without keeping it.
    fn skip_data(&mut self) -> Result<(), TarError> {
        let mut buf = [0u8; 32 * 1024];
        while self.remaining > 0 {
            if let Err(err) = self.read_data(&mut buf) {
                return Err(self.take_fault(err));
            }
        }
        while self.padding > 0 {
            let want = buf.len().min(usize::try_from(self.padding).unwrap_or(usize::MAX));
            match self.read_src(&mut buf[..want]).map_err(TarError::Io)? {
                0 => {
                    return Err(TarError::Truncated(
                        "the stream ended inside the padding of an entry".into(),
                    ));
                }
                n => self.padding = self.padding.saturating_sub(n as u64),
            }
        }
        Ok(())
    }

    /// Reads a GNU long name or PAX header, which precede the entry they describe.
    fn read_extension(&mut self) -> Result<Vec<u8>, TarError> {
        if self.remaining > MAX_EXTENSION {
            return Err(TarError::Format(format!(
                "an extension header of {} bytes is larger than {MAX_EXTENSION} bytes",
                self.remaining
            )));
        }
        let mut data = Vec::new();
        let mut reader = EntryData(self);
        if let Err(err) = reader.read_to_end(&mut data) {
            return Err(self.take_fault(err));
        }
        self.skip_data()?;
        Ok(data)
    }

    /// Passes over the extra sparse-map blocks of an old GNU sparse file, which sit between its
    /// header and its data.
    fn skip_sparse_headers(&mut self) -> Result<(), TarError> {
        let mut block = [0u8; BLOCK];
        loop {
            if !self.read_block(&mut block)? {
                return Err(TarError::Truncated(
                    "the stream ended inside a sparse file header".into(),
                ));
            }
            if block[504] == 0 {
                return Ok(());
            }
        }
    }
}

/// The current entry's data as a reader.
struct EntryData<'a, R>(&'a mut TarReader<R>);

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read_data(buf)
    }
}

fn is_zero_block(block: &[u8; BLOCK]) -> bool {
    block.iter().all(|&b| b == 0)
}

/// Whether the header's checksum matches, summing bytes as unsigned or (old writers) signed.
fn checksum_ok(block: &[u8; BLOCK]) -> bool {
    let Some(stored) = parse_octal(&block[148..156]) else {
        return false;
    };
    let field = 148..156;
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (at, &byte) in block.iter().enumerate() {
        let byte = if field.contains(&at) { b' ' } else { byte };
        unsigned += i64::from(byte);
        signed += i64::from(byte as i8);
    }
    i64::try_from(stored).is_ok_and(|stored| stored == unsigned || stored == signed)
}

/// A numeric header field: octal text, or GNU base-256 for large values.
fn parse_number(field: &[u8]) -> Option<u64> {
    match field.first() {
        Some(&first) if first & 0x80 != 0 => {
            if first & 0x40 != 0 {
                // Negative.
                return None;
            }
            field[1..]
                .iter()
                .try_fold(u64::from(first & 0x3f), |value, &byte| {
                    value.checked_mul(256)?.checked_add(u64::from(byte))
                })
        }
        _ => parse_octal(field),
    }
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    // Writers pad with spaces or NULs on either side.
    let pad = |b: &u8| *b == b' ' || *b == 0;
    let start = field.iter().position(|b| !pad(b)).unwrap_or(field.len());
    let end = field.iter().rposition(|b| !pad(b)).map_or(start, |last| last + 1);
    field[start..end.max(start)]
        .iter()
        .try_fold(0u64, |value, &digit| match digit {
            b'0'..=b'7' => value.checked_mul(8)?.checked_add(u64::from(digit - b'0')),
            _ => None,
        })
}

/// A NUL-terminated header field.
fn cstr(field: &[u8]) -> &[u8] {
    field
        .iter()
        .position(|&b| b == 0)
        .map_or(field, |end| &field[..end])
}

fn trim_nul(mut data: Vec<u8>) -> Vec<u8> {
    while data.last() == Some(&0) {
        data.pop();
    }
    data
}

/// The path in a header; ustar splits long ones into a prefix and a name, GNU uses that space
/// for other things.
fn header_path(block: &[u8; BLOCK]) -> Vec<u8> {
    let name = cstr(&block[..100]);
    if &block[257..263] == b"ustar\0" {
        let prefix = cstr(&block[345..500]);
        if !prefix.is_empty() {
            return [prefix, b"/", name].concat();
        }
    }
    name.to_vec()
}

/// Parses PAX records (`<length> <key>=<value>\n`), keeping the ones dockward needs.
fn parse_pax(data: &[u8]) -> Result<Pax, TarError> {
    let bad = || TarError::Format("malformed PAX header".to_owned());
    let mut pax = Pax::default();
    let mut rest = cstr(data);
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let len: usize = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|len| len.parse().ok())
            .ok_or_else(bad)?;
        if len <= space + 1 || len > rest.len() {
            return Err(bad());
        }
        let record = rest[space + 1..len].strip_suffix(b"\n").ok_or_else(bad)?;
        let eq = record.iter().position(|&b| b == b'=').ok_or_else(bad)?;
        let (key, value) = (&record[..eq], &record[eq + 1..]);
        let value_or_none = (!value.is_empty()).then(|| value.to_vec());
        match key {
            b"path" => pax.path = value_or_none,
            b"linkpath" => pax.link = value_or_none,
            b"size" => {
                let size = std::str::from_utf8(value).ok().and_then(|size| size.parse().ok());
                pax.size = Some(size.ok_or_else(bad)?);
            }
            _ => {}
        }
        rest = &rest[len..];
    }
    Ok(pax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_strips_and_rejects() {
        assert_eq!(
            normalize(b"./usr//bin/./passwd/"),
            Some(b"usr/bin/passwd".to_vec())
        );
        assert_eq!(normalize(b"/etc/shadow"), Some(b"etc/shadow".to_vec()));
        assert_eq!(normalize(b"./"), None);
        assert_eq!(normalize(b"a/../../etc/passwd"), None);
        assert_eq!(normalize(b".."), None);
    }

    #[test]
    fn resolve_link_stays_inside() {
        assert_eq!(
            resolve_link(b"abc", b"../def/layer.tar"),
            Some(b"def/layer.tar".to_vec())
        );
        assert_eq!(
            resolve_link(b"abc", b"/def/layer.tar"),
            Some(b"def/layer.tar".to_vec())
        );
        assert_eq!(
            resolve_link(b"abc", b"layer.tar"),
            Some(b"abc/layer.tar".to_vec())
        );
        assert_eq!(resolve_link(b"abc", b"../../x"), None);
    }

    #[test]
    fn paths_split() {
        assert_eq!(parent(b"a/b/c"), b"a/b");
        assert_eq!(parent(b"a"), b"");
        assert_eq!(file_name(b"a/b/c"), b"c");
        assert_eq!(file_name(b"c"), b"c");
        assert_eq!(join(b"", b"x"), b"x".to_vec());
        assert_eq!(join(b"a/b", b"x"), b"a/b/x".to_vec());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0000644\0"), Some(0o644));
        assert_eq!(parse_number(b"  4755 \0"), Some(0o4755));
        assert_eq!(parse_number(b"\0\0\0\0"), Some(0));
        assert_eq!(parse_number(b"00000000009\0"), None);
        assert_eq!(parse_number(b"77777777777777777777777"), None);
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[7] = 0x02;
        assert_eq!(parse_number(&big), Some(2 << 32));
        let mut huge = [0xffu8; 12];
        huge[0] = 0x80;
        assert_eq!(parse_number(&huge), None);
        huge[0] = 0xff;
        assert_eq!(parse_number(&huge), None);
    }

    #[test]
    fn pax_records() {
        let pax = parse_pax(b"21 path=usr/bin/long\n11 size=42\n13 uid=12345\n").expect("valid");
        assert_eq!(pax.path, Some(b"usr/bin/long".to_vec()));
        assert_eq!(pax.size, Some(42));
        assert_eq!(pax.link, None);
        assert!(parse_pax(b"99 path=x\n").is_err());
        assert!(parse_pax(b"x path=x\n").is_err());
        assert!(parse_pax(b"2 \n").is_err());
        assert!(parse_pax(b"14 size=-1234\n").is_err());
    }

    #[test]
    fn private_key_headers() {
        assert!(looks_like_private_key(
            b"Bag Attributes\n-----BEGIN RSA PRIVATE KEY-----\nMII"
        ));
        assert!(looks_like_private_key(b"-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(looks_like_private_key(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assert!(!looks_like_private_key(b"-----BEGIN CERTIFICATE-----"));
        assert!(!looks_like_private_key(b"-----BEGIN PUBLIC KEY-----"));
        assert!(!looks_like_private_key(b"-----BEGIN "));
    }

    #[test]
    fn contains_across_chunks() {
        let mut data = vec![b'x'; 8190];
        data.extend_from_slice(b"\"auth\"");
        assert!(stream_contains(&data[..], &[b"\"auth\""]).expect("read"));
        assert!(!stream_contains(&data[..8193], &[b"\"auth\""]).expect("read"));
        assert!(!stream_contains(&b""[..], &[b"x"]).expect("read"));
    }

    fn kind_of(path: &str, data: &[u8]) -> Option<&'static str> {
        classify_secret(path.as_bytes(), data.len() as u64, &mut &data[..]).expect("read")
    }

    #[test]
    fn secret_names() {
        let key = b"-----BEGIN PRIVATE KEY-----\n";
        assert_eq!(kind_of("root/.aws/credentials", b""), Some("AWS credentials"));
        assert_eq!(kind_of("root/.netrc", b"machine x"), Some("netrc credentials"));
        assert_eq!(kind_of("home/a/.npmrc", b"//r/:_authToken=x"), Some("npm token"));
        assert_eq!(kind_of("home/a/.npmrc", b"registry=x"), None);
        assert_eq!(kind_of("root/.git-credentials", b""), Some("git credentials"));
        assert_eq!(kind_of("root/.pgpass", b""), Some("PostgreSQL password file"));
        assert_eq!(
            kind_of("root/.kube/config", b"token: abc"),
            Some("Kubernetes credentials")
        );
        assert_eq!(
            kind_of("root/.kube/config", b"client-key-data: abc"),
            Some("Kubernetes credentials")
        );
        assert_eq!(kind_of("root/.kube/config", b"clusters: []"), None);
        assert_eq!(kind_of("root/.vault-token", b"s.x"), Some("Vault token"));
        assert_eq!(kind_of("app/store.JKS", b""), Some("key store"));
        assert_eq!(kind_of("app/cert.p12", b""), Some("key store"));
        assert_eq!(kind_of("etc/ssh/ssh_host_ed25519_key", key), Some("private key"));
        assert_eq!(kind_of("app/signing-key", key), Some("private key"));
        assert_eq!(kind_of("app/tls.KEY", key), Some("private key"));
        assert_eq!(kind_of("app/k.p8", key), Some("private key"));
        assert_eq!(kind_of("app/k.priv", key), Some("private key"));
        assert_eq!(kind_of("home/a/id_ed25519", key), Some("private key"));
        assert_eq!(kind_of("home/a/.ssh/identity", key), Some("private key"));
        assert_eq!(kind_of("home/a/id_ed25519.pub", key), None);
        assert_eq!(kind_of("app/notes.txt", key), None);
        assert_eq!(kind_of("app/cert.pem", b"-----BEGIN CERTIFICATE-----"), None);
    }

    #[test]
    fn large_key_candidates_are_not_read() {
        let data = b"-----BEGIN PRIVATE KEY-----";
        let found = classify_secret(b"a/big.pem", MAX_SNIFFED_FILE + 1, &mut &data[..]).expect("read");
        assert_eq!(found, None);
    }

    #[test]
    fn checksums() {
        let mut block = [0u8; BLOCK];
        block[..4].copy_from_slice(b"file");
        let sum: u32 = block.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * u32::from(b' ');
        let text = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(text.as_bytes());
        assert!(checksum_ok(&block));
        block[0] = b'g';
        assert!(!checksum_ok(&block));
        assert!(!checksum_ok(&[0u8; BLOCK]));
    }
}
