//! The L1 shape table `rcdk migrate` writes typed code from: for every resource type, the
//! Rust module and struct names, each struct's fields with their types, and the typed
//! attribute methods. One JSON line per type, so that a schema update reads as a diff.

use std::fmt::Write;

use serde_json::{Value as J, json};

use crate::model::{Resource, Struct, Ty};

/// Where the table goes: beside the migrate command that reads it (the CLI only).
pub const OUTPUT: &str = "src/cli/migrate/l1_shapes.json";

/// `s`, `i`, `f`, `b`, `j` (JSON), `t` (CfnTag), `[T` (list), `{T` (map), `S:Name`
/// (nested struct), `D:path` (a document type of the L1 crate).
fn code(ty: &Ty) -> String {
    match ty {
        Ty::Str => "s".into(),
        Ty::Int => "i".into(),
        Ty::Float => "f".into(),
        Ty::Bool => "b".into(),
        Ty::Json => "j".into(),
        Ty::Tag => "t".into(),
        Ty::List(inner) => format!("[{}", code(inner)),
        Ty::Map(inner) => format!("{{{}", code(inner)),
        Ty::Struct(name) => format!("S:{name}"),
        Ty::Doc(path) => format!("D:{}", path.trim_start_matches("crate::")),
    }
}

fn fields(s: &Struct) -> J {
    J::Array(
        s.fields
            .iter()
            .map(|f| {
                let flags = u8::from(f.required) | (u8::from(f.boxed) << 1);
                json!([f.cfn, f.rust, code(&f.ty), flags])
            })
            .collect(),
    )
}

fn line(service: &str, r: &Resource) -> J {
    let mut structs = serde_json::Map::new();
    structs.insert(r.props.name.clone(), fields(&r.props));
    for s in &r.nested {
        structs.insert(s.name.clone(), fields(s));
    }
    let attributes: serde_json::Map<String, J> = r
        .attributes
        .iter()
        .map(|a| (a.name.clone(), json!([a.method, code(&a.ty)])))
        .collect();
    json!({
        "service": service,
        "module": r.module,
        "name": r.rust_name,
        "attributes": attributes,
        "structs": structs,
    })
}

/// The table, one type per line, sorted by type name.
pub fn render(version: &str, services: &[(&String, &Vec<Resource>)]) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    for (service, resources) in services {
        for r in resources.iter() {
            rows.push((
                serde_json::to_string(&r.type_name).unwrap_or_default(),
                line(service, r).to_string(),
            ));
        }
    }
    rows.sort();
    let mut out = format!(
        "{{\"generated\": \"by rcdk-codegen from the cfn-lint {version} resource schemas; do not edit\",\n\"types\": {{\n"
    );
    for (i, (name, body)) in rows.iter().enumerate() {
        let comma = if i + 1 == rows.len() { "" } else { "," };
        let _ = writeln!(out, "{name}: {body}{comma}");
    }
    out.push_str("}}\n");
    out
}
