//! Readers for the kernel's text tables under /proc and for the account files.
//!
//! The host collector finds which process serves the Docker socket (`/proc/net/unix` and the
//! `socket:[INODE]` links in `/proc/PID/fd`), which TCP ports it listens on (`/proc/net/tcp{,6}`),
//! which filesystem holds the data root (`mountinfo`), which unit started it (`/proc/PID/cgroup`)
//! and who is in the docker group (`/etc/passwd`, `/etc/group`). These are all line-oriented
//! tables; every parser here skips lines it does not understand instead of failing, because one odd
//! line must not hide the rest of the table.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `__SO_ACCEPTCON` in `/proc/net/unix`'s Flags column: the socket is listening.
const SO_ACCEPTCON: u32 = 0x0001_0000;

/// One row of `/proc/net/unix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnixSocket {
    /// The socket's inode, as in the `socket:[INODE]` links under `/proc/PID/fd`.
    pub inode: u64,
    /// Unconnected and accepting connections.
    pub listening: bool,
    /// The bound path; empty for an unnamed socket, starting with `@` for an abstract one.
    pub path: String,
}

/// Parses `/proc/net/unix`: a header line, then "Num RefCount Protocol Flags Type St Inode Path".
///
/// A socket is listening when St is `01` (`SS_UNCONNECTED`) and Flags has `__SO_ACCEPTCON`. The
/// path is everything after the inode (it may contain spaces).
pub fn parse_net_unix(text: &str) -> Vec<UnixSocket> {
    text.lines().filter_map(parse_unix_line).collect()
}

/// Parses one `/proc/net/unix` row; `None` for the header and malformed rows.
fn parse_unix_line(line: &str) -> Option<UnixSocket> {
    let (fields, rest) = split_fields::<7>(line)?;
    let [num, _refcount, _protocol, flags, _type, state, inode] = fields;
    if !num.ends_with(':') {
        return None;
    }
    let flags = u32::from_str_radix(flags, 16).ok()?;
    let inode = inode.parse().ok()?;
    // The kernel writes exactly one space before the path; a path may itself start with spaces.
    let path = rest
        .strip_prefix(' ')
        .unwrap_or(rest)
        .trim_end_matches(['\r', '\n']);
    Some(UnixSocket {
        inode,
        listening: state == "01" && flags & SO_ACCEPTCON != 0,
        path: path.to_owned(),
    })
}

/// Takes the first `N` whitespace-separated fields of a line and returns them with the text that
/// follows the last one (untrimmed); `None` when the line has fewer fields.
fn split_fields<const N: usize>(line: &str) -> Option<([&str; N], &str)> {
    let mut fields = [""; N];
    let mut rest = line;
    for field in &mut fields {
        let start = rest.trim_start();
        let end = start.find(char::is_whitespace).unwrap_or(start.len());
        let (word, tail) = start.split_at_checked(end)?;
        if word.is_empty() {
            return None;
        }
        *field = word;
        rest = tail;
    }
    Some((fields, rest))
}

/// One row of `/proc/net/tcp` or `/proc/net/tcp6`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSocket {
    /// The local address.
    pub address: IpAddr,
    /// The local port.
    pub port: u16,
    /// In state `LISTEN`.
    pub listening: bool,
    /// The socket's inode, as in the `socket:[INODE]` links under `/proc/PID/fd`.
    pub inode: u64,
}

/// Parses `/proc/net/tcp` (`ipv6` false) or `/proc/net/tcp6` (`ipv6` true).
///
/// The kernel prints each 32-bit word of the address as a number in host byte order (on x86
/// `0100007F:0CEA` is 127.0.0.1:3306; tcp6 has four such words), so the words are decoded in this
/// machine's byte order: the table must come from the host running this code. Rows whose address
/// length does not match `ipv6` are skipped. IPv4-mapped addresses in tcp6 stay IPv6 (`::ffff:a.b.c.d`).
pub fn parse_net_tcp(text: &str, ipv6: bool) -> Vec<TcpSocket> {
    text.lines()
        .filter_map(|line| parse_tcp_line(line, ipv6))
        .collect()
}

