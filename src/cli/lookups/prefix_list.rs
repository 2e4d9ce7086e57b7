//! The `prefix-list` lookup (`rcdk::lookup::prefix_list`): the id of a managed prefix
//! list by name, from EC2's `DescribeManagedPrefixLists`.

use crate::deploy::{Cfn, DeployError, XmlElement as Element, ec2_describe};

/// The id of the prefix list named `name`; `Ok(Err(why))` when there is none.
pub async fn lookup(
    cfn: &Cfn,
    name: &str,
) -> Result<Result<serde_json::Value, String>, DeployError> {
    let lists = ec2_describe(
        cfn,
        "DescribeManagedPrefixLists",
        &[],
        &[("prefix-list-name".to_owned(), vec![name.to_owned()])],
        "prefixListSet",
    )
    .await?;
    Ok(id_of(&lists, name)
        .map(|id| serde_json::Value::String(id.to_owned()))
        .ok_or_else(|| {
            format!(
                "no prefix list is named {name} in this region; AWS's own are com.amazonaws.REGION.s3 and com.amazonaws.REGION.dynamodb"
            )
        }))
}

/// The id of the list named exactly `name` (the filter matches names, not case).
fn id_of<'a>(lists: &'a [Element], name: &str) -> Option<&'a str> {
    lists
        .iter()
        .find(|l| l.text_of("prefixListName") == Some(name))
        .and_then(|l| l.text_of("prefixListId"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_of_that_name_is_chosen() {
        let root = Element::parse(
            "<r><prefixListSet>\
             <item><prefixListId>pl-02cd2c6b</prefixListId><prefixListName>com.amazonaws.us-east-1.dynamodb</prefixListName></item>\
             <item><prefixListId>pl-63a5400a</prefixListId><prefixListName>com.amazonaws.us-east-1.s3</prefixListName></item>\
             </prefixListSet></r>",
        )
        .expect("XML");
        let lists: Vec<Element> = root.items("prefixListSet").cloned().collect();
        assert_eq!(
            id_of(&lists, "com.amazonaws.us-east-1.s3"),
            Some("pl-63a5400a")
        );
        assert_eq!(id_of(&lists, "com.amazonaws.us-east-1.s3express"), None);
    }
}
