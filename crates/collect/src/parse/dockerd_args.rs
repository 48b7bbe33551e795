//! dockerd's command line, turned into the daemon.json settings it stands for.
//!
//! Every dockerd setting can be given as a flag or as a daemon.json key, and the auditor merges the
//! two, so it needs each flag's value typed as daemon.json would hold it and the argv index where it
//! was set. Parsing follows Go's pflag, which dockerd uses: `--flag=value`, `--flag value`, bare
//! boolean flags, shorthand clusters such as `-D` or `-Hvalue`, and `--` ending the flags.

use serde_json::{Map, Number, Value, json};

/// One setting taken from the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct ArgSetting {
    /// The daemon.json key it corresponds to, e.g. "icc", "hosts", "log-level".
    pub key: &'static str,
    /// The value typed as daemon.json would hold it.
    pub value: Value,
    /// argv index of the (last) flag that set it.
    pub index: usize,
}

/// Everything a dockerd command line says, sorted into settings, unknown flags and problems.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedArgs {
    /// Settings by key, in order of first appearance; a key appears once (list flags accumulate,
    /// scalars: last wins, index = last occurrence).
    pub settings: Vec<ArgSetting>,
    /// `--config-file` value and its argv index (not a daemon.json key).
    pub config_file: Option<(String, usize)>,
    /// Flags this table does not know, with their argv index, as written.
    pub unknown: Vec<(usize, String)>,
    /// Problems: a flag missing its value, a bad boolean, a positional argument (dockerd takes none).
    pub errors: Vec<String>,
}

impl ParsedArgs {
    /// The setting for daemon.json key `key`, if the command line set it.
    pub fn get(&self, key: &str) -> Option<&ArgSetting> {
        self.settings.iter().find(|s| s.key == key)
    }
}

/// How a flag's text becomes a daemon.json value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Takes no value when bare; `=value` is parsed like Go's strconv.ParseBool.
    Bool,
    /// A JSON string.
    Str,
    /// A JSON number when the text is an integer, else kept as the string written.
    Int,
    /// Repeatable; a JSON array of strings.
    List,
    /// Repeatable `k=v`; a JSON object of strings.
    StrMap,
    /// Repeatable `name=soft[:hard]`; an object of `{Name, Soft, Hard}` by name.
    Ulimit,
    /// Repeatable `name=path`; an object of `{path}` by name.
    Runtime,
    /// Repeatable `name[=bool]`; an object of booleans by name.
    Feature,
    /// `--config-file`: not a daemon.json key, recorded apart.
    ConfigFile,
}

/// One flag dockerd accepts.
struct Flag {
    long: &'static str,
    short: Option<char>,
    key: &'static str,
    kind: Kind,
}

const fn flag(long: &'static str, short: Option<char>, key: &'static str, kind: Kind) -> Flag {
    Flag {
        long,
        short,
        key,
        kind,
    }
}

/// A flag whose daemon.json key is its long name.
const fn same(long: &'static str, kind: Kind) -> Flag {
    Flag {
        long,
        short: None,
        key: long,
        kind,
    }
}

use Kind::{Bool, ConfigFile, Feature, Int, List, Runtime, Str, StrMap, Ulimit};

