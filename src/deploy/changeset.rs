//! Creating, waiting for, reading and deleting change sets.

use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, Tag};

use super::client::{Cfn, api, describe};
use super::error::DeployError;

/// One row of the change table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangeRow {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// The resource.
    pub logical_id: String,
    /// Its CloudFormation type.
    pub resource_type: String,
    /// `True`, `False`, `Conditional` as CloudFormation says; empty when it does not.
    pub replacement: String,
}

/// What to create.
pub struct ChangeSetRequest<'a> {
    pub stack: &'a str,
    pub name: &'a str,
    pub create: bool,
    /// The template inline, or the URL of its upload.
    pub template: TemplateSource<'a>,
    pub capabilities: Vec<Capability>,
    pub parameters: Vec<Parameter>,
    pub tags: Vec<Tag>,
    pub role_arn: Option<&'a str>,
}

/// How CloudFormation gets the template.
pub enum TemplateSource<'a> {
    Body(&'a str),
    Url(String),
}

/// The outcome of waiting for a change set.
pub enum Prepared {
    Ready {
        rows: Vec<ChangeRow>,
    },
    /// CloudFormation found nothing to change; the empty change set is deleted.
    NoChanges,
}

/// A change set CloudFormation made, and the stack it belongs to: followed by its id
/// from here on, never by name (a name can come to mean another stack).
pub struct Created {
    pub id: String,
    pub stack_id: String,
}

/// Creates the change set. The client token makes the SDK's retries of a call whose
/// answer was lost the same request: CloudFormation answers it with the first result.
/// Should the change set exist by name all the same, the first call made it.
pub async fn create(cfn: &Cfn, req: ChangeSetRequest<'_>) -> Result<Created, DeployError> {
    let sent = cfn
        .client
        .create_change_set()
        .stack_name(req.stack)
        .change_set_name(req.name)
        .client_token(req.name)
        .change_set_type(if req.create {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        })
        .set_template_body(match &req.template {
            TemplateSource::Body(b) => Some((*b).to_owned()),
            TemplateSource::Url(_) => None,
        })
        .set_template_url(match &req.template {
            TemplateSource::Url(u) => Some(u.clone()),
            TemplateSource::Body(_) => None,
        })
        .set_capabilities(Some(req.capabilities))
        .set_parameters(Some(req.parameters))
        .set_tags(Some(req.tags))
        .set_role_arn(req.role_arn.map(str::to_owned))
        .description("Created by rcdk deploy")
        .send()
        .await;
    let error = match sent {
        Ok(out) => {
            return Ok(Created {
                id: out.id().unwrap_or(req.name).to_owned(),
                stack_id: out.stack_id().unwrap_or(req.stack).to_owned(),
            });
        }
        Err(e) => e,
    };
    let message = describe(&error);
    if !(message.contains("AlreadyExists") && message.contains(req.name)) {
        return Err(DeployError::Api {
            stack: req.stack.into(),
            operation: "CreateChangeSet",
            message,
        });
    }
    let out = cfn
        .client
        .describe_change_set()
        .stack_name(req.stack)
        .change_set_name(req.name)
        .send()
        .await
        .map_err(api(req.stack, "DescribeChangeSet"))?;
    Ok(Created {
        id: out.change_set_id().unwrap_or(req.name).to_owned(),
        stack_id: out.stack_id().unwrap_or(req.stack).to_owned(),
    })
}

/// The stack name to send with a change set `id`: none when the id is the change set's
/// ARN (it names its stack; a name could mean another stack by now).
fn stack_for<'a>(stack: &'a str, id: &str) -> Option<&'a str> {
    (!id.starts_with("arn:")).then_some(stack)
}

/// "No changes" as CloudFormation words it in a FAILED change set's reason.
fn is_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed")
        || reason.contains("No changes")
}