/// Parses one `/proc/net/tcp{,6}` row; `None` for the header and malformed rows.
fn parse_tcp_line(line: &str, ipv6: bool) -> Option<TcpSocket> {
    let (fields, _) = split_fields::<10>(line)?;
    let [
        sl,
        local,
        _remote,
        state,
        _queues,
        _timer,
        _retransmits,
        _uid,
        _timeout,
        inode,
    ] = fields;
    if !sl.ends_with(':') {
        return None;
    }
    let (address, port) = local.split_once(':')?;
    if port.len() != 4 {
        return None;
    }
    let port = u16::from_str_radix(port, 16).ok()?;
    let address = if ipv6 {
        let words: [u32; 4] = hex_words(address)?;
        let mut bytes = [0u8; 16];
        for (chunk, word) in bytes.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&word.to_ne_bytes());
        }
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        let [word]: [u32; 1] = hex_words(address)?;
        IpAddr::V4(Ipv4Addr::from(word.to_ne_bytes()))
    };
    Some(TcpSocket {
        address,
        port,
        listening: state == "0A",
        inode: inode.parse().ok()?,
    })
}

/// Decodes exactly `N` 8-digit hex words; `None` on any other length or a non-hex digit.
fn hex_words<const N: usize>(hex: &str) -> Option<[u32; N]> {
    if hex.len() != N.checked_mul(8)? || !hex.is_ascii() {
        return None;
    }
    let mut words = [0u32; N];
    for (index, word) in words.iter_mut().enumerate() {
        let start = index.checked_mul(8)?;
        let digits = hex.get(start..start.checked_add(8)?)?;
        // from_str_radix accepts a leading '+', which the kernel never writes.
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        *word = u32::from_str_radix(digits, 16).ok()?;
    }
    Some(words)
}

/// One row of `/proc/PID/mountinfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountEntry {
    /// Where it is mounted, unescaped.
    pub mount_point: String,
    /// The directory of the filesystem that is mounted there (`/` unless a bind mount), unescaped.
    pub root: String,
    /// The filesystem type, e.g. `ext4`, `overlay`.
    pub fs_type: String,
    /// The mount source, e.g. `/dev/sda1`, unescaped.
    pub source: String,
}

/// Parses `/proc/PID/mountinfo`: space-separated fields, optional fields ending at a lone `-`, and
/// `\040` (space), `\011` (tab), `\012` (newline), `\134` (backslash) escapes in paths.
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines().filter_map(parse_mount_line).collect()
}

/// Parses one mountinfo row; `None` for malformed rows.
fn parse_mount_line(line: &str) -> Option<MountEntry> {
    let mut fields = line.split_whitespace();
    let (_id, _parent, _device) = (fields.next()?, fields.next()?, fields.next()?);
    let (root, mount_point) = (fields.next()?, fields.next()?);
    let _options = fields.next()?;
    // Optional fields (shared:N, master:N, ...) run until the separator; bounded by the line's fields.
    for field in fields.by_ref() {
        if field == "-" {
            let fs_type = fields.next()?;
            let source = fields.next()?;
            if !mount_point.starts_with('/') {
                return None;
            }
            return Some(MountEntry {
                mount_point: unescape_octal(mount_point),
                root: unescape_octal(root),
                fs_type: unescape_octal(fs_type),
                source: unescape_octal(source),
            });
        }
    }
    None
}

