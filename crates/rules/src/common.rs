//! Judgements shared by the container, image and Dockerfile rules, so one question ("is this user
//! root?", "does this name look like a secret?") gets one answer everywhere.

use dockward_model::Verdict;
use dockward_model::reference::{ImageName, parse_image_name};

use crate::rule::Context;

/// Whether a user spec (`name`, `uid`, `name:group`, `uid:gid`) names root. Empty means the
/// default, which is root.
pub(crate) fn is_root_user(user: &str) -> bool {
    let user = user.trim();
    let name = user.split_once(':').map_or(user, |(u, _)| u);
    user.is_empty() || name == "root" || name.parse::<u64>() == Ok(0)
}

/// Words in a variable name that mark it as holding a secret.
const SECRET_NAME_PARTS: [&str; 14] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "access_key",
    "private_key",
    "credential",
    "credentials",
    "auth",
    "pass",
    "key",
];

/// Names that contain a secret word but hold none (public keys and their ids, paths, switches):
/// `GPG_KEYS`, `NODE_PGP_KEY_IDS`, `YARN_KEY_ID`, `RUSTUP_KEY_FINGERPRINT`.
const NOT_SECRET_NAMES: [&str; 15] = [
    "gpg_key",
    "gpg_keys",
    "pgp_key",
    "pgp_keys",
    "public_key",
    "pubkey",
    "keyring",
    "keyserver",
    "key_id",
    "key_ids",
    "keyid",
    "keyids",
    "fingerprint",
    "fingerprints",
    "passthrough",
];

/// Account words that, run together with a password word, name a password: `MYSQL_ROOTPASS`,
/// `ADMINPASSWORD`, `DBPWD`.
const ACCOUNT_PREFIXES: [&str; 12] = [
    "root", "admin", "db", "user", "master", "sa", "vnc", "rpc", "ftp", "smtp", "ldap", "redis",
];

/// Last words of a name that make it a setting about a secret rather than the secret itself:
/// `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `API_KEY_HEADER`, `NPM_TOKEN_FILE`, `KEY_STORE_TYPE`.
const SETTING_SUFFIXES: [&str; 30] = [
    "url",
    "uri",
    "endpoint",
    "host",
    "port",
    "path",
    "file",
    "dir",
    "name",
    "alias",
    "type",
    "format",
    "header",
    "length",
    "len",
    "min",
    "max",
    "size",
    "ttl",
    "lifetime",
    "minutes",
    "seconds",
    "timeout",
    "expiry",
    "rounds",
    "algorithm",
    "mode",
    "enabled",
    "version",
    "dummy",
];

/// Whether a variable name (ENV, ARG) suggests a secret, e.g. `DB_PASSWORD`, `GITHUB_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`. Names are split on `_`, `-`, `.` so `MONKEY` is not a key, and a name
/// ending in a setting word (`TOKEN_URL`, `PASSWORD_MIN_LENGTH`) is about a secret, not one.
pub(crate) fn secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if NOT_SECRET_NAMES.iter().any(|n| lower.ends_with(n)) || lower.contains("public") {
        return false;
    }
    let parts: Vec<&str> = lower.split(['_', '-', '.']).filter(|p| !p.is_empty()).collect();
    if parts.last().is_some_and(|last| SETTING_SUFFIXES.contains(last)) {
        return false;
    }
    let run_together = |part: &str| {
        ACCOUNT_PREFIXES.iter().any(|account| {
            part.strip_prefix(account)
                .is_some_and(|rest| matches!(rest, "pass" | "passwd" | "password" | "pwd" | "pw"))
        })
    };
    SECRET_NAME_PARTS.iter().any(|word| {
        if word.contains('_') {
            lower.contains(word)
        } else {
            parts.contains(word)
        }
    }) || parts.iter().any(|part| run_together(part))
}

