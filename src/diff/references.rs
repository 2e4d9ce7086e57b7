//! What a template value refers to: the logical ids of its `Ref`s, `Fn::GetAtt`s and
//! `Fn::Sub` placeholders (resources, parameters or pseudo parameters, as written).

use std::collections::BTreeSet;

use serde_json::Value as J;

/// The logical ids (and pseudo parameters) `v` refers to.
pub fn references(v: &J) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(v, &mut out);
    out
}

/// Logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${…}` of `Fn::Sub`).
fn collect(v: &J, out: &mut BTreeSet<String>) {
    match v {
        J::Object(o) => {
            if o.len() == 1 {
                if let Some(J::String(id)) = o.get("Ref") {
                    out.insert(id.clone());
                }
                match o.get("Fn::GetAtt") {
                    Some(J::Array(a)) => {
                        if let Some(J::String(id)) = a.first() {
                            out.insert(id.clone());
                        }
                    }
                    Some(J::String(s)) => {
                        out.insert(s.split('.').next().unwrap_or_default().to_owned());
                    }
                    _ => {}
                }
                let (sub, vars) = match o.get("Fn::Sub") {
                    Some(J::String(s)) => (Some(s.as_str()), None),
                    Some(J::Array(a)) => (
                        a.first().and_then(J::as_str),
                        a.get(1).and_then(J::as_object),
                    ),
                    _ => (None, None),
                };
                // A placeholder the variable map defines is not a reference.
                for name in sub.map(sub_names).unwrap_or_default() {
                    if !vars.is_some_and(|v| v.contains_key(&name)) {
                        out.insert(name.split('.').next().unwrap_or_default().to_owned());
                    }
                }
            }
            for child in o.values() {
                collect(child, out);
            }
        }
        J::Array(a) => a.iter().for_each(|c| collect(c, out)),
        _ => {}
    }
}

/// The `${Name}` placeholders of a `Fn::Sub` string (not `${!Literal}`).
pub fn sub_names(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        if let Some(literal) = after.strip_prefix('!') {
            rest = literal;
            continue;
        }
        let Some(end) = after.find('}') else { break };
        names.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_atts_and_sub_placeholders_are_references_and_sub_variables_are_not() {
        let v = json!({"A": {"Ref": "Bucket"}, "B": {"Fn::GetAtt": "Queue.Arn"},
            "C": [{"Fn::GetAtt": ["Topic", "TopicName"]}],
            "D": {"Fn::Sub": ["${Role.Arn}/${Local}/${!Literal}/${AWS::Region}", {"Local": {"Ref": "Key"}}]}});
        let found: Vec<String> = references(&v).into_iter().collect();
        assert_eq!(
            found,
            ["AWS::Region", "Bucket", "Key", "Queue", "Role", "Topic"]
        );
    }
}
