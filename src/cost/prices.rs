//! The committed price table (`prices.json`): on-demand list prices by region, each
//! entry with the pricing page it comes from and the date of that price.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use super::offers::Reserved;
use super::savings_plans::SavingsPlanRate;

/// One price, with where it comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PriceEntry {
    /// What it prices (`fargate_vcpu_hour`).
    pub key: String,
    /// The unit.
    pub unit: String,
    /// Region → USD per unit.
    pub usd: BTreeMap<String, f64>,
    /// Where the price was read.
    pub source: String,
    /// When it was read.
    pub as_of: String,
    /// Region → the AWS Price List SKU, for a price read from an offer file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sku: BTreeMap<String, String>,
    /// Region → reserved-instance prices, for a price read from an offer file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reserved: BTreeMap<String, Vec<Reserved>>,
    /// Region → Compute Savings Plans prices of the usage, read from the price list's
    /// Savings Plans file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub savings_plans: BTreeMap<String, Vec<SavingsPlanRate>>,
}

/// The committed price table (`src/cost/prices.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PriceTable {
    /// The table's format version.
    pub version: u32,
    /// `USD`.
    pub currency: String,
    /// What the prices include and leave out.
    pub note: String,
    /// The regions priced.
    pub regions: Vec<String>,
    /// The prices.
    pub entries: Vec<PriceEntry>,
}

const TABLE: &str = include_str!("prices.json");

impl PriceTable {
    /// The table compiled into rcdk. A malformed table fails the cost tests, so the
    /// fallback (an empty table) never ships.
    pub fn builtin() -> &'static PriceTable {
        static TABLE_CELL: OnceLock<PriceTable> = OnceLock::new();
        TABLE_CELL.get_or_init(|| {
            serde_json::from_str(TABLE).unwrap_or_else(|_| PriceTable {
                version: 0,
                currency: "USD".into(),
                note: String::new(),
                regions: Vec::new(),
                entries: Vec::new(),
            })
        })
    }

    /// Reads a table written by `rcdk cost --refresh-prices`.
    pub fn from_file(path: &std::path::Path) -> Result<PriceTable, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a price table: {e}", path.display()))
    }

    /// This table with `newer`'s entries in place of (or beside) its own.
    pub fn overlay(&self, newer: &PriceTable) -> PriceTable {
        let mut out = self.clone();
        for e in &newer.entries {
            match out.entries.iter_mut().find(|o| o.key == e.key) {
                Some(o) => *o = e.clone(),
                None => out.entries.push(e.clone()),
            }
        }
        for r in &newer.regions {
            if !out.regions.contains(r) {
                out.regions.push(r.clone());
            }
        }
        out.regions.sort();
        out
    }

    /// The table as `prices.json` holds it: one line per entry, so that a refresh's
    /// diff shows each price that moved.
    pub fn to_file_text(&self) -> String {
        let mut out = String::from("{\n");
        out.push_str(&format!("  \"version\": {},\n", self.version));
        out.push_str(&format!(
            "  \"currency\": {},\n",
            J::from(self.currency.as_str())
        ));
        out.push_str(&format!("  \"note\": {},\n", J::from(self.note.as_str())));
        out.push_str(&format!(
            "  \"regions\": {},\n",
            inline(&serde_json::to_value(&self.regions).unwrap_or_default())
        ));
        out.push_str("  \"entries\": [\n");
        let lines: Vec<String> = self
            .entries
            .iter()
            .map(|e| {
                format!(
                    "    {}",
                    inline(&serde_json::to_value(e).unwrap_or_default())
                )
            })
            .collect();
        out.push_str(&lines.join(",\n"));
        out.push_str("\n  ]\n}\n");
        out
    }

    /// The price of `key` in `region`.
    pub fn get(&self, key: &str, region: &str) -> Option<(f64, &PriceEntry)> {
        let entry = self.entries.iter().find(|e| e.key == key)?;
        entry.usd.get(region).map(|p| (*p, entry))
    }
}

/// `value` on one line, with a space after each `:` and `,` (as `prices.json` is written).
fn inline(value: &J) -> String {
    match value {
        J::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", J::from(k.as_str()), inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        J::Array(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_written_back_as_it_was_read() {
        let t: PriceTable = serde_json::from_str(TABLE).expect("prices.json parses");
        assert_eq!(t.to_file_text(), TABLE);
    }

    #[test]
    fn the_table_parses_and_every_entry_has_its_source_date_and_both_regions() {
        let t: PriceTable = serde_json::from_str(TABLE).expect("prices.json parses");
        assert_eq!(t.currency, "USD");
        assert!(t.entries.len() >= 50, "{}", t.entries.len());
        for e in &t.entries {
            assert!(
                e.source.starts_with("https://aws.amazon.com/")
                    || e.source
                        .starts_with("https://pricing.us-east-1.amazonaws.com/offers/"),
                "{}",
                e.key
            );
            assert_eq!(e.as_of.len(), 10, "{}: as_of is a date", e.key);
            for region in &t.regions {
                assert!(
                    e.usd.get(region).is_some_and(|p| *p > 0.0),
                    "{} in {region}",
                    e.key
                );
            }
        }
        let mut keys: Vec<&str> = t.entries.iter().map(|e| e.key.as_str()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), t.entries.len(), "keys are unique");
    }
}
