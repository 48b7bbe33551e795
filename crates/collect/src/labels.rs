//! Labels of a workload (`Config.Labels`, a request's `Labels`, compose `labels:`, Kubernetes
//! `metadata.labels`), read the same bounded way from every source.
//!
//! Labels are not security facts: policy waivers select workloads by them. A malformed label
//! (a key that is not a string, a value that is a list) is left out rather than reported, and a
//! source cannot make dockward hold more than [`MAX_LABELS`] labels of at most
//! [`MAX_LABEL_BYTES`] each per workload.

use std::collections::BTreeMap;

use serde_json::Value;

/// The most labels kept per workload; the rest (in the source's order) are left out.
pub const MAX_LABELS: usize = 1024;

/// The longest label kept, key and value together, in bytes; longer ones are left out.
pub const MAX_LABEL_BYTES: usize = 64 * 1024;

/// Collects labels within the bounds: empty keys and oversized labels are left out; a repeated
/// key keeps its last value (as Docker and compose do).
pub(crate) fn bounded<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    for (key, value) in pairs {
        let (key, value) = (key.as_ref(), value.as_ref());
        if key.is_empty() || key.len() + value.len() > MAX_LABEL_BYTES {
            continue;
        }
        if labels.len() >= MAX_LABELS && !labels.contains_key(key) {
            break;
        }
        labels.insert(key.to_string(), value.to_string());
    }
    labels
}

/// The labels of a JSON object of strings (`{"team": "web"}`); `null` values are empty
/// (as dockerd decodes them), other values and anything but an object are left out.
pub(crate) fn from_json(value: Option<&Value>) -> BTreeMap<String, String> {
    let Some(map) = value.and_then(Value::as_object) else {
        return BTreeMap::new();
    };
    bounded(map.iter().filter_map(|(key, value)| match value {
        Value::String(s) => Some((key.as_str(), s.as_str())),
        Value::Null => Some((key.as_str(), "")),
        _ => None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_labels_keep_strings_and_drop_the_malformed() {
        let labels = from_json(Some(
            &json!({"team": "web", "empty": null, "n": 3, "l": ["x"], "": "x"}),
        ));
        assert_eq!(
            labels,
            BTreeMap::from([
                ("empty".to_string(), String::new()),
                ("team".to_string(), "web".to_string())
            ])
        );
        assert!(from_json(Some(&json!(["team=web"]))).is_empty());
        assert!(from_json(None).is_empty());
    }

    #[test]
    fn labels_are_bounded_in_number_and_size() {
        let many = (0..MAX_LABELS + 10).map(|i| (format!("k{i:05}"), "v".to_string()));
        let labels = bounded(many);
        assert_eq!(labels.len(), MAX_LABELS);
        assert!(labels.contains_key("k00000") && !labels.contains_key(&format!("k{MAX_LABELS:05}")));
        let huge = "x".repeat(MAX_LABEL_BYTES);
        assert_eq!(
            bounded([("big", huge.as_str()), ("ok", "1")]),
            BTreeMap::from([("ok".to_string(), "1".to_string())])
        );
        // A repeated key keeps its last value.
        assert_eq!(
            bounded([("a", "1"), ("a", "2")]),
            BTreeMap::from([("a".to_string(), "2".to_string())])
        );
    }
}
