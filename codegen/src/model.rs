//! A resource schema turned into Rust-shaped structs, fields and attributes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as J;

use crate::names::{pascal, snake};

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Str,
    Int,
    Float,
    Bool,
    List(Box<Ty>),
    Map(Box<Ty>),
    Struct(String),
    /// The shared `CfnTag` (Key/Value).
    Tag,
    /// A hand-written document type of the L1 crate (a policy document, …), by path.
    Doc(&'static str),
    Json,
}

#[derive(Debug)]
pub struct Field {
    pub cfn: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub boxed: bool,
    pub doc: String,
}

#[derive(Debug)]
pub struct Struct {
    pub name: String,
    pub doc: String,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Attribute {
    pub name: String,
    pub method: String,
    pub ty: Ty,
}

/// A field generated as untyped JSON because its schema gives no shape.
#[derive(Debug, Clone)]
pub struct Fallback {
    pub type_name: String,
    /// JSON pointer below the resource's properties, `/properties/A/B`.
    pub path: String,
    pub why: &'static str,
}

#[derive(Debug)]
pub struct Resource {
    pub type_name: String,
    /// The resource's page in the CloudFormation template reference.
    pub doc_url: String,
    pub fallbacks: Vec<Fallback>,
    pub module: String,
    pub rust_name: String,
    pub doc: String,
    pub props: Struct,
    pub nested: Vec<Struct>,
    pub attributes: Vec<Attribute>,
}

/// Names the generated code imports; definitions with these names get a suffix.
const RESERVED: &[&str] = &[
    "Option",
    "Result",
    "Box",
    "Vec",
    "String",
    "Value",
    "Expr",
    "Json",
    "Scope",
    "ToValue",
    "PropMap",
    "CfnResource",
    "CfnTag",
    "BTreeMap",
    "Default",
    "Clone",
    "Debug",
    "Self",
    "Deref",
];

struct Builder<'a> {
    type_name: &'a str,
    defs: &'a serde_json::Map<String, J>,
    read_only: BTreeSet<String>,
    create_only: BTreeSet<String>,
    /// Definition key → Rust struct name.
    def_names: BTreeMap<String, String>,
    structs: BTreeMap<String, Struct>,
    used_names: BTreeSet<String>,
    fallbacks: Vec<(String, &'static str)>,
}

fn doc_of(schema: &J) -> String {
    schema
        .get("description")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn is_struct(schema: &J) -> bool {
    schema
        .get("properties")
        .and_then(J::as_object)
        .is_some_and(|p| !p.is_empty())
}

fn is_tag_def(schema: &J) -> bool {
    let Some(props) = schema.get("properties").and_then(J::as_object) else {
        return false;
    };
    let keys: BTreeSet<&str> = props.keys().map(String::as_str).collect();
    keys == BTreeSet::from(["Key", "Value"])
        && props
            .values()
            .all(|p| p.get("type").and_then(J::as_str) == Some("string"))
}

impl<'a> Builder<'a> {
    fn unique_name(&mut self, wanted: String, suffix: &str) -> String {
        let mut name = wanted;
        if RESERVED.contains(&name.as_str()) || name.starts_with("Cfn") {
            name = format!("{name}{suffix}");
        }
        let mut candidate = name.clone();
        let mut n = 2;
        while self.used_names.contains(&candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.used_names.insert(candidate.clone());
        candidate
    }

    fn definition(&self, reference: &str) -> Option<(&'a str, &'a J)> {
        let key = reference.strip_prefix("#/definitions/")?;
        self.defs.get_key_value(key).map(|(k, v)| (k.as_str(), v))
    }

    /// The Rust type of a property schema. `path` is its JSON pointer below the
    /// resource (`/properties/A/B`), used to skip read-only nested fields.
    fn ty(&mut self, schema: &J, hint: &str, path: &str) -> Ty {
        let (ty, why) = self.shape(schema, hint, path);
        if let Some(why) = why {
            if let Some(doc) = crate::documents::document_type(self.type_name, path) {
                return Ty::Doc(doc);
            }
            self.fallbacks.push((path.to_owned(), why));
        }
        ty
    }

    /// The type of a schema, and why it is untyped JSON where it is.
    fn shape(&mut self, schema: &J, hint: &str, path: &str) -> (Ty, Option<&'static str>) {
        if let Some(reference) = schema.get("$ref").and_then(J::as_str) {
            let Some((key, def)) = self.definition(reference) else {
                return (Ty::Json, Some("refers outside the schema's definitions"));
            };
            if is_tag_def(def) {
                return (Ty::Tag, None);
            }
            if is_struct(def) {
                if let Some(name) = self.def_names.get(key) {
                    return (Ty::Struct(name.clone()), None);
                }
                let name = self.unique_name(pascal(key), "Property");
                self.def_names.insert(key.to_owned(), name.clone());
                self.build_struct(&name, def, path);
                return (Ty::Struct(name), None);
            }
            return self.shape(def, key, path);
        }
        let kind = match schema.get("type") {
            Some(J::String(s)) => s.as_str(),
            Some(J::Array(a)) if a.len() == 1 => a[0].as_str().unwrap_or(""),
            Some(_) => return (Ty::Json, Some("several alternative types")),
            None if is_struct(schema) => "object",
            None if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() => {
                return (Ty::Json, Some("alternative shapes (oneOf/anyOf)"));
            }
            None => return (Ty::Json, Some("no type given")),
        };
        match kind {
            "string" => (Ty::Str, None),
            "integer" => (Ty::Int, None),
            "number" => (Ty::Float, None),
            "boolean" => (Ty::Bool, None),
            "array" => match schema.get("items") {
                Some(items) if items.get("type").and_then(J::as_str) != Some("array") => (
                    Ty::List(Box::new(self.ty(items, hint, &format!("{path}/*")))),
                    None,
                ),
                Some(_) => (Ty::Json, Some("a list of lists")),
                None => (Ty::Json, Some("a list with no item type")),
            },
            "object" => {
                if is_struct(schema) {
                    if is_tag_def(schema) {
                        return (Ty::Tag, None);
                    }
                    let name = self.unique_name(pascal(hint), "Property");
                    self.build_struct(&name, schema, path);
                    return (Ty::Struct(name), None);
                }
                let value_schema = schema
                    .get("patternProperties")
                    .and_then(J::as_object)
                    .and_then(|p| p.values().next())
                    .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                match value_schema {
                    Some(v) => (
                        Ty::Map(Box::new(self.ty(v, hint, &format!("{path}/*")))),
                        None,
                    ),
                    None => (
                        Ty::Json,
                        Some("an object with no declared properties (free-form JSON)"),
                    ),
                }
            }
            _ => (Ty::Json, Some("an unknown type")),
        }
    }

    fn fields(&mut self, schema: &J, path: &str) -> Vec<Field> {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
            .filter_map(J::as_str)
            .collect();
        let Some(props) = schema.get("properties").and_then(J::as_object) else {
            return Vec::new();
        };
        let mut fields = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (name, prop) in props {
            let prop_path = format!("{path}/{name}");
            if self.read_only.contains(&prop_path) || self.all_read_only(prop, &prop_path) {
                continue;
            }
            let ty = self.ty(prop, name, &prop_path);
            let mut rust = snake(name);
            while !rust_names.insert(rust.clone()) {
                rust.push('_');
            }
            let mut doc = doc_of(prop);
            if let Some(values) = prop.get("enum").and_then(J::as_array) {
                let list: Vec<String> = values
                    .iter()
                    .filter_map(J::as_str)
                    .map(|v| format!("`{v}`"))
                    .collect();
                if !list.is_empty() {
                    doc.push_str(&format!("\n\nAllowed values: {}.", list.join(", ")));
                }
            }
            if self.create_only.contains(&prop_path) {
                doc.push_str("\n\nCreate-only: changing it replaces the resource.");
            }
            fields.push(Field {
                cfn: name.clone(),
                rust,
                ty,
                required: required.contains(name.as_str()),
                boxed: false,
                doc,
            });
        }
        fields
    }

    /// A top-level object property all of whose fields are attributes (e.g. an endpoint).
    fn all_read_only(&self, prop: &J, path: &str) -> bool {
        let target = match prop.get("$ref").and_then(J::as_str) {
            Some(r) => self.definition(r).map(|(_, d)| d),
            None => Some(prop),
        };
        match target
            .and_then(|t| t.get("properties"))
            .and_then(J::as_object)
        {
            Some(props) if !props.is_empty() => props
                .keys()
                .all(|k| self.read_only.contains(&format!("{path}/{k}"))),
            _ => false,
        }
    }

    fn build_struct(&mut self, name: &str, schema: &J, path: &str) {
        // Insert first so recursive definitions find the name.
        self.structs.insert(
            name.to_owned(),
            Struct {
                name: name.to_owned(),
                doc: doc_of(schema),
                fields: Vec::new(),
            },
        );
        let fields = self.fields(schema, path);
        if let Some(s) = self.structs.get_mut(name) {
            s.fields = fields;
        }
    }

    /// Boxes struct fields that would otherwise make a type contain itself.
    fn box_recursive_fields(&mut self) {
        let edges: BTreeMap<String, Vec<String>> = self
            .structs
            .iter()
            .map(|(n, s)| {
                let direct = s
                    .fields
                    .iter()
                    .filter_map(|f| match &f.ty {
                        Ty::Struct(d) => Some(d.clone()),
                        _ => None,
                    })
                    .collect();
                (n.clone(), direct)
            })
            .collect();
        let reaches = |from: &str, to: &str| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    stack.extend(edges.get(&n).into_iter().flatten().cloned());
                }
            }
            false
        };
        let mut to_box = Vec::new();
        for (name, s) in &self.structs {
            for (i, f) in s.fields.iter().enumerate() {
                if let Ty::Struct(d) = &f.ty
                    && reaches(d, name)
                {
                    to_box.push((name.clone(), i));
                }
            }
        }
        for (name, i) in to_box {
            if let Some(s) = self.structs.get_mut(&name) {
                s.fields[i].boxed = true;
            }
        }
    }
}

