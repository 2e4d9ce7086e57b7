//! Where `rcdk bootstrap` goes: `REGION` or the AWS CDK's `aws://ACCOUNT/REGION`,
//! checked before anything is sent.

use super::CliError;

/// The regions of the AWS partitions as of this release (commercial, China, GovCloud).
/// A region opened later is taken with `--unknown-region`.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// One bootstrap target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `None`: the account of the credentials.
    pub account: Option<String>,
    pub region: String,
}

/// Whether `name` has a region's shape: `xx-[gov-|iso…-]word-N`.
fn region_shaped(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// (account, region) of a command's target; `None`: the credentials' account, the
/// configuration chain's region.
pub type AccountRegion = (Option<String>, Option<String>);

/// Parses every target of a command (`bootstrap`, `gc`) before anything is sent; none
/// given: the configuration chain's region, once.
pub fn parse_all(texts: &[String], unknown_region: bool) -> Result<Vec<AccountRegion>, CliError> {
    if texts.is_empty() {
        return Ok(vec![(None, None)]);
    }
    texts
        .iter()
        .map(|t| parse(t, unknown_region).map(|t| (t.account, Some(t.region))))
        .collect()
}

/// Parses `REGION` or `aws://ACCOUNT/REGION`.
pub fn parse(text: &str, unknown_region: bool) -> Result<Target, CliError> {
    let (account, region) = match text.strip_prefix("aws://") {
        Some(rest) => {
            let Some((account, region)) = rest.split_once('/') else {
                return Err(CliError::Usage(format!(
                    "'{text}' is not aws://ACCOUNT/REGION"
                )));
            };
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CliError::Usage(format!(
                    "'{text}': the account '{account}' is not a 12-digit AWS account id"
                )));
            }
            (Some(account.to_owned()), region)
        }
        None => (None, text),
    };
    let shaped = region_shaped(region);
    let accepted = REGIONS.contains(&region) || (shaped && unknown_region);
    if !accepted {
        // Here a region-shaped name was not let through: --unknown-region would take it.
        let hint = if shaped {
            "; if AWS opened it after this rcdk was released, pass --unknown-region"
        } else {
            ""
        };
        return Err(CliError::Usage(format!(
            "'{region}' is not an AWS region (for example us-east-1, eu-west-1){hint}"
        )));
    }
    Ok(Target {
        account,
        region: region.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_environments() {
        assert_eq!(
            parse("us-east-1", false).ok(),
            Some(Target {
                account: None,
                region: "us-east-1".into()
            })
        );
        assert_eq!(
            parse("aws://123456789012/eu-west-1", false).ok(),
            Some(Target {
                account: Some("123456789012".into()),
                region: "eu-west-1".into()
            })
        );
        let err = |t: &str, u: bool| parse(t, u).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err("not-a-region", false).contains("'not-a-region' is not an AWS region"));
        assert!(err("aws://123/us-east-1", false).contains("not a 12-digit AWS account id"));
        assert!(err("aws://123456789012", false).contains("is not aws://ACCOUNT/REGION"));
        assert!(err("xx-newplace-1", false).contains("pass --unknown-region"));
        assert_eq!(
            parse("xx-newplace-1", true).map(|t| t.region).ok(),
            Some("xx-newplace-1".to_owned())
        );
        assert!(err("not-a-region", true).contains("is not an AWS region"));
    }
}
