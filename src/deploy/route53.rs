//! Reading Route 53 hosted zones (for lookups) with a signed request: Route 53 is a
//! global service, signed in us-east-1, answered in XML.

use super::client::Cfn;
use super::error::DeployError;
use super::signed::{SignedRequest, send};

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

/// The text of each `<tag>…</tag>` in `xml`, in order.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    out
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
    Ok(elements(&answer, "HostedZone")
        .into_iter()
        .filter_map(|z| {
            let name = elements(z, "Name").first()?.to_string();
            Some(Zone {
                id: elements(z, "Id").first()?.to_string(),
                private: elements(z, "PrivateZone").first() == Some(&"true"),
                name,
            })
        })
        .filter(|z| z.name == wanted)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_read_in_order() {
        let xml = "<A><HostedZone><Id>/hostedzone/Z1</Id><Name>a.com.</Name><Config><PrivateZone>true</PrivateZone></Config></HostedZone><HostedZone><Id>/hostedzone/Z2</Id></HostedZone></A>";
        let zones = elements(xml, "HostedZone");
        assert_eq!(zones.len(), 2);
        assert_eq!(elements(zones[0], "Id"), ["/hostedzone/Z1"]);
        assert_eq!(elements(zones[0], "PrivateZone"), ["true"]);
    }
}
