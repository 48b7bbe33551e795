//! The image filesystem scanner against `docker save` archives built in memory: the legacy and the
//! OCI layout, plain and gzip layers, whiteouts, opaque directories, overwritten files, secrets,
//! and broken streams (empty, not tar, truncated anywhere, absurd sizes, failing reads).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::{self, Read, Write};

use dockward_collect::image_fs::{ImageArchiveError, scan_image_archive};
use dockward_model::{ImageFile, ImageFilesystem, SecretFile};
use tar::{EntryType, Header};

enum Item<'a> {
    Dir(&'a str),
    File(&'a str, u32, &'a [u8]),
    HardLink(&'a str, &'a str, u32),
    Symlink(&'a str, &'a str),
    /// A regular file whose name is written verbatim (the builder refuses `..`).
    Raw(&'a [u8], u32, &'a [u8]),
}

fn tar_of(items: &[Item]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for item in items {
        let mut header = Header::new_gnu();
        header.set_size(0);
        match *item {
            Item::Dir(path) => {
                header.set_entry_type(EntryType::Directory);
                header.set_mode(0o755);
                builder.append_data(&mut header, path, io::empty()).unwrap();
            }
            Item::File(path, mode, data) => {
                header.set_entry_type(EntryType::Regular);
                header.set_mode(mode);
                header.set_size(data.len() as u64);
                builder.append_data(&mut header, path, data).unwrap();
            }
            Item::HardLink(path, target, mode) => {
                header.set_entry_type(EntryType::Link);
                header.set_mode(mode);
                builder.append_link(&mut header, path, target).unwrap();
            }
            Item::Symlink(path, target) => {
                header.set_entry_type(EntryType::Symlink);
                // A setuid bit on a link means nothing; the scanner must not report it.
                header.set_mode(0o4777);
                builder.append_link(&mut header, path, target).unwrap();
            }
            Item::Raw(name, mode, data) => {
                header.as_old_mut().name[..name.len()].copy_from_slice(name);
                header.set_entry_type(EntryType::Regular);
                header.set_mode(mode);
                header.set_size(data.len() as u64);
                header.set_cksum();
                builder.append(&header, data).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

const RSA_KEY: &[u8] = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
const SSH_KEY: &[u8] =
    b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\n";

fn long_path() -> String {
    format!("opt/vendor/{}/bin/helper", "x".repeat(120))
}

fn layer0() -> Vec<u8> {
    let long = long_path();
    tar_of(&[
        Item::Dir("usr/"),
        Item::Dir("usr/bin/"),
        Item::File("usr/bin/passwd", 0o4755, b"elf"),
        Item::File("usr/bin/su", 0o4755, b"elf"),
        Item::File("usr/bin/newgrp", 0o2755, b"elf"),
        Item::HardLink("usr/bin/chage", "usr/bin/passwd", 0o4755),
        Item::Symlink("usr/bin/sudo", "su"),
        // No `opt/` entry: directories may be implied.
        Item::Dir("opt/app/"),
        Item::File("opt/app/old.txt", 0o644, b"old"),
        Item::File("opt/app/sub/deep.txt", 0o4755, b"old"),
        Item::File("root/.ssh/id_rsa", 0o600, RSA_KEY),
        Item::File(
            "root/.ssh/id_rsa.pub",
            0o644,
            b"ssh-rsa AAAAB3NzaC1yc2E root@host\n",
        ),
        Item::File(
            "root/.docker/config.json",
            0o600,
            br#"{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}"#,
        ),
        Item::File("home/dev/.docker/config.json", 0o600, br#"{"auths":{}}"#),
        Item::File("srv/tls/server.key", 0o600, RSA_KEY),
        Item::Raw(b"../../etc/cron.d/evil", 0o4755, b"* * * * * root sh"),
        Item::Raw(b"./etc//motd", 0o644, b"hello"),
        Item::File(&long, 0o4750, b"elf"),
    ])
}

fn layer1() -> Vec<u8> {
    tar_of(&[
        Item::File("usr/bin/.wh.su", 0o644, b""),
        Item::File("usr/bin/newgrp", 0o755, b"elf"),
        Item::Dir("opt/app/"),
        Item::File("opt/app/.wh..wh..opq", 0o644, b""),
        Item::File("opt/app/new.txt", 0o644, b"new"),
        Item::File("srv/tls/server.key", 0o600, b"moved to a secret store\n"),
        Item::File("usr/local/bin/tool", 0o6755, b"elf"),
        Item::File(
            "root/.aws/credentials",
            0o600,
            b"[default]\naws_access_key_id = AKIA\n",
        ),
        Item::File("home/dev/.ssh/id_ed25519", 0o600, SSH_KEY),
    ])
}

fn expected() -> ImageFilesystem {
    let setuid = |path: &str, mode, layer| ImageFile {
        path: path.to_owned(),
        mode,
        layer,
    };
    let secret = |path: &str, kind: &str, layer| SecretFile {
        path: path.to_owned(),
        kind: kind.to_owned(),
        layer,
    };
    ImageFilesystem {
        layers: 2,
        // passwd newgrp chage sudo id_rsa id_rsa.pub 2×config.json server.key motd helper
        // new.txt tool credentials id_ed25519
        files: 15,
        setuid_files: vec![
            setuid(&format!("/{}", long_path()), 0o4750, 0),
            setuid("/usr/bin/chage", 0o4755, 0),
            setuid("/usr/bin/passwd", 0o4755, 0),
            setuid("/usr/local/bin/tool", 0o6755, 1),
        ],
        secret_files: vec![
            secret("/home/dev/.ssh/id_ed25519", "private key", 1),
            secret("/root/.aws/credentials", "AWS credentials", 1),
            secret("/root/.docker/config.json", "Docker registry credentials", 0),
            secret("/root/.ssh/id_rsa", "private key", 0),
        ],
    }
}

const LEGACY_MANIFEST: &[u8] =
    br#"[{"Config":"cfg.json","RepoTags":["app:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#;

fn legacy_archive() -> Vec<u8> {
    let (l0, l1) = (layer0(), layer1());
    // As `docker save` writes it: manifest.json after the layers.
    tar_of(&[
        Item::Dir("aaa/"),
        Item::File("aaa/VERSION", 0o644, b"1.0"),
        Item::File("aaa/json", 0o644, br#"{"id":"aaa"}"#),
        Item::File("aaa/layer.tar", 0o644, &l0),
        Item::Dir("bbb/"),
        Item::File("bbb/VERSION", 0o644, b"1.0"),
        Item::File("bbb/json", 0o644, br#"{"id":"bbb","parent":"aaa"}"#),
        Item::File("bbb/layer.tar", 0o644, &l1),
        Item::File(
            "cfg.json",
            0o644,
            br#"{"architecture":"amd64","rootfs":{"type":"layers"}}"#,
        ),
        Item::File("manifest.json", 0o644, LEGACY_MANIFEST),
        Item::File("repositories", 0o644, br#"{"app":{"1":"bbb"}}"#),
    ])
}

fn blob(digit: char) -> String {
    format!("blobs/sha256/{}", digit.to_string().repeat(64))
}

fn oci_archive() -> Vec<u8> {
    let (l0, l1) = (gzip(&layer0()), layer1());
    let manifest = format!(
        r#"[{{"Config":"{}","RepoTags":["app:1"],"Layers":["{}","{}"]}}]"#,
        blob('c'),
        blob('a'),
        blob('b')
    );
    let (a, b, c, d) = (blob('a'), blob('b'), blob('c'), blob('d'));
    tar_of(&[
        Item::Dir("blobs/"),
        Item::Dir("blobs/sha256/"),
        Item::File(&a, 0o444, &l0),
        Item::File(&b, 0o444, &l1),
        Item::File(
            &c,
            0o444,
            br#"{"architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}}"#,
        ),
        Item::File(
            &d,
            0o444,
            br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#,
        ),
        Item::File("index.json", 0o444, br#"{"schemaVersion":2,"manifests":[]}"#),
        Item::File("manifest.json", 0o444, manifest.as_bytes()),
        Item::File("oci-layout", 0o444, br#"{"imageLayoutVersion":"1.0.0"}"#),
    ])
}

fn scan(archive: &[u8]) -> Result<ImageFilesystem, ImageArchiveError> {
    scan_image_archive(archive)
}

#[test]
fn legacy_layout() {
    assert_eq!(scan(&legacy_archive()).unwrap(), expected());
}

#[test]
fn oci_layout_with_a_gzip_layer() {
    assert_eq!(scan(&oci_archive()).unwrap(), expected());
}

/// Reads one byte at a time, as a slow socket might.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&byte, rest)), Some(slot)) => {
                *slot = byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn short_reads_change_nothing() {
    assert_eq!(scan_image_archive(Trickle(&oci_archive())).unwrap(), expected());
}

#[test]
fn linked_layer_and_first_image_only() {
    let layer = tar_of(&[
        Item::File("bin/ping", 0o4755, b"elf"),
        Item::File("etc/hosts", 0o644, b""),
    ]);
    let other = tar_of(&[Item::File("bin/mount", 0o4755, b"elf")]);
    // Legacy `docker save` stores a layer shared by two ids once and links the other to it.
    let manifest = br#"[{"Layers":["aaa/layer.tar","bbb/layer.tar"]},{"Layers":["ccc/layer.tar"]}]"#;
    let archive = tar_of(&[
        Item::File("aaa/layer.tar", 0o644, &layer),
        Item::Symlink("bbb/layer.tar", "../aaa/layer.tar"),
        Item::File("ccc/layer.tar", 0o644, &other),
        Item::File("manifest.json", 0o644, manifest),
    ]);
    let found = scan(&archive).unwrap();
    assert_eq!(
        found,
        ImageFilesystem {
            layers: 2,
            files: 2,
            setuid_files: vec![ImageFile {
                path: "/bin/ping".to_owned(),
                mode: 0o4755,
                layer: 1
            }],
            secret_files: vec![],
        }
    );
}

#[test]
fn trees_replaced_and_removed() {
    let l0 = tar_of(&[
        Item::File("var/lib/app/bin/x", 0o4755, b"elf"),
        Item::File("var/lib/app/data", 0o644, b""),
        Item::File("opt/thing", 0o4755, b"elf"),
        Item::File("lib/mod/a", 0o2755, b"elf"),
        Item::File("keep/id_rsa", 0o600, RSA_KEY),
        Item::HardLink("keep/backup_key", "keep/id_rsa", 0o600),
        // Written twice in one layer: the last one counts.
        Item::File("bin/twice", 0o4755, b"elf"),
        Item::File("bin/twice", 0o755, b"elf"),
    ]);
    let l1 = tar_of(&[
        Item::File("var/lib/.wh.app", 0o644, b""),
        Item::Dir("opt/thing/"),
        Item::File("opt/thing/inner", 0o644, b""),
        Item::File("lib/mod", 0o644, b"now a file"),
    ]);
    let l2 = tar_of(&[Item::File("var/lib/app/new", 0o644, b"")]);
    let archive = tar_of(&[
        Item::File("l0.tar", 0o644, &l0),
        Item::File("l1.tar", 0o644, &l1),
        Item::File("l2.tar", 0o644, &l2),
        Item::File(
            "manifest.json",
            0o644,
            br#"[{"Layers":["l0.tar","./l1.tar","/l2.tar"]}]"#,
        ),
    ]);
    let secret = |path: &str| SecretFile {
        path: path.to_owned(),
        kind: "private key".to_owned(),
        layer: 0,
    };
    assert_eq!(
        scan(&archive).unwrap(),
        ImageFilesystem {
            layers: 3,
            // id_rsa backup_key twice opt/thing/inner lib/mod var/lib/app/new
            files: 6,
            setuid_files: vec![],
            secret_files: vec![secret("/keep/backup_key"), secret("/keep/id_rsa")],
        }
    );
}

#[test]
fn empty_layers_and_manifest() {
    let empty = tar_of(&[]);
    let archive = tar_of(&[
        Item::File("e.tar", 0o644, &empty),
        Item::File("z.tar", 0o644, b""),
        Item::File("manifest.json", 0o644, br#"[{"Layers":["e.tar","z.tar"]}]"#),
    ]);
    let found = scan(&archive).unwrap();
    assert_eq!(
        found,
        ImageFilesystem {
            layers: 2,
            files: 0,
            setuid_files: vec![],
            secret_files: vec![]
        }
    );
}

fn message(archive: &[u8]) -> String {
    scan(archive).unwrap_err().to_string()
}

#[test]
fn not_tar() {
    assert_eq!(message(b""), "not a tar archive: the stream is empty");
    assert_eq!(
        message(br#"{"message":"No such image: app:1"}"#),
        "not a tar archive: the stream ended inside a tar header"
    );
    assert_eq!(
        message(&[b'A'; 4096]),
        "not a tar archive: bad tar header checksum at byte 0"
    );
    let gz = gzip(&legacy_archive());
    assert!(matches!(scan(&gz), Err(ImageArchiveError::NotTar(_))));
}

#[test]
fn manifest_problems() {
    let layer = tar_of(&[Item::File("a", 0o644, b"")]);
    assert_eq!(
        message(&tar_of(&[Item::File("l.tar", 0o644, &layer)])),
        "manifest.json is missing"
    );
    let with = |manifest: &[u8]| {
        message(&tar_of(&[
            Item::File("l.tar", 0o644, &layer),
            Item::File("cfg.json", 0o644, b"{\"architecture\":\"amd64\"}"),
            Item::File("manifest.json", 0o644, manifest),
        ]))
    };
    assert_eq!(with(b"[]"), "manifest.json is invalid: it lists no image");
    assert_eq!(
        with(b"{}"),
        "manifest.json is invalid: invalid type: map, expected a sequence at line 1 column 0"
    );
    assert_eq!(
        with(br#"[{"Layers":["l.tar","zzz/layer.tar"]}]"#),
        "layer zzz/layer.tar named in manifest.json is missing"
    );
    assert_eq!(
        with(br#"[{"Layers":["../l.tar"]}]"#),
        "layer ../l.tar named in manifest.json is missing"
    );
    assert_eq!(
        with(br#"[{"Layers":["cfg.json"]}]"#),
        "layer cfg.json named in manifest.json cannot be read: it is not a tar archive"
    );
}

#[test]
fn unreadable_layers_matter_only_when_named() {
    // A valid first header, then garbage where the second should be.
    let mut broken = tar_of(&[Item::File("a", 0o644, b"data")]);
    broken.truncate(1024);
    broken.extend_from_slice(&[b'G'; 1024]);
    let zstd = [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0];
    let good = tar_of(&[Item::File("bin/ok", 0o644, b"")]);
    let archive = |manifest: &[u8]| {
        tar_of(&[
            Item::File("broken.tar", 0o644, &broken),
            Item::File("zstd", 0o644, &zstd),
            Item::File("good.tar", 0o644, &good),
            Item::File("manifest.json", 0o644, manifest),
        ])
    };
    assert_eq!(scan(&archive(br#"[{"Layers":["good.tar"]}]"#)).unwrap().files, 1);
    assert_eq!(
        message(&archive(br#"[{"Layers":["broken.tar"]}]"#)),
        "layer broken.tar named in manifest.json cannot be read: bad tar header checksum at byte 1024"
    );
    assert_eq!(
        message(&archive(br#"[{"Layers":["zstd"]}]"#)),
        "layer zstd named in manifest.json cannot be read: zstd-compressed layers are not supported"
    );
}

#[test]
fn truncated_anywhere() {
    for archive in [legacy_archive(), oci_archive()] {
        // Cutting inside the final zero blocks leaves a complete archive.
        let end = archive.len() - 1024;
        let cuts = (1..end)
            .step_by(61)
            .chain((512..end).step_by(512))
            .chain((511..end).step_by(512));
        for cut in cuts {
            match scan(&archive[..cut]) {
                Err(ImageArchiveError::NotTar(_)) if cut < 512 => {}
                Err(ImageArchiveError::Truncated(_)) if cut >= 512 => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
    }
    let archive = legacy_archive();
    let end = archive.len() - 1024;
    assert_eq!(
        message(&archive[..end]),
        "truncated archive: the stream ended before the end-of-archive marker"
    );
    assert_eq!(
        message(&archive[..4000]),
        "truncated archive: the stream ended inside aaa/layer.tar"
    );
}

#[test]
fn corrupt_after_the_first_header() {
    let mut archive = tar_of(&[Item::File("a", 0o644, b"data")]);
    archive.truncate(1024);
    archive.extend_from_slice(&[b'G'; 1024]);
    assert_eq!(
        message(&archive),
        "corrupt archive: bad tar header checksum at byte 1024"
    );
}

fn header(name: &str, kind: EntryType, size: u64) -> Vec<u8> {
    let mut header = Header::new_gnu();
    header.set_path(name).unwrap();
    header.set_entry_type(kind);
    header.set_mode(0o644);
    header.set_size(size);
    header.set_cksum();
    header.as_bytes().to_vec()
}

#[test]
fn absurd_sizes() {
    // Largest octal size (8 GiB) and a base-256 one (4 EiB), with next to no data behind them.
    for size in [0o77777777777, 1 << 62] {
        let mut archive = header("big.bin", EntryType::Regular, size);
        archive.extend_from_slice(&[0; 100]);
        assert_eq!(
            message(&archive),
            "truncated archive: the stream ended inside big.bin"
        );
    }
    let mut archive = header("././@LongLink", EntryType::GNULongName, 1 << 40);
    archive.extend_from_slice(&[b'a'; 1024]);
    assert_eq!(
        message(&archive),
        "corrupt archive: an extension header of 1099511627776 bytes is larger than 1048576 bytes"
    );
    let mut archive = header("manifest.json", EntryType::Regular, 1 << 30);
    archive.extend_from_slice(&[b'['; 1024]);
    assert_eq!(
        message(&archive),
        "manifest.json is invalid: it is 1073741824 bytes, more than the 16777216 bytes dockward reads"
    );
}

/// Fails after a number of bytes, as a dropped connection would.
struct Failing<'a>(&'a [u8]);

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by peer",
            ));
        }
        let n = buf.len().min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn read_errors() {
    let archive = oci_archive();
    for cut in [1, 700, 1600, archive.len() / 2] {
        let err = scan_image_archive(Failing(&archive[..cut])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read the image archive: connection reset by peer",
            "cut {cut}"
        );
    }
}

fn archive_of_layers(layers: &[Vec<u8>]) -> Vec<u8> {
    let names: Vec<String> = (0..layers.len()).map(|i| format!("l{i}.tar")).collect();
    let manifest = serde_json::json!([{ "Layers": names }]).to_string();
    let mut items: Vec<Item> = names
        .iter()
        .zip(layers)
        .map(|(name, data)| Item::File(name, 0o644, data))
        .collect();
    items.push(Item::File("manifest.json", 0o644, manifest.as_bytes()));
    tar_of(&items)
}

fn passwd_of(layers: &[Vec<u8>]) -> Option<String> {
    dockward_collect::image_fs::scan_image_passwd(&archive_of_layers(layers)[..])
        .unwrap()
        .map(|p| String::from_utf8(p).unwrap())
}

#[test]
fn passwd_as_the_merged_layers_have_it() {
    let base = tar_of(&[Item::File("etc/passwd", 0o644, b"root:x:0:0::/root:/bin/sh\n")]);
    let app = tar_of(&[Item::File(
        "etc/passwd",
        0o644,
        b"root:x:0:0::/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n",
    )]);
    let other = tar_of(&[Item::File("srv/x", 0o644, b"")]);
    // The top layer that writes it wins; a layer that does not touch it keeps it.
    assert_eq!(
        passwd_of(&[base.clone(), app, other.clone()]).as_deref(),
        Some("root:x:0:0::/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n")
    );
    // Whited out, or hidden by an opaque /etc, it is gone.
    let whiteout = tar_of(&[Item::File("etc/.wh.passwd", 0o644, b"")]);
    assert_eq!(passwd_of(&[base.clone(), whiteout]), None);
    let opaque = tar_of(&[
        Item::File("etc/.wh..wh..opq", 0o644, b""),
        Item::File("etc/hosts", 0o644, b""),
    ]);
    assert_eq!(passwd_of(&[base.clone(), opaque]), None);
    // A link in its place is not read (the plugin then knows no uid for names).
    let link = tar_of(&[Item::Symlink("etc/passwd", "/srv/passwd")]);
    assert_eq!(passwd_of(&[base, link]), None);
    assert_eq!(passwd_of(&[other]), None);
}
