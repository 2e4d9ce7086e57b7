//! The `ami` lookup (`rcdk::lookup::machine_image`): the newest image the owners and
//! filters match, as the AWS CDK's AMI provider answers it (the image id).

use serde_json::Value as J;

use crate::deploy::{Cfn, DeployError, Ec2Filter, XmlElement as Element, ec2_describe};

/// The id of the newest matching image; `Ok(Err(why))` when none matches.
pub async fn lookup(cfn: &Cfn, props: &J) -> Result<Result<J, String>, DeployError> {
    let filters: Vec<Ec2Filter> = props["filters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, values)| {
            let values = values
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            (name.clone(), values)
        })
        .collect();
    let owners: Vec<(String, String)> = props["owners"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(J::as_str)
        .enumerate()
        .map(|(i, o)| (format!("Owner.{}", i + 1), o.to_owned()))
        .collect();
    let params: Vec<(&str, String)> = owners
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let images = ec2_describe(cfn, "DescribeImages", &params, &filters, "imagesSet").await?;
    Ok(newest(&images)
        .map(|id| J::String(id.to_owned()))
        .ok_or_else(|| {
            "no image matches; check the name pattern, the owners and the region".to_owned()
        }))
}

/// The id of the image created last (ISO 8601 dates order as text), ties broken by id.
fn newest(images: &[Element]) -> Option<&str> {
    images
        .iter()
        .filter_map(|i| {
            Some((
                i.text_of("creationDate").unwrap_or_default(),
                i.text_of("imageId")?,
            ))
        })
        .max()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_image_is_chosen() {
        let root = Element::parse(
            "<r><imagesSet>\
             <item><imageId>ami-old</imageId><creationDate>2024-01-05T10:00:00.000Z</creationDate></item>\
             <item><imageId>ami-new</imageId><creationDate>2025-11-30T08:00:00.000Z</creationDate></item>\
             <item><imageId>ami-mid</imageId><creationDate>2025-03-01T00:00:00.000Z</creationDate></item>\
             </imagesSet></r>",
        )
        .expect("XML");
        let images: Vec<Element> = root.items("imagesSet").cloned().collect();
        assert_eq!(newest(&images), Some("ami-new"));
        assert_eq!(newest(&[]), None);
    }
}