/// Undoes the kernel's `\ooo` escapes (three octal digits); other backslashes stay as written.
fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    // Each round advances by at least one byte.
    while let Some(&byte) = bytes.get(index) {
        let decoded = match (byte, bytes.get(index + 1..index + 4)) {
            (b'\\', Some(&[a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7'])) => {
                Some(((a - b'0') << 6) | ((b - b'0') << 3) | (c - b'0'))
            }
            _ => None,
        };
        match decoded {
            Some(value) => {
                out.push(value);
                index += 4;
            }
            None => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The entry whose mount_point is the longest prefix of `path` on a path-component boundary; the
/// last such entry wins on ties (later mounts hide earlier ones).
///
/// `path` should be absolute and canonical (no `..`, no symlinks): this compares text only.
pub fn mount_holding<'a>(mounts: &'a [MountEntry], path: &str) -> Option<&'a MountEntry> {
    let mut best: Option<(usize, &MountEntry)> = None;
    for mount in mounts {
        let point = mount.mount_point.trim_end_matches('/');
        let covers = if point.is_empty() {
            // The root mount (or a mount point written as slashes only).
            path.starts_with('/')
        } else {
            path.strip_prefix(point)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if covers && best.is_none_or(|(length, _)| point.len() >= length) {
            best = Some((point.len(), mount));
        }
    }
    best.map(|(_, mount)| mount)
}

/// One line of `/etc/passwd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswdEntry {
    /// The user name.
    pub name: String,
    /// The user id.
    pub uid: u32,
    /// The primary group id.
    pub gid: u32,
    /// 1-based line in the file.
    pub line: u32,
}

/// Parses `/etc/passwd`, skipping comments, blank and malformed lines (and NIS `+`/`-` lines).
pub fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    account_lines(text)
        .filter_map(|(line, fields)| {
            let mut fields = fields.split(':');
            let name = fields.next()?;
            let _password = fields.next()?;
            let uid = fields.next()?.parse().ok()?;
            let gid = fields.next()?.parse().ok()?;
            Some(PasswdEntry {
                name: name.to_owned(),
                uid,
                gid,
                line,
            })
        })
        .collect()
}

/// One line of `/etc/group`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupEntry {
    /// The group name.
    pub name: String,
    /// The group id.
    pub gid: u32,
    /// The supplementary members listed in the fourth field (not users whose primary group this is).
    pub members: Vec<String>,
    /// 1-based line in the file.
    pub line: u32,
}

/// Parses `/etc/group`, skipping comments, blank and malformed lines (and NIS `+`/`-` lines).
pub fn parse_group(text: &str) -> Vec<GroupEntry> {
    account_lines(text)
        .filter_map(|(line, fields)| {
            let mut fields = fields.split(':');
            let name = fields.next()?;
            let _password = fields.next()?;
            let gid = fields.next()?.parse().ok()?;
            let members = fields
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|member| !member.is_empty())
                .map(str::to_owned)
                .collect();
            Some(GroupEntry {
                name: name.to_owned(),
                gid,
                members,
                line,
            })
        })
        .collect()
}

/// The candidate lines of an account file with their 1-based numbers: trimmed, not blank, not a
/// comment, not a NIS compat entry, and with a non-empty name.
fn account_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines().enumerate().filter_map(|(index, line)| {
        let line = line.trim();
        let skip = line.is_empty() || line.starts_with(['#', '+', '-', ':']);
        (!skip).then(|| {
            (
                u32::try_from(index).map_or(u32::MAX, |n| n.saturating_add(1)),
                line,
            )
        })
    })
}

/// The value of a field of `/proc/PID/status` (e.g. `Seccomp` or `Seccomp:`), trimmed.
pub fn parse_status_field<'a>(status: &'a str, field: &str) -> Option<&'a str> {
    let field = field.strip_suffix(':').unwrap_or(field);
    status.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name == field).then_some(value.trim())
    })
}

/// Splits `/proc/PID/cmdline`: NUL-separated arguments, a trailing NUL ignored, invalid UTF-8 replaced.
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    // Kernel threads have an empty cmdline; b"\0" is a single empty argument.
    if bytes.is_empty() {
        return Vec::new();
    }
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(bytes);
    bytes
        .split(|&b| b == 0)
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect()
}

