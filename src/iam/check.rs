//! What the catalogue says about one policy statement: actions that do not exist,
//! resources none of its actions act on (and actions granted on none of its resources),
//! condition keys none of its actions take, `Resource: "*"` on actions that take a
//! resource, and `NotAction`/`NotResource` with `Allow`.

use super::catalogue::{Action, Catalogue, Service};
use super::{ResourceEntry, glob};
use crate::Value;

/// The kind of policy a statement belongs to: what its `Resource` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// What a principal may do (a role's, user's or group's policy): `Resource` names
    /// what it may act on, and `*` means everything.
    Identity,
    /// Who may use a resource (a bucket, key, topic or queue policy): `Resource` names
    /// the resource itself, `*` often means "this one".
    Resource,
    /// Who may assume a role: no `Resource`.
    Trust,
}

/// What is wrong with a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    /// An action or service that does not exist, or a wildcard that matches nothing.
    UnknownAction,
    /// A resource none of the statement's actions act on, or an action granted on none
    /// of its resources.
    ResourceMismatch,
    /// A condition key none of the statement's actions take (and not a global one).
    UnknownConditionKey,
    /// `Resource: "*"` in an identity policy for actions that take a resource.
    ResourceStar,
    /// `NotAction` or `NotResource` with `Allow`.
    AllowWithNot,
}

/// One finding: what is wrong, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which check found it.
    pub kind: FindingKind,
    /// What is wrong.
    pub problem: String,
    /// What to do.
    pub fix: String,
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::List(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

/// An action of the statement as the catalogue knows it.
struct Known<'c> {
    service: &'c Service,
    action: &'c Action,
    /// Written as a name, not reached through a wildcard.
    named: bool,
}

impl Known<'_> {
    fn id(&self) -> String {
        format!("{}:{}", self.service.prefix, self.action.name)
    }
}

