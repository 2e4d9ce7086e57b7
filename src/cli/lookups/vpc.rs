//! The `vpc-provider` lookup (`Vpc::from_lookup`): the one VPC the filter matches, its
//! subnets grouped as the AWS CDK's `returnAsymmetricSubnets` answer has them.
//!
//! A subnet's kind is its `aws-cdk:subnet-type` tag when it has one; else public when
//! its route table has a route to an internet gateway (or it gives public IPs on
//! launch); else private when the table has any other default route (NAT, a firewall, a
//! transit gateway); else isolated. The AWS CDK calls every non-public subnet private,
//! so a service it places in an isolated subnet cannot reach ECR at runtime; telling
//! them apart by their routes is what the kinds mean.

use serde_json::{Value as J, json};

use crate::deploy::{Cfn, DeployError, Ec2Filter, XmlElement as Element, ec2_describe};

/// The answer to a `vpc-provider` lookup with `props`: `Ok(Err(why))` when no single
/// VPC matches or its subnets cannot be grouped.
pub async fn lookup(cfn: &Cfn, props: &J) -> Result<Result<J, String>, DeployError> {
    let filters: Vec<Ec2Filter> = props["filter"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            // The AWS CDK writes `isDefault`; EC2 documents `is-default`.
            let name = if name == "isDefault" {
                "is-default"
            } else {
                name
            };
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            (name.to_owned(), vec![value])
        })
        .collect();
    let vpcs = ec2_describe(cfn, "DescribeVpcs", &[], &filters, "vpcSet").await?;
    let vpc = match vpcs.as_slice() {
        [one] => one,
        [] => {
            return Ok(Err(
                "no VPC matches; check the filter, the account and the region".into(),
            ));
        }
        many => {
            let ids: Vec<&str> = many.iter().filter_map(|v| v.text_of("vpcId")).collect();
            return Ok(Err(format!(
                "{} VPCs match ({}); name one by vpc_id, or by tags only it has",
                many.len(),
                ids.join(", ")
            )));
        }
    };
    let vpc_id = vpc.text_of("vpcId").unwrap_or_default().to_owned();
    let in_vpc = [("vpc-id".to_owned(), vec![vpc_id.clone()])];
    let subnets = ec2_describe(cfn, "DescribeSubnets", &[], &in_vpc, "subnetSet").await?;
    let tables = ec2_describe(cfn, "DescribeRouteTables", &[], &in_vpc, "routeTableSet").await?;
    let attached = [
        ("attachment.vpc-id".to_owned(), vec![vpc_id.clone()]),
        ("attachment.state".to_owned(), vec!["attached".to_owned()]),
        ("state".to_owned(), vec!["available".to_owned()]),
    ];
    let vpn = ec2_describe(cfn, "DescribeVpnGateways", &[], &attached, "vpnGatewaySet").await?;
    let name_tag = props["subnetGroupNameTag"]
        .as_str()
        .unwrap_or("aws-cdk:subnet-name");
    Ok(answer(vpc, &subnets, &tables, &vpn, name_tag))
}

/// The route table a subnet uses: the one associated with it, else the VPC's main one.
fn table_of<'a>(tables: &'a [Element], subnet_id: &str) -> Option<&'a Element> {
    let associated = |t: &&Element, f: &dyn Fn(&Element) -> bool| t.items("associationSet").any(f);
    tables
        .iter()
        .find(|t| associated(t, &|a| a.text_of("subnetId") == Some(subnet_id)))
        .or_else(|| {
            tables
                .iter()
                .find(|t| associated(t, &|a| a.text_of("main") == Some("true")))
        })
}