/// The systemd unit a process runs in, from `/proc/PID/cgroup` lines like
/// `0::/system.slice/docker.service` or `1:name=systemd:/system.slice/docker.service`: the last path
/// component ending in `.service`.
///
/// The unified (`0::`) and `name=systemd` hierarchies are the ones systemd arranges by unit, so
/// they are consulted first; other controllers' lines are a fallback.
pub fn systemd_unit_of(cgroup: &str) -> Option<String> {
    let mut fallback = None;
    for line in cgroup.lines() {
        let mut parts = line.trim().splitn(3, ':');
        let (Some(_id), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let unit = path
            .split('/')
            .rev()
            .find(|component| component.len() > ".service".len() && component.ends_with(".service"));
        let Some(unit) = unit else {
            continue;
        };
        if controllers.is_empty() || controllers == "name=systemd" {
            return Some(unit.to_owned());
        }
        fallback.get_or_insert(unit);
    }
    fallback.map(str::to_owned)
}

/// The inode of a `/proc/PID/fd` link to a socket: `socket:[12345]` gives 12345.
pub fn socket_inode(link: &str) -> Option<u64> {
    let digits = link.trim().strip_prefix("socket:[")?.strip_suffix(']')?;
    // parse() would accept a leading '+'.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The value of `key` (e.g. `CONFIG_SECCOMP_FILTER`) in a kernel config: `y`, `m`, a number, or a
/// string without its quotes; `# CONFIG_X is not set` gives `n`. The last assignment wins.
pub fn kernel_config_value<'a>(config: &'a str, key: &str) -> Option<&'a str> {
    let mut found = None;
    for line in config.lines() {
        let line = line.trim();
        if let Some(name) = line
            .strip_prefix("# ")
            .and_then(|rest| rest.strip_suffix(" is not set"))
        {
            if name == key {
                found = Some("n");
            }
        } else if let Some((name, value)) = line.split_once('=')
            && name == key
        {
            found = Some(
                value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value),
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET_UNIX: &str = "\
Num       RefCount Protocol Flags    Type St Inode Path
ffff8a0b01d6c000: 00000002 00000000 00010000 0001 01 27183 /run/docker.sock
ffff8a0b01d6c400: 00000002 00000000 00010000 0001 01 19283 @/org/kernel/linux/storage/multipathd
ffff8a0b01d6c800: 00000003 00000000 00000000 0001 03 31415 /run/docker.sock
0000000000000000: 00000003 00000000 00000000 0001 03  1514
ffff8a0b01d6cc00: 00000002 00000000 00000000 0002 01 16171 /run/systemd/notify
ffff8a0b01d6d000: 00000002 00000000 00010000 0001 01 16180 /run/my app/sock et
ffff8a0b01d6d400: 00000002 00000000 00010000 0001 03 16181 /run/x
garbage line
ffff8a0b01d6d800: 00000002 00000000 zzzz 0001 01 16182 /run/y
ffff8a0b01d6dc00: 00000002 00000000 00010000 0001 01
";

    #[test]
    fn net_unix() {
        let sockets = parse_net_unix(NET_UNIX);
        let socket = |inode, listening, path: &str| UnixSocket {
            inode,
            listening,
            path: path.to_owned(),
        };
        assert_eq!(
            sockets,
            vec![
                socket(27183, true, "/run/docker.sock"),
                socket(19283, true, "@/org/kernel/linux/storage/multipathd"),
                socket(31415, false, "/run/docker.sock"),
                socket(1514, false, ""),
                socket(16171, false, "/run/systemd/notify"),
                socket(16180, true, "/run/my app/sock et"),
                socket(16181, false, "/run/x"),
            ]
        );
        assert_eq!(parse_net_unix(""), vec![]);
    }

    const NET_TCP: &str = "\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   112        0 20431 1 0000000000000000 100 0 0 10 0
   1: 00000000:0976 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 35871 1 0000000000000000 100 0 0 10 0
   2: 0F02000A:0016 0202000A:C35A 01 00000000:00000000 02:0009F8D4 00000000     0        0 41122 4 0000000000000000 20 4 30 10 -1
   3: 0100007F:XYZW 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1
   4: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1
   5: 0100007F:0016 00000000:0000 0A 00000000:00000000
";

    #[cfg(target_endian = "little")]
    #[test]
    fn net_tcp_ipv4() {
        let v4 = |a, b, c, d| IpAddr::V4(Ipv4Addr::new(a, b, c, d));
        assert_eq!(
            parse_net_tcp(NET_TCP, false),
            vec![
                TcpSocket {
                    address: v4(127, 0, 0, 1),
                    port: 3306,
                    listening: true,
                    inode: 20431
                },
                TcpSocket {
                    address: v4(0, 0, 0, 0),
                    port: 2422,
                    listening: true,
                    inode: 35871
                },
                TcpSocket {
                    address: v4(10, 0, 2, 15),
                    port: 22,
                    listening: false,
                    inode: 41122
                },
            ]
        );
        // IPv4 rows are not IPv6 rows.
        assert_eq!(parse_net_tcp(NET_TCP, true), vec![]);
    }

    const NET_TCP6: &str = "\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0976 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 35873 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22010 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 51234 1 0000000000000000 20 4 30 10 -1
   3: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 60001 1 0000000000000000 100 0 0 10 0
   4: 0000000000000000000000000100000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1
";

    #[cfg(target_endian = "little")]
    #[test]
    fn net_tcp_ipv6() {
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            parse_net_tcp(NET_TCP6, true),
            vec![
                TcpSocket {
                    address: v6("::"),
                    port: 2422,
                    listening: true,
                    inode: 35873
                },
                TcpSocket {
                    address: v6("::1"),
                    port: 631,
                    listening: true,
                    inode: 22010
                },
                TcpSocket {
                    address: v6("::ffff:127.0.0.1"),
                    port: 8080,
                    listening: false,
                    inode: 51234
                },
                TcpSocket {
                    address: v6("2001:db8::1"),
                    port: 443,
                    listening: true,
                    inode: 60001
                },
            ]
        );
        assert_eq!(parse_net_tcp(NET_TCP6, false), vec![]);
    }

    #[test]
    fn net_tcp_uses_host_byte_order() {
        // Build the row the way the kernel does on whatever machine runs the test.
        let word = u32::from_ne_bytes([192, 168, 1, 20]);
        let text =
            format!("   0: {word:08X}:0948 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77\n");
        assert_eq!(
            parse_net_tcp(&text, false),
            vec![TcpSocket {
                address: IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20)),
                port: 2376,
                listening: true,
                inode: 77
            }]
        );
        assert_eq!(hex_words::<1>("+1234567"), None);
        assert_eq!(hex_words::<1>("é1234567"), None);
    }

    const MOUNTINFO: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