/// dockerd's flags; keys are the daemon.json names (list flags are singular on the command line and
/// plural in daemon.json).
const FLAGS: &[Flag] = &[
    flag("debug", Some('D'), "debug", Bool),
    same("icc", Bool),
    same("iptables", Bool),
    same("ip6tables", Bool),
    same("ip-forward", Bool),
    same("ip-masq", Bool),
    same("ipv6", Bool),
    same("live-restore", Bool),
    same("no-new-privileges", Bool),
    same("userland-proxy", Bool),
    same("experimental", Bool),
    same("selinux-enabled", Bool),
    same("tls", Bool),
    same("tlsverify", Bool),
    same("raw-logs", Bool),
    same("init", Bool),
    same("disable-legacy-registry", Bool),
    same("rootless", Bool),
    same("validate", Bool),
    flag("version", Some('v'), "version", Bool),
    // cobra gives every command -h/--help.
    flag("help", Some('h'), "help", Bool),
    flag("log-level", Some('l'), "log-level", Str),
    same("data-root", Str),
    // The legacy spelling of --data-root.
    flag("graph", Some('g'), "data-root", Str),
    same("exec-root", Str),
    flag("pidfile", Some('p'), "pidfile", Str),
    flag("group", Some('G'), "group", Str),
    flag("bridge", Some('b'), "bridge", Str),
    same("bip", Str),
    same("fixed-cidr", Str),
    same("fixed-cidr-v6", Str),
    same("default-gateway", Str),
    same("default-gateway-v6", Str),
    same("ip", Str),
    flag("storage-driver", Some('s'), "storage-driver", Str),
    same("userns-remap", Str),
    same("cgroup-parent", Str),
    same("seccomp-profile", Str),
    same("log-driver", Str),
    same("tlscacert", Str),
    same("tlscert", Str),
    same("tlskey", Str),
    same("containerd", Str),
    same("containerd-namespace", Str),
    same("containerd-plugins-namespace", Str),
    same("default-runtime", Str),
    same("default-cgroupns-mode", Str),
    same("default-ipc-mode", Str),
    same("init-path", Str),
    same("swarm-default-advertise-addr", Str),
    same("cluster-store", Str),
    same("cluster-advertise", Str),
    same("userland-proxy-path", Str),
    // A size with a unit ("64M"), so not an integer.
    same("default-shm-size", Str),
    same("http-proxy", Str),
    same("https-proxy", Str),
    same("no-proxy", Str),
    same("host-gateway-ip", Str),
    same("metrics-addr", Str),
    same("bridge-accept-fwmark", Str),
    same("cpu-rt-period", Int),
    same("cpu-rt-runtime", Int),
    same("mtu", Int),
    same("max-concurrent-downloads", Int),
    same("max-concurrent-uploads", Int),
    same("max-download-attempts", Int),
    same("shutdown-timeout", Int),
    same("oom-score-adjust", Int),
    same("network-control-plane-mtu", Int),
    same("network-diagnostic-port", Int),
    flag("host", Some('H'), "hosts", List),
    same("dns", List),
    flag("dns-opt", None, "dns-opts", List),
    same("dns-search", List),
    flag("registry-mirror", None, "registry-mirrors", List),
    flag("insecure-registry", None, "insecure-registries", List),
    flag("authorization-plugin", None, "authorization-plugins", List),
    same("allow-nondistributable-artifacts", List),
    flag("node-generic-resource", None, "node-generic-resources", List),
    flag("storage-opt", None, "storage-opts", List),
    flag("exec-opt", None, "exec-opts", List),
    flag("label", None, "labels", List),
    flag("default-address-pool", None, "default-address-pools", List),
    flag("log-opt", None, "log-opts", StrMap),
    flag("cluster-store-opt", None, "cluster-store-opts", StrMap),
    flag("default-ulimit", None, "default-ulimits", Ulimit),
    flag("add-runtime", None, "runtimes", Runtime),
    flag("feature", None, "features", Feature),
    same("config-file", ConfigFile),
];

/// Resource names Go's go-units accepts in a ulimit.
const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// The runtime dockerd always defines; `--add-runtime` may not redefine it.
const STOCK_RUNTIME: &str = "runc";

/// Parses a dockerd command line; argv[0] is the program and is skipped.
pub fn parse_dockerd_args(argv: &[String]) -> ParsedArgs {
    let mut out = ParsedArgs::default();
    let mut next = 1;
    let mut flags_ended = false;
    while let Some(arg) = argv.get(next) {
        let index = next;
        next += 1;
        if flags_ended || arg == "-" || !arg.starts_with('-') {
            // pflag keeps parsing flags after a positional argument, so this does not end flags.
            out.errors.push(format!(
                "unexpected argument {arg:?}: dockerd takes no positional arguments"
            ));
        } else if arg == "--" {
            flags_ended = true;
        } else if let Some(rest) = arg.strip_prefix("--") {
            out.parse_long(argv, arg, rest, index, &mut next);
        } else {
            out.parse_shorthands(argv, arg, index, &mut next);
        }
    }
    out
}

