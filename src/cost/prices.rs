//! The committed price table (`prices.json`): on-demand list prices by region, each
//! entry with the pricing page it comes from and the date of that price.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// One price, with where it comes from.
#[derive(Debug, Clone, Deserialize)]
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
}

/// The committed price table (`src/cost/prices.json`).
#[derive(Debug, Clone, Deserialize)]
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

    /// The price of `key` in `region`.
    pub fn get(&self, key: &str, region: &str) -> Option<(f64, &PriceEntry)> {
        let entry = self.entries.iter().find(|e| e.key == key)?;
        entry.usd.get(region).map(|p| (*p, entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_has_its_source_date_and_both_regions() {
        let t: PriceTable = serde_json::from_str(TABLE).expect("prices.json parses");
        assert_eq!(t.currency, "USD");
        assert!(t.entries.len() >= 50, "{}", t.entries.len());
        for e in &t.entries {
            assert!(e.source.starts_with("https://aws.amazon.com/"), "{}", e.key);
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
