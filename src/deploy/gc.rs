//! `rcdk gc`: file assets in the deployment bucket that no stack of the account and
//! region references any more. An object is kept while any stack's template or
//! parameters, or any change set waiting for review, names its key; an unreferenced one
//! is tagged with the day it was first seen unused and deleted once it has stayed
//! unused for the given number of days. While a stack is mid-operation (its rollback
//! may need what its template no longer names), nothing is deleted. Uploaded templates
//! (`templates/`) are left to the bucket's lifecycle.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudformation::types::{ChangeSetStatus, StackStatus, TemplateStage};
use bytes::Bytes;
use serde_json::Value as J;

use super::client::{Cfn, api};
use super::error::DeployError;
use super::stack_state::stack_state;
use super::upload::{S3Request, TOOLKIT_STACK, s3_request};

/// The tag that records since when an object has been unused.
pub const UNUSED_SINCE_TAG: &str = "rcdk:unused-since";

/// What `rcdk gc` may do.
#[derive(Debug, Clone, Copy)]
pub struct GcOptions {
    /// Report only: no tag, no deletion.
    pub dry_run: bool,
    /// Days an object stays unused before it is deleted.
    pub unused_days: u32,
}

/// One object of the bucket and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcObject {
    /// The key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// The day it was first seen unused (`YYYY-MM-DD`), if it is unused.
    pub unused_since: Option<String>,
}

/// What `rcdk gc` found and did in one bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// The bucket.
    pub bucket: String,
    /// Objects a stack references.
    pub in_use: Vec<GcObject>,
    /// Unused, younger than the limit: kept (and tagged, unless a dry run).
    pub unused: Vec<GcObject>,
    /// Unused for the limit or longer: deleted (or, in a dry run, would be).
    pub deleted: Vec<GcObject>,
    /// Why nothing was deleted this run, when something else prevented it.
    pub deferred: Option<String>,
}

