//! `rcdk cost --refresh-prices`: reads the AWS Price List offer files and Compute
//! Savings Plans rates (public, no credentials) for the keys rcdk maps, and writes the price table the project's
//! estimates use (`cdk.prices.json`, beside `cdk.json`; committed, so a pull request
//! shows each price that moved). Offers are streamed to a file under the user cache and
//! read as a stream: a region's RDS offer is hundreds of megabytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::error::CliError;
use crate::cost::PriceTable;
use crate::cost::offers;
use crate::cost::refresh::{self, OFFERS, PRICE_LIST_URL};

/// The file a refresh writes and estimates read, in the project's folder.
pub const PRICES_FILE: &str = "cdk.prices.json";

/// The table estimates in `dir` use: rcdk's own, with a refreshed `cdk.prices.json`
/// over it when the project has one (and which, for the report).
pub fn table_for(dir: &Path) -> Result<(PriceTable, Option<PathBuf>), CliError> {
    let file = dir.join(PRICES_FILE);
    if !file.is_file() {
        return Ok((PriceTable::builtin().clone(), None));
    }
    let refreshed = PriceTable::from_file(&file).map_err(|message| CliError::Config {
        path: file.clone(),
        message: format!(
            "{message}; run rcdk cost --refresh-prices again, or delete it to use rcdk's own table"
        ),
    })?;
    Ok((PriceTable::builtin().overlay(&refreshed), Some(file)))
}

/// Where the offer files come from: the price list's address, or a folder laid out
/// like it (`<offer>/<region>/index.json`).
enum Source {
    Url(String),
    Folder(PathBuf),
}

impl Source {
    fn parse(given: Option<&str>) -> Source {
        match given {
            None => Source::Url(PRICE_LIST_URL.into()),
            Some(s) if s.starts_with("http://") || s.starts_with("https://") => {
                Source::Url(s.trim_end_matches('/').to_owned())
            }
            Some(s) => Source::Folder(PathBuf::from(s)),
        }
    }

    /// The offer's address, for the table's `source`.
    fn address(&self, offer: &str, region: &str) -> String {
        match self {
            Source::Url(base) => format!("{base}/{}", refresh::offer_path(offer, region)),
            Source::Folder(dir) => dir
                .join(offer)
                .join(region)
                .join("index.json")
                .display()
                .to_string(),
        }
    }
}

/// Refreshes the prices of `regions` (the table's own when empty) from `offers` into
/// `cdk.prices.json` in `dir`; returns what to print.
pub fn refresh(
    dir: &Path,
    regions: &[String],
    offers_from: Option<&str>,
) -> Result<String, CliError> {
    let source = Source::parse(offers_from);
    // rcdk's table with the project's last refresh over it: keys a region's offer no
    // longer lists keep their last price.
    let (mut table, _) = table_for(dir)?;
    let regions: Vec<String> = if regions.is_empty() {
        table.regions.clone()
    } else {
        regions.to_vec()
    };
    let cache = super::cargo_app::user_cache()
        .map(|c| c.join("rcdk/offers"))
        .unwrap_or_else(|| std::env::temp_dir().join("rcdk-offers"));
    let mut report = String::new();
    for region in &regions {
        if !crate::Environment::is_region_name(region) {
            return Err(CliError::Usage(format!(
                "--region {region} is not a region name (us-east-1)"
            )));
        }
        for offer in OFFERS {
            let address = source.address(offer, region);
            let file = match &source {
                Source::Folder(_) => PathBuf::from(&address),
                Source::Url(_) => {
                    let file = cache.join(offer).join(region).join("index.json");
                    download(&address, &file)?;
                    file
                }
            };
            let reader = std::fs::File::open(&file).map_err(|e| {
                CliError::Failed(format!("cannot read the offer {}: {e}", file.display()))
            })?;
            let wanted = |p: &offers::Product| refresh::keys(offer, p);
            let prices = offers::read(reader, &wanted)
                .map_err(|e| CliError::Failed(format!("{address}: {e}")))?;
            if prices.offer_code != *offer {
                return Err(CliError::Failed(format!(
                    "{address} is the offer of '{}', not {offer}",
                    prices.offer_code
                )));
            }
            let merged = refresh::merge(&mut table, region, &address, &prices);
            report.push_str(&format!(
                "{offer} {region} (published {}): {} prices, {} changed, {} new{}\n",
                prices.publication_date,
                prices.found.len(),
                merged.changed.len(),
                merged.added.len(),
                if prices.ambiguous.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; not priced, two products matched: {}",
                        prices.ambiguous.join(", ")
                    )
                }
            ));
            for (key, old, new) in &merged.changed {
                report.push_str(&format!("  {key}: ${old} -> ${new}\n"));
            }
        }
        report.push_str(&refresh_savings_plans(&mut table, &source, &cache, region)?);
    }
    let path = dir.join(PRICES_FILE);
    let staged = dir.join(format!(".{PRICES_FILE}.{}", std::process::id()));
    std::fs::write(&staged, table.to_file_text())
        .and_then(|()| std::fs::rename(&staged, &path))
        .map_err(|e| CliError::Config {
            path: path.clone(),
            message: format!("cannot write the refreshed prices: {e}"),
        })?;
    report.push_str(&format!(
        "Wrote {} ({} entries; the keys no offer maps keep rcdk's transcribed prices).\n",
        path.display(),
        table.entries.len()
    ));
    Ok(report)
}

