//! The AWS Price List's Compute Savings Plans rates
//! (`…/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json`, whose
//! `regions[].versionUrl` names each region's file), read as a stream: a region's file
//! holds every EC2 instance type, operating system and tenancy, Fargate and Lambda. The
//! format: `publicationDate`, `regionCode`, `products` (each plan's SKU with its
//! `purchaseOption`), then `terms.savingsPlan`: per plan its `leaseContractLength` and
//! `rates`, each a usage type (`discountedUsageType`), an operation and the plan's
//! effective hourly price for it (`discountedRate.price`). Only the rates a price key
//! names are kept.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One Savings Plans price for a usage: the plan's term, how it is paid, and the
/// effective hourly price (the commitment covers `hourly_usd` × hours used).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavingsPlanRate {
    /// 1 or 3.
    pub years: u32,
    /// `No Upfront`, `Partial Upfront`, `All Upfront`.
    pub purchase_option: String,
    /// USD per unit of the usage (vCPU-hour, GB-hour, instance-hour).
    pub hourly_usd: f64,
}

impl SavingsPlanRate {
    /// The share of the term's commitment paid upfront.
    pub fn upfront_share(&self) -> f64 {
        match self.purchase_option.as_str() {
            "All Upfront" => 1.0,
            "Partial Upfront" => 0.5,
            _ => 0.0,
        }
    }
}

/// The rates one region's file gave for the keys asked of it.
#[derive(Debug, Default)]
pub struct PlanRates {
    /// `2026-11-28T00:00:00Z`.
    pub publication_date: String,
    /// `us-east-1`.
    pub region_code: String,
    /// Price key → its rates, one per term and purchase option.
    pub found: BTreeMap<String, Vec<SavingsPlanRate>>,
}

/// Which price key a rate's (usage type, operation) gives, if any.
pub type WantedRate<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

/// The price key of a Compute Savings Plans rate, for the usages rcdk prices: Fargate
/// (Linux, by architecture) and EC2 instances (Linux, shared tenancy).
pub fn key_of(usage_type: &str, operation: &str) -> Option<String> {
    let usage = super::refresh::without_region_prefix(usage_type);
    if let Some(key) = super::refresh::fargate_key(usage) {
        return Some(key.to_owned());
    }
    let instance = usage.strip_prefix("BoxUsage:")?;
    // RunInstances alone is Linux/UNIX; suffixes are other operating systems.
    (operation == "RunInstances").then(|| format!("ec2_hour:{instance}"))
}

/// Reads a region's Compute Savings Plans file from `reader`, keeping the rates
/// `wanted` names.
pub fn read(reader: impl std::io::Read, wanted: WantedRate<'_>) -> Result<PlanRates, String> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let mut state = State {
        wanted,
        options: BTreeMap::new(),
        out: PlanRates::default(),
    };
    TopLevel(&mut state)
        .deserialize(&mut de)
        .map_err(|e| format!("not an AWS Price List Savings Plans file: {e}"))?;
    de.end()
        .map_err(|e| format!("trailing data after the Savings Plans file: {e}"))?;
    let mut out = state.out;
    for rates in out.found.values_mut() {
        rates.sort_by(|a, b| {
            (a.years, option_order(&a.purchase_option))
                .cmp(&(b.years, option_order(&b.purchase_option)))
        });
        rates.dedup();
    }
    Ok(out)
}

fn option_order(option: &str) -> u8 {
    match option {
        "No Upfront" => 0,
        "Partial Upfront" => 1,
        _ => 2,
    }
}

struct State<'a> {
    wanted: WantedRate<'a>,
    /// Plan SKU → purchase option (from `products`).
    options: BTreeMap<String, String>,
    out: PlanRates,
}

#[derive(Deserialize)]
struct PlanProduct {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Plan {
    #[serde(default)]
    sku: String,
    #[serde(rename = "leaseContractLength")]
    lease: Lease,
    #[serde(default)]
    rates: Vec<Rate>,
}

#[derive(Deserialize)]
struct Lease {
    duration: u32,
    #[serde(default)]
    unit: String,
}

#[derive(Deserialize)]
struct Rate {
    #[serde(rename = "discountedUsageType", default)]
    usage_type: String,
    #[serde(rename = "discountedOperation", default)]
    operation: String,
    #[serde(rename = "discountedRate")]
    rate: Price,
}

#[derive(Deserialize)]
struct Price {
    price: String,
    #[serde(default)]
    currency: String,
}

struct TopLevel<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Savings Plans file object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let state = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "publicationDate" => state.out.publication_date = map.next_value()?,
                "regionCode" => state.out.region_code = map.next_value()?,
                "products" => {
                    for p in map.next_value::<Vec<PlanProduct>>()? {
                        if let Some(option) = p.attributes.get("purchaseOption") {
                            state.options.insert(p.sku, option.clone());
                        }
                    }
                }
                "terms" => map.next_value_seed(Terms(&mut *state))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Terms<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Terms<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Terms<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("terms by kind")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(kind) = map.next_key::<String>()? {
            if kind == "savingsPlan" {
                map.next_value_seed(Plans(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The plans, one at a time: a plan's rates are kept only where a key wants them.
struct Plans<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Plans<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Plans<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Savings Plans")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let state = self.0;
        while let Some(plan) = seq.next_element::<Plan>()? {
            let Some(option) = state.options.get(&plan.sku).cloned() else {
                continue;
            };
            if plan.lease.unit != "year" && !plan.lease.unit.is_empty() {
                continue;
            }
            for r in &plan.rates {
                if r.rate.currency != "USD" && !r.rate.currency.is_empty() {
                    continue;
                }
                let (Some(key), Ok(hourly_usd)) = (
                    (state.wanted)(&r.usage_type, &r.operation),
                    r.rate.price.parse::<f64>(),
                ) else {
                    continue;
                };
                state
                    .out
                    .found
                    .entry(key)
                    .or_default()
                    .push(SavingsPlanRate {
                        years: plan.lease.duration,
                        purchase_option: option.clone(),
                        hourly_usd,
                    });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_types_map_to_the_price_keys_with_and_without_a_region_prefix() {
        assert_eq!(
            key_of("USE1-Fargate-vCPU-Hours:perCPU", "").as_deref(),
            Some("fargate_vcpu_hour_x86")
        );
        assert_eq!(
            key_of("USW2-Fargate-ARM-GB-Hours", "FargateTask").as_deref(),
            Some("fargate_gb_hour_arm")
        );
        assert_eq!(
            key_of("BoxUsage:m7g.large", "RunInstances").as_deref(),
            Some("ec2_hour:m7g.large")
        );
        assert_eq!(
            key_of("USW2-BoxUsage:c7g.large", "RunInstances").as_deref(),
            Some("ec2_hour:c7g.large")
        );
        // Windows, dedicated tenancy and Lambda are not priced.
        assert_eq!(key_of("BoxUsage:m7g.large", "RunInstances:0002"), None);
        assert_eq!(
            key_of("USE1-DedicatedUsage:m7g.large", "RunInstances"),
            None
        );
        assert_eq!(key_of("USE1-Lambda-GB-Second", "Invoke"), None);
    }
}
