//! Which parts of `input` a policy's modules can reach, read from their text, so that an input
//! is built only as far as they look into it: converting a whole container to regorus' value
//! costs far more than evaluating a typical rule on it, and the plugin pays it on every request.
//!
//! A module reaches `input` only through the `input` keyword. Each occurrence followed by a
//! chain of `.name` fields (`input.workload.image.value`) needs that field and everything under
//! it; any other use (`input` alone, `input[k]`, `walk(input)`, `input .x`) needs everything from
//! the last plain field on. The scan only ever over-includes: what a module cannot name, it cannot
//! observe, so its findings are the same as on the whole input.

use std::collections::BTreeMap;

/// The part of a value that is needed: all of it, or some of its fields (each with its own part).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Needed {
    /// The value and everything under it.
    All,
    /// Only these fields of an object (every other kind of value is taken whole).
    Fields(BTreeMap<String, Needed>),
}

/// [`Needed::All`] for the serializer to borrow.
pub(crate) static ALL: Needed = Needed::All;

impl Needed {
    /// Nothing (yet).
    pub fn nothing() -> Needed {
        Needed::Fields(BTreeMap::new())
    }

    /// The part needed of field `name`, if any.
    pub fn field(&self, name: &str) -> Option<&Needed> {
        match self {
            Needed::All => Some(&ALL),
            Needed::Fields(fields) => fields.get(name),
        }
    }

    /// Whether everything is needed.
    pub fn is_all(&self) -> bool {
        matches!(self, Needed::All)
    }

    /// Marks everything under `path` as needed.
    pub fn add(&mut self, path: &[&str]) {
        let Needed::Fields(fields) = self else { return };
        match path.split_first() {
            None => *self = Needed::All,
            Some((first, rest)) => fields
                .entry((*first).to_string())
                .or_insert_with(Needed::nothing)
                .add(rest),
        }
    }

    /// Adds what `other` needs.
    pub fn merge(&mut self, other: Needed) {
        match (self, other) {
            (Needed::All, _) => {}
            (this, Needed::All) => *this = Needed::All,
            (Needed::Fields(mine), Needed::Fields(theirs)) => {
                for (name, part) in theirs {
                    match mine.get_mut(&name) {
                        Some(existing) => existing.merge(part),
                        None => {
                            mine.insert(name, part);
                        }
                    }
                }
            }
        }
    }
}

fn starts_name(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn in_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What of `input` one module's text can reach (outside strings and comments).
pub fn input_references(text: &str) -> Needed {
    let bytes = text.as_bytes();
    let mut needed = Needed::nothing();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            // A template string (`$"… {input.x} …"`, OPA 1.7; regorus 0.14 has none) would hide
            // references inside a string: everything is needed.
            b'$' if matches!(bytes.get(i + 1), Some(b'"' | b'`')) => return Needed::All,
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    // An escape takes the next byte with it (`\"` does not end the string).
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b if starts_name(b) => {
                let start = i;
                while i < bytes.len() && in_name(bytes[i]) {
                    i += 1;
                }
                if &text[start..i] == "input" {
                    let mut path = Vec::new();
                    while i + 1 < bytes.len() && bytes[i] == b'.' && starts_name(bytes[i + 1]) {
                        let field = i + 1;
                        i = field;
                        while i < bytes.len() && in_name(bytes[i]) {
                            i += 1;
                        }
                        path.push(&text[field..i]);
                    }
                    needed.add(&path);
                    if needed.is_all() {
                        return needed;
                    }
                }
            }
            // A number's digits, operators, brackets: nothing that names input.
            _ => i += 1,
        }
    }
    needed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(parts: &[(&str, Needed)]) -> Needed {
        Needed::Fields(parts.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect())
    }

    #[test]
    fn a_chain_of_fields_needs_its_last_field_whole() {
        let text = r#"package dockward.custom
import rego.v1
deny contains {"id": "ORG001", "message": "m"} if {
    input.kind == "container"
    not startswith(input.workload.image.value, "registry.example.com/")
}"#;
        assert_eq!(
            input_references(text),
            fields(&[
                ("kind", Needed::All),
                (
                    "workload",
                    fields(&[("image", fields(&[("value", Needed::All)]))])
                ),
            ])
        );
    }

    #[test]
    fn brackets_and_calls_need_everything_from_the_last_plain_field() {
        assert_eq!(
            input_references("x := input.workload.mounts[_].source\ny := count(input.workload.labels)"),
            fields(&[(
                "workload",
                fields(&[("mounts", Needed::All), ("labels", Needed::All)])
            )])
        );
        assert_eq!(
            input_references(r#"x := input.workload["image"]"#),
            fields(&[("workload", Needed::All)])
        );
    }

    #[test]
    fn input_used_whole_needs_everything() {
        for text in [
            "x := walk(input)",
            "some k, v in input",
            "x := input[k]",
            "x := input .workload",
            "import input\nx := input.workload",
            "x := input",
        ] {
            assert_eq!(input_references(text), Needed::All, "{text}");
        }
    }

    #[test]
    fn an_import_of_a_field_needs_that_field() {
        assert_eq!(
            input_references("import input.workload as w\nx := w.image"),
            fields(&[("workload", Needed::All)])
        );
    }

    #[test]
    fn strings_comments_and_longer_names_are_not_references() {
        let text =
            "# input\nx := \"input \\\" input\"\ny := `input`\nmy_input := 1\ninputs := 2\nz := input.kind";
        assert_eq!(input_references(text), fields(&[("kind", Needed::All)]));
    }

    #[test]
    fn a_template_string_needs_everything() {
        assert_eq!(
            input_references("x := $\"image {input.workload.image.value}\""),
            Needed::All
        );
        assert_eq!(
            input_references("x := \"$\"\ny := input.kind"),
            fields(&[("kind", Needed::All)])
        );
    }

    #[test]
    fn a_module_without_input_needs_nothing() {
        assert_eq!(
            input_references("package dockward.x\nimport rego.v1\nallow := true"),
            Needed::nothing()
        );
    }

    #[test]
    fn the_widest_reference_wins_in_either_order() {
        let wide = fields(&[("workload", Needed::All)]);
        assert_eq!(
            input_references("a := input.workload.image.value\nb := input.workload"),
            wide
        );
        assert_eq!(
            input_references("b := input.workload\na := input.workload.image.value"),
            wide
        );
        let mut merged = input_references("a := input.workload.image.value");
        merged.merge(input_references("b := input.workload.user"));
        merged.merge(input_references("c := input.kind"));
        assert_eq!(
            merged,
            fields(&[
                ("kind", Needed::All),
                (
                    "workload",
                    fields(&[
                        ("image", fields(&[("value", Needed::All)])),
                        ("user", Needed::All)
                    ])
                ),
            ])
        );
        merged.merge(Needed::All);
        assert!(merged.is_all());
    }

    #[test]
    fn unterminated_strings_and_a_trailing_dot_do_not_panic() {
        assert_eq!(input_references("x := input."), Needed::All);
        assert_eq!(input_references("x := \"input.a \\"), Needed::nothing());
        assert_eq!(input_references("x := `input"), Needed::nothing());
    }
}
