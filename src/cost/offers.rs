//! AWS Price List bulk offer files (`…/offers/v1.0/aws/<offer>/current/<region>/index.json`),
//! read as a stream: a region's RDS offer is hundreds of megabytes, and only the few
//! products a price key names are kept. The format: `offerCode`, `publicationDate`,
//! `products` (SKU → `productFamily`, `attributes`), then `terms` (`OnDemand` and
//! `Reserved`, SKU → term → `priceDimensions` with `unit` and `pricePerUnit.USD`, and
//! `termAttributes` for reserved terms). Products come before terms in every offer file,
//! so a term is kept only when its product was.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A product as the offer describes it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Product {
    /// `productFamily` (`Database Instance`).
    #[serde(rename = "productFamily")]
    pub family: String,
    /// `instanceType`, `databaseEngine`, `regionCode`, …
    pub attributes: BTreeMap<String, String>,
}

/// One reserved-instance price: a term's length, how it is paid, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reserved {
    /// 1 or 3.
    pub years: u32,
    /// `No Upfront`, `Partial Upfront`, `All Upfront`.
    pub purchase_option: String,
    /// `standard` or `convertible`.
    pub offering_class: String,
    /// Paid once, USD.
    pub upfront_usd: f64,
    /// Paid each hour of the term, USD.
    pub hourly_usd: f64,
}

impl Reserved {
    /// What the term costs a month, the upfront fee spread over the term.
    pub fn monthly_usd(&self, hours_per_month: f64) -> f64 {
        self.upfront_usd / (12.0 * f64::from(self.years)) + self.hourly_usd * hours_per_month
    }
}

/// What the offer says about one price key.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The product's SKU.
    pub sku: String,
    /// The on-demand price's unit (`Hrs`).
    pub unit: String,
    /// On-demand, USD per unit.
    pub usd: f64,
    /// Its reserved-instance prices.
    pub reserved: Vec<Reserved>,
}

/// The prices an offer file gave for the keys asked of it.
#[derive(Debug, Default)]
pub struct OfferPrices {
    /// `AmazonRDS`.
    pub offer_code: String,
    /// `2026-11-28T00:00:00Z`.
    pub publication_date: String,
    /// Price key → what the offer says.
    pub found: BTreeMap<String, Found>,
    /// Keys two products matched (the filter needs one more attribute): not priced.
    pub ambiguous: Vec<String>,
}

/// Which price keys a product gives, if any.
pub type Wanted<'a> = &'a dyn Fn(&Product) -> Vec<String>;

/// Reads an offer file from `reader`, keeping the products `wanted` names.
pub fn read(reader: impl std::io::Read, wanted: Wanted<'_>) -> Result<OfferPrices, String> {
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let mut state = State {
        wanted,
        keys_of_sku: BTreeMap::new(),
        out: OfferPrices::default(),
    };
    (&mut state)
        .deserialize(&mut de)
        .map_err(|e| format!("not an AWS Price List offer file: {e}"))?;
    de.end()
        .map_err(|e| format!("trailing data after the offer: {e}"))?;
    let mut out = state.out;
    out.found
        .retain(|k, f| f.usd >= 0.0 && !out.ambiguous.contains(k));
    Ok(out)
}

struct State<'a> {
    wanted: Wanted<'a>,
    keys_of_sku: BTreeMap<String, Vec<String>>,
    out: OfferPrices,
}

#[derive(Deserialize)]
struct Term {
    #[serde(rename = "priceDimensions", default)]
    dimensions: BTreeMap<String, Dimension>,
    #[serde(rename = "termAttributes", default)]
    attributes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Dimension {
    #[serde(default)]
    unit: String,
    #[serde(rename = "beginRange", default)]
    begin_range: String,
    #[serde(rename = "pricePerUnit", default)]
    price: BTreeMap<String, String>,
}

impl Dimension {
    fn usd(&self) -> Option<f64> {
        self.price.get("USD")?.parse().ok()
    }
}

impl<'de> DeserializeSeed<'de> for &mut State<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(TopLevel(self))
    }
}