impl ParsedArgs {
    /// Handles `--name`, `--name=value` and `--name value`; `rest` is `arg` without its dashes.
    fn parse_long(&mut self, argv: &[String], arg: &str, rest: &str, index: usize, next: &mut usize) {
        if rest.starts_with('-') || rest.starts_with('=') {
            self.errors.push(format!("bad flag syntax: {arg}"));
            return;
        }
        let (name, inline) = match rest.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (rest, None),
        };
        let Some(flag) = FLAGS.iter().find(|f| f.long == name) else {
            // Its value, if it takes one, cannot be told from a positional argument: leave the next word.
            self.unknown.push((index, arg.to_owned()));
            return;
        };
        let spelled = format!("--{name}");
        let value = match inline {
            Some(value) => value.to_owned(),
            // A bare boolean is true; it never takes the next word ("--tls false" is two arguments).
            None if flag.kind == Bool => "true".to_owned(),
            None => match argv.get(*next) {
                Some(value) => {
                    *next += 1;
                    value.clone()
                }
                None => {
                    self.errors.push(format!("flag needs an argument: {spelled}"));
                    return;
                }
            },
        };
        self.apply(flag, &value, index, &spelled);
    }

    /// Handles a cluster of shorthands (`-D`, `-Dl debug`, `-Hvalue`, `-H=value`, `-H value`).
    fn parse_shorthands(&mut self, argv: &[String], arg: &str, index: usize, next: &mut usize) {
        let mut rest = arg.strip_prefix('-').unwrap_or(arg);
        while let Some(c) = rest.chars().next() {
            let after = rest.get(c.len_utf8()..).unwrap_or_default();
            let Some(flag) = FLAGS.iter().find(|f| f.short == Some(c)) else {
                // The rest of the cluster cannot be interpreted without knowing this flag.
                self.unknown.push((index, arg.to_owned()));
                return;
            };
            let spelled = format!("-{c}");
            let value;
            // The same precedence as pflag: "=value" (non-empty), bare boolean, glued value, next word.
            if let Some(inline) = after.strip_prefix('=').filter(|v| !v.is_empty()) {
                value = inline.to_owned();
                rest = "";
            } else if flag.kind == Bool {
                value = "true".to_owned();
                rest = after;
            } else if !after.is_empty() {
                value = after.to_owned();
                rest = "";
            } else if let Some(word) = argv.get(*next) {
                *next += 1;
                value = word.clone();
                rest = "";
            } else {
                // pflag's wording, naming the rest of the cluster from this shorthand on.
                self.errors
                    .push(format!("flag needs an argument: '{c}' in -{rest}"));
                return;
            }
            self.apply(flag, &value, index, &spelled);
        }
    }

    /// Records `value` given to `flag` at argv `index`; `spelled` names the flag in messages.
    fn apply(&mut self, flag: &Flag, value: &str, index: usize, spelled: &str) {
        match flag.kind {
            Bool => match parse_bool(value) {
                Some(b) => self.update(flag.key, index, |slot| *slot = Value::Bool(b)),
                None => self
                    .errors
                    .push(format!("invalid boolean value {value:?} for {spelled}")),
            },
            Str => self.update(flag.key, index, |slot| *slot = Value::String(value.to_owned())),
            Int => {
                let typed = match value.parse::<i64>() {
                    Ok(n) => Value::Number(Number::from(n)),
                    Err(_) => Value::String(value.to_owned()),
                };
                self.update(flag.key, index, |slot| *slot = typed);
            }
            List => self.update(flag.key, index, |slot| match slot {
                Value::Array(items) => items.push(Value::String(value.to_owned())),
                other => *other = json!([value]),
            }),
            StrMap => {
                // Like docker's MapOpts: a word without '=' is a key with an empty value.
                let (k, v) = value.split_once('=').unwrap_or((value, ""));
                self.insert_in_map(flag.key, index, k, Value::String(v.to_owned()));
            }
            Ulimit => match parse_ulimit(value) {
                Ok((name, soft, hard)) => {
                    let limit = json!({"Name": name, "Soft": soft, "Hard": hard});
                    self.insert_in_map(flag.key, index, name, limit);
                }
                Err(why) => self
                    .errors
                    .push(format!("invalid ulimit {value:?} for {spelled}: {why}")),
            },
            Runtime => self.add_runtime(flag.key, value, index, spelled),
            Feature => {
                // Like docker's SetOpts: a bare name turns the feature on.
                let (name, enabled) = match value.split_once('=') {
                    Some((name, text)) => (name, parse_bool(text)),
                    None => (value, Some(true)),
                };
                match enabled {
                    Some(enabled) => self.insert_in_map(flag.key, index, name, Value::Bool(enabled)),
                    None => self
                        .errors
                        .push(format!("invalid boolean value {value:?} for {spelled}")),
                }
            }
            ConfigFile => self.config_file = Some((value.to_owned(), index)),
        }
    }

    /// `--add-runtime name=path`, checked as dockerd checks it (which refuses to start otherwise).
    fn add_runtime(&mut self, key: &'static str, value: &str, index: usize, spelled: &str) {
        let parts = value
            .split_once('=')
            .map(|(n, p)| (n.trim().to_lowercase(), p.trim()));
        let Some((name, path)) = parts.filter(|(n, p)| !n.is_empty() && !p.is_empty()) else {
            self.errors.push(format!(
                "invalid runtime {value:?} for {spelled}: expected name=path"
            ));
            return;
        };
        if name == STOCK_RUNTIME {
            self.errors.push(format!("runtime name {name:?} is reserved"));
            return;
        }
        let defined = self.get(key).and_then(|s| s.value.get(&name)).is_some();
        if defined {
            self.errors.push(format!("runtime {name:?} was already defined"));
            return;
        }
        self.insert_in_map(key, index, &name, json!({ "path": path }));
    }

    /// Changes the value of setting `key` (null when new) with `change`; its index becomes `index`.
    fn update(&mut self, key: &'static str, index: usize, change: impl FnOnce(&mut Value)) {
        match self.settings.iter_mut().find(|s| s.key == key) {
            Some(setting) => {
                setting.index = index;
                change(&mut setting.value);
            }
            None => {
                let mut value = Value::Null;
                change(&mut value);
                self.settings.push(ArgSetting { key, value, index });
            }
        }
    }

    /// Sets `name` to `item` in the object held by setting `key`; a repeated name is replaced.
    fn insert_in_map(&mut self, key: &'static str, index: usize, name: &str, item: Value) {
        self.update(key, index, |slot| match slot {
            Value::Object(map) => {
                map.insert(name.to_owned(), item);
            }
            other => *other = Value::Object(Map::from_iter([(name.to_owned(), item)])),
        });
    }
}

