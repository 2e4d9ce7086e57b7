//! Which price keys the AWS Price List's offer files give, and how a refresh rewrites the
//! price table: each key it finds gets the offer's on-demand price, the product's SKU, its
//! reserved-instance prices and the offer's publication date. Keys no offer mapping
//! covers keep their transcribed price and say so (`source`, `as_of`).
//!
//! Mapped: PostgreSQL instances of every class RDS offers (Single-AZ and Multi-AZ, and
//! the family's `large` price the table falls back on), ElastiCache Redis nodes of
//! every type, Fargate's vCPU and memory by architecture, and the Application Load
//! Balancer's hour and LCU-hour. Databases and cache nodes have reserved instances,
//! which `rcdk cost --commitments` compares; Fargate and EC2 instances have Compute
//! Savings Plans rates, read from the price list's Savings Plans file.

use std::collections::BTreeMap;

use super::offers::{OfferPrices, Product};
use super::prices::{PriceEntry, PriceTable};

/// The offer files a refresh reads. EC2's (instances, NAT gateways) is left out: a
/// region's is gigabytes; those keys keep their transcribed prices.
pub const OFFERS: &[&str] = &["AmazonRDS", "AmazonElastiCache", "AmazonECS", "AWSELB"];
/// The Savings Plans a refresh reads (their rates for Fargate and EC2 instances).
pub const SAVINGS_PLANS: &str = "AWSComputeSavingsPlan";

/// The path of the Savings Plans' index of region files below the price list's address.
pub fn savings_plans_index_path() -> String {
    format!("savingsPlan/v1.0/aws/{SAVINGS_PLANS}/current/region_index.json")
}

/// Writes a region's Compute Savings Plans rates into the entries the table has (a key
/// without an on-demand price has nothing to compare with); returns how many entries
/// got rates.
pub fn merge_savings_plans(
    table: &mut PriceTable,
    region: &str,
    rates: &super::savings_plans::PlanRates,
) -> usize {
    let mut merged = 0;
    for entry in &mut table.entries {
        match rates.found.get(&entry.key) {
            Some(found) => {
                entry.savings_plans.insert(region.to_owned(), found.clone());
                merged += 1;
            }
            None => {
                entry.savings_plans.remove(region);
            }
        }
    }
    merged
}

/// Where AWS publishes the offer files (no credentials needed).
pub const PRICE_LIST_URL: &str = "https://pricing.us-east-1.amazonaws.com";

/// The path of `offer`'s file for `region` below the price list's address.
pub fn offer_path(offer: &str, region: &str) -> String {
    format!("offers/v1.0/aws/{offer}/current/{region}/index.json")
}

/// A usage type without its region's prefix (`USW2-`, `USE1-`); EC2's and ELB's in
/// us-east-1 have none.
pub fn without_region_prefix(usage_type: &str) -> &str {
    usage_type
        .split_once('-')
        .filter(|(prefix, _)| {
            prefix.len() == 4
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && prefix.chars().any(|c| c.is_ascii_digit())
        })
        .map_or(usage_type, |(_, rest)| rest)
}

/// The price key of a Fargate usage (Linux, by architecture).
pub fn fargate_key(usage: &str) -> Option<&'static str> {
    match usage {
        "Fargate-vCPU-Hours:perCPU" => Some("fargate_vcpu_hour_x86"),
        "Fargate-GB-Hours" => Some("fargate_gb_hour_x86"),
        "Fargate-ARM-vCPU-Hours:perCPU" => Some("fargate_vcpu_hour_arm"),
        "Fargate-ARM-GB-Hours" => Some("fargate_gb_hour_arm"),
        _ => None,
    }
}

fn attr<'a>(p: &'a Product, name: &str) -> &'a str {
    p.attributes.get(name).map_or("", String::as_str)
}

