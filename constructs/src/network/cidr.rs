//! IPv4 CIDR arithmetic for subnet planning: blocks are allocated in order, each
//! aligned to its size, never overlapping, and an allocation that does not fit says so.

use std::fmt;
use std::str::FromStr;

/// An IPv4 block, `10.0.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Cidr {
    base: u32,
    prefix: u8,
}

impl Ipv4Cidr {
    /// 10.0.0.0/16: stands in for an invalid VPC CIDR so that construction goes on and
    /// synthesis reports every problem at once.
    pub(crate) const FALLBACK: Ipv4Cidr = Ipv4Cidr {
        base: 0x0A00_0000,
        prefix: 16,
    };
}

impl Ipv4Cidr {
    /// The prefix length (`/16` → 16).
    pub fn prefix(self) -> u8 {
        self.prefix
    }

    /// How many addresses the block holds.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    fn end(self) -> u64 {
        u64::from(self.base) + self.size()
    }
}

impl FromStr for Ipv4Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Ipv4Cidr, String> {
        let bad = || format!("'{s}' is not an IPv4 CIDR block like 10.0.0.0/16");
        let (addr, prefix) = s.split_once('/').ok_or_else(bad)?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        let octets: Vec<u8> = addr
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let [a, b, c, d] = octets[..] else {
            return Err(bad());
        };
        if prefix > 32 {
            return Err(bad());
        }
        let base = u32::from_be_bytes([a, b, c, d]);
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        };
        if base & !mask != 0 {
            return Err(format!(
                "'{s}' has host bits set; the block starts at {}",
                Ipv4Cidr {
                    base: base & mask,
                    prefix
                }
            ));
        }
        Ok(Ipv4Cidr { base, prefix })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.base.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

/// One request: `count` blocks of `/mask` for the subnet group `name`.
#[derive(Debug, Clone)]
pub struct Request {
    /// The subnets' name (`Private`).
    pub name: String,
    /// Each subnet's prefix length (`/24`).
    pub mask: u8,
    /// How many subnets.
    pub count: usize,
}

/// Allocates the requests in order from the start of `vpc`. Each block is aligned to
/// its own size, so a group's blocks keep their addresses when groups are appended.
pub fn allocate(vpc: Ipv4Cidr, requests: &[Request]) -> Result<Vec<Vec<Ipv4Cidr>>, String> {
    let mut cursor = u64::from(vpc.base);
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        if !(16..=28).contains(&r.mask) {
            return Err(format!(
                "subnet group '{}' has mask /{}; subnets are /16 to /28",
                r.name, r.mask
            ));
        }
        if r.mask < vpc.prefix {
            return Err(format!(
                "subnet group '{}' asks for /{} subnets, larger than the VPC {vpc}; use a larger mask number",
                r.name, r.mask
            ));
        }
        let size = 1u64 << (32 - u32::from(r.mask));
        let mut blocks = Vec::with_capacity(r.count);
        for _ in 0..r.count {
            let start = cursor.div_ceil(size) * size;
            if start + size > vpc.end() {
                let needed: u64 = requests
                    .iter()
                    .map(|q| (1u64 << (32 - u32::from(q.mask))) * q.count as u64)
                    .sum();
                return Err(format!(
                    "subnet group '{}' ({} × /{}) does not fit in the VPC {vpc}: the subnet groups need {needed} addresses, the VPC has {}; use a larger VPC CIDR or smaller subnets (a larger mask number)",
                    r.name,
                    r.count,
                    r.mask,
                    vpc.size()
                ));
            }
            blocks.push(Ipv4Cidr {
                base: u32::try_from(start).unwrap_or(u32::MAX),
                prefix: r.mask,
            });
            cursor = start + size;
        }
        out.push(blocks);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, mask: u8, count: usize) -> Request {
        Request {
            name: name.into(),
            mask,
            count,
        }
    }

    fn strings(blocks: &[Vec<Ipv4Cidr>]) -> Vec<Vec<String>> {
        blocks
            .iter()
            .map(|g| g.iter().map(ToString::to_string).collect())
            .collect()
    }

    #[test]
    fn parses_and_prints() {
        let c: Ipv4Cidr = "10.20.0.0/16".parse().expect("valid");
        assert_eq!(c.to_string(), "10.20.0.0/16");
        assert_eq!(c.size(), 65536);
        assert!(
            "10.0.0.1/16"
                .parse::<Ipv4Cidr>()
                .unwrap_err()
                .contains("host bits set; the block starts at 10.0.0.0/16")
        );
        assert!("10.0.0/16".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0.0/33".parse::<Ipv4Cidr>().is_err());
        assert!("banana".parse::<Ipv4Cidr>().is_err());
    }

    #[test]
    fn allocates_groups_in_order_without_overlap() {
        let vpc: Ipv4Cidr = "10.0.0.0/16".parse().expect("valid");
        let blocks = allocate(
            vpc,
            &[
                req("Public", 24, 3),
                req("Private", 20, 3),
                req("Isolated", 24, 3),
            ],
        )
        .expect("fits");
        assert_eq!(
            strings(&blocks),
            [
                vec!["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                // Aligned to /20 boundaries after the public blocks.
                vec!["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"],
                vec!["10.0.64.0/24", "10.0.65.0/24", "10.0.66.0/24"],
            ]
        );
    }

    #[test]
    fn appending_a_group_keeps_existing_addresses() {
        let vpc: Ipv4Cidr = "10.0.0.0/16".parse().expect("valid");
        let before = allocate(vpc, &[req("Public", 24, 2)]).expect("fits");
        let after = allocate(vpc, &[req("Public", 24, 2), req("Isolated", 22, 2)]).expect("fits");
        assert_eq!(before[0], after[0]);
    }

    #[test]
    fn reports_what_does_not_fit() {
        let vpc: Ipv4Cidr = "10.0.0.0/22".parse().expect("valid");
        let err = allocate(vpc, &[req("Public", 24, 2), req("Private", 23, 2)]).unwrap_err();
        assert_eq!(
            err,
            "subnet group 'Private' (2 × /23) does not fit in the VPC 10.0.0.0/22: the subnet groups need 1536 addresses, the VPC has 1024; use a larger VPC CIDR or smaller subnets (a larger mask number)"
        );
        assert!(
            allocate(vpc, &[req("Big", 20, 1)])
                .unwrap_err()
                .contains("larger than the VPC 10.0.0.0/22")
        );
        assert!(
            allocate(vpc, &[req("Tiny", 29, 1)])
                .unwrap_err()
                .contains("subnets are /16 to /28")
        );
    }
}