/// Go's strconv.ParseBool.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Parses `name=soft[:hard]` as go-units does: one number sets both limits, and the soft limit
/// may not exceed the hard one unless the hard one is -1 (unlimited).
fn parse_ulimit(text: &str) -> Result<(&str, i64, i64), String> {
    let Some((name, limits)) = text.split_once('=') else {
        return Err("expected name=soft[:hard]".to_owned());
    };
    if !ULIMIT_NAMES.contains(&name) {
        return Err(format!("unknown ulimit type {name:?}"));
    }
    let number = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!("limit {s:?} is not an integer"))
    };
    let (soft, hard) = match limits.split_once(':') {
        None => {
            let n = number(limits)?;
            (n, n)
        }
        Some((_, hard)) if hard.contains(':') => {
            return Err("too many limit values, expected soft[:hard]".to_owned());
        }
        Some((soft, hard)) => (number(soft)?, number(hard)?),
    };
    if hard != -1 && soft > hard {
        return Err(format!("soft limit {soft} is greater than hard limit {hard}"));
    }
    Ok((name, soft, hard))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> ParsedArgs {
        let argv: Vec<String> = args.split(' ').map(str::to_owned).collect();
        parse_dockerd_args(&argv)
    }

    fn setting(key: &'static str, value: Value, index: usize) -> ArgSetting {
        ArgSetting { key, value, index }
    }

    #[test]
    fn systemd_exec_start_line() {
        let parsed = parse("/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock");
        assert_eq!(
            parsed,
            ParsedArgs {
                settings: vec![
                    setting("hosts", json!(["fd://"]), 1),
                    setting("containerd", json!("/run/containerd/containerd.sock"), 3),
                ],
                ..ParsedArgs::default()
            }
        );
    }

    #[test]
    fn empty_and_program_only_command_lines() {
        assert_eq!(parse_dockerd_args(&[]), ParsedArgs::default());
        assert_eq!(parse("dockerd"), ParsedArgs::default());
    }

    #[test]
    fn hosts_accumulate_in_every_spelling() {
        let parsed = parse("dockerd -H a --host b --host=c -Hd -H=e -H -f -DH g --host=");
        assert_eq!(
            parsed.get("hosts"),
            Some(&setting(
                "hosts",
                json!(["a", "b", "c", "d", "e", "-f", "g", ""]),
                12
            ))
        );
        assert_eq!(parsed.get("debug"), Some(&setting("debug", json!(true), 10)));
        assert_eq!(parsed.settings.len(), 2);
        assert!(parsed.errors.is_empty() && parsed.unknown.is_empty());
    }

    #[test]
    fn booleans_bare_and_with_values() {
        let parsed = parse("dockerd --icc=false --live-restore --debug=F --ipv6=1 --iptables=True");
        assert_eq!(
            parsed.settings,
            vec![
                setting("icc", json!(false), 1),
                setting("live-restore", json!(true), 2),
                setting("debug", json!(false), 3),
                setting("ipv6", json!(true), 4),
                setting("iptables", json!(true), 5),
            ]
        );
        assert!(parsed.errors.is_empty());
    }

    #[test]
    fn bad_booleans_are_errors_and_set_nothing() {
        let parsed = parse("dockerd --icc=no --tls= -D=yes --feature=buildkit=maybe");
        assert!(parsed.settings.is_empty());
        assert_eq!(
            parsed.errors,
            vec![
                "invalid boolean value \"no\" for --icc",
                "invalid boolean value \"\" for --tls",
                "invalid boolean value \"yes\" for -D",
                "invalid boolean value \"buildkit=maybe\" for --feature",
            ]
        );
    }

    #[test]
    fn a_boolean_does_not_take_the_next_word() {
        let parsed = parse("dockerd --tlsverify false --tlscacert /ca.pem");
        assert_eq!(
            parsed.settings,
            vec![
                setting("tlsverify", json!(true), 1),
                setting("tlscacert", json!("/ca.pem"), 3)
            ]
        );
        assert_eq!(
            parsed.errors,
            vec!["unexpected argument \"false\": dockerd takes no positional arguments"]
        );
    }

    #[test]
    fn shorthand_forms() {
        let parsed =
            parse("dockerd -l warn -ldebug -D -g /graph -p=/run/d.pid -sfoo -G docker -b none -v -h");
        assert_eq!(
            parsed.settings,
            vec![
                setting("log-level", json!("debug"), 3),
                setting("debug", json!(true), 4),
                setting("data-root", json!("/graph"), 5),
                setting("pidfile", json!("/run/d.pid"), 7),
                setting("storage-driver", json!("foo"), 8),
                setting("group", json!("docker"), 9),
                setting("bridge", json!("none"), 11),
                setting("version", json!(true), 13),
                setting("help", json!(true), 14),
            ]
        );
        assert!(parsed.errors.is_empty() && parsed.unknown.is_empty());
    }

    #[test]
    fn shorthand_cluster_of_booleans_then_a_value() {
        let parsed = parse("dockerd -Dvl info");
        assert_eq!(
            parsed.settings,
            vec![
                setting("debug", json!(true), 1),
                setting("version", json!(true), 1),
                setting("log-level", json!("info"), 1),
            ]
        );
        // As in pflag, "-D=" is "-D" then an unknown shorthand '='; "-l=" gives "=" as the value.
        let parsed = parse("dockerd -D= -l=");
        assert_eq!(
            parsed.settings,
            vec![
                setting("debug", json!(true), 1),
                setting("log-level", json!("="), 2)
            ]
        );
        assert_eq!(parsed.unknown, vec![(1, "-D=".to_owned())]);
    }

    #[test]
    fn graph_and_data_root_are_one_key_and_last_wins() {
        let parsed = parse("dockerd --data-root /a --log-level=info --graph=/b --log-level debug");
        assert_eq!(
            parsed.settings,
            vec![
                setting("data-root", json!("/b"), 4),
                setting("log-level", json!("debug"), 5)
            ]
        );
        assert_eq!(parsed.get("log-level").map(|s| s.index), Some(5));
    }

    #[test]
    fn integers_become_numbers_when_they_parse() {
        let parsed = parse(
            "dockerd --mtu=1400 --shutdown-timeout 30 --max-concurrent-downloads=x --oom-score-adjust=-500 --default-shm-size=64M",
        );
        assert_eq!(
            parsed.settings,
            vec![
                setting("mtu", json!(1400), 1),
                setting("shutdown-timeout", json!(30), 2),
                setting("max-concurrent-downloads", json!("x"), 4),
                setting("oom-score-adjust", json!(-500), 5),
                setting("default-shm-size", json!("64M"), 6),
            ]
        );
    }

    #[test]
    fn list_flags_map_to_plural_keys() {
        let parsed = parse(
            "dockerd --dns 8.8.8.8 --dns-opt=ndots:2 --dns-search example.com --registry-mirror=https://m \
             --insecure-registry r:5000 --authorization-plugin=authz --label a=b --label=c \
             --exec-opt native.cgroupdriver=systemd --storage-opt dm.basesize=20G \
             --default-address-pool base=10.10.0.0/16,size=24 --node-generic-resource gpu=1 \
             --allow-nondistributable-artifacts=r:5000",
        );
        let found: Vec<(&str, Value, usize)> = parsed
            .settings
            .iter()
            .map(|s| (s.key, s.value.clone(), s.index))
            .collect();
        assert_eq!(
            found,
            vec![
                ("dns", json!(["8.8.8.8"]), 1),
                ("dns-opts", json!(["ndots:2"]), 3),
                ("dns-search", json!(["example.com"]), 4),
                ("registry-mirrors", json!(["https://m"]), 6),
                ("insecure-registries", json!(["r:5000"]), 7),
                ("authorization-plugins", json!(["authz"]), 9),
                ("labels", json!(["a=b", "c"]), 12),
                ("exec-opts", json!(["native.cgroupdriver=systemd"]), 13),
                ("storage-opts", json!(["dm.basesize=20G"]), 15),
                ("default-address-pools", json!(["base=10.10.0.0/16,size=24"]), 17),
                ("node-generic-resources", json!(["gpu=1"]), 19),
                ("allow-nondistributable-artifacts", json!(["r:5000"]), 21),
            ]
        );
    }

    #[test]
    fn log_opts_and_cluster_store_opts_are_maps() {
        let parsed = parse(
            "dockerd --log-opt max-size=10m --log-opt=max-file=3 --log-opt max-size=20m --log-opt tag \
             --cluster-store-opt kv.path=/x",
        );
        assert_eq!(
            parsed.settings,
            vec![
                setting(
                    "log-opts",
                    json!({"max-size": "20m", "max-file": "3", "tag": ""}),
                    6
                ),
                setting("cluster-store-opts", json!({"kv.path": "/x"}), 8),
            ]
        );
    }

    #[test]
    fn ulimits_parse_like_go_units() {
        let parsed = parse(
            "dockerd --default-ulimit nofile=100:200 --default-ulimit=nproc=50 --default-ulimit core=-1:-1 \
             --default-ulimit memlock=5:-1 --default-ulimit nofile=1024:2048",
        );
        assert_eq!(
            parsed.settings,
            vec![setting(
                "default-ulimits",
                json!({
                    "nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048},
                    "nproc": {"Name": "nproc", "Soft": 50, "Hard": 50},
                    "core": {"Name": "core", "Soft": -1, "Hard": -1},
                    "memlock": {"Name": "memlock", "Soft": 5, "Hard": -1},
                }),
                8
            )]
        );
        assert!(parsed.errors.is_empty());
    }

    #[test]
    fn bad_ulimits_are_errors_and_parsing_goes_on() {
        let parsed = parse(
            "dockerd --default-ulimit nofile --default-ulimit foo=1 --default-ulimit nofile=a:2 \
             --default-ulimit nofile=1:2:3 --default-ulimit nofile=5:2 --default-ulimit nofile= --icc=false",
        );
        assert_eq!(parsed.settings, vec![setting("icc", json!(false), 13)]);
        assert_eq!(
            parsed.errors,
            vec![
                "invalid ulimit \"nofile\" for --default-ulimit: expected name=soft[:hard]",
                "invalid ulimit \"foo=1\" for --default-ulimit: unknown ulimit type \"foo\"",
                "invalid ulimit \"nofile=a:2\" for --default-ulimit: limit \"a\" is not an integer",
                "invalid ulimit \"nofile=1:2:3\" for --default-ulimit: too many limit values, expected soft[:hard]",
                "invalid ulimit \"nofile=5:2\" for --default-ulimit: soft limit 5 is greater than hard limit 2",
                "invalid ulimit \"nofile=\" for --default-ulimit: limit \"\" is not an integer",
            ]
        );
    }

    #[test]
    fn runtimes_and_features_are_maps() {
        let parsed = parse(
            "dockerd --add-runtime Crun=/usr/bin/crun --add-runtime runc=/x --add-runtime crun=/y \
             --add-runtime =/z --add-runtime nvidia --feature buildkit --feature=cdi=false --feature buildkit=0",
        );
        assert_eq!(
            parsed.settings,
            vec![
                setting("runtimes", json!({"crun": {"path": "/usr/bin/crun"}}), 1),
                setting("features", json!({"buildkit": false, "cdi": false}), 14),
            ]
        );
        assert_eq!(
            parsed.errors,
            vec![
                "runtime name \"runc\" is reserved",
                "runtime \"crun\" was already defined",
                "invalid runtime \"=/z\" for --add-runtime: expected name=path",
                "invalid runtime \"nvidia\" for --add-runtime: expected name=path",
            ]
        );
    }

    #[test]
    fn config_file_is_kept_apart() {
        let parsed = parse("dockerd --config-file /etc/docker/a.json --config-file=/etc/docker/b.json");
        assert_eq!(parsed.config_file, Some(("/etc/docker/b.json".to_owned(), 3)));
        assert!(parsed.settings.is_empty());
        assert_eq!(parsed.get("config-file"), None);
    }

    #[test]
    fn unknown_flags_are_recorded_as_written_and_take_no_value() {
        let parsed = parse("dockerd --bogus=1 --other value -x -Dq --icc=false");
        assert_eq!(
            parsed.unknown,
            vec![
                (1, "--bogus=1".to_owned()),
                (2, "--other".to_owned()),
                (4, "-x".to_owned()),
                (5, "-Dq".to_owned())
            ]
        );
        assert_eq!(
            parsed.settings,
            vec![setting("debug", json!(true), 5), setting("icc", json!(false), 6)]
        );
        assert_eq!(
            parsed.errors,
            vec!["unexpected argument \"value\": dockerd takes no positional arguments"]
        );
    }

    #[test]
    fn double_dash_ends_flags() {
        let parsed = parse("dockerd --debug -- --icc=false -H x -");
        assert_eq!(parsed.settings, vec![setting("debug", json!(true), 1)]);
        assert_eq!(
            parsed.errors,
            vec![
                "unexpected argument \"--icc=false\": dockerd takes no positional arguments",
                "unexpected argument \"-H\": dockerd takes no positional arguments",
                "unexpected argument \"x\": dockerd takes no positional arguments",
                "unexpected argument \"-\": dockerd takes no positional arguments",
            ]
        );
    }

    #[test]
    fn a_value_after_double_dash_position_is_still_taken_by_its_flag() {
        // pflag gives a non-boolean flag the next word whatever it is, even "--".
        let parsed = parse("dockerd --log-level -- --icc=false");
        assert_eq!(
            parsed.settings,
            vec![
                setting("log-level", json!("--"), 1),
                setting("icc", json!(false), 3)
            ]
        );
    }

    #[test]
    fn missing_values_at_the_end() {
        assert_eq!(
            parse("dockerd --log-level").errors,
            vec!["flag needs an argument: --log-level"]
        );
        assert_eq!(
            parse("dockerd -Dl").errors,
            vec!["flag needs an argument: 'l' in -l"]
        );
        assert_eq!(
            parse("dockerd --config-file").errors,
            vec!["flag needs an argument: --config-file"]
        );
        let parsed = parse("dockerd -D --default-ulimit");
        assert_eq!(parsed.settings, vec![setting("debug", json!(true), 1)]);
        assert_eq!(parsed.errors, vec!["flag needs an argument: --default-ulimit"]);
    }

    #[test]
    fn bad_flag_syntax() {
        let parsed = parse("dockerd ---debug --=x");
        assert_eq!(
            parsed.errors,
            vec!["bad flag syntax: ---debug", "bad flag syntax: --=x"]
        );
        assert!(parsed.settings.is_empty() && parsed.unknown.is_empty());
    }

    #[test]
    fn values_may_hold_spaces_and_non_ascii() {
        let argv: Vec<String> = ["dockerd", "--label", "owner=Zoë Ω", "-Hé"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let parsed = parse_dockerd_args(&argv);
        assert_eq!(
            parsed.settings,
            vec![
                setting("labels", json!(["owner=Zoë Ω"]), 1),
                setting("hosts", json!(["é"]), 3)
            ]
        );
        let parsed = parse("dockerd -é");
        assert_eq!(parsed.unknown, vec![(1, "-é".to_owned())]);
    }

    #[test]
    fn every_flag_name_and_shorthand_is_unique() {
        for (i, a) in FLAGS.iter().enumerate() {
            for b in FLAGS.iter().skip(i + 1) {
                assert_ne!(a.long, b.long);
                assert!(
                    a.short.is_none() || a.short != b.short,
                    "{} and {}",
                    a.long,
                    b.long
                );
            }
        }
    }
}