/// How long CloudFormation may take to compute a change set before rcdk gives up
/// (it takes seconds to a few minutes).
const CHANGE_SET_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// Waits with back-off (no busy polling) until the change set is ready or failed, or
/// the deadline passes; says every minute that it is still waiting.
pub async fn wait(cfn: &Cfn, stack: &str, id: &str) -> Result<Prepared, DeployError> {
    let mut delay = Duration::from_millis(250);
    let started = std::time::Instant::now();
    let mut said = Duration::ZERO;
    loop {
        let out = cfn
            .client
            .describe_change_set()
            .set_stack_name(stack_for(stack, id).map(str::to_owned))
            .change_set_name(id)
            .send()
            .await
            .map_err(api(stack, "DescribeChangeSet"))?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => {
                let rows = rows(
                    cfn,
                    stack,
                    id,
                    out.changes(),
                    out.next_token().map(str::to_owned),
                )
                .await?;
                return Ok(Prepared::Ready { rows });
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = out.status_reason().unwrap_or("no reason given").to_owned();
                delete(cfn, stack, id).await;
                if is_no_changes(&reason) {
                    return Ok(Prepared::NoChanges);
                }
                return Err(DeployError::ChangeSetFailed {
                    stack: stack.into(),
                    reason,
                });
            }
            _ => {}
        }
        let waited = started.elapsed();
        let status = out.status().map_or("unknown", |s| s.as_str());
        if waited > CHANGE_SET_DEADLINE {
            return Err(DeployError::Other(format!(
                "{stack}: the change set {id} is still {status} after {} minutes; rcdk stopped waiting (look at it in CloudFormation, delete it, and deploy again)",
                CHANGE_SET_DEADLINE.as_secs() / 60
            )));
        }
        if waited - said >= Duration::from_secs(60) {
            said = waited;
            eprintln!(
                "{stack}: still waiting for the change set ({status}) after {} s",
                waited.as_secs()
            );
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

fn to_rows(changes: &[aws_sdk_cloudformation::types::Change]) -> Vec<ChangeRow> {
    changes
        .iter()
        .filter_map(|c| c.resource_change())
        .map(|r| ChangeRow {
            action: r
                .action()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
            resource_type: r.resource_type().unwrap_or_default().to_owned(),
            replacement: r
                .replacement()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
        })
        .collect()
}

async fn rows(
    cfn: &Cfn,
    stack: &str,
    id: &str,
    first: &[aws_sdk_cloudformation::types::Change],
    mut next: Option<String>,
) -> Result<Vec<ChangeRow>, DeployError> {
    let mut out = to_rows(first);
    while let Some(token) = next {
        let page = cfn
            .client
            .describe_change_set()
            .set_stack_name(stack_for(stack, id).map(str::to_owned))
            .change_set_name(id)
            .next_token(token)
            .send()
            .await
            .map_err(api(stack, "DescribeChangeSet"))?;
        out.extend(to_rows(page.changes()));
        next = page.next_token().map(str::to_owned);
    }
    out.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    Ok(out)
}

/// Deletes a change set; failure to clean up is reported but does not mask the cause.
pub async fn delete(cfn: &Cfn, stack: &str, id: &str) {
    if let Err(e) = cfn
        .client
        .delete_change_set()
        .set_stack_name(stack_for(stack, id).map(str::to_owned))
        .change_set_name(id)
        .send()
        .await
    {
        let message = describe(&e);
        // Already gone (CloudFormation removes change sets after some executions): nothing dangles.
        if !message.contains("ChangeSetNotFound") && !message.contains("does not exist") {
            eprintln!("warning: {stack}: could not delete change set {id}: {message}");
        }
    }
}

pub async fn execute(cfn: &Cfn, stack: &str, id: &str) -> Result<(), DeployError> {
    let token = format!("rcdk-execute-{}", id.rsplit('/').next().unwrap_or(id));
    cfn.client
        .execute_change_set()
        .set_stack_name(stack_for(stack, id).map(str::to_owned))
        .change_set_name(id)
        .client_request_token(token)
        .send()
        .await
        .map(|_| ())
        .map_err(api(stack, "ExecuteChangeSet"))
}

/// The change table as text.
pub fn table(rows: &[ChangeRow]) -> String {
    let w = |f: fn(&ChangeRow) -> &str, title: &str| {
        rows.iter()
            .map(|r| f(r).len())
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let (wa, wl, wt) = (
        w(|r| &r.action, "ACTION"),
        w(|r| &r.logical_id, "LOGICAL ID"),
        w(|r| &r.resource_type, "TYPE"),
    );
    let mut s = format!(
        "  {:wa$}  {:wl$}  {:wt$}  REPLACEMENT\n",
        "ACTION", "LOGICAL ID", "TYPE"
    );
    for r in rows {
        s.push_str(&format!(
            "  {:wa$}  {:wl$}  {:wt$}  {}\n",
            r.action,
            r.logical_id,
            r.resource_type,
            if r.replacement.is_empty() {
                "-"
            } else {
                &r.replacement
            }
        ));
    }
    s
}