fn pointer_set(schema: &J, key: &str) -> BTreeSet<String> {
    schema
        .get(key)
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(J::as_str)
        .map(str::to_owned)
        .collect()
}

impl Resource {
    pub fn build(
        type_name: &str,
        schema: &J,
        attribute_names: &[String],
    ) -> Result<Resource, String> {
        let empty = serde_json::Map::new();
        let defs = schema
            .get("definitions")
            .and_then(J::as_object)
            .unwrap_or(&empty);
        let short = type_name.rsplit("::").next().unwrap_or(type_name);
        let rust_name = format!("Cfn{}", pascal(short));
        let mut b = Builder {
            type_name,
            defs,
            read_only: pointer_set(schema, "readOnlyProperties"),
            create_only: pointer_set(schema, "createOnlyProperties"),
            def_names: BTreeMap::new(),
            structs: BTreeMap::new(),
            used_names: BTreeSet::from([rust_name.clone(), format!("{rust_name}Props")]),
            fallbacks: Vec::new(),
        };
        let props_fields = b.fields(schema, "/properties");
        let props_name = format!("{rust_name}Props");
        b.structs.insert(
            props_name.clone(),
            Struct {
                name: props_name.clone(),
                doc: format!("Properties of [`{rust_name}`]."),
                fields: props_fields,
            },
        );
        b.box_recursive_fields();
        let mut attributes = Vec::new();
        let mut methods = BTreeSet::new();
        for name in attribute_names {
            let parts: Vec<&str> = name.split('.').collect();
            let ty = attribute_type(schema, defs, &parts);
            let method = format!(
                "attr_{}",
                parts
                    .iter()
                    .map(|p| snake(p).trim_end_matches('_').to_owned())
                    .collect::<Vec<_>>()
                    .join("_")
            );
            if methods.insert(method.clone()) {
                attributes.push(Attribute {
                    name: parts.join("."),
                    method,
                    ty,
                });
            }
        }
        let mut structs = std::mem::take(&mut b.structs);
        let props = structs.remove(&props_name).ok_or("props struct vanished")?;
        let fallbacks = b
            .fallbacks
            .iter()
            .map(|(path, why)| Fallback {
                type_name: type_name.to_owned(),
                path: path.clone(),
                why,
            })
            .collect();
        Ok(Resource {
            type_name: type_name.to_owned(),
            doc_url: doc_url(type_name, schema),
            fallbacks,
            module: snake(short),
            rust_name,
            doc: doc_of(schema),
            props,
            nested: structs.into_values().collect(),
            attributes,
        })
    }
}

