//! A template's values as a deploy with the parameters' defaults would see them, for
//! checking a template rcdk did not write: `Ref` of a parameter with a `Default` becomes
//! the default, conditions that only compare such values are decided, `Fn::If` takes the
//! branch its condition gives (`AWS::NoValue` removes the property), and `Fn::FindInMap`
//! with known keys reads the mapping. Whatever needs a deploy to be known (a parameter
//! without a default, a pseudo parameter, an import) stays as written, and the rules take
//! it as not compliant.

use std::collections::BTreeMap;

use serde_json::{Map, Value as J};

/// The template with what its defaults decide resolved, and the logical ids of the
/// resources whose properties changed in the process.
pub fn with_parameter_defaults(template: &J) -> (J, Vec<String>) {
    let defaults: BTreeMap<String, J> = template["Parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, p)| {
            let default = p.get("Default")?;
            // CloudFormation passes every parameter as text; a list type stays a list.
            let value = match default {
                J::Number(n) => J::String(n.to_string()),
                J::Bool(b) => J::String(b.to_string()),
                other => other.clone(),
            };
            Some((name.clone(), value))
        })
        .collect();
    let mut r = Resolver {
        defaults,
        mappings: template["Mappings"].clone(),
        conditions: BTreeMap::new(),
        definitions: template["Conditions"]
            .as_object()
            .cloned()
            .unwrap_or_default(),
    };
    let names: Vec<String> = r.definitions.keys().cloned().collect();
    for name in names {
        r.condition(&name);
    }
    let mut out = template.clone();
    let mut changed = Vec::new();
    if let Some(resources) = out.get_mut("Resources").and_then(J::as_object_mut) {
        for (id, resource) in resources.iter_mut() {
            if let Some(props) = resource.get_mut("Properties") {
                let resolved = r.value(props).unwrap_or(J::Object(Map::new()));
                if resolved != *props {
                    *props = resolved;
                    changed.push(id.clone());
                }
            }
        }
    }
    (out, changed)
}

struct Resolver {
    defaults: BTreeMap<String, J>,
    mappings: J,
    definitions: Map<String, J>,
    /// Decided conditions; `None`: only a deploy knows.
    conditions: BTreeMap<String, Option<bool>>,
}

impl Resolver {
    fn condition(&mut self, name: &str) -> Option<bool> {
        if let Some(known) = self.conditions.get(name) {
            return *known;
        }
        // Undecided while it is being decided: a condition that refers to itself (the
        // template's error) reads as unknown instead of recursing.
        self.conditions.insert(name.to_owned(), None);
        let decided = match self.definitions.get(name).cloned() {
            Some(expr) => self.decide(&expr),
            None => None,
        };
        self.conditions.insert(name.to_owned(), decided);
        decided
    }

    fn decide(&mut self, expr: &J) -> Option<bool> {
        let (key, args) = single(expr)?;
        let list = args.as_array();
        match key {
            "Fn::Equals" => {
                let [a, b] = list?.as_slice() else {
                    return None;
                };
                let (a, b) = (self.value(a)?, self.value(b)?);
                (literal(&a) && literal(&b)).then(|| text(&a) == text(&b))
            }
            "Fn::Not" => Some(!self.decide(list?.first()?)?),
            // And is decided by its first false, Or by its first true; an undecided
            // operand leaves it undecided unless a later one decides it.
            "Fn::And" | "Fn::Or" => {
                let decisive = key == "Fn::Or";
                let mut result = Some(!decisive);
                for e in list? {
                    match self.decide(e) {
                        Some(v) if v == decisive => return Some(decisive),
                        Some(_) => {}
                        None => result = None,
                    }
                }
                result
            }
            "Condition" => self.condition(args.as_str()?),
            _ => None,
        }
    }