/// The price keys `product` of `offer` gives (none for the products rcdk does not price).
pub fn keys(offer: &str, product: &Product) -> Vec<String> {
    // Outposts, Local Zones and Wavelength price differently from the region.
    if !matches!(attr(product, "locationType"), "" | "AWS Region") {
        return Vec::new();
    }
    match offer {
        "AmazonRDS"
            if product.family == "Database Instance"
                && attr(product, "databaseEngine") == "PostgreSQL" =>
        {
            let class = attr(product, "instanceType");
            let az = match attr(product, "deploymentOption") {
                "Single-AZ" => "single",
                "Multi-AZ" => "multi",
                _ => return Vec::new(),
            };
            if !class.starts_with("db.") {
                return Vec::new();
            }
            let mut keys = vec![format!("rds_postgres_hour:{class}:{az}")];
            // The family's large Single-AZ price, which sizes the classes the table lacks.
            if az == "single"
                && let Some(family) = class
                    .strip_prefix("db.")
                    .and_then(|c| c.strip_suffix(".large"))
            {
                keys.push(format!("rds_postgres_large_hour:{family}"));
            }
            keys
        }
        "AmazonElastiCache"
            if product.family == "Cache Instance" && attr(product, "cacheEngine") == "Redis" =>
        {
            let node = attr(product, "instanceType");
            if node.starts_with("cache.") {
                vec![format!("elasticache_hour:{node}")]
            } else {
                Vec::new()
            }
        }
        "AmazonECS" => fargate_key(without_region_prefix(attr(product, "usagetype")))
            .map(|k| vec![k.to_owned()])
            .unwrap_or_default(),
        "AWSELB" if product.family == "Load Balancer-Application" => {
            match without_region_prefix(attr(product, "usagetype")) {
                "LoadBalancerUsage" => vec!["alb_hour".to_owned()],
                "LCUUsage" => vec!["alb_lcu_hour".to_owned()],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The unit the table records for a key's family.
fn unit(key: &str) -> &'static str {
    if key.starts_with("elasticache_hour:") {
        "node-hour"
    } else {
        "hour"
    }
}

/// What one region's offer did to the table.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// Keys whose price changed, with the old and new USD (as text, for reports).
    pub changed: Vec<(String, String, String)>,
    /// Keys the table did not have.
    pub added: Vec<String>,
    /// Keys found at the price the table had.
    pub unchanged: usize,
}

/// Writes `prices` (the offer file of `region`, read from `url`) into `table`.
pub fn merge(table: &mut PriceTable, region: &str, url: &str, prices: &OfferPrices) -> Merged {
    let mut merged = Merged::default();
    let as_of: String = prices.publication_date.chars().take(10).collect();
    if !table.regions.iter().any(|r| r == region) {
        table.regions.push(region.to_owned());
        table.regions.sort();
    }
    let mut by_key: BTreeMap<String, usize> = table
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    for (key, found) in &prices.found {
        let i = match by_key.get(key) {
            Some(&i) => i,
            None => {
                // New keys go after the transcribed ones, in key order (found is sorted).
                merged.added.push(key.clone());
                table.entries.push(PriceEntry {
                    key: key.clone(),
                    unit: unit(key).to_owned(),
                    usd: BTreeMap::new(),
                    source: String::new(),
                    as_of: String::new(),
                    sku: BTreeMap::new(),
                    reserved: BTreeMap::new(),
                    savings_plans: BTreeMap::new(),
                });
                by_key.insert(key.clone(), table.entries.len() - 1);
                table.entries.len() - 1
            }
        };
        let entry = &mut table.entries[i];
        match entry.usd.insert(region.to_owned(), found.usd) {
            Some(old) if (old - found.usd).abs() > 1e-12 => {
                merged
                    .changed
                    .push((key.clone(), format!("{old}"), format!("{}", found.usd)))
            }
            Some(_) => merged.unchanged += 1,
            None => {}
        }
        entry.source = url.to_owned();
        entry.as_of.clone_from(&as_of);
        entry.sku.insert(region.to_owned(), found.sku.clone());
        if found.reserved.is_empty() {
            entry.reserved.remove(region);
        } else {
            let mut reserved = found.reserved.clone();
            reserved.sort_by(|a, b| {
                (a.years, &a.offering_class, &a.purchase_option).cmp(&(
                    b.years,
                    &b.offering_class,
                    &b.purchase_option,
                ))
            });
            entry.reserved.insert(region.to_owned(), reserved);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::offers;

    #[test]
    fn a_refresh_changes_adds_and_keeps_prices_with_their_sku_and_date() {
        let rds = include_str!("../../tests/integration/offers/AmazonRDS/us-east-1/index.json");
        let prices =
            offers::read(rds.as_bytes(), &|p: &Product| keys("AmazonRDS", p)).expect("reads");
        let mut table = PriceTable::builtin().clone();
        let before = table.entries.len();
        let url = format!("{PRICE_LIST_URL}/{}", offer_path("AmazonRDS", "us-east-1"));
        let merged = merge(&mut table, "us-east-1", &url, &prices);
        assert_eq!(
            merged.changed,
            [
                (
                    "rds_postgres_hour:db.r7g.large:single".to_owned(),
                    "0.239".to_owned(),
                    "0.241".to_owned()
                ),
                (
                    "rds_postgres_large_hour:r7g".to_owned(),
                    "0.239".to_owned(),
                    "0.241".to_owned()
                )
            ]
        );
        assert_eq!(merged.added, ["rds_postgres_hour:db.m8g.xlarge:single"]);
        assert_eq!(merged.unchanged, 2);
        assert_eq!(table.entries.len(), before + 1);
        let (usd, entry) = table
            .get("rds_postgres_hour:db.r7g.large:single", "us-east-1")
            .expect("refreshed");
        assert!((usd - 0.241).abs() < 1e-12);
        assert_eq!(entry.as_of, "2026-11-28");
        assert_eq!(entry.sku["us-east-1"], "2YS8W7NR5VNH4GXA");
        assert!(
            entry
                .source
                .ends_with("/AmazonRDS/current/us-east-1/index.json")
        );
        assert_eq!(entry.reserved["us-east-1"].len(), 5);
        // The other region keeps its transcribed price until its offer is read.
        assert!(
            table
                .get("rds_postgres_hour:db.r7g.large:single", "us-west-2")
                .is_some()
        );
        // Written and read back, the table is the same.
        let text = table.to_file_text();
        let back: PriceTable = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.to_file_text(), text);
    }
}
