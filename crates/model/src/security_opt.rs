//! `--security-opt` values parsed the way dockerd parses them.
//!
//! dockerd accepts `key=value` and the legacy `key:value`, bare `no-new-privileges` and bare
//! `disable` (a legacy label option), and lets later entries override earlier ones. Judging the
//! raw strings instead (as several tools do) misses `seccomp:unconfined` or a trailing
//! `no-new-privileges=false`.

/// A parsed entry, with its index in the `SecurityOpt` list for provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<T> {
    /// The parsed value.
    pub value: T,
    /// Index of the entry in the original list.
    pub index: usize,
}

/// Security options after dockerd's parsing rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecurityOpts {
    /// `seccomp=` value (`unconfined`, `builtin`, or an inline JSON profile); last one wins.
    pub seccomp: Option<Entry<String>>,
    /// `apparmor=` profile; last one wins.
    pub apparmor: Option<Entry<String>>,
    /// `label=` values in order (`disable`, `user:…`, `role:…`, `type:…`, `level:…`).
    pub labels: Vec<Entry<String>>,
    /// `no-new-privileges[=bool]`; last one wins.
    pub no_new_privileges: Option<Entry<bool>>,
    /// `systempaths=unconfined`.
    pub systempaths_unconfined: Option<usize>,
    /// Entries dockerd would reject.
    pub invalid: Vec<Entry<String>>,
}

impl SecurityOpts {
    /// Parses a `SecurityOpt` list.
    pub fn parse(options: &[String]) -> Self {
        let mut parsed = SecurityOpts::default();
        for (index, raw) in options.iter().enumerate() {
            let raw = raw.as_str();
            if raw == "no-new-privileges" {
                parsed.no_new_privileges = Some(Entry { value: true, index });
                continue;
            }
            if raw == "disable" {
                parsed.labels.push(Entry {
                    value: "disable".into(),
                    index,
                });
                continue;
            }
            let Some((key, value)) = raw.split_once('=').or_else(|| raw.split_once(':')) else {
                parsed.invalid.push(Entry {
                    value: raw.into(),
                    index,
                });
                continue;
            };
            match key {
                "seccomp" => {
                    parsed.seccomp = Some(Entry {
                        value: value.into(),
                        index,
                    })
                }
                "apparmor" => {
                    parsed.apparmor = Some(Entry {
                        value: value.into(),
                        index,
                    })
                }
                "label" => parsed.labels.push(Entry {
                    value: value.into(),
                    index,
                }),
                "no-new-privileges" => match parse_go_bool(value) {
                    Some(value) => parsed.no_new_privileges = Some(Entry { value, index }),
                    None => parsed.invalid.push(Entry {
                        value: raw.into(),
                        index,
                    }),
                },
                "systempaths" if value == "unconfined" => {
                    parsed.systempaths_unconfined = Some(index);
                }
                _ => parsed.invalid.push(Entry {
                    value: raw.into(),
                    index,
                }),
            }
        }
        parsed
    }

    /// Whether SELinux labelling is disabled (`label=disable`).
    pub fn label_disabled(&self) -> Option<usize> {
        self.labels.iter().find(|l| l.value == "disable").map(|l| l.index)
    }
}

/// Go's `strconv.ParseBool`, which dockerd uses for option values.
pub fn parse_go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(list: &[&str]) -> SecurityOpts {
        SecurityOpts::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn legacy_colon_separator_is_accepted() {
        let parsed = opts(&["seccomp:unconfined", "apparmor:unconfined"]);
        assert_eq!(parsed.seccomp.map(|e| e.value).as_deref(), Some("unconfined"));
        assert_eq!(parsed.apparmor.map(|e| e.value).as_deref(), Some("unconfined"));
    }

    #[test]
    fn inline_seccomp_profile_keeps_its_colons() {
        let parsed = opts(&[r#"seccomp={"defaultAction":"SCMP_ACT_ALLOW"}"#]);
        assert_eq!(
            parsed.seccomp.map(|e| e.value).as_deref(),
            Some(r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#)
        );
    }

    #[test]
    fn last_no_new_privileges_wins() {
        let parsed = opts(&["no-new-privileges", "no-new-privileges=F"]);
        assert_eq!(
            parsed.no_new_privileges,
            Some(Entry {
                value: false,
                index: 1
            })
        );
        let parsed = opts(&["no-new-privileges:false", "no-new-privileges"]);
        assert_eq!(
            parsed.no_new_privileges,
            Some(Entry {
                value: true,
                index: 1
            })
        );
    }

    #[test]
    fn bare_disable_is_a_label_option() {
        assert_eq!(opts(&["disable"]).label_disabled(), Some(0));
        assert_eq!(opts(&["label=user:u", "label:disable"]).label_disabled(), Some(1));
        assert_eq!(opts(&["label=type:t"]).label_disabled(), None);
    }

    #[test]
    fn unknown_options_are_invalid() {
        let parsed = opts(&["bogus", "no-new-privileges=maybe"]);
        assert_eq!(parsed.invalid.len(), 2);
    }
}
