//! Whether two templates mean the same to CloudFormation: what `rcdk migrate`'s round
//! trip is held to. Exact JSON equality, except for spellings CloudFormation reads alike:
//! - numbers compare by value (`1` and `1.0`);
//! - `Fn::GetAtt` as `"Res.Attr"` or `["Res", "Attr"]`;
//! - a resource's `DependsOn` as a string or a one-item list, in any order;
//! - an empty `Properties` or `Metadata` of a resource, or none; an empty section (`Mappings:
//!   {}`), or none.

use serde_json::{Map, Value as J};

/// `Ok` when `actual` means `expected`; else the first place they differ, with both values.
pub fn equivalent(expected: &J, actual: &J) -> Result<(), String> {
    let (e, a) = (normalized(expected), normalized(actual));
    compare(&e, &a, "")
}

fn normalized(template: &J) -> J {
    let mut t = normalize_values(template);
    if let Some(sections) = t.as_object_mut() {
        sections.retain(|k, v| k == "Resources" || !v.as_object().is_some_and(Map::is_empty));
    }
    if let Some(resources) = t.get_mut("Resources").and_then(J::as_object_mut) {
        for r in resources.values_mut() {
            let Some(r) = r.as_object_mut() else { continue };
            for key in ["Properties", "Metadata"] {
                if r.get(key)
                    .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
                {
                    r.remove(key);
                }
            }
            if let Some(d) = r.get_mut("DependsOn") {
                let mut names: Vec<J> = match d {
                    J::String(_) => vec![d.clone()],
                    J::Array(a) => a.clone(),
                    _ => continue,
                };
                names.sort_by_key(J::to_string);
                names.dedup();
                *d = J::Array(names);
            }
        }
    }
    t
}

fn normalize_values(v: &J) -> J {
    match v {
        J::Object(o) => {
            if o.len() == 1
                && let Some(J::String(s)) = o.get("Fn::GetAtt")
                && let Some((res, attr)) = s.split_once('.')
            {
                return serde_json::json!({"Fn::GetAtt": [res, attr]});
            }
            J::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), normalize_values(v)))
                    .collect(),
            )
        }
        J::Array(a) => J::Array(a.iter().map(normalize_values).collect()),
        J::Number(n) => match n.as_f64() {
            // Whole numbers as integers, so that 1 and 1.0 are one value.
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 && !n.is_i64() && !n.is_u64() => {
                J::from(f as i64)
            }
            _ => v.clone(),
        },
        other => other.clone(),
    }
}

fn compare(e: &J, a: &J, path: &str) -> Result<(), String> {
    let here = |p: &str| {
        if p.is_empty() {
            "the template".to_owned()
        } else {
            p.to_owned()
        }
    };
    match (e, a) {
        (J::Object(eo), J::Object(ao)) => {
            for (k, ev) in eo {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match ao.get(k) {
                    Some(av) => compare(ev, av, &p)?,
                    None => return Err(format!("{p}: missing (expected {ev})")),
                }
            }
            for (k, av) in ao {
                if !eo.contains_key(k) {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    return Err(format!("{p}: not expected (got {av})"));
                }
            }
            Ok(())
        }
        (J::Array(ea), J::Array(aa)) => {
            if ea.len() != aa.len() {
                return Err(format!(
                    "{}: {} items expected, {} written ({e} → {a})",
                    here(path),
                    ea.len(),
                    aa.len()
                ));
            }
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                compare(ev, av, &format!("{path}.{i}"))?;
            }
            Ok(())
        }
        (J::Number(en), J::Number(an)) if en.as_f64() == an.as_f64() => Ok(()),
        _ if e == a => Ok(()),
        _ => Err(format!("{}: expected {e}, written {a}", here(path))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spellings_cloudformation_reads_alike_are_equivalent() {
        let source = json!({"Resources": {"A": {"Type": "T", "DependsOn": "B", "Properties": {},
            "Metadata": {}}, "B": {"Type": "T", "DependsOn": ["C", "A"],
            "Properties": {"X": {"Fn::GetAtt": "A.Arn"}, "N": 1.0}}}});
        let written = json!({"Resources": {"A": {"Type": "T", "DependsOn": ["B"]},
            "B": {"Type": "T", "DependsOn": ["A", "C"],
            "Properties": {"X": {"Fn::GetAtt": ["A", "Arn"]}, "N": 1}}}});
        assert_eq!(equivalent(&source, &written), Ok(()));
    }

    #[test]
    fn a_changed_value_type_or_order_is_a_difference_named_by_its_path() {
        let source =
            json!({"Resources": {"A": {"Type": "T", "Properties": {"Port": 80, "L": ["a", "b"]}}}});
        let as_string = json!({"Resources": {"A": {"Type": "T", "Properties": {"Port": "80", "L": ["a", "b"]}}}});
        assert_eq!(
            equivalent(&source, &as_string),
            Err("Resources.A.Properties.Port: expected 80, written \"80\"".into())
        );
        let reordered =
            json!({"Resources": {"A": {"Type": "T", "Properties": {"Port": 80, "L": ["b", "a"]}}}});
        assert!(
            equivalent(&source, &reordered)
                .unwrap_err()
                .starts_with("Resources.A.Properties.L.0")
        );
        let extra = json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": source["Resources"].clone()});
        assert_eq!(
            equivalent(&source, &extra),
            Err("AWSTemplateFormatVersion: not expected (got \"2010-09-09\")".into())
        );
        let fewer =
            json!({"Resources": {"A": {"Type": "T", "Properties": {"Port": 80, "L": ["a"]}}}});
        assert!(
            equivalent(&source, &fewer)
                .unwrap_err()
                .contains("2 items expected, 1 written")
        );
    }
}
