//! What the reference app's values mean, not only their shape: every alarm dimension
//! names a resource that exists, as the stack that holds the alarm reads the value.

use std::collections::BTreeSet;

use rcdk::CloudAssembly;
use serde_json::Value as J;

use crate::reference_app::all_environments;

/// A value as a deployed stack would see it: text, or a resource of some stack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Resolved {
    Text(String),
    /// (stack, logical id, attribute or "Ref")
    Resource(String, String, String),
    /// Built from parts by a function (`Fn::Select`, `Fn::Join`, …) over these.
    Derived(Vec<Resolved>),
}

struct World<'a> {
    assembly: &'a CloudAssembly,
}

impl World<'_> {
    fn region(&self, stack: &str) -> String {
        let env = &self.assembly.stack(stack).expect("stack").environment;
        env.region
            .clone()
            .expect("the reference app names its regions")
    }

    /// (resource type, attribute) of a resolved resource reference.
    fn kind(&self, r: &Resolved) -> Option<(String, String)> {
        let Resolved::Resource(stack, id, attribute) = r else {
            return None;
        };
        let template = &self.assembly.stack(stack)?.template;
        let ty = template["Resources"][id]["Type"].as_str()?.to_owned();
        Some((ty, attribute.clone()))
    }

    fn resolve(&self, stack: &str, v: &J) -> Resolved {
        let template = &self.assembly.stack(stack).expect("stack").template;
        match v {
            J::String(s) => Resolved::Text(s.clone()),
            J::Object(o) if o.len() == 1 => {
                let (k, arg) = o.iter().next().expect("one key");
                match (k.as_str(), arg) {
                    ("Ref", J::String(id)) if id == "AWS::Region" => {
                        Resolved::Text(self.region(stack))
                    }
                    ("Ref", J::String(id)) => {
                        assert!(
                            template["Resources"].get(id).is_some()
                                || template["Parameters"].get(id).is_some(),
                            "{stack}: Ref to '{id}', which is not in the template"
                        );
                        Resolved::Resource(stack.into(), id.clone(), "Ref".into())
                    }
                    ("Fn::GetAtt", J::Array(a)) => {
                        let id = a[0].as_str().expect("logical id");
                        assert!(
                            template["Resources"].get(id).is_some(),
                            "{stack}: Fn::GetAtt of '{id}', which is not in the template"
                        );
                        Resolved::Resource(stack.into(), id.into(), a[1].to_string())
                    }
                    ("Fn::Sub", J::String(t)) => {
                        assert!(!t.contains("${") || t.contains("${AWS::"), "{stack}: {t}");
                        Resolved::Text(
                            t.replace("${AWS::StackName}", stack)
                                .replace("${AWS::Region}", &self.region(stack)),
                        )
                    }
                    ("Fn::ImportValue", J::String(name)) => {
                        for s in &self.assembly.stacks {
                            let outputs = s.template["Outputs"].as_object();
                            for o in outputs.into_iter().flat_map(|m| m.values()) {
                                if o["Export"]["Name"] == name.as_str() {
                                    return self.resolve(&s.stack_name, &o["Value"]);
                                }
                            }
                        }
                        panic!("{stack}: imports '{name}', which no stack exports");
                    }
                    (_, J::Array(items)) => {
                        Resolved::Derived(items.iter().map(|i| self.resolve(stack, i)).collect())
                    }
                    (_, other) => Resolved::Derived(vec![self.resolve(stack, other)]),
                }
            }
            J::Array(items) => {
                Resolved::Derived(items.iter().map(|i| self.resolve(stack, i)).collect())
            }
            other => Resolved::Text(other.to_string()),
        }
    }
}

/// Every (alarm stack, alarm id, dimension name, dimension value) of the assembly.
fn dimensions(assembly: &CloudAssembly) -> Vec<(String, String, String, J)> {
    let mut out = Vec::new();
    for s in &assembly.stacks {
        let resources = s.template["Resources"].as_object().expect("resources");
        for (id, r) in resources {
            if r["Type"] != "AWS::CloudWatch::Alarm" {
                continue;
            }
            let mut lists = vec![&r["Properties"]["Dimensions"]];
            for m in r["Properties"]["Metrics"].as_array().into_iter().flatten() {
                lists.push(&m["MetricStat"]["Metric"]["Dimensions"]);
            }
            for d in lists.into_iter().filter_map(J::as_array).flatten() {
                let name = d["Name"].as_str().expect("dimension name").to_owned();
                out.push((s.stack_name.clone(), id.clone(), name, d["Value"].clone()));
            }
        }
    }
    out
}

