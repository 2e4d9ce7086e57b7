//! Reading EC2 (the VPC and AMI lookups) through its query API with signed requests:
//! form-encoded `Action=Describe…` in, XML out, every page of a listing.

use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send, service_url};
use super::xml::Element;

/// The API version every EC2 query names.
const VERSION: &str = "2016-11-15";

/// A `Describe…` filter: an EC2 filter name and the values it accepts.
pub type Ec2Filter = (String, Vec<String>);

/// RFC 3986 percent-encoding of a form value (EC2 reads the body as a query string).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query's form body: `Action`, `Version`, each parameter, then the filters as
/// `Filter.N.Name` / `Filter.N.Value.M`.
fn body(action: &str, params: &[(&str, String)], filters: &[Ec2Filter]) -> String {
    let mut fields = vec![
        ("Action".to_owned(), action.to_owned()),
        ("Version".to_owned(), VERSION.to_owned()),
    ];
    fields.extend(params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    for (i, (name, values)) in filters.iter().enumerate() {
        fields.push((format!("Filter.{}.Name", i + 1), name.clone()));
        for (j, value) in values.iter().enumerate() {
            fields.push((format!("Filter.{}.Value.{}", i + 1, j + 1), value.clone()));
        }
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Every `<item>` of the answer's list `set` to `action` with `filters`, in `cfn`'s
/// region, following `nextToken` to the last page.
pub async fn describe(
    cfn: &Cfn,
    action: &'static str,
    params: &[(&str, String)],
    filters: &[Ec2Filter],
    set: &str,
) -> Result<Vec<Element>, DeployError> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut all = params.to_vec();
        if let Some(t) = &token {
            all.push(("NextToken", t.clone()));
        }
        let (status, answer) = send(
            cfn,
            "lookup",
            SignedRequest {
                operation: action,
                service: "ec2",
                region: &cfn.region,
                method: "POST",
                url: service_url(cfn, "ec2", &cfn.region),
                headers: vec![(
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
                )],
                body: bytes::Bytes::from(body(action, &all, filters)),
                sign_payload_header: false,
                whole_answer: true,
            },
        )
        .await?;
        let failed = |message: String| DeployError::Api {
            stack: "lookup".into(),
            operation: action,
            message,
        };
        if !status.is_success() {
            return Err(failed(format!("{status} {answer}")));
        }
        let root = Element::parse(&answer)
            .map_err(|e| failed(format!("the answer is not XML ({e}): {answer}")))?;
        items.extend(root.items(set).cloned());
        token = root
            .text_of("nextToken")
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            return Ok(items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_numbered_and_values_encoded() {
        let filters = vec![
            ("tag:Name".to_owned(), vec!["web & api".to_owned()]),
            (
                "state".to_owned(),
                vec!["available".to_owned(), "pending".to_owned()],
            ),
        ];
        assert_eq!(
            body("DescribeVpcs", &[("MaxResults", "5".into())], &filters),
            "Action=DescribeVpcs&Version=2016-11-15&MaxResults=5&Filter.1.Name=tag%3AName&Filter.1.Value.1=web%20%26%20api&Filter.2.Name=state&Filter.2.Value.1=available&Filter.2.Value.2=pending"
        );
    }
}