/// Days since 1970-01-01 as a civil date (proleptic Gregorian), `YYYY-MM-DD`.
pub fn civil_date(days: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` as days since 1970-01-01, or `None` when it is not such a date.
pub fn days_of(date: &str) -> Option<i64> {
    let mut parts = date.split('-');
    let (y, m, d): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn today() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(0)
}

fn collect_strings(v: &J, out: &mut String) {
    match v {
        J::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        J::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        J::Object(m) => m.iter().for_each(|(k, v)| {
            out.push_str(k);
            out.push('\n');
            collect_strings(v, out);
        }),
        _ => {}
    }
}

/// Every text the account's stacks hold in this region (templates, parameters, change
/// sets waiting), and the stacks that are mid-operation.
async fn references(cfn: &Cfn) -> Result<(String, Vec<String>), DeployError> {
    let mut text = String::new();
    let mut busy = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cfn
            .client
            .list_stacks()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(api("gc", "ListStacks"))?;
        for summary in page.stack_summaries() {
            let status = summary.stack_status();
            if status == Some(&StackStatus::DeleteComplete) {
                continue;
            }
            let Some(name) = summary.stack_name() else {
                continue;
            };
            let id = summary.stack_id().unwrap_or(name);
            if status.is_some_and(|s| {
                let s = s.as_str();
                s.ends_with("_IN_PROGRESS") && s != "REVIEW_IN_PROGRESS"
            }) {
                busy.push(format!(
                    "{name} ({})",
                    status.map(|s| s.as_str()).unwrap_or_default()
                ));
            }
            if let Some(t) = super::stack_state::deployed_template(cfn, id).await? {
                collect_strings(&t, &mut text);
            }
            if let Some(state) = stack_state(cfn, id).await? {
                for v in state.parameters.values() {
                    text.push_str(v);
                    text.push('\n');
                }
            }
            let sets = cfn
                .client
                .list_change_sets()
                .stack_name(id)
                .send()
                .await
                .map_err(api(name, "ListChangeSets"))?;
            for cs in sets.summaries() {
                if cs.status() != Some(&ChangeSetStatus::CreateComplete) {
                    continue;
                }
                let Some(cs_id) = cs.change_set_id() else {
                    continue;
                };
                let t = cfn
                    .client
                    .get_template()
                    .stack_name(id)
                    .change_set_name(cs_id)
                    .template_stage(TemplateStage::Original)
                    .send()
                    .await
                    .map_err(api(name, "GetTemplate"))?;
                if let Some(body) = t.template_body() {
                    text.push_str(body);
                    text.push('\n');
                }
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok((text, busy))
}

fn xml_values<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(v, _)| v))
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

async fn s3(
    cfn: &Cfn,
    bucket: &str,
    method: &'static str,
    key: &str,
    body: &str,
) -> Result<String, DeployError> {
    let (status, answer) = s3_request(
        cfn,
        "gc",
        S3Request {
            method,
            bucket,
            key,
            body: Bytes::from(body.to_owned()),
            content_type: "application/xml",
            whole_answer: true,
        },
    )
    .await?;
    if !status.is_success() {
        return Err(DeployError::Api {
            stack: "gc".into(),
            operation: "S3",
            message: format!("{method} s3://{bucket}/{key}: {status}: {answer}"),
        });
    }
    Ok(answer)
}

/// The bucket's asset objects: (key, size), uploaded templates left out.
async fn objects(cfn: &Cfn, bucket: &str) -> Result<Vec<(String, u64)>, DeployError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let query = match &token {
            Some(t) => format!(
                "?list-type=2&continuation-token={}",
                t.replace('+', "%2B")
                    .replace('/', "%2F")
                    .replace('=', "%3D")
            ),
            None => "?list-type=2".to_owned(),
        };
        let answer = s3(cfn, bucket, "GET", &query, "").await?;
        for entry in xml_values(&answer, "Contents") {
            let key = xml_values(entry, "Key").first().map(|k| unescape(k));
            let size = xml_values(entry, "Size")
                .first()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if let Some(key) = key.filter(|k| !k.starts_with("templates/")) {
                out.push((key, size));
            }
        }
        let truncated = xml_values(&answer, "IsTruncated").first() == Some(&"true");
        token = xml_values(&answer, "NextContinuationToken")
            .first()
            .map(|t| unescape(t));
        if !truncated || token.is_none() {
            break;
        }
    }
    Ok(out)
}

async fn unused_since(cfn: &Cfn, bucket: &str, key: &str) -> Result<Option<String>, DeployError> {
    let answer = s3(cfn, bucket, "GET", &format!("{key}?tagging"), "").await?;
    for tag in xml_values(&answer, "Tag") {
        if xml_values(tag, "Key").first() == Some(&UNUSED_SINCE_TAG) {
            return Ok(xml_values(tag, "Value").first().map(|v| (*v).to_owned()));
        }
    }
    Ok(None)
}

async fn tag_unused(cfn: &Cfn, bucket: &str, key: &str, date: &str) -> Result<(), DeployError> {
    let body = format!(
        "<Tagging><TagSet><Tag><Key>{UNUSED_SINCE_TAG}</Key><Value>{date}</Value></Tag></TagSet></Tagging>"
    );
    s3(cfn, bucket, "PUT", &format!("{key}?tagging"), &body).await?;
    Ok(())
}

/// Finds, tags and deletes unused assets in the deployment bucket of `cfn`'s account
/// and region.
pub async fn collect_garbage(cfn: &Cfn, opts: GcOptions) -> Result<GcReport, DeployError> {
    let bucket = super::upload::toolkit_bucket(cfn)
        .await?
        .ok_or_else(|| DeployError::Refused {
            stack: format!("{TOOLKIT_STACK} in {}", cfn.region),
            message: format!(
                "{} is not bootstrapped (no deployment bucket), so there is nothing to collect",
                cfn.region
            ),
        })?;
    let (referenced, busy) = references(cfn).await?;
    let mut report = GcReport {
        bucket: bucket.clone(),
        ..GcReport::default()
    };
    if !busy.is_empty() {
        report.deferred = Some(format!(
            "{} mid-operation (a rollback may need what its template no longer names); nothing is deleted until it settles",
            busy.join(", ")
        ));
    }
    let today = today();
    let mut tags: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (key, size) in objects(cfn, &bucket).await? {
        let since = unused_since(cfn, &bucket, &key).await?;
        tags.insert(key.clone(), since.clone());
        if referenced.contains(key.as_str()) {
            if since.is_some() && !opts.dry_run {
                // Used again (a rollback, a redeploy of old code): no longer counted.
                s3(cfn, &bucket, "DELETE", &format!("{key}?tagging"), "").await?;
            }
            report.in_use.push(GcObject {
                key,
                size,
                unused_since: None,
            });
            continue;
        }
        let first = since
            .as_deref()
            .and_then(days_of)
            .unwrap_or(today)
            .min(today);
        let object = GcObject {
            key: key.clone(),
            size,
            unused_since: Some(civil_date(first)),
        };
        let old_enough = today - first >= i64::from(opts.unused_days);
        if old_enough && report.deferred.is_none() {
            if !opts.dry_run {
                s3(cfn, &bucket, "DELETE", &key, "").await?;
            }
            report.deleted.push(object);
        } else {
            if since.is_none() && !opts.dry_run {
                tag_unused(cfn, &bucket, &key, &civil_date(today)).await?;
            }
            report.unused.push(object);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(days_of("1970-01-01"), Some(0));
        assert_eq!(civil_date(20_793), "2026-12-06");
        for d in [-1000, 0, 59, 60, 11_016, 20_793, 47_482] {
            assert_eq!(days_of(&civil_date(d)), Some(d), "{d}");
        }
        assert_eq!(
            days_of("2024-02-29").map(civil_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(days_of("someday"), None);
        assert_eq!(days_of("2026-13-01"), None);
    }

    #[test]
    fn list_answers_are_read_with_their_escapes() {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a&amp;b.zip</Key><Size>12</Size></Contents><Contents><Key>c.zip</Key><Size>3</Size></Contents></ListBucketResult>";
        let keys: Vec<String> = xml_values(xml, "Contents")
            .iter()
            .filter_map(|c| xml_values(c, "Key").first().map(|k| unescape(k)))
            .collect();
        assert_eq!(keys, ["a&b.zip", "c.zip"]);
    }
}
