//! Reading Route 53 hosted zones (for lookups) with a signed request: Route 53 is a
//! global service, signed in us-east-1, answered in XML.

use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send};
use super::xml::Element;

/// A hosted zone as `ListHostedZonesByName` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// `/hostedzone/Z…`
    pub id: String,
    /// The domain name, with its final dot.
    pub name: String,
    /// A private zone (of VPCs) rather than a public one.
    pub private: bool,
}

/// The hosted zones named `domain` (public and private), from the first page of
/// `ListHostedZonesByName` starting at it (the list is sorted by name, so they lead it).
pub async fn zones_named(cfn: &Cfn, domain: &str) -> Result<Vec<Zone>, DeployError> {
    let base = match cfn.config.endpoint_url() {
        Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
        None => "https://route53.amazonaws.com".to_owned(),
    };
    let (status, answer) = send(
        cfn,
        "lookup",
        SignedRequest {
            operation: "Route 53 ListHostedZonesByName",
            service: "route53",
            region: "us-east-1",
            method: "GET",
            url: format!("{base}/2013-04-01/hostedzonesbyname?dnsname={domain}"),
            headers: Vec::new(),
            body: bytes::Bytes::new(),
            sign_payload_header: false,
            whole_answer: true,
        },
    )
    .await?;
    if !status.is_success() {
        return Err(DeployError::Api {
            stack: "lookup".into(),
            operation: "Route 53 ListHostedZonesByName",
            message: format!("{domain}: {status} {answer}"),
        });
    }
    let wanted = format!("{}.", domain.trim_end_matches('.'));
    let root = Element::parse(&answer).map_err(|e| DeployError::Api {
        stack: "lookup".into(),
        operation: "Route 53 ListHostedZonesByName",
        message: format!("{domain}: the answer is not XML ({e})"),
    })?;
    Ok(root
        .descendants("HostedZone")
        .into_iter()
        .filter_map(|z| {
            Some(Zone {
                id: z.text_of("Id")?.to_owned(),
                name: z.text_of("Name")?.to_owned(),
                private: z.child("Config").and_then(|c| c.text_of("PrivateZone")) == Some("true"),
            })
        })
        .filter(|z| z.name == wanted)
        .collect())
}
