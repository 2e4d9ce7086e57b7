//! Rust names from CloudFormation names: `VPCGatewayAttachment` → `VpcGatewayAttachment`
//! / `vpc_gateway_attachment`.

fn words(name: &str) -> Vec<String> {
    // Spelled-out acronyms with a lower-case letter inside would split badly.
    let name = name
        .replace("IPv6", "Ipv6")
        .replace("IPv4", "Ipv4")
        .replace("IPV6", "Ipv6")
        .replace("IPV4", "Ipv4")
        .replace("MiB", "Mib")
        .replace("GiB", "Gib");
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub fn pascal(name: &str) -> String {
    let p: String = words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    if p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{p}")
    } else {
        p
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
    "true", "try", "type", "unsafe", "use", "where", "while", "yield", "abstract", "become", "do",
    "final", "macro", "override", "typeof", "unsized", "virtual",
];

pub fn snake(name: &str) -> String {
    let s = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if s.is_empty() {
        "field".to_owned()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{s}")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Module (and cargo feature) of a type's service: the service part of the type name in
/// lower case, `AWS::ElasticLoadBalancingV2::LoadBalancer` → `elasticloadbalancingv2` (as
/// in aws-cdk-lib).
pub fn service_module(type_name: &str) -> String {
    type_name
        .split("::")
        .nth(1)
        .unwrap_or(type_name)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(pascal("VPCGatewayAttachment"), "VpcGatewayAttachment");
        assert_eq!(snake("VPCGatewayAttachment"), "vpc_gateway_attachment");
        assert_eq!(snake("DBInstance"), "db_instance");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("IPv6Address"), "ipv6_address");
        assert_eq!(snake("S3Bucket"), "s3_bucket");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(pascal("WebACL"), "WebAcl");
        assert_eq!(snake("SSESpecification"), "sse_specification");
        assert_eq!(snake("MemoryMiB"), "memory_mib");
    }
}
