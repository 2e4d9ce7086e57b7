//! CloudFormation YAML as people write it: the short-form tags (`!Ref`, `!GetAtt a.b`,
//! `!Sub`, …) read as their long forms, anchors and aliases resolved, and a key given
//! twice in one mapping reported with both lines instead of "last one wins".
//!
//! ```
//! let t = rcdk::yaml::parse_template("Value: !GetAtt Db.Endpoint.Address\n").unwrap();
//! assert_eq!(t["Value"], serde_json::json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Number, Value as J};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Why a YAML document could not be read, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    /// Not YAML at all (the parser's message, with line and column).
    Syntax(String),
    /// A mapping names the same key twice.
    DuplicateKey {
        /// The key.
        key: String,
        /// Where it first appears.
        first_line: usize,
        /// Where it appears again.
        second_line: usize,
    },
    /// A `!Tag` that is neither a CloudFormation short form nor a YAML core tag.
    UnknownTag {
        /// The tag.
        tag: String,
        /// Where.
        line: usize,
    },
    /// A short form applied to a value of the wrong shape (`!GetAtt` of a mapping, …).
    BadShortForm {
        /// The short form (`!GetAtt`).
        tag: String,
        /// Where.
        line: usize,
        /// What shape it needs.
        why: String,
    },
    /// Not one document, or a key that is not a string.
    Shape(String),
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YamlError::Syntax(m) | YamlError::Shape(m) => f.write_str(m),
            YamlError::DuplicateKey {
                key,
                first_line,
                second_line,
            } => write!(
                f,
                "key '{key}' appears twice in one mapping, at line {first_line} and at line {second_line}; keep one of them"
            ),
            YamlError::UnknownTag { tag, line } => write!(
                f,
                "unknown tag '{tag}' at line {line}; CloudFormation's short forms are {}",
                SHORT_FORMS.join(", ")
            ),
            YamlError::BadShortForm { tag, line, why } => {
                write!(f, "'{tag}' at line {line}: {why}")
            }
        }
    }
}

impl std::error::Error for YamlError {}

/// The short forms CloudFormation accepts, each standing for `Fn::<Name>` except the
/// first two (`Ref`, `Condition`).
const SHORT_FORMS: &[&str] = &[
    "!Ref",
    "!Condition",
    "!Base64",
    "!Cidr",
    "!FindInMap",
    "!GetAtt",
    "!GetAZs",
    "!ImportValue",
    "!Join",
    "!Select",
    "!Split",
    "!Sub",
    "!Transform",
    "!And",
    "!Equals",
    "!If",
    "!Not",
    "!Or",
    "!ToJsonString",
    "!Length",
    "!ForEach",
];

/// Reads a template written in JSON or in YAML (with short forms) into the JSON CloudFormation
/// reads. JSON is tried first: it is YAML too, but parsing it as JSON is faster and exact.
pub fn parse_template(text: &str) -> Result<J, YamlError> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    parse(text)
}

/// Reads one YAML document into JSON, short forms expanded.
pub fn parse(text: &str) -> Result<J, YamlError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| YamlError::Syntax(e.to_string()))?;
    if let Some(e) = builder.error {
        return Err(e);
    }
    match builder.done.len() {
        1 => Ok(builder.done.pop().unwrap_or(J::Null)),
        0 => Err(YamlError::Shape("the YAML document is empty".into())),
        n => Err(YamlError::Shape(format!(
            "expected one YAML document, found {n}"
        ))),
    }
}

/// A node under construction.
enum Frame {
    Seq {
        items: Vec<J>,
        tag: Option<(Tag, usize)>,
        anchor: usize,
    },
    Map {
        entries: Map<String, J>,
        /// Line of each key, to name both lines of a duplicate.
        lines: BTreeMap<String, usize>,
        pending_key: Option<(String, usize)>,
        tag: Option<(Tag, usize)>,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: BTreeMap<usize, J>,
    done: Vec<J>,
    error: Option<YamlError>,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.event(ev, mark) {
            self.error = Some(e);
        }
    }
}