#[test]
fn every_alarm_dimension_names_a_resource_that_exists() {
    let assembly = all_environments();
    let world = World {
        assembly: &assembly,
    };
    // The names the web ACLs get, each read in its own stack.
    let mut acl_names = BTreeSet::new();
    for s in &assembly.stacks {
        for r in s.template["Resources"]
            .as_object()
            .expect("resources")
            .values()
        {
            if r["Type"] == "AWS::WAFv2::WebACL" {
                acl_names.insert(world.resolve(&s.stack_name, &r["Properties"]["Name"]));
            }
        }
    }
    assert_eq!(acl_names.len(), 4, "one ACL per environment: {acl_names:?}");
    let all = dimensions(&assembly);
    assert!(all.len() > 30, "{}", all.len());
    let mut waf_alarms = 0;
    let mut worker_dimensions = 0;
    for (stack, alarm, name, value) in &all {
        let resolved = world.resolve(stack, value);
        match name.as_str() {
            "WebACL" => {
                waf_alarms += 1;
                // prod-dr-monitoring is prod-dr's, prod-monitoring prod's.
                let env = stack.trim_end_matches("-monitoring");
                assert_eq!(
                    resolved,
                    Resolved::Text(format!("{env}-app-WebAcl")),
                    "{stack}/{alarm}: the WAF alarm must watch the app stack's ACL"
                );
                assert!(
                    acl_names.contains(&resolved),
                    "{stack}/{alarm}: {resolved:?}"
                );
            }
            "Region" => assert_eq!(resolved, Resolved::Text(world.region(stack))),
            // The worker tier's: each names the right kind of resource, read the way
            // CloudWatch names it (a queue's name, not its URL; a node of the group).
            "QueueName" => {
                worker_dimensions += 1;
                assert_eq!(
                    world.kind(&resolved),
                    Some(("AWS::SQS::Queue".to_owned(), "\"QueueName\"".to_owned())),
                    "{stack}/{alarm}: {resolved:?}"
                );
            }
            "FunctionName" => {
                worker_dimensions += 1;
                assert_eq!(
                    world.kind(&resolved),
                    Some(("AWS::Lambda::Function".to_owned(), "Ref".to_owned())),
                    "{stack}/{alarm}: {resolved:?}"
                );
            }
            "CacheClusterId" => {
                worker_dimensions += 1;
                // Fn::Join ["", [<the group>, "-001"]]
                let Resolved::Derived(join) = &resolved else {
                    panic!("{stack}/{alarm}: {resolved:?}");
                };
                let Some(Resolved::Derived(parts)) = join.get(1) else {
                    panic!("{stack}/{alarm}: {resolved:?}");
                };
                assert_eq!(
                    world.kind(&parts[0]),
                    Some((
                        "AWS::ElastiCache::ReplicationGroup".to_owned(),
                        "Ref".to_owned()
                    )),
                    "{stack}/{alarm}: {resolved:?}"
                );
                assert_eq!(
                    parts.get(1),
                    Some(&Resolved::Text("-001".into())),
                    "{stack}/{alarm}: the primary node is <group>-001"
                );
            }
            "Rule" => assert_eq!(resolved, Resolved::Text("ALL".into())),
            // Everything else is a resource of some stack, never a bare name.
            _ => assert!(
                !matches!(resolved, Resolved::Text(_)),
                "{stack}/{alarm}: dimension {name} is the bare text {resolved:?}"
            ),
        }
    }
    assert_eq!(waf_alarms, 4, "one blocked-requests alarm per environment");
    // Per environment: jobs depth, oldest job, dead letters (queue names), sync errors
    // (function name), Redis CPU, memory, evictions (node id).
    assert_eq!(worker_dimensions, 4 * 7);
}

#[test]
fn the_waf_dashboard_widgets_watch_the_app_stacks_acl() {
    let assembly = all_environments();
    for env in ["dev", "staging", "prod", "prod-dr"] {
        let t = &assembly
            .stack(&format!("{env}-monitoring"))
            .expect("stack")
            .template;
        let body = t["Resources"]
            .as_object()
            .expect("resources")
            .values()
            .find(|r| r["Type"] == "AWS::CloudWatch::Dashboard")
            .map(|r| r["Properties"]["DashboardBody"].to_string())
            .expect("a dashboard");
        assert!(
            body.contains(&format!("\\\"WebACL\\\",\\\"{env}-app-WebAcl\\\"")),
            "{env}: {body}"
        );
        assert!(
            !body.contains("${AWS::StackName}-WebAcl"),
            "{env}: the monitoring stack's own name would name no ACL"
        );
    }
}
