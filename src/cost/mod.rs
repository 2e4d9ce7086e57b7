//! Monthly cost estimates from templates: each resource priced from its properties, the
//! committed price table (`prices.json`) and usage assumptions (`Usage`), line by line.
//! `rcdk cost` prints them; `rcdk diff` prints the change.

mod commitments;
pub mod offers;
mod prices;
pub mod refresh;
mod report;
mod rules;
pub mod savings_plans;
mod usage;

use serde::Serialize;
use serde_json::Value as J;

pub use commitments::{
    Commitment, CommitmentOption, commitments, render_commitments_markdown, render_commitments_text,
};
pub use prices::{PriceEntry, PriceTable};
pub use report::{render_json, render_markdown, render_text, round_cents};
pub use usage::{USAGE_METADATA, Usage};

/// One priced line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The resource.
    pub logical_id: String,
    /// Its CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// What is priced (`2 tasks (scaling minimum) × 730 h: 0.25 vCPU`).
    pub description: String,
    /// How many units.
    pub quantity: f64,
    /// The unit (`hour`, `GB-month`).
    pub unit: String,
    /// The price of one unit, in USD.
    pub unit_usd: f64,
    /// The month's cost, in USD.
    pub monthly_usd: f64,
    /// The price-table entry: what an item is, for matching one estimate's items with
    /// another's (a resource can have two items in one unit, e.g. hours).
    #[serde(skip)]
    pub price_key: String,
}

/// A resource whose cost depends on what the template cannot say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotPriced {
    /// The resource.
    pub logical_id: String,
    /// Its CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Why, and the assumption that would price it.
    pub why: String,
}

/// A resource with no charge of its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Free {
    /// The resource.
    pub logical_id: String,
    /// Its CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Why it has no charge.
    pub why: String,
}

/// The estimate of one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackCost {
    /// The stack.
    pub name: String,
    /// Its region (prices differ by region).
    pub region: String,
    /// The stack's `Environment` tag, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The account the stack's resources are billed to, when its environment names one
    /// (a StackSet's are billed to each target account: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The month's total, in USD.
    pub monthly_usd: f64,
    /// The priced lines.
    pub items: Vec<Item>,
    /// Resources whose cost the template cannot say.
    pub not_priced: Vec<NotPriced>,
    /// Resources with no charge of their own.
    pub free: Vec<Free>,
    /// The usage assumed (requests, data, hours).
    pub usage: Usage,
    /// A StackSet's instances: the items are one instance's (in `region`), the month's
    /// total is every instance's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_set: Option<StackSetCost>,
}

/// How a StackSet's estimate multiplies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackSetCost {
    /// The regions each target account gets an instance in.
    pub regions: Vec<String>,
    /// Target accounts, when synthesis knows them (self-managed); `None` for
    /// organizational units, whose accounts only AWS Organizations knows.
    pub accounts: Option<usize>,
    /// One account's instances in all the regions, in USD a month.
    pub per_account_usd: f64,
}

/// A StackSet's estimate: one instance per region priced in that region, times the
/// target accounts (one when they are organizational units: the report says "per
/// account").
pub fn estimate_stack_set(
    table: &PriceTable,
    name: &str,
    environment: Option<&str>,
    template: &J,
    regions: &[String],
    accounts: Option<usize>,
) -> Result<StackCost, String> {
    let mut per_region = regions
        .iter()
        .map(|r| estimate_with(table, name, Some(r), environment, template))
        .collect::<Result<Vec<_>, _>>()?;
    let per_account_usd: f64 = per_region.iter().map(|c| c.monthly_usd).sum();
    let mut cost = if per_region.is_empty() {
        estimate_with(table, name, None, environment, template)?
    } else {
        per_region.swap_remove(0)
    };
    cost.monthly_usd = per_account_usd * accounts.unwrap_or(1) as f64;
    cost.stack_set = Some(StackSetCost {
        regions: regions.to_vec(),
        accounts,
        per_account_usd,
    });
    Ok(cost)
}

/// Metadata key of a restore testing selection: the instance class its restored copies
/// run as, which the estimate prices them at (the source's class is in another stack).
pub const RESTORED_CLASS_METADATA: &str = "rcdk:restored-instance-class";

/// The region prices are taken from when a stack names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Estimates one stack. `region` `None` (an environment-agnostic stack) is priced as
/// `us-east-1`; a region the table does not have is an error that says so.
pub fn estimate(
    name: &str,
    region: Option<&str>,
    environment: Option<&str>,
    template: &J,
) -> Result<StackCost, String> {
    estimate_with(PriceTable::builtin(), name, region, environment, template)
}

