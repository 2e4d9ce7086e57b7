//! What commitments would cost for the steady resources of an estimate: reserved
//! instances for each database instance and cache node that runs all month, and Compute
//! Savings Plans for Fargate tasks and EC2 instances, priced one- and three-year, each
//! purchase option, against the on-demand month. Shown, never bought: a commitment is a
//! decision about a year or three of the business.

use serde::Serialize;

use super::{PriceTable, StackCost};

/// One resource's reserved-instance options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commitment {
    /// `stack/LogicalId`.
    pub resource: String,
    /// What is priced (`PostgreSQL db.r7g.large, Multi-AZ`).
    pub description: String,
    /// `Reserved Instances` or `Compute Savings Plan`.
    pub plan: String,
    /// Its on-demand month, USD.
    pub on_demand_monthly_usd: f64,
    /// The options, shortest term and least paid upfront first.
    pub options: Vec<CommitmentOption>,
}

/// One reserved-instance option for a resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentOption {
    /// 1 or 3.
    pub years: u32,
    /// `No Upfront`, `Partial Upfront`, `All Upfront`.
    pub purchase_option: String,
    /// Paid once for the resource's instances, USD.
    pub upfront_usd: f64,
    /// The month, upfront fees spread over the term, USD.
    pub monthly_usd: f64,
    /// The monthly saving against on-demand, USD.
    pub saving_usd: f64,
}

/// The options for every steady item of `costs` whose price has reserved terms in `table`.
pub fn commitments(costs: &[StackCost], table: &PriceTable) -> Vec<Commitment> {
    let mut out = Vec::new();
    for cost in costs {
        let hours = cost.usage.hours_per_month;
        for item in &cost.items {
            let Some((on_demand, entry)) = table.get(&item.price_key, &cost.region) else {
                continue;
            };
            let Some(terms) = entry.reserved.get(&cost.region) else {
                continue;
            };
            // Steady: whole instances all month (not a restore test's few hours).
            let instances = item.quantity / hours;
            if instances < 0.999 || (instances - instances.round()).abs() > 1e-6 || on_demand <= 0.0
            {
                continue;
            }
            // A class priced as a multiple of its family's large price reserves alike.
            let scale = instances.round() * item.unit_usd / on_demand;
            let options = terms
                .iter()
                .filter(|r| r.offering_class == "standard")
                .map(|r| {
                    let monthly = scale * r.monthly_usd(hours);
                    CommitmentOption {
                        years: r.years,
                        purchase_option: r.purchase_option.clone(),
                        upfront_usd: scale * r.upfront_usd,
                        monthly_usd: monthly,
                        saving_usd: item.monthly_usd - monthly,
                    }
                })
                .collect::<Vec<_>>();
            if options.is_empty() {
                continue;
            }
            out.push(Commitment {
                resource: format!("{}/{}", cost.name, item.logical_id),
                description: item.description.clone(),
                plan: "Reserved Instances".into(),
                on_demand_monthly_usd: item.monthly_usd,
                options,
            });
        }
    }
    out.extend(savings_plans(costs, table));
    out
}

/// Compute Savings Plans for the usage of each item whose price has their rates (Fargate
/// vCPU and memory, EC2 instances): the commitment that covers the month's usage at the
/// plan's rate, its upfront share paid once.
fn savings_plans(costs: &[StackCost], table: &PriceTable) -> Vec<Commitment> {
    let mut out = Vec::new();
    for cost in costs {
        for item in &cost.items {
            let Some(rates) = table
                .get(&item.price_key, &cost.region)
                .and_then(|(_, entry)| entry.savings_plans.get(&cost.region))
            else {
                continue;
            };
            if item.quantity <= 0.0 || rates.is_empty() {
                continue;
            }
            let options = rates
                .iter()
                .map(|r| {
                    let monthly = item.quantity * r.hourly_usd;
                    CommitmentOption {
                        years: r.years,
                        purchase_option: r.purchase_option.clone(),
                        upfront_usd: monthly * 12.0 * f64::from(r.years) * r.upfront_share(),
                        monthly_usd: monthly,
                        saving_usd: item.monthly_usd - monthly,
                    }
                })
                .collect();
            out.push(Commitment {
                resource: format!("{}/{}", cost.name, item.logical_id),
                description: item.description.clone(),
                plan: "Compute Savings Plan".into(),
                on_demand_monthly_usd: item.monthly_usd,
                options,
            });
        }
    }
    out
}

const HOW_PLANS_WORK: &str = "A Compute Savings Plan commits dollars an hour across Fargate, EC2 and Lambda in any region; its rate here covers the month's usage of the line (the steady part of a service is its minimum task count)";

/// The options as text, after the estimate.
pub fn render_commitments_text(list: &[Commitment]) -> String {
    let mut out = String::from(
        "\nCommitments (reserved instances and Compute Savings Plans; shown, never bought):\n",
    );
    for c in list {
        out.push_str(&format!(
            "  {}  {}: on demand {}/month ({})\n",
            c.resource,
            c.description,
            super::usd(c.on_demand_monthly_usd),
            c.plan
        ));
        for o in &c.options {
            out.push_str(&format!(
                "    {} yr {:<16} {:>10}/month  saves {}/month ({:.0} %){}\n",
                o.years,
                o.purchase_option,
                super::usd(o.monthly_usd),
                super::usd(o.saving_usd),
                100.0 * o.saving_usd / c.on_demand_monthly_usd,
                if o.upfront_usd > 0.0 {
                    format!(", {} upfront", super::usd(o.upfront_usd))
                } else {
                    String::new()
                }
            ));
        }
    }
    if list.is_empty() {
        out.push_str("  no steady database, cache node, task or instance has commitment prices in the table\n");
    }
    out.push_str(&format!("  {HOW_PLANS_WORK}\n"));
    out
}

/// The options as a Markdown table.
pub fn render_commitments_markdown(list: &[Commitment]) -> String {
    let mut out = String::from(
        "\n### Commitments (shown, never bought)\n\n| Resource | On demand | Plan | Term | Per month | Saving |\n|---|---:|---|---|---:|---:|\n",
    );
    for c in list {
        for o in &c.options {
            out.push_str(&format!(
                "| {} | {} | {} | {} yr {} | {} | {} |\n",
                c.resource,
                super::usd(c.on_demand_monthly_usd),
                c.plan,
                o.years,
                o.purchase_option,
                super::usd(o.monthly_usd),
                super::usd(o.saving_usd)
            ));
        }
    }
    out.push_str(&format!("\n{HOW_PLANS_WORK}.\n"));
    out
}