    /// The value with what the defaults decide resolved; `None` for `AWS::NoValue`.
    fn value(&mut self, v: &J) -> Option<J> {
        match v {
            J::Object(m) => {
                if let Some((key, args)) = single(v) {
                    match key {
                        "Ref" if args == "AWS::NoValue" => return None,
                        "Ref" => {
                            if let Some(d) = args.as_str().and_then(|p| self.defaults.get(p)) {
                                return Some(d.clone());
                            }
                        }
                        "Fn::If" => {
                            if let Some([c, then, otherwise]) = args.as_array().map(Vec::as_slice)
                                && let Some(decided) = c.as_str().and_then(|c| self.condition(c))
                            {
                                return self.value(if decided { then } else { otherwise });
                            }
                        }
                        "Fn::FindInMap" => {
                            if let Some([map, top, second]) = args.as_array().map(Vec::as_slice) {
                                let keys = (self.value(top), self.value(second));
                                if let (Some(map), (Some(t), Some(s))) = (map.as_str(), keys)
                                    && literal(&t)
                                    && literal(&s)
                                {
                                    let found = self.mappings[map][text(&t)][text(&s)].clone();
                                    if !found.is_null() {
                                        return Some(found);
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                    // An intrinsic the defaults do not decide stays as written, its
                    // arguments included (an `AWS::NoValue` argument is not removed).
                    if key == "Ref" || key.starts_with("Fn::") {
                        return Some(v.clone());
                    }
                }
                Some(J::Object(
                    m.iter()
                        .filter_map(|(k, v)| self.value(v).map(|v| (k.clone(), v)))
                        .collect(),
                ))
            }
            J::Array(items) => Some(J::Array(
                items.iter().filter_map(|v| self.value(v)).collect(),
            )),
            other => Some(other.clone()),
        }
    }
}

/// `{"Fn::X": args}` as `("Fn::X", args)`.
fn single(v: &J) -> Option<(&str, &J)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    m.iter().next().map(|(k, v)| (k.as_str(), v))
}

fn literal(v: &J) -> bool {
    matches!(v, J::String(_) | J::Number(_) | J::Bool(_))
}

fn text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `value` still holds something only a deploy knows after resolution: a
/// parameter without a default, an undecided condition, a mapping entry or an import.
pub fn holds_deploy_time_values(value: &J, template: &J) -> bool {
    match value {
        J::Object(m) => m.iter().any(|(k, v)| {
            matches!(k.as_str(), "Fn::If" | "Fn::FindInMap" | "Fn::ImportValue")
                || (k == "Ref"
                    && v.as_str()
                        .is_some_and(|r| template["Parameters"].get(r).is_some()))
                || holds_deploy_time_values(v, template)
        }),
        J::Array(items) => items.iter().any(|v| holds_deploy_time_values(v, template)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::with_parameter_defaults;

    #[test]
    fn defaults_decide_refs_conditions_branches_and_mappings() {
        let t = json!({
            "Parameters": {
                "Env": {"Type": "String", "Default": "prod"},
                "Days": {"Type": "Number", "Default": 14},
                "Key": {"Type": "String"}
            },
            "Mappings": {"Sizes": {"prod": {"Class": "db.r6g.large"}}},
            "Conditions": {
                "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
                "HasKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Key"}, ""]}]},
                "ProdWithKey": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "HasKey"}]},
                "DevOrProd": {"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]}
            },
            "Resources": {
                "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
                    "MultiAZ": {"Fn::If": ["IsProd", true, false]},
                    "DBInstanceClass": {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Class"]},
                    "BackupRetentionPeriod": {"Ref": "Days"},
                    "KmsKeyId": {"Fn::If": ["HasKey", {"Ref": "Key"}, {"Ref": "AWS::NoValue"}]},
                    "DeletionProtection": {"Fn::If": ["DevOrProd", true, false]},
                    "Port": {"Fn::If": ["ProdWithKey", "5433", {"Ref": "AWS::NoValue"}]},
                    "StorageType": {"Fn::If": ["IsDev", "gp2", {"Ref": "AWS::NoValue"}]}
                }},
                "Plain": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}}
            }
        });
        let (resolved, changed) = with_parameter_defaults(&t);
        assert_eq!(
            resolved["Resources"]["Db"]["Properties"],
            json!({
                "MultiAZ": true,
                "DBInstanceClass": "db.r6g.large",
                "BackupRetentionPeriod": "14",
                // A parameter without a default: only a deploy knows.
                "KmsKeyId": {"Fn::If": ["HasKey", {"Ref": "Key"}, {"Ref": "AWS::NoValue"}]},
                "DeletionProtection": true,
                "Port": {"Fn::If": ["ProdWithKey", "5433", {"Ref": "AWS::NoValue"}]}
            })
        );
        assert_eq!(changed, ["Db"]);
    }

    #[test]
    fn a_condition_that_refers_to_itself_stays_undecided() {
        let t = json!({
            "Conditions": {
                "Loop": {"Fn::Equals": [{"Fn::If": ["Loop", "a", "b"]}, "a"]},
                "Twice": {"Fn::And": [{"Condition": "Twice"}, {"Condition": "Loop"}]}
            },
            "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": {"Fn::If": ["Twice", "x", "y"]}
            }}}
        });
        let (resolved, changed) = with_parameter_defaults(&t);
        assert_eq!(resolved, t);
        assert!(changed.is_empty());
    }
}