/// [`estimate`] with another price table (one `rcdk cost --refresh-prices` wrote).
pub fn estimate_with(
    table: &PriceTable,
    name: &str,
    region: Option<&str>,
    environment: Option<&str>,
    template: &J,
) -> Result<StackCost, String> {
    let region = region.unwrap_or(DEFAULT_REGION);
    if !table.regions.iter().any(|r| r == region) {
        return Err(format!(
            "{name}: the price table has no prices for {region} (it has {}); add them to src/cost/prices.json",
            table.regions.join(", ")
        ));
    }
    let usage = Usage::of_template(template).map_err(|e| format!("{name}: {e}"))?;
    let empty = serde_json::Map::new();
    let resources = template
        .get("Resources")
        .and_then(J::as_object)
        .unwrap_or(&empty);
    let ctx = rules::Ctx {
        table,
        region,
        usage: &usage,
        resources,
    };
    let mut cost = StackCost {
        name: name.to_owned(),
        region: region.to_owned(),
        environment: environment.map(str::to_owned),
        account: None,
        monthly_usd: 0.0,
        items: Vec::new(),
        not_priced: Vec::new(),
        free: Vec::new(),
        usage: usage.clone(),
        stack_set: None,
    };
    for (id, r) in resources {
        let type_name = r["Type"].as_str().unwrap_or_default();
        match rules::price_resource(&ctx, id, type_name, &r["Properties"]) {
            rules::Pricing::Items(items) => {
                for mut i in items {
                    i.logical_id = id.clone();
                    i.type_name = type_name.to_owned();
                    cost.monthly_usd += i.monthly_usd;
                    cost.items.push(i);
                }
            }
            rules::Pricing::Free(why) => cost.free.push(Free {
                logical_id: id.clone(),
                type_name: type_name.to_owned(),
                why: why.to_owned(),
            }),
            rules::Pricing::NotPriced(why) => {
                cost.not_priced.push(rules::not_priced(id, type_name, why));
            }
        }
    }
    Ok(cost)
}

/// The monthly change between two estimates of one stack: (before, after, the items
/// whose cost changed as `(description, before, after)`).
pub fn delta(before: &StackCost, after: &StackCost) -> Vec<(String, f64, f64)> {
    let key = |i: &Item| format!("{} {}", i.logical_id, i.description);
    let mut out = Vec::new();
    for a in &after.items {
        let b = before
            .items
            .iter()
            .find(|b| b.logical_id == a.logical_id && b.price_key == a.price_key)
            .map_or(0.0, |b| b.monthly_usd);
        if (a.monthly_usd - b).abs() >= 0.005 {
            out.push((key(a), b, a.monthly_usd));
        }
    }
    for b in &before.items {
        let kept = after
            .items
            .iter()
            .any(|a| a.logical_id == b.logical_id && a.price_key == b.price_key);
        if !kept && b.monthly_usd >= 0.005 {
            out.push((key(b), b.monthly_usd, 0.0));
        }
    }
    out
}

/// `$1,234.56`
pub fn usd(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let dollars = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// `$412.10 → $530.40 (+$118.30)`: a monthly cost before and after, and the change
/// (given, so a change computed before rounding stays as computed).
pub fn change_usd(before: f64, after: f64, delta: f64) -> String {
    format!("{} → {} ({})", usd(before), usd(after), signed_usd(delta))
}

/// `+$118.30` / `-$4.00`
pub fn signed_usd(amount: f64) -> String {
    if amount >= 0.0 {
        format!("+{}", usd(amount))
    } else {
        usd(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_are_grouped_and_rounded() {
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(98.55), "$98.55");
        assert_eq!(usd(1234.567), "$1,234.57");
        assert_eq!(usd(1_000_000.0), "$1,000,000.00");
        assert_eq!(signed_usd(118.3), "+$118.30");
        assert_eq!(signed_usd(-4.0), "-$4.00");
    }
}

#[cfg(test)]
mod stack_set_tests {
    use super::*;

    #[test]
    fn a_stack_set_costs_each_region_once_per_account() {
        // A customer managed key: $1 a month in every region it exists in.
        let t =
            serde_json::json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}});
        let one = estimate("k", Some("us-east-1"), None, &t)
            .unwrap()
            .monthly_usd;
        assert!(one > 0.0);
        let regions = vec!["us-east-1".to_owned(), "us-east-1".to_owned()];
        let set =
            estimate_stack_set(PriceTable::builtin(), "k", None, &t, &regions, Some(3)).unwrap();
        assert!(
            (set.monthly_usd - one * 2.0 * 3.0).abs() < 1e-9,
            "{}",
            set.monthly_usd
        );
        let per_account =
            estimate_stack_set(PriceTable::builtin(), "k", None, &t, &regions, None).unwrap();
        assert!((per_account.monthly_usd - one * 2.0).abs() < 1e-9);
        assert_eq!(per_account.stack_set.unwrap().accounts, None);
    }
}