/// The type of a read-only property, following `$ref`s; lists stay lists, all else is scalar.
fn attribute_type(schema: &J, defs: &serde_json::Map<String, J>, parts: &[&str]) -> Ty {
    let mut cur = schema;
    for part in parts {
        let Some(next) = cur.get("properties").and_then(|p| p.get(*part)) else {
            return Ty::Str;
        };
        cur = next;
        while let Some(r) = cur.get("$ref").and_then(J::as_str) {
            match r.strip_prefix("#/definitions/").and_then(|k| defs.get(k)) {
                Some(d) => cur = d,
                None => return Ty::Str,
            }
        }
    }
    match cur.get("type").and_then(J::as_str) {
        Some("integer") => Ty::Int,
        Some("number") => Ty::Float,
        Some("boolean") => Ty::Bool,
        Some("array") => Ty::List(Box::new(Ty::Str)),
        Some("object") => Ty::Json,
        _ => Ty::Str,
    }
}

/// The type's page in the CloudFormation template reference (the schema's own link where
/// it has one).
fn doc_url(type_name: &str, schema: &J) -> String {
    if let Some(url) = schema.get("documentationUrl").and_then(J::as_str) {
        return url.to_owned();
    }
    let parts: Vec<String> = type_name
        .split("::")
        .skip(1)
        .map(str::to_ascii_lowercase)
        .collect();
    format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-{}.html",
        parts.join("-")
    )
}