/// Public, Private or Isolated, as the module says.
fn kind(subnet: &Element, table: Option<&Element>) -> Result<String, String> {
    if let Some(tagged) = subnet.tag("aws-cdk:subnet-type") {
        return match tagged {
            "Public" | "Private" | "Isolated" => Ok(tagged.to_owned()),
            other => Err(format!(
                "subnet {} has aws-cdk:subnet-type {other}; it must be Public, Private or Isolated",
                subnet.text_of("subnetId").unwrap_or("?")
            )),
        };
    }
    let routes: Vec<&Element> = table
        .map(|t| t.items("routeSet").collect())
        .unwrap_or_default();
    let to_igw = routes.iter().any(|r| {
        r.text_of("gatewayId")
            .is_some_and(|g| g.starts_with("igw-"))
    });
    if to_igw || subnet.text_of("mapPublicIpOnLaunch") == Some("true") {
        return Ok("Public".into());
    }
    let default_route = routes.iter().any(|r| {
        r.text_of("destinationCidrBlock") == Some("0.0.0.0/0")
            && r.text_of("state") != Some("blackhole")
    });
    Ok(if default_route { "Private" } else { "Isolated" }.into())
}

/// The AWS CDK's `VpcContextResponse` with `subnetGroups`: groups ordered public,
/// private, isolated, then by name; subnets by AZ.
fn answer(
    vpc: &Element,
    subnets: &[Element],
    tables: &[Element],
    vpn: &[Element],
    name_tag: &str,
) -> Result<J, String> {
    let order = |k: &str| {
        ["Public", "Private", "Isolated"]
            .iter()
            .position(|x| *x == k)
    };
    // (kind order, group name) -> subnets
    let mut groups: std::collections::BTreeMap<(Option<usize>, String), Vec<J>> =
        Default::default();
    for subnet in subnets {
        let id = subnet.text_of("subnetId").unwrap_or_default();
        let table = table_of(tables, id);
        let Some(table_id) = table.and_then(|t| t.text_of("routeTableId")) else {
            return Err(format!(
                "subnet {id} has no route table (and the VPC no main one)"
            ));
        };
        let kind = kind(subnet, table)?;
        let name = subnet.tag(name_tag).unwrap_or(&kind).to_owned();
        groups.entry((order(&kind), name)).or_default().push(json!({
            "subnetId": id,
            "cidr": subnet.text_of("cidrBlock").unwrap_or_default(),
            "availabilityZone": subnet.text_of("availabilityZone").unwrap_or_default(),
            "routeTableId": table_id,
            "type": kind,
        }));
    }
    let subnet_groups: Vec<J> = groups
        .into_iter()
        .map(|((_, name), mut members)| {
            members.sort_by(|a, b| {
                (a["availabilityZone"].as_str(), a["subnetId"].as_str())
                    .cmp(&(b["availabilityZone"].as_str(), b["subnetId"].as_str()))
            });
            let kind = members[0]["type"].clone();
            for m in &mut members {
                if let Some(o) = m.as_object_mut() {
                    o.remove("type");
                }
            }
            json!({"name": name, "type": kind, "subnets": members})
        })
        .collect();
    let mut out = json!({
        "vpcId": vpc.text_of("vpcId").unwrap_or_default(),
        "vpcCidrBlock": vpc.text_of("cidrBlock").unwrap_or_default(),
        "ownerAccountId": vpc.text_of("ownerId").unwrap_or_default(),
        "availabilityZones": [],
        "subnetGroups": subnet_groups,
    });
    if let [gateway] = vpn {
        out["vpnGatewayId"] = json!(gateway.text_of("vpnGatewayId").unwrap_or_default());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(xml: &str, set: &str) -> Vec<Element> {
        Element::parse(xml)
            .expect("XML")
            .items(set)
            .cloned()
            .collect()
    }

    #[test]
    fn subnets_are_grouped_by_tag_or_by_their_routes() {
        let vpc = &items(
            "<r><vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><ownerId>123456789012</ownerId></item></vpcSet></r>",
            "vpcSet",
        )[0];
        let subnet = |id: &str, az: &str, cidr: &str, tags: &str| {
            format!(
                "<item><subnetId>{id}</subnetId><availabilityZone>{az}</availabilityZone><cidrBlock>{cidr}</cidrBlock><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch><tagSet>{tags}</tagSet></item>"
            )
        };
        let tag = |k: &str, v: &str| format!("<item><key>{k}</key><value>{v}</value></item>");
        let subnets = items(
            &format!(
                "<r><subnetSet>{}{}{}{}{}</subnetSet></r>",
                subnet("subnet-pub-b", "us-east-1b", "10.0.1.0/24", ""),
                subnet("subnet-pub-a", "us-east-1a", "10.0.0.0/24", ""),
                subnet(
                    "subnet-app-a",
                    "us-east-1a",
                    "10.0.16.0/20",
                    &tag("aws-cdk:subnet-name", "App")
                ),
                subnet(
                    "subnet-db-a",
                    "us-east-1a",
                    "10.0.64.0/24",
                    &tag("aws-cdk:subnet-name", "Data")
                ),
                subnet(
                    "subnet-main",
                    "us-east-1a",
                    "10.0.99.0/24",
                    &tag("aws-cdk:subnet-type", "Isolated")
                ),
            ),
            "subnetSet",
        );
        let table = |id: &str, subnets: &[&str], main: bool, route: &str| {
            let assoc: String = subnets
                .iter()
                .map(|s| format!("<item><subnetId>{s}</subnetId><main>false</main></item>"))
                .chain(main.then(|| "<item><main>true</main></item>".to_owned()))
                .collect();
            format!(
                "<item><routeTableId>{id}</routeTableId><routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId></item>{route}</routeSet><associationSet>{assoc}</associationSet></item>"
            )
        };
        let tables = items(
            &format!(
                "<r><routeTableSet>{}{}{}</routeTableSet></r>",
                table(
                    "rtb-pub",
                    &["subnet-pub-a", "subnet-pub-b"],
                    false,
                    "<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><gatewayId>igw-1</gatewayId></item>"
                ),
                table(
                    "rtb-app",
                    &["subnet-app-a"],
                    false,
                    "<item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><natGatewayId>nat-1</natGatewayId></item>"
                ),
                table("rtb-main", &[], true, ""),
            ),
            "routeTableSet",
        );
        let out = answer(vpc, &subnets, &tables, &[], "aws-cdk:subnet-name").expect("groups");
        assert_eq!(
            out,
            json!({
                "vpcId": "vpc-1", "vpcCidrBlock": "10.0.0.0/16", "ownerAccountId": "123456789012",
                "availabilityZones": [],
                "subnetGroups": [
                    {"name": "Public", "type": "Public", "subnets": [
                        {"subnetId": "subnet-pub-a", "cidr": "10.0.0.0/24", "availabilityZone": "us-east-1a", "routeTableId": "rtb-pub"},
                        {"subnetId": "subnet-pub-b", "cidr": "10.0.1.0/24", "availabilityZone": "us-east-1b", "routeTableId": "rtb-pub"},
                    ]},
                    {"name": "App", "type": "Private", "subnets": [
                        {"subnetId": "subnet-app-a", "cidr": "10.0.16.0/20", "availabilityZone": "us-east-1a", "routeTableId": "rtb-app"},
                    ]},
                    // No default route (the main table's): isolated, not private.
                    {"name": "Data", "type": "Isolated", "subnets": [
                        {"subnetId": "subnet-db-a", "cidr": "10.0.64.0/24", "availabilityZone": "us-east-1a", "routeTableId": "rtb-main"},
                    ]},
                    {"name": "Isolated", "type": "Isolated", "subnets": [
                        {"subnetId": "subnet-main", "cidr": "10.0.99.0/24", "availabilityZone": "us-east-1a", "routeTableId": "rtb-main"},
                    ]},
                ],
            })
        );

        let bad = items(
            &format!(
                "<r><subnetSet>{}</subnetSet></r>",
                subnet("subnet-x", "a", "c", &tag("aws-cdk:subnet-type", "Dmz"))
            ),
            "subnetSet",
        );
        assert_eq!(
            answer(vpc, &bad, &tables, &[], "aws-cdk:subnet-name"),
            Err("subnet subnet-x has aws-cdk:subnet-type Dmz; it must be Public, Private or Isolated".into())
        );
        assert_eq!(
            answer(vpc, &subnets, &[], &[], "aws-cdk:subnet-name"),
            Err("subnet subnet-pub-b has no route table (and the VPC no main one)".into())
        );
    }
}
