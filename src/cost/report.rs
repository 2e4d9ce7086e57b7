//! `rcdk cost` output: text for a terminal, JSON for tools, markdown for a PR comment.

use std::collections::BTreeMap;

use serde_json::json;

use super::{StackCost, usd};

/// Totals of the stacks grouped by `key` (a stack without one left out), in the order
/// the stacks come.
fn totals_by(
    stacks: &[StackCost],
    key: impl Fn(&StackCost) -> Option<String>,
) -> Vec<(String, f64)> {
    let mut order: Vec<String> = Vec::new();
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    for s in stacks {
        let Some(k) = key(s) else {
            continue;
        };
        if !order.contains(&k) {
            order.push(k.clone());
        }
        *totals.entry(k).or_default() += s.monthly_usd;
    }
    order
        .into_iter()
        .map(|k| {
            let t = totals.get(&k).copied().unwrap_or_default();
            (k, t)
        })
        .collect()
}

/// Totals by environment (stacks without an `Environment` tag are grouped by region).
fn by_environment(stacks: &[StackCost]) -> Vec<(String, f64)> {
    totals_by(stacks, |s| {
        Some(s.environment.clone().unwrap_or_else(|| s.region.clone()))
    })
}

/// Totals by the account billed, when the stacks are in more than one (a StackSet's
/// instances are billed to its targets: apart).
fn by_account(stacks: &[StackCost]) -> Vec<(String, f64)> {
    let accounts = totals_by(stacks, |s| match (&s.account, &s.stack_set) {
        (_, Some(set)) if set.accounts.is_none() => {
            Some(format!("{} (StackSet, each target account)", s.name))
        }
        (_, Some(_)) => Some(format!("{} (StackSet, its accounts)", s.name)),
        (account, None) => account.clone(),
    });
    if accounts.len() < 2 {
        return Vec::new();
    }
    accounts
}

fn total(stacks: &[StackCost]) -> f64 {
    stacks.iter().map(|s| s.monthly_usd).sum()
}

/// The estimates as text for a terminal: per stack, per environment, in total.
pub fn render_text(stacks: &[StackCost]) -> String {
    let mut out = String::new();
    for s in stacks {
        match &s.stack_set {
            None => out.push_str(&format!(
                "{} ({}): {}/month\n",
                s.name,
                s.region,
                usd(s.monthly_usd)
            )),
            Some(set) => out.push_str(&format!(
                "{} (StackSet, {} in {}): {}/month{}; the lines are one instance in {}\n",
                s.name,
                match set.accounts {
                    Some(n) => format!("{n} account(s)"),
                    None => "each account of its organizational units".to_owned(),
                },
                set.regions.join(", "),
                usd(s.monthly_usd),
                if set.accounts.is_none() {
                    " per account"
                } else {
                    ""
                },
                s.region
            )),
        }
        let mut items: Vec<_> = s.items.iter().collect();
        items.sort_by(|a, b| b.monthly_usd.total_cmp(&a.monthly_usd));
        for i in items {
            out.push_str(&format!(
                "  {:>11}  {:<40} {} ({} {} × {})\n",
                usd(i.monthly_usd),
                i.logical_id,
                i.description,
                trim(i.quantity),
                i.unit,
                usd_precise(i.unit_usd)
            ));
        }
        for n in &s.not_priced {
            out.push_str(&format!(
                "  {:>11}  {:<40} {}\n",
                "not priced", n.logical_id, n.why
            ));
        }
        if !s.free.is_empty() {
            out.push_str(&format!(
                "  {:>11}  {} resources with no charge of their own\n",
                "free",
                s.free.len()
            ));
        }
    }
    out.push('\n');
    for (env, t) in by_environment(stacks) {
        out.push_str(&format!("{env:<12} {}/month\n", usd(t)));
    }
    out.push_str(&format!("{:<12} {}/month\n", "total", usd(total(stacks))));
    let accounts = by_account(stacks);
    if !accounts.is_empty() {
        out.push_str("by account:\n");
        let width = accounts.iter().map(|(a, _)| a.len()).max().unwrap_or(12);
        for (account, t) in accounts {
            out.push_str(&format!("  {account:<width$} {}/month\n", usd(t)));
        }
    }
    if let Some(u) = stacks.first().map(|s| &s.usage) {
        out.push_str(&format!(
            "assumed: {} h/month, {} GB per NAT gateway, {} LCU per load balancer, {} M WAF requests, {} GB logs per group, {} GB out per public load balancer, {} min per scheduled task, {} GB per backup plan, {} GB copied a month per backup copy (set per stack with rcdk::cost::Usage)\n",
            u.hours_per_month,
            u.nat_gb_per_gateway,
            u.alb_lcu,
            u.waf_million_requests,
            u.log_gb_per_group,
            u.data_out_gb_per_load_balancer,
            u.scheduled_task_minutes,
            u.backup_gb,
            u.backup_copy_gb
        ));
    }
    out
}

fn trim(q: f64) -> String {
    let s = format!("{q:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Unit prices keep their precision ($0.045, $0.0000133334).
fn usd_precise(p: f64) -> String {
    if p >= 1.0 { usd(p) } else { format!("${p}") }
}

/// The estimates as JSON, for tools.
pub fn render_json(stacks: &[StackCost]) -> serde_json::Value {
    json!({
        "stacks": stacks,
        "environments": by_environment(stacks)
            .into_iter()
            .map(|(e, t)| json!({"name": e, "monthly_usd": round_cents(t)}))
            .collect::<Vec<_>>(),
        "accounts": by_account(stacks)
            .into_iter()
            .map(|(a, t)| json!({"account": a, "monthly_usd": round_cents(t)}))
            .collect::<Vec<_>>(),
        "total_monthly_usd": round_cents(total(stacks)),
    })
}

/// `v` rounded to whole cents.
pub fn round_cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The estimates as markdown, for a pull request or a job summary.
pub fn render_markdown(stacks: &[StackCost]) -> String {
    let mut out =
        String::from("| stack | region | monthly | largest item |\n| --- | --- | ---: | --- |\n");
    for s in stacks {
        let largest = s
            .items
            .iter()
            .max_by(|a, b| a.monthly_usd.total_cmp(&b.monthly_usd))
            .map(|i| {
                format!(
                    "{} ({}) {}",
                    i.logical_id,
                    i.description,
                    usd(i.monthly_usd)
                )
            })
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "| {} | {} | {} | {largest} |\n",
            s.name,
            s.region,
            usd(s.monthly_usd)
        ));
    }
    out.push_str("\n| environment | monthly |\n| --- | ---: |\n");
    for (env, t) in by_environment(stacks) {
        out.push_str(&format!("| {env} | {} |\n", usd(t)));
    }
    out.push_str(&format!("| **total** | **{}** |\n", usd(total(stacks))));
    let accounts = by_account(stacks);
    if !accounts.is_empty() {
        out.push_str("\n| account | monthly |\n| --- | ---: |\n");
        for (account, t) in accounts {
            out.push_str(&format!("| {account} | {} |\n", usd(t)));
        }
    }
    let not_priced: usize = stacks.iter().map(|s| s.not_priced.len()).sum();
    if not_priced > 0 {
        out.push_str(&format!(
            "\n{not_priced} usage-based resources are not priced (queues, topics, functions, storage); `rcdk cost --format json` lists them with the assumption that would price them.\n"
        ));
    }
    out
}