struct TopLevel<'s, 'a>(&'s mut State<'a>);

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an offer file object")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let state = self.0;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "offerCode" => state.out.offer_code = map.next_value()?,
                "publicationDate" => state.out.publication_date = map.next_value()?,
                "products" => map.next_value_seed(Products(state))?,
                "terms" => map.next_value_seed(Terms(state))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Products<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Products<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Products<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("products by SKU")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(sku) = map.next_key::<String>()? {
            let product: Product = map.next_value()?;
            let keys = (self.0.wanted)(&product);
            if !keys.is_empty() {
                self.0.keys_of_sku.insert(sku, keys);
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
            match kind.as_str() {
                "OnDemand" => map.next_value_seed(SkuTerms {
                    state: &mut *self.0,
                    reserved: false,
                })?,
                "Reserved" => map.next_value_seed(SkuTerms {
                    state: &mut *self.0,
                    reserved: true,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct SkuTerms<'s, 'a> {
    state: &'s mut State<'a>,
    reserved: bool,
}

impl<'de> DeserializeSeed<'de> for SkuTerms<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SkuTerms<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("terms by SKU")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(sku) = map.next_key::<String>()? {
            let Some(keys) = self.state.keys_of_sku.get(&sku).cloned() else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let terms: BTreeMap<String, Term> = map.next_value()?;
            for term in terms.values() {
                if self.reserved {
                    if let Some(r) = reserved(term) {
                        for key in &keys {
                            if let Some(found) = self.state.out.found.get_mut(key)
                                && found.sku == sku
                            {
                                found.reserved.push(r.clone());
                            }
                        }
                    }
                    continue;
                }
                // On demand: the first tier's price.
                let Some(dim) = term
                    .dimensions
                    .values()
                    .find(|d| d.begin_range.is_empty() || d.begin_range == "0")
                else {
                    continue;
                };
                let Some(usd) = dim.usd() else { continue };
                for key in &keys {
                    let found = Found {
                        sku: sku.clone(),
                        unit: dim.unit.clone(),
                        usd,
                        reserved: Vec::new(),
                    };
                    match self.state.out.found.get(key) {
                        Some(other) if other.sku != sku => {
                            if !self.state.out.ambiguous.contains(key) {
                                self.state.out.ambiguous.push(key.clone());
                            }
                        }
                        _ => {
                            self.state.out.found.insert(key.clone(), found);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A reserved term's price, when it is one rcdk compares: its length, purchase option
/// and class, an upfront fee (`Quantity`) and an hourly rate (`Hrs`).
fn reserved(term: &Term) -> Option<Reserved> {
    let a = &term.attributes;
    let years = match a.get("LeaseContractLength")?.as_str() {
        "1yr" | "1 yr" => 1,
        "3yr" | "3 yr" => 3,
        _ => return None,
    };
    let mut upfront = 0.0;
    let mut hourly = 0.0;
    for d in term.dimensions.values() {
        match d.unit.as_str() {
            "Quantity" => upfront += d.usd()?,
            "Hrs" => hourly += d.usd()?,
            _ => return None,
        }
    }
    Some(Reserved {
        years,
        purchase_option: a.get("PurchaseOption")?.clone(),
        offering_class: a
            .get("OfferingClass")
            .cloned()
            .unwrap_or_else(|| "standard".into()),
        upfront_usd: upfront,
        hourly_usd: hourly,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::refresh::keys;

    const RDS: &str = include_str!("../../tests/integration/offers/AmazonRDS/us-east-1/index.json");
    const CACHE: &str =
        include_str!("../../tests/integration/offers/AmazonElastiCache/us-east-1/index.json");

    fn rds() -> OfferPrices {
        read(RDS.as_bytes(), &|p: &Product| keys("AmazonRDS", p)).expect("the fixture reads")
    }

    #[test]
    fn postgres_instances_are_found_by_class_and_deployment_and_nothing_else() {
        let o = rds();
        assert_eq!(o.offer_code, "AmazonRDS");
        assert_eq!(o.publication_date, "2026-11-28T00:00:00Z");
        let found: Vec<&str> = o.found.keys().map(String::as_str).collect();
        // Not MySQL, not a Multi-AZ DB cluster (readable standbys), not an Outpost, not
        // storage.
        assert_eq!(
            found,
            [
                "rds_postgres_hour:db.m8g.xlarge:single",
                "rds_postgres_hour:db.r7g.large:multi",
                "rds_postgres_hour:db.r7g.large:single",
                "rds_postgres_hour:db.t4g.micro:single",
                "rds_postgres_large_hour:r7g",
            ]
        );
        let single = &o.found["rds_postgres_hour:db.r7g.large:single"];
        assert_eq!(single.sku, "2YS8W7NR5VNH4GXA");
        assert_eq!(single.unit, "Hrs");
        assert!((single.usd - 0.241).abs() < 1e-12);
        assert_eq!(o.found["rds_postgres_large_hour:r7g"], *single);
        assert!(o.ambiguous.is_empty());
    }

    #[test]
    fn reserved_terms_carry_length_option_class_upfront_and_rate() {
        let o = rds();
        let r = &o.found["rds_postgres_hour:db.r7g.large:single"].reserved;
        assert_eq!(r.len(), 5, "{r:?}");
        let all_upfront_3 = r
            .iter()
            .find(|t| t.years == 3 && t.purchase_option == "All Upfront")
            .expect("3 yr all upfront");
        assert_eq!(all_upfront_3.offering_class, "standard");
        assert!((all_upfront_3.upfront_usd - 2900.0).abs() < 1e-9);
        assert_eq!(all_upfront_3.hourly_usd, 0.0);
        // 2900 over 36 months.
        assert!((all_upfront_3.monthly_usd(730.0) - 2900.0 / 36.0).abs() < 1e-9);
        let partial = r
            .iter()
            .find(|t| t.purchase_option == "Partial Upfront")
            .expect("partial");
        assert!((partial.monthly_usd(730.0) - (700.0 / 12.0 + 0.08 * 730.0)).abs() < 1e-9);
        assert!(r.iter().any(|t| t.offering_class == "convertible"));
    }

    #[test]
    fn redis_nodes_are_found_and_valkey_is_not() {
        let o = read(CACHE.as_bytes(), &|p: &Product| {
            keys("AmazonElastiCache", p)
        })
        .expect("the fixture reads");
        let found: Vec<&str> = o.found.keys().map(String::as_str).collect();
        assert_eq!(
            found,
            [
                "elasticache_hour:cache.r7g.large",
                "elasticache_hour:cache.t4g.micro"
            ]
        );
        assert!((o.found["elasticache_hour:cache.t4g.micro"].usd - 0.016).abs() < 1e-12);
    }

    #[test]
    fn two_products_for_one_key_price_neither() {
        let o = read(RDS.as_bytes(), &|p: &Product| {
            // A filter that forgot the engine: PostgreSQL and MySQL both match.
            let attr = |k: &str| p.attributes.get(k).map(String::as_str);
            if attr("instanceType") == Some("db.r7g.large")
                && attr("deploymentOption") == Some("Single-AZ")
                && attr("locationType") == Some("AWS Region")
            {
                vec!["k".to_owned()]
            } else {
                Vec::new()
            }
        })
        .expect("reads");
        assert_eq!(o.ambiguous, ["k"]);
        assert!(o.found.is_empty());
    }

    #[test]
    fn what_is_not_an_offer_file_is_refused() {
        let none = |_: &Product| Vec::new();
        assert!(read("<html>".as_bytes(), &none).is_err());
        assert!(read("{\"products\": []}".as_bytes(), &none).is_err());
        let err = read("{} trailing".as_bytes(), &none).expect_err("trailing");
        assert!(err.contains("trailing"), "{err}");
    }
}
