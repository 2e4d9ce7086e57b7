//! Drift detection: CloudFormation compares each resource of a deployed stack with the
//! template that made it (`DetectStackDrift`, polled to the end), and rcdk reads the
//! differences per resource (`DescribeStackResourceDrifts`).

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{
    StackDriftDetectionStatus, StackResourceDrift, StackResourceDriftStatus,
};

use super::{Cfn, DeployError, describe};

/// One property that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDrift {
    /// `Tags.0.Value`: CloudFormation's JSON pointer as a dotted path.
    pub path: String,
    /// What the template says (absent when the property was added outside the template).
    pub expected: Option<String>,
    /// What the resource has (absent when it was removed).
    pub actual: Option<String>,
}

/// What became of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceDriftKind {
    /// Its properties differ from the template.
    Modified(Vec<PropertyDrift>),
    /// It was deleted outside CloudFormation.
    Deleted,
    /// CloudFormation cannot check this type.
    NotChecked,
}

/// One resource that drifted or could not be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDrift {
    /// Its logical id.
    pub logical_id: String,
    /// Its physical id, when CloudFormation gives one.
    pub physical_id: Option<String>,
    /// Its type.
    pub resource_type: String,
    /// What CloudFormation found.
    pub kind: ResourceDriftKind,
}

/// A stack's drift: the resources that differ, and the ones CloudFormation did not check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackDrift {
    /// The stack.
    pub stack: String,
    /// Resources CloudFormation checked and found as the template says.
    pub in_sync: usize,
    /// Modified, deleted and unchecked resources, by logical id.
    pub resources: Vec<ResourceDrift>,
}

impl StackDrift {
    /// Whether anything was modified or deleted.
    pub fn drifted(&self) -> bool {
        self.resources
            .iter()
            .any(|r| !matches!(r.kind, ResourceDriftKind::NotChecked))
    }
}

/// How long one stack's detection may take before rcdk stops waiting.
const DETECTION_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// `/Tags/0/Value` → `Tags.0.Value`.
fn dotted(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn resource_drift(d: &StackResourceDrift) -> Option<ResourceDrift> {
    let kind = match d.stack_resource_drift_status() {
        Some(StackResourceDriftStatus::InSync) => return None,
        Some(StackResourceDriftStatus::Deleted) => ResourceDriftKind::Deleted,
        Some(StackResourceDriftStatus::NotChecked) | None => ResourceDriftKind::NotChecked,
        Some(_) => ResourceDriftKind::Modified(
            d.property_differences()
                .iter()
                .map(|p| {
                    let kind = p.difference_type().map(|t| t.as_str()).unwrap_or_default();
                    let value = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
                    PropertyDrift {
                        path: dotted(p.property_path().unwrap_or_default()),
                        expected: value(p.expected_value()).filter(|_| kind != "ADD"),
                        actual: value(p.actual_value()).filter(|_| kind != "REMOVE"),
                    }
                })
                .collect(),
        ),
    };
    Some(ResourceDrift {
        logical_id: d.logical_resource_id().unwrap_or_default().to_owned(),
        physical_id: d.physical_resource_id().map(str::to_owned),
        resource_type: d.resource_type().unwrap_or_default().to_owned(),
        kind,
    })
}

/// Detects the drift of `stack`; `None` when the stack does not exist.
pub async fn detect_drift(cfn: &Cfn, stack: &str) -> Result<Option<StackDrift>, DeployError> {
    let api = |operation: &'static str, message: String| DeployError::Api {
        stack: stack.into(),
        operation,
        message,
    };
    if super::stack_state(cfn, stack).await?.is_none() {
        return Ok(None);
    }
    let started = cfn
        .client
        .detect_stack_drift()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| api("DetectStackDrift", describe(&e)))?;
    let id = started
        .stack_drift_detection_id()
        .unwrap_or_default()
        .to_owned();
    if id.is_empty() {
        return Err(api(
            "DetectStackDrift",
            "CloudFormation returned no detection id".into(),
        ));
    }
    let deadline = Instant::now() + DETECTION_DEADLINE;
    loop {
        let status = cfn
            .client
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(&id)
            .send()
            .await
            .map_err(|e| api("DescribeStackDriftDetectionStatus", describe(&e)))?;
        match status.detection_status() {
            Some(StackDriftDetectionStatus::DetectionComplete) => break,
            Some(StackDriftDetectionStatus::DetectionFailed) => {
                // Failed detections still report what they could check (a type whose
                // read permission is missing fails alone); say why, and read the rest.
                if status.drifted_stack_resource_count().is_none() {
                    return Err(api(
                        "DetectStackDrift",
                        status
                            .detection_status_reason()
                            .unwrap_or("the detection failed")
                            .to_owned(),
                    ));
                }
                crate::error::render_warning(&format!(
                    "{stack}: drift detection finished with failures: {}",
                    status
                        .detection_status_reason()
                        .unwrap_or("no reason given")
                ));
                break;
            }
            _ if Instant::now() > deadline => {
                return Err(api(
                    "DetectStackDrift",
                    format!(
                        "no result after {} minutes; follow it with aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id {id}",
                        DETECTION_DEADLINE.as_secs() / 60
                    ),
                ));
            }
            _ => tokio::time::sleep(Duration::from_secs(2)).await,
        }
    }
    let mut out = StackDrift {
        stack: stack.to_owned(),
        ..StackDrift::default()
    };
    let mut token: Option<String> = None;
    loop {
        let page = cfn
            .client
            .describe_stack_resource_drifts()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| api("DescribeStackResourceDrifts", describe(&e)))?;
        for d in page.stack_resource_drifts() {
            match resource_drift(d) {
                Some(r) => out.resources.push(r),
                None => out.in_sync += 1,
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    out.resources
        .sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::dotted;

    #[test]
    fn json_pointers_read_as_dotted_paths() {
        assert_eq!(dotted("/VisibilityTimeout"), "VisibilityTimeout");
        assert_eq!(dotted("/Tags/0/Value"), "Tags.0.Value");
        assert_eq!(dotted("/Policy/a~1b"), "Policy.a/b");
    }
}