/// The first actions' names for a message: `s3:GetObject, s3:PutObject, …`.
fn named(actions: &[Known<'_>]) -> String {
    let names: Vec<String> = actions.iter().take(4).map(Known::id).collect();
    let more = if actions.len() > 4 { ", …" } else { "" };
    format!("{}{more}", names.join(", "))
}

/// The closest of `candidates` to `word` (edit distance, without case), if close enough
/// to be a typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.len() / 3).max(2);
    candidates
        .map(|c| (distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Resolves the statement's actions; reports the ones the catalogue does not have.
/// `None` when an action cannot be read (not text), so nothing is concluded from them.
fn resolve_actions<'c>(
    catalogue: &'c Catalogue,
    actions: &[&Value],
    findings: &mut Vec<Finding>,
) -> Option<Vec<Known<'c>>> {
    let mut known = Vec::new();
    let mut complete = true;
    for value in actions {
        let Some(text) = value.as_str() else {
            complete = false;
            continue;
        };
        if text == "*" {
            complete = false;
            continue;
        }
        let Some((prefix, name)) = text.split_once(':') else {
            findings.push(unknown(
                format!("action '{text}' is not of the form service:Action"),
                "write the service prefix and the action, as in 's3:GetObject'".to_owned(),
            ));
            complete = false;
            continue;
        };
        let Some(service) = catalogue.service(prefix) else {
            let fix = match nearest(prefix, catalogue.prefixes()) {
                Some(s) => format!("did you mean '{s}:{name}'?"),
                None => {
                    "check the service prefix in AWS's service authorization reference".to_owned()
                }
            };
            findings.push(unknown(
                format!("'{text}' names no AWS service ('{prefix}')"),
                fix,
            ));
            complete = false;
            continue;
        };
        if name.contains(['*', '?']) {
            let matched = service.matching(name);
            if matched.is_empty() {
                findings.push(unknown(
                    format!("'{text}' matches no action of {}", service.name),
                    "list the actions it should grant by name".to_owned(),
                ));
                complete = false;
            }
            known.extend(matched.into_iter().map(|action| Known {
                service,
                action,
                named: false,
            }));
            continue;
        }
        match service.action(name) {
            Some(action) => known.push(Known {
                service,
                action,
                named: true,
            }),
            None => {
                let fix = match nearest(name, service.actions().iter().map(|a| a.name)) {
                    Some(a) => format!("did you mean '{}:{a}'?", service.prefix),
                    None => format!(
                        "check the action's name among {}'s {} actions",
                        service.name,
                        service.actions().len()
                    ),
                };
                findings.push(unknown(
                    format!("'{text}' is not an action of {}", service.name),
                    fix,
                ));
                complete = false;
            }
        }
    }
    complete.then_some(known)
}

fn unknown(problem: String, fix: String) -> Finding {
    Finding {
        kind: FindingKind::UnknownAction,
        problem,
        fix,
    }
}

fn type_list(service: &Service, action: &Action) -> String {
    let types: Vec<String> = service
        .resource_types(action)
        .map(|t| format!("{} ({})", t.name, t.arn_format))
        .collect();
    if types.is_empty() {
        "no resource (it needs \"*\")".to_owned()
    } else {
        types.join(", ")
    }
}

/// Whether `action` may act on a resource the pattern names.
fn acts_on(known: &Known<'_>, resource: &str) -> bool {
    let mut types = known.service.resource_types(known.action).peekable();
    if types.peek().is_none() {
        return resource == "*";
    }
    types.any(|t| t.admits(resource))
}

fn check_resources(
    actions: &[Known<'_>],
    resources: &[Option<ResourceEntry>],
    kind: DocumentKind,
    findings: &mut Vec<Finding>,
) {
    // What cannot be read (a reference rcdk does not know the ARN of) may be anything.
    if actions.is_empty() || resources.iter().any(Option::is_none) {
        return;
    }
    let resources: Vec<&ResourceEntry> = resources.iter().flatten().collect();
    let star = resources.iter().any(|r| r.pattern == "*");
    if star && kind == DocumentKind::Resource {
        return;
    }
    let mut unused = 0;
    for resource in resources.iter().filter(|r| r.pattern != "*") {
        if !actions.iter().any(|a| acts_on(a, &resource.pattern)) {
            unused += 1;
            findings.push(Finding {
                kind: FindingKind::ResourceMismatch,
                problem: format!(
                    "resource '{}' is not a resource {} can act on ({} acts on {})",
                    resource.shown,
                    named(actions),
                    actions[0].id(),
                    type_list(actions[0].service, actions[0].action)
                ),
                fix: "name the resource the action acts on (an object ARN is the bucket's ARN with /key)"
                    .to_owned(),
            });
        }
    }
    // Where no resource serves any action, the findings above say it all.
    if star || unused == resources.len() {
        return;
    }
    for known in actions.iter().filter(|a| a.named) {
        if !resources.iter().any(|r| acts_on(known, &r.pattern)) {
            findings.push(Finding {
                kind: FindingKind::ResourceMismatch,
                problem: format!(
                    "{} is granted on none of the statement's resources: it acts on {}",
                    known.id(),
                    type_list(known.service, known.action)
                ),
                fix: "move the action to a statement whose resources it acts on".to_owned(),
            });
        }
    }
}

fn check_resource_star(
    actions: &[Known<'_>],
    resources: &[Option<ResourceEntry>],
    findings: &mut Vec<Finding>,
) {
    if !resources.iter().flatten().any(|r| r.pattern == "*") {
        return;
    }
    let needing: Vec<String> = actions
        .iter()
        .filter(|a| a.service.resource_types(a.action).next().is_some())
        .map(Known::id)
        .collect();
    if needing.is_empty() {
        return;
    }
    let shown: Vec<&str> = needing.iter().take(6).map(String::as_str).collect();
    let more = if needing.len() > 6 {
        format!(" and {} more", needing.len() - 6)
    } else {
        String::new()
    };
    findings.push(Finding {
        kind: FindingKind::ResourceStar,
        problem: format!(
            "allows {}{more} on every resource (*), though they take resource ARNs",
            shown.join(", ")
        ),
        fix: "name the resources (ARNs) the actions need".to_owned(),
    });
}

/// Condition keys: `{operator: {key: value}}`.
fn condition_keys(statement: &Value) -> Vec<String> {
    let Some(Value::Map(operators)) = statement.get_path(&["Condition"]) else {
        return Vec::new();
    };
    operators
        .values()
        .filter_map(|block| match block {
            Value::Map(keys) => Some(keys.keys().cloned()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn check_condition_keys(
    catalogue: &Catalogue,
    actions: &[Known<'_>],
    keys: &[String],
    findings: &mut Vec<Finding>,
) {
    for key in keys {
        let Some((prefix, _)) = key.split_once(':') else {
            findings.push(Finding {
                kind: FindingKind::UnknownConditionKey,
                problem: format!("condition key '{key}' is not of the form prefix:name"),
                fix: "use a global key (aws:…) or one of the actions' own keys".to_owned(),
            });
            continue;
        };
        // An identity provider's own keys (token.actions.githubusercontent.com:sub).
        if prefix.contains('.') || catalogue.is_global_key(key) {
            continue;
        }
        let taken = |a: &Known<'_>| {
            a.service
                .condition_keys(a.action)
                .any(|pattern| glob::matches(pattern, key, true))
        };
        if actions.iter().any(taken) {
            continue;
        }
        let candidates: Vec<&str> = actions
            .iter()
            .flat_map(|a| a.service.condition_keys(a.action))
            .collect();
        let fix = match nearest(key, candidates.iter().copied()) {
            Some(k) => format!("did you mean '{k}'?"),
            None => "use a key the actions take (the service authorization reference lists them) or a global key".to_owned(),
        };
        findings.push(Finding {
            kind: FindingKind::UnknownConditionKey,
            problem: format!(
                "condition key '{key}' is not a key {} takes, nor a global one: the condition never matches",
                named(actions)
            ),
            fix,
        });
    }
}

/// The actions of an Allow statement whose only resource is `*` when every one of them
/// takes no resource (so `*` is the only resource IAM accepts for them), by name.
pub fn resourceless_on_star(catalogue: &Catalogue, statement: &Value) -> Option<Vec<String>> {
    let allow = statement.get_path(&["Effect"]).and_then(Value::as_str) == Some("Allow");
    let resources = list(statement.get_path(&["Resource"]));
    if !allow || resources.len() != 1 || resources[0].as_str() != Some("*") {
        return None;
    }
    let mut names = Vec::new();
    for action in list(statement.get_path(&["Action"])) {
        let (service, found) = catalogue.action(action.as_str()?)?;
        if service.resource_types(found).next().is_some() {
            return None;
        }
        names.push(format!("{}:{}", service.prefix, found.name));
    }
    (!names.is_empty()).then_some(names)
}

/// Checks one statement against the catalogue. `resource` reads an entry of its
/// `Resource` ([`super::resource_entry`] in a tree), `None` where it cannot tell.
pub fn check_statement(
    catalogue: &Catalogue,
    statement: &Value,
    kind: DocumentKind,
    resource: &dyn Fn(&Value) -> Option<ResourceEntry>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let allow = statement.get_path(&["Effect"]).and_then(Value::as_str) == Some("Allow");
    if allow {
        for (field, what) in [
            (
                "NotAction",
                "every action but the listed ones, including actions AWS adds later",
            ),
            (
                "NotResource",
                "its actions on every resource but the listed ones",
            ),
        ] {
            if statement.get_path(&[field]).is_some() {
                findings.push(Finding {
                    kind: FindingKind::AllowWithNot,
                    problem: format!("an Allow with {field} grants {what}"),
                    fix: format!("list what it allows in {}", field.trim_start_matches("Not")),
                });
            }
        }
    }
    let not_action = list(statement.get_path(&["NotAction"]));
    let actions = list(statement.get_path(&["Action"]));
    let resolved = resolve_actions(catalogue, &actions, &mut findings);
    // NotAction's names must exist too; what they leave allowed is not a list to check.
    resolve_actions(catalogue, &not_action, &mut findings);
    let Some(known) = resolved else {
        return findings;
    };
    if !not_action.is_empty() || statement.get_path(&["NotResource"]).is_some() {
        return findings;
    }
    let resources: Vec<Option<ResourceEntry>> = list(statement.get_path(&["Resource"]))
        .into_iter()
        .map(resource)
        .collect();
    if kind != DocumentKind::Trust {
        check_resources(&known, &resources, kind, &mut findings);
    }
    if kind == DocumentKind::Identity && allow {
        check_resource_star(&known, &resources, &mut findings);
    }
    check_condition_keys(catalogue, &known, &condition_keys(statement), &mut findings);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::catalogue;

    fn statement(json: serde_json::Value) -> Value {
        Value::from(json)
    }

    fn check(json: serde_json::Value, kind: DocumentKind) -> Vec<(FindingKind, String, String)> {
        check_statement(catalogue(), &statement(json), kind, &|v| {
            v.as_str().map(ResourceEntry::text)
        })
        .into_iter()
        .map(|f| (f.kind, f.problem, f.fix))
        .collect()
    }

    #[test]
    fn a_misspelt_action_is_named_with_the_real_one() {
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": ["s3:GetObjet"], "Resource": "arn:aws:s3:::b/*"}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, FindingKind::UnknownAction);
        assert_eq!(found[0].2, "did you mean 's3:GetObject'?");
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": "s4:GetObject", "Resource": "*"}),
            DocumentKind::Identity,
        );
        assert_eq!(found[0].2, "did you mean 's3:GetObject'?", "{found:?}");
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": "s3:Fly*", "Resource": "*"}),
            DocumentKind::Identity,
        );
        assert_eq!(found[0].1, "'s3:Fly*' matches no action of Amazon S3");
    }

    #[test]
    fn a_bucket_arn_is_not_an_object() {
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::assets"}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.starts_with(
                "resource 'arn:aws:s3:::assets' is not a resource s3:GetObject can act on"
            ),
            "{found:?}"
        );
        // With a resource that serves one action, the other action's loss is named.
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::assets"}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.starts_with("s3:GetObject is granted on none of the statement's resources: it acts on accesspointobject"), "{found:?}");
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": ["dynamodb:GetItem", "s3:GetObject"], "Resource": ["arn:aws:dynamodb:eu-west-1:1:table/t", "arn:aws:s3:::b/*"]}),
            DocumentKind::Identity,
        );
        assert!(found.is_empty(), "each resource has its action: {found:?}");
    }

    #[test]
    fn an_action_without_resources_needs_star_and_star_needs_such_actions() {
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "arn:aws:ecr:eu-west-1:1:repository/app"}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.contains("no resource (it needs \"*\")"),
            "{found:?}"
        );
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "xray:PutTraceSegments"], "Resource": "*"}),
            DocumentKind::Identity,
        );
        assert!(found.is_empty(), "{found:?}");
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetAuthorizationToken"], "Resource": "*"}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, FindingKind::ResourceStar);
        assert!(
            found[0]
                .1
                .starts_with("allows ecr:BatchGetImage on every resource")
        );
        // In a key policy, `*` is the key itself.
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::1:root"}}),
            DocumentKind::Resource,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn condition_keys_must_be_the_actions_or_global() {
        let ok = check(
            serde_json::json!({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-1:1:key/k",
                "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "aws:SourceAccount": "1",
                    "kms:EncryptionContext:aws:s3:arn": "x"}}}),
            DocumentKind::Identity,
        );
        assert!(ok.is_empty(), "{ok:?}");
        let found = check(
            serde_json::json!({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:eu-west-1:1:key/k",
                "Condition": {"StringEquals": {"kms:ViaServce": "s3.eu-west-1.amazonaws.com", "s3:prefix": "a"}}}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].2, "did you mean 'kms:ViaService'?", "{found:?}");
        assert!(
            found[1]
                .1
                .starts_with("condition key 's3:prefix' is not a key kms:Decrypt takes")
        );
        let trust = check(
            serde_json::json!({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": "x"},
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}}),
            DocumentKind::Trust,
        );
        assert!(trust.is_empty(), "{trust:?}");
    }

    #[test]
    fn allow_with_not_is_reported_and_deny_is_not() {
        let found = check(
            serde_json::json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            DocumentKind::Identity,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, FindingKind::AllowWithNot);
        let found = check(
            serde_json::json!({"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b"}),
            DocumentKind::Identity,
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