/// Reads `region`'s Compute Savings Plans rates into `table`; returns the report line.
fn refresh_savings_plans(
    table: &mut PriceTable,
    source: &Source,
    cache: &Path,
    region: &str,
) -> Result<String, CliError> {
    let plans = refresh::SAVINGS_PLANS;
    let (address, file) = match source {
        Source::Folder(dir) => {
            let file = dir.join(plans).join(region).join("index.json");
            (file.display().to_string(), file)
        }
        Source::Url(base) => {
            // The index names each region's current file.
            let index_url = format!("{base}/{}", refresh::savings_plans_index_path());
            let index_file = cache.join(plans).join("region_index.json");
            download(&index_url, &index_file)?;
            let index: serde_json::Value = std::fs::read_to_string(&index_file)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .ok_or_else(|| CliError::Failed(format!("{index_url}: not a region index")))?;
            let version = index["regions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["regionCode"] == region)
                .and_then(|r| r["versionUrl"].as_str())
                .ok_or_else(|| {
                    CliError::Failed(format!(
                        "{index_url} lists no Savings Plans file for {region}"
                    ))
                })?;
            let address = format!("{base}{version}");
            let file = cache.join(plans).join(region).join("index.json");
            download(&address, &file)?;
            (address, file)
        }
    };
    let reader = std::fs::File::open(&file).map_err(|e| {
        CliError::Failed(format!(
            "cannot read the Savings Plans file {}: {e}",
            file.display()
        ))
    })?;
    let rates = crate::cost::savings_plans::read(reader, &crate::cost::savings_plans::key_of)
        .map_err(|e| CliError::Failed(format!("{address}: {e}")))?;
    if !rates.region_code.is_empty() && rates.region_code != region {
        return Err(CliError::Failed(format!(
            "{address} holds the rates of {}, not {region}",
            rates.region_code
        )));
    }
    let merged = refresh::merge_savings_plans(table, region, &rates);
    Ok(format!(
        "{plans} {region} (published {}): Savings Plans rates for {merged} prices\n",
        rates.publication_date
    ))
}

/// Streams `url` into `file` (a `.part` file renamed when complete).
fn download(url: &str, file: &Path) -> Result<(), CliError> {
    let failed = |why: String| CliError::Failed(format!("cannot download {url}: {why}"));
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| failed(e.to_string()))?;
    }
    let part = file.with_extension("json.part");
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| failed(format!("no TLS root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let client: Client<_, Empty<Bytes>> =
            Client::builder(TokioExecutor::new()).build(connector);
        let uri: http::Uri = url.parse().map_err(|e| failed(format!("{e}")))?;
        let response = tokio::time::timeout(std::time::Duration::from_secs(60), client.get(uri))
            .await
            .map_err(|_| failed("no answer within 60 s".into()))?
            .map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        let mut out = std::fs::File::create(&part).map_err(|e| failed(e.to_string()))?;
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| failed(e.to_string()))?;
            if let Ok(data) = frame.into_data() {
                out.write_all(&data).map_err(|e| failed(e.to_string()))?;
            }
        }
        out.flush().map_err(|e| failed(e.to_string()))?;
        std::fs::rename(&part, file).map_err(|e| failed(e.to_string()))
    })
}