/// Whether an `ENV`/`ARG` pair is a .NET configuration entry whose key happens to be `Key` and
/// whose value names a setting (`Serilog__Enrich__0__Key=ProcessId`): an entry of a list (a
/// numeric segment) or a value shaped like a setting name (`ThreadId`, `TimestampFormat`). A
/// signing key such as `Jwt__Key=MySuperSecretKey` is still a secret.
pub(crate) fn dotnet_config_key(name: &str, value: &str) -> bool {
    let segments: Vec<&str> = name.split("__").collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let identifier = value.len() <= 64
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    let list_entry = parents
        .iter()
        .any(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    let setting_name = ["Id", "Name", "Format", "Type", "Level", "Mode", "Path"]
        .iter()
        .any(|suffix| value.ends_with(suffix));
    !parents.is_empty() && last.eq_ignore_ascii_case("key") && identifier && (list_entry || setting_name)
}

/// What kind of secret a value is, by its shape: private keys, cloud keys and common API tokens.
pub(crate) fn secret_value(value: &str) -> Option<&'static str> {
    let v = value.trim();
    // Every shape below but a URL with a password is at least 20 bytes long: most words of a
    // command are shorter, and need no further look.
    if v.len() < 20 && find_bytes(v, b"://").is_none() {
        return None;
    }
    if find_bytes(v, b"-----BEGIN").is_some() && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if url_password(v).is_some() {
        return Some("a URL with a password");
    }
    let prefixed = |prefix: &str, len: usize, charset: fn(char) -> bool| {
        v.starts_with(prefix) && v.len() >= len && v[prefix.len()..].chars().all(charset)
    };
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.len() == 20
        && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Some("an AWS access key id");
    }
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|p| prefixed(p, 40, alnum))
        || prefixed("github_pat_", 40, token)
    {
        return Some("a GitHub token");
    }
    if prefixed("glpat-", 26, token) {
        return Some("a GitLab token");
    }
    if prefixed("xoxb-", 20, token) || prefixed("xoxp-", 20, token) {
        return Some("a Slack token");
    }
    if prefixed("sk_live_", 24, alnum) {
        return Some("a Stripe secret key");
    }
    if prefixed("AIza", 39, token) {
        return Some("a Google API key");
    }
    if prefixed("npm_", 40, alnum) {
        return Some("an npm token");
    }
    None
}

/// Where `needle` first occurs in `hay`. The words searched are short: a plain scan beats setting
/// up a substring searcher for each (rules call this for every long word of every command).
fn find_bytes(hay: &str, needle: &[u8]) -> Option<usize> {
    let hay = hay.as_bytes();
    let (&first, rest) = needle.split_first()?;
    (0..hay.len()).find(|&i| hay[i] == first && hay[i + 1..].starts_with(rest))
}

/// The password of a `scheme://user:password@host` URL, unless it is a variable reference.
pub(crate) fn url_password(value: &str) -> Option<&str> {
    let rest = value.get(find_bytes(value, b"://")? + 3..)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty() && !password.starts_with('$')).then_some(password)
}

/// Whether a value is a placeholder rather than a secret: empty, a variable reference, a path or a
/// switch (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`). A default password such as `changeme` is a secret
/// baked into the image all the same.
pub(crate) fn placeholder_value(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.starts_with('$')
        || v.starts_with('/')
        || relative_key_path(v)
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "none" | "null" | "false" | "true" | "yes" | "no" | "on" | "off"
        )
}

/// Whether a value is a relative path to a key or certificate file (`certs/key.pem`,
/// `./tls/server.key`): it names where the secret is, not the secret.
fn relative_key_path(value: &str) -> bool {
    let segments: Vec<&str> = value.split('/').collect();
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let Some(file) = segments.last() else {
        return false;
    };
    let lower = file.to_ascii_lowercase();
    segments.iter().all(|s| plain(s))
        && [
            ".pem", ".key", ".crt", ".cer", ".der", ".p12", ".pfx", ".jks", ".pub", ".asc", ".gpg",
        ]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A value for a report: never the secret itself.
pub(crate) fn mask(value: &str) -> String {
    let chars = value.chars().count();
    if chars <= 4 {
        "****".to_string()
    } else {
        format!(
            "{}**** ({chars} characters)",
            value.chars().take(2).collect::<String>()
        )
    }
}

/// What kind of secret a file holds, by its name: private keys and credential files.
pub(crate) fn secret_file_name(path: &str) -> Option<&'static str> {
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            Some("an SSH private key")
        }
        ".npmrc" | ".pypirc" | ".netrc" | ".git-credentials" | ".dockercfg" | ".htpasswd" | ".pgpass"
        | ".my.cnf" | ".s3cfg" | ".vault-token" | "ipsec.secrets" | "chap-secrets" | "pap-secrets" => {
            Some("a credential file")
        }
        ".env" => Some("an environment file"),
        "credentials" => Some("a cloud credential file"),
        _ if [".key", ".p12", ".pfx", ".jks", ".keystore"]
            .iter()
            .any(|e| lower.ends_with(e)) =>
        {
            Some("a private key or key store")
        }
        _ => None,
    }
}