impl Builder {
    fn event(&mut self, ev: Event, mark: Marker) -> Result<(), YamlError> {
        let line = mark.line();
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                // A key is always text; only values are typed and tagged.
                if let Some(Frame::Map {
                    pending_key: pending @ None,
                    ..
                }) = self.stack.last_mut()
                {
                    if tag.is_some() {
                        return Err(YamlError::Shape(format!(
                            "a mapping key at line {line} has a tag; keys are plain text"
                        )));
                    }
                    *pending = Some((text, line));
                    return Ok(());
                }
                let value = match tag {
                    Some(t) => expand(&t, line, scalar_under_tag(&t, text))?,
                    None => plain_scalar(text, style),
                };
                self.value(value, anchor, line)
            }
            Event::SequenceStart(anchor, tag) => {
                self.expect_value(line)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    tag: tag.map(|t| (t, line)),
                    anchor,
                });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.expect_value(line)?;
                self.stack.push(Frame::Map {
                    entries: Map::new(),
                    lines: BTreeMap::new(),
                    pending_key: None,
                    tag: tag.map(|t| (t, line)),
                    anchor,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, tag, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, tag, anchor }) => (J::Array(items), tag, anchor),
                    Some(Frame::Map {
                        entries,
                        tag,
                        anchor,
                        ..
                    }) => (J::Object(entries), tag, anchor),
                    None => return Err(YamlError::Shape("unbalanced YAML events".into())),
                };
                let value = match tag {
                    Some((t, tag_line)) => expand(&t, tag_line, value)?,
                    None => value,
                };
                self.value(value, anchor, line)
            }
            Event::Alias(id) => {
                let value = self.anchors.get(&id).cloned().ok_or_else(|| {
                    YamlError::Shape(format!("alias at line {line} names no anchor"))
                })?;
                if let Some(Frame::Map {
                    pending_key: pending @ None,
                    ..
                }) = self.stack.last_mut()
                {
                    let J::String(key) = value else {
                        return Err(YamlError::Shape(format!(
                            "the alias used as a key at line {line} is not text"
                        )));
                    };
                    *pending = Some((key, line));
                    return Ok(());
                }
                self.value(value, 0, line)
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => Ok(()),
        }
    }

    /// A collection may not stand where a mapping key is expected.
    fn expect_value(&self, line: usize) -> Result<(), YamlError> {
        match self.stack.last() {
            Some(Frame::Map {
                pending_key: None, ..
            }) => Err(YamlError::Shape(format!(
                "a mapping key at line {line} is a list or mapping; keys are plain text"
            ))),
            _ => Ok(()),
        }
    }

    /// Places a finished value in its parent.
    fn value(&mut self, value: J, anchor: usize, line: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => self.done.push(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                entries,
                lines,
                pending_key,
                ..
            }) => {
                let Some((key, key_line)) = pending_key.take() else {
                    return Err(YamlError::Shape(format!(
                        "a value at line {line} has no key"
                    )));
                };
                if let Some(&first_line) = lines.get(&key) {
                    return Err(YamlError::DuplicateKey {
                        key,
                        first_line,
                        second_line: key_line,
                    });
                }
                lines.insert(key.clone(), key_line);
                entries.insert(key, value);
            }
        }
        Ok(())
    }
}

/// A plain scalar's type by the YAML 1.2 core schema, plus YAML 1.1's `yes`/`no`/`on`/`off`
/// booleans, which CloudFormation (a YAML 1.1 reader) and cfn-lint also take; quoted scalars
/// are always text.
fn plain_scalar(text: String, style: TScalarStyle) -> J {
    if style != TScalarStyle::Plain {
        return J::String(text);
    }
    match text.as_str() {
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return J::Bool(true),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" => return J::Bool(false),
        "Null" | "NULL" => return J::Null,
        _ => {}
    }
    match yaml_rust2::Yaml::from_str(&text) {
        yaml_rust2::Yaml::Null => J::Null,
        yaml_rust2::Yaml::Boolean(b) => J::Bool(b),
        yaml_rust2::Yaml::Integer(i) => J::from(i),
        yaml_rust2::Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or(J::String(text), J::Number),
        _ => J::String(text),
    }
}

/// The value a tagged scalar carries: text for the short forms, typed for `!!int` and kin.
fn scalar_under_tag(tag: &Tag, text: String) -> J {
    if is_core(tag) && tag.suffix != "str" {
        plain_scalar(text, TScalarStyle::Plain)
    } else {
        J::String(text)
    }
}

fn is_core(tag: &Tag) -> bool {
    tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!"
}

/// A tagged value in its long form.
fn expand(tag: &Tag, line: usize, value: J) -> Result<J, YamlError> {
    if is_core(tag) {
        return Ok(value);
    }
    let name = tag.suffix.as_str();
    let shown = format!("!{name}");
    if tag.handle != "!" || !SHORT_FORMS.contains(&shown.as_str()) {
        return Err(YamlError::UnknownTag {
            tag: format!("{}{}", tag.handle, tag.suffix),
            line,
        });
    }
    let bad = |why: &str| YamlError::BadShortForm {
        tag: shown.clone(),
        line,
        why: why.to_owned(),
    };
    let long = match name {
        "Ref" | "Condition" => {
            if !value.is_string() {
                return Err(bad("takes a name (text)"));
            }
            (name.to_owned(), value)
        }
        "GetAtt" => {
            let parts = match value {
                // `!GetAtt Db.Endpoint.Address`: the logical id ends at the first dot.
                J::String(s) => match s.split_once('.') {
                    Some((id, attr)) if !id.is_empty() && !attr.is_empty() => {
                        J::Array(vec![J::from(id), J::from(attr)])
                    }
                    _ => return Err(bad("takes LogicalId.Attribute")),
                },
                list @ J::Array(_) => list,
                _ => return Err(bad("takes LogicalId.Attribute or [LogicalId, Attribute]")),
            };
            ("Fn::GetAtt".to_owned(), parts)
        }
        _ => (format!("Fn::{name}"), value),
    };
    let mut m = Map::new();
    m.insert(long.0, long.1);
    Ok(J::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_short_forms_expand() {
        let v = parse("A: !Join ['', [!Ref X, !Select [0, !GetAZs '']]]\n").unwrap();
        assert_eq!(
            v,
            json!({"A": {"Fn::Join": ["", [{"Ref": "X"}, {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]}})
        );
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let e = parse("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
        assert_eq!(
            e,
            YamlError::DuplicateKey {
                key: "c".into(),
                first_line: 3,
                second_line: 4
            }
        );
    }
}