60 27 8:17 / /var/lib/docker rw,relatime shared:30 master:2 - xfs /dev/sdb1 rw,attr2
61 27 8:18 /data/My\\040Docker /srv/my\\040docker\\011tab rw - ext4 /dev/disk\\134x rw
62 60 0:50 / /var/lib/docker/overlay2/abc/merged rw - overlay overlay rw,lowerdir=/x
63 27 0:51 / /var/lib/docker rw - tmpfs tmpfs rw
bad line
64 27 0:52 / /no/separator rw shared:5 ext4 /dev/x rw
65 27 0:53 / /missing/source rw - ext4
";

    fn mount(point: &str, root: &str, fs_type: &str, source: &str) -> MountEntry {
        MountEntry {
            mount_point: point.to_owned(),
            root: root.to_owned(),
            fs_type: fs_type.to_owned(),
            source: source.to_owned(),
        }
    }

    #[test]
    fn mountinfo() {
        assert_eq!(
            parse_mountinfo(MOUNTINFO),
            vec![
                mount("/proc", "/", "proc", "proc"),
                mount("/", "/", "ext4", "/dev/vda"),
                mount("/sys/fs/cgroup", "/", "tmpfs", "tmpfs"),
                mount("/var/lib/docker", "/", "xfs", "/dev/sdb1"),
                mount("/srv/my docker\ttab", "/data/My Docker", "ext4", "/dev/disk\\x"),
                mount("/var/lib/docker/overlay2/abc/merged", "/", "overlay", "overlay"),
                mount("/var/lib/docker", "/", "tmpfs", "tmpfs"),
            ]
        );
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape_octal("a\\012b\\134\\040"), "a\nb\\ ");
        // Not three octal digits, out of range, or cut short: kept as written.
        assert_eq!(unescape_octal("\\08\\400\\04"), "\\08\\400\\04");
        assert_eq!(unescape_octal("\\"), "\\");
    }

    #[test]
    fn mount_holding_longest_prefix_and_ties() {
        let mounts = parse_mountinfo(MOUNTINFO);
        // The later tmpfs on /var/lib/docker hides the xfs one.
        let held = mount_holding(&mounts, "/var/lib/docker/volumes/x");
        assert_eq!(held.map(|m| m.fs_type.as_str()), Some("tmpfs"));
        assert_eq!(
            mount_holding(&mounts, "/var/lib/docker").map(|m| m.fs_type.as_str()),
            Some("tmpfs")
        );
        assert_eq!(
            mount_holding(&mounts, "/var/lib/docker/overlay2/abc/merged/etc").map(|m| m.fs_type.as_str()),
            Some("overlay")
        );
        // A prefix that is not on a component boundary does not count.
        assert_eq!(
            mount_holding(&mounts, "/var/lib/docker2").map(|m| m.source.as_str()),
            Some("/dev/vda")
        );
        assert_eq!(
            mount_holding(&mounts, "/procfs").map(|m| m.source.as_str()),
            Some("/dev/vda")
        );
        assert_eq!(
            mount_holding(&mounts, "/").map(|m| m.source.as_str()),
            Some("/dev/vda")
        );
        assert_eq!(mount_holding(&mounts, "relative"), None);
        assert_eq!(mount_holding(&[], "/var"), None);
        // Earlier and later entries for the same point: the later one wins.
        let both = [mount("/", "/", "ext4", "a"), mount("/", "/", "overlay", "b")];
        assert_eq!(mount_holding(&both, "/etc").map(|m| m.source.as_str()), Some("b"));
    }

    #[test]
    fn passwd() {
        let text = "\
root:x:0:0:root:/root:/bin/bash
# comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin

+nisuser::::::
-baduser::::::
+
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
broken:x:notanumber:1000::/:/bin/sh
short:x:5
:x:6:6::/:/bin/sh
big:x:4294967296:1::/:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
";
        let entry = |name: &str, uid, gid, line| PasswdEntry {
            name: name.to_owned(),
            uid,
            gid,
            line,
        };
        assert_eq!(
            parse_passwd(text),
            vec![
                entry("root", 0, 0, 1),
                entry("daemon", 1, 1, 3),
                entry("alice", 1000, 1000, 8),
                entry("nobody", 65534, 65534, 13),
            ]
        );
    }

    #[test]
    fn group() {
        let text = "\
root:x:0:
docker:x:999:alice, bob,,
+nisgroup
# docker:x:998:mallory
sudo:x:27:alice
nomembers:x:100
bad:x:abc:alice
";
        let group = |name: &str, gid, members: &[&str], line| GroupEntry {
            name: name.to_owned(),
            gid,
            members: members.iter().map(|m| (*m).to_owned()).collect(),
            line,
        };
        assert_eq!(
            parse_group(text),
            vec![
                group("root", 0, &[], 1),
                group("docker", 999, &["alice", "bob"], 2),
                group("sudo", 27, &["alice"], 5),
                group("nomembers", 100, &[], 6),
            ]
        );
    }

    #[test]
    fn status_field() {
        let status = "Name:\tdockerd\nUmask:\t0022\nState:\tS (sleeping)\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\nCapEff:\t000001ffffffffff\n";
        assert_eq!(parse_status_field(status, "Seccomp"), Some("2"));
        assert_eq!(parse_status_field(status, "Seccomp:"), Some("2"));
        assert_eq!(parse_status_field(status, "Seccomp_filters"), Some("1"));
        assert_eq!(parse_status_field(status, "State"), Some("S (sleeping)"));
        assert_eq!(parse_status_field(status, "Missing"), None);
        assert_eq!(parse_status_field("", "Seccomp"), None);
    }

    #[test]
    fn cmdline() {
        assert_eq!(
            parse_cmdline(b"/usr/bin/dockerd\0-H\0fd://\0--containerd=/run/containerd/containerd.sock\0"),
            vec![
                "/usr/bin/dockerd",
                "-H",
                "fd://",
                "--containerd=/run/containerd/containerd.sock"
            ]
        );
        assert_eq!(parse_cmdline(b"a\0\0b"), vec!["a", "", "b"]);
        assert_eq!(parse_cmdline(b"bad\xff\0"), vec!["bad\u{fffd}"]);
        assert_eq!(parse_cmdline(b""), Vec::<String>::new());
        assert_eq!(parse_cmdline(b"\0"), vec![""]);
        assert_eq!(parse_cmdline(b"\0\0"), vec!["", ""]);
    }

    #[test]
    fn unit_from_cgroup() {
        assert_eq!(
            systemd_unit_of("0::/system.slice/docker.service\n"),
            Some("docker.service".to_owned())
        );
        let v1 = "12:memory:/system.slice/containerd.service\n1:name=systemd:/system.slice/docker.service\n";
        assert_eq!(systemd_unit_of(v1), Some("docker.service".to_owned()));
        assert_eq!(
            systemd_unit_of("4:memory:/system.slice/docker.service"),
            Some("docker.service".to_owned())
        );
        let rootless = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/docker.service/init\n";
        assert_eq!(systemd_unit_of(rootless), Some("docker.service".to_owned()));
        assert_eq!(systemd_unit_of("0::/system.slice/docker-0123abcd.scope\n"), None);
        assert_eq!(systemd_unit_of("0::/\n9:name=systemd:/\n"), None);
        assert_eq!(systemd_unit_of("0::/.service\ngarbage\n"), None);
    }

    #[test]
    fn socket_links() {
        assert_eq!(socket_inode("socket:[12345]"), Some(12345));
        assert_eq!(socket_inode("socket:[12345]\n"), Some(12345));
        assert_eq!(socket_inode("pipe:[12345]"), None);
        assert_eq!(socket_inode("socket:[+1]"), None);
        assert_eq!(socket_inode("socket:[]"), None);
        assert_eq!(socket_inode("socket:[99999999999999999999999]"), None);
        assert_eq!(socket_inode("/dev/null"), None);
    }

    #[test]
    fn kernel_config() {
        let config = "\
#
# Automatically generated file; DO NOT EDIT.
#
CONFIG_SECCOMP=y
CONFIG_SECCOMP_FILTER=y
# CONFIG_SECURITY_SELINUX is not set
CONFIG_MEMCG=m
CONFIG_LSM=\"landlock,lockdown,yama,apparmor\"
CONFIG_NR_CPUS=64
CONFIG_MEMCG=y
";
        assert_eq!(kernel_config_value(config, "CONFIG_SECCOMP_FILTER"), Some("y"));
        assert_eq!(kernel_config_value(config, "CONFIG_SECURITY_SELINUX"), Some("n"));
        assert_eq!(
            kernel_config_value(config, "CONFIG_LSM"),
            Some("landlock,lockdown,yama,apparmor")
        );
        assert_eq!(kernel_config_value(config, "CONFIG_NR_CPUS"), Some("64"));
        assert_eq!(kernel_config_value(config, "CONFIG_MEMCG"), Some("y"));
        assert_eq!(kernel_config_value(config, "CONFIG_SECCOMP_FILTE"), None);
        assert_eq!(kernel_config_value(config, "CONFIG_USER_NS"), None);
    }

    #[test]
    fn every_prefix_parses_without_panic() {
        let tables = [NET_UNIX, NET_TCP, NET_TCP6, MOUNTINFO];
        for text in tables {
            for (end, _) in text.char_indices() {
                let prefix = text.get(..end).unwrap_or_default();
                let _ = parse_net_unix(prefix);
                let _ = parse_net_tcp(prefix, false);
                let _ = parse_net_tcp(prefix, true);
                let mounts = parse_mountinfo(prefix);
                let _ = mount_holding(&mounts, "/var/lib/docker");
                let _ = parse_passwd(prefix);
                let _ = parse_group(prefix);
                let _ = systemd_unit_of(prefix);
                let _ = kernel_config_value(prefix, "CONFIG_X");
                let _ = parse_cmdline(prefix.as_bytes());
            }
        }
    }
}