/// Why the registry rules have no verdict without the policy's list.
pub(crate) const NO_TRUSTED_REGISTRIES: &str =
    "no trusted registries configured (policy [options] trusted-registries)";

/// The policy's trusted registries, or the `not_applicable` verdict when it lists none.
pub(crate) fn trusted_registries<'a>(ctx: &Context<'a>) -> Result<&'a [String], Verdict> {
    ctx.settings
        .options
        .trusted_registries
        .as_deref()
        .ok_or_else(|| Verdict::not_applicable(NO_TRUSTED_REGISTRIES))
}

/// How an image reference stands against the trusted registries: `Ok` with the entry it comes
/// from, `Err` with the failure message, or `None` when the reference names no registry (an
/// image id, a malformed name).
pub(crate) fn registry_standing<'t>(
    reference: &str,
    trusted: &'t [String],
) -> Option<Result<(ImageName, &'t str), String>> {
    let name = parse_image_name(reference)?;
    Some(match trusted.iter().find(|entry| name.comes_from(entry)) {
        Some(entry) => Ok((name, entry.as_str())),
        None => Err(format!(
            "{reference} ({}) is not from a trusted registry (trusted-registries: {})",
            name.full_name(),
            if trusted.is_empty() {
                "none".to_string()
            } else {
                trusted.join(", ")
            }
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        for root in ["", "root", "0", "0:0", "root:wheel", "000"] {
            assert!(is_root_user(root), "{root:?}");
        }
        for user in ["app", "1000", "1000:0", "nobody:nogroup"] {
            assert!(!is_root_user(user), "{user:?}");
        }
    }

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "api_key",
            "MYSQL_ROOT_PASSWORD",
            "NPM_AUTH",
            "private_key",
            "MYSQL_ROOTPASS",
            "DB_ROOT_PASS",
            "ADMINPASSWORD",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "MONKEY",
            "GPG_KEY",
            "PATH",
            "KEYRING",
            "PUBLIC_KEY",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "NODE_VERSION",
            "SERVER_SSL_KEY_STORE_TYPE",
            "OIDC_TOKEN_ENDPOINT",
            "PASSWORD_MIN_LENGTH",
            "AUTH_TOKEN_TTL",
            "API_KEY_HEADER",
            "NPM_TOKEN_FILE",
            "SECRET_KEY_BASE_DUMMY",
            "AWS_ACCESS_KEY_ID",
            "NODE_PGP_KEY_IDS",
            "YARN_KEY_ID",
            "RUSTUP_KEY_FINGERPRINT",
            "BYPASS",
            "COMPASS_HOME",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn secret_values() {
        assert_eq!(secret_value("AKIAIOSFODNN7EXAMPLE"), Some("an AWS access key id"));
        assert_eq!(
            secret_value("postgres://app:s3cret@db:5432/app"),
            Some("a URL with a password")
        );
        assert_eq!(secret_value("postgres://app:${DB_PASSWORD}@db/app"), None);
        assert_eq!(secret_value("https://user@example.com/x:y"), None);
        assert!(placeholder_value("yes") && !placeholder_value("changeme"));
        assert!(placeholder_value("certs/key.pem") && placeholder_value("./tls/server.key"));
        assert!(!placeholder_value("ab/cd+ef==") && placeholder_value("key.pem"));
        assert!(dotnet_config_key("Serilog__Enrich__0__Key", "ProcessId"));
        assert!(dotnet_config_key(
            "Logging__Console__FormatterOptions__Key",
            "TimestampFormat"
        ));
        assert!(!dotnet_config_key("Jwt__Key", "s3cr3t-with-dashes!"));
        assert!(!dotnet_config_key("Jwt__Key", "MySuperSecretKey"));
        assert!(!dotnet_config_key("Serilog__Enrich__0__Key", "processid"));
        assert!(!dotnet_config_key("API_KEY", "ProcessId"));
        assert_eq!(
            secret_value("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"),
            Some("a GitHub token")
        );
        assert_eq!(
            secret_value("-----BEGIN OPENSSH PRIVATE KEY-----\nabc"),
            Some("a private key")
        );
        assert_eq!(secret_value("glpat-abcdefghijklmnopqrst"), Some("a GitLab token"));
        assert_eq!(secret_value("hello world"), None);
        assert_eq!(mask("supersecret"), "su**** (11 characters)");
        assert_eq!(mask("abc"), "****");
    }
}
