//! References from a stack in one region or account to a stack in another, where
//! exports do not reach. A value synthesis knows is written as a literal: the `Ref` of a
//! resource whose identifier the template sets, or an ARN built from the producer's
//! account, region and that name. Any other value goes through SSM when the consumer
//! opts in: the producer publishes it as an output and the consumer reads it through an
//! SSM-typed template parameter (resolved again at every deploy, so a changed value
//! shows in the change set). Within one account `rcdk deploy` writes the parameter in
//! the consumer's region right after the producer deploys; from another account, it
//! reads the output (through the producer account's lookup role) and writes the
//! parameter in the consumer's account right before the consumer deploys.

use serde_json::{Value as J, json};

use crate::expr::Value;
use crate::registry::type_info;
use crate::tree::Environment;

/// Template `Metadata` key of a producer: `[{"Output", "Region", "Parameter", "List"}]`.
pub const PARAMETERS_KEY: &str = "rcdk:cross-region-parameters";
/// Template `Metadata` key of a consumer of other accounts' values:
/// `[{"Parameter", "Stack", "Account", "Region", "Output", "List"}]`.
pub const ACCOUNT_VALUES_KEY: &str = "rcdk:cross-account-values";

/// The SSM parameter that carries `output` of `producer` to other regions.
pub fn parameter_name(producer: &str, output: &str) -> String {
    format!("/rcdk/cross-region/{producer}/{output}")
}

fn literal_property<'v>(props: &'v Value, name: &str) -> Option<&'v str> {
    match props.get_path(&[name]) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// `arn:${AWS::Partition}:…` in the consumer, with the producer's literals (one
/// organisation, so one partition).
fn arn(rest: String) -> J {
    json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:{rest}")})
}

/// The value of `Ref` (attribute `None`) or `Fn::GetAtt` of a resource, when synthesis
/// knows it; with the property that would make it known, when not.
pub fn literal(
    type_name: &str,
    props: &Value,
    attribute: Option<&str>,
    producer: &Environment,
) -> Result<J, String> {
    let (Some(account), Some(region)) = (producer.account.as_deref(), producer.region.as_deref())
    else {
        return Err("its stack has no account and region".into());
    };
    let name = |prop: &str| {
        literal_property(props, prop)
            .map(str::to_owned)
            .ok_or_else(|| format!("its {prop} is not set as text"))
    };
    match (type_name, attribute) {
        ("AWS::SQS::Queue", None) => Ok(json!(format!(
            "https://sqs.{region}.amazonaws.com/{account}/{}",
            name("QueueName")?
        ))),
        ("AWS::SQS::Queue", Some("Arn")) => Ok(arn(format!(
            "sqs:{region}:{account}:{}",
            name("QueueName")?
        ))),
        ("AWS::SQS::Queue", Some("QueueName")) => Ok(json!(name("QueueName")?)),
        ("AWS::SNS::Topic", None | Some("TopicArn")) => Ok(arn(format!(
            "sns:{region}:{account}:{}",
            name("TopicName")?
        ))),
        ("AWS::S3::Bucket", Some("Arn")) => Ok(arn(format!("s3:::{}", name("BucketName")?))),
        ("AWS::IAM::Role", Some("Arn")) => {
            let path = literal_property(props, "Path").unwrap_or("/");
            Ok(arn(format!(
                "iam::{account}:role{path}{}",
                name("RoleName")?
            )))
        }
        ("AWS::Lambda::Function", Some("Arn")) => Ok(arn(format!(
            "lambda:{region}:{account}:function:{}",
            name("FunctionName")?
        ))),
        ("AWS::ECR::Repository", Some("Arn")) => Ok(arn(format!(
            "ecr:{region}:{account}:repository/{}",
            name("RepositoryName")?
        ))),
        ("AWS::ECR::Repository", Some("RepositoryUri")) => Ok(json!({"Fn::Sub": format!(
            "{account}.dkr.ecr.{region}.${{AWS::URLSuffix}}/{}",
            name("RepositoryName")?
        )})),
        ("AWS::Logs::LogGroup", Some("Arn")) => Ok(arn(format!(
            "logs:{region}:{account}:log-group:{}:*",
            name("LogGroupName")?
        ))),
        (_, None) => match type_info(type_name).and_then(|t| t.ref_property) {
            // RDS keeps identifiers in lower case, whatever the template says.
            Some(prop) if type_name.starts_with("AWS::RDS::") => {
                Ok(json!(name(prop)?.to_lowercase()))
            }
            Some(prop) => Ok(json!(name(prop)?)),
            None => Err(format!(
                "the Ref of a {type_name} is assigned by CloudFormation"
            )),
        },
        (_, Some(a)) => Err(format!("its {a} is assigned by CloudFormation")),
    }
}
