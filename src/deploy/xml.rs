//! A small element tree for the answers of AWS's XML APIs (EC2's query API, Route 53),
//! read with `xmlparser` (already in the SDK's dependencies): names without namespace
//! prefixes, text unescaped, attributes ignored (these APIs put nothing in them).

use xmlparser::{ElementEnd, Token, Tokenizer};

/// One element: its local name, its text and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name (`vpcSet`).
    pub name: String,
    /// The text directly inside it.
    pub text: String,
    /// Its child elements, in order.
    pub children: Vec<Element>,
}

impl Element {
    /// The document's root element; the error says where the XML is broken.
    pub fn parse(xml: &str) -> Result<Element, String> {
        let mut open: Vec<Element> = Vec::new();
        let mut root = None;
        for token in Tokenizer::from(xml) {
            match token.map_err(|e| e.to_string())? {
                Token::ElementStart { local, .. } => open.push(Element {
                    name: local.as_str().to_owned(),
                    ..Element::default()
                }),
                Token::ElementEnd { end, .. } => {
                    let closing = match end {
                        ElementEnd::Open => continue,
                        ElementEnd::Close(_, local) => Some(local.as_str()),
                        ElementEnd::Empty => None,
                    };
                    let done = open.pop().ok_or("an end tag without a start")?;
                    if let Some(name) = closing.filter(|n| *n != done.name) {
                        return Err(format!("</{name}> closes <{}>", done.name));
                    }
                    match open.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => root = Some(done),
                    }
                }
                Token::Text { text } => {
                    if let Some(current) = open.last_mut() {
                        current.text.push_str(&unescape(text.as_str()));
                    }
                }
                Token::Cdata { text, .. } => {
                    if let Some(current) = open.last_mut() {
                        current.text.push_str(text.as_str());
                    }
                }
                _ => {}
            }
        }
        root.ok_or_else(|| "no root element".to_owned())
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`, trimmed.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// The `<item>`s of the child list `set` (EC2's `<vpcSet><item>…`).
    pub fn items<'a>(&'a self, set: &str) -> impl Iterator<Item = &'a Element> + 'a {
        self.child(set)
            .into_iter()
            .flat_map(|s| s.children.iter().filter(|c| c.name == "item"))
    }

    /// Every element named `name` at any depth, in document order.
    pub fn descendants<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            out.extend(c.descendants(name));
        }
        out
    }

    /// EC2's `<tagSet>` as (key, value) pairs.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.items("tagSet")
            .find(|t| t.text_of("key") == Some(key))
            .and_then(|t| t.text_of("value"))
    }
}

/// XML's five named entities and numeric character references.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(end) = after.find(';') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let entity = &after[..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[at..at + 1 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_items_text_and_entities_are_read() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <vpcSet>
    <item><vpcId>vpc-1</vpcId><tagSet><item><key>Name</key><value>a &amp; b&#x21;</value></item></tagSet></item>
    <item><vpcId>vpc-2</vpcId><empty/></item>
  </vpcSet>
</DescribeVpcsResponse>"#;
        let root = Element::parse(xml).expect("parses");
        assert_eq!(root.name, "DescribeVpcsResponse");
        let vpcs: Vec<_> = root.items("vpcSet").collect();
        assert_eq!(
            vpcs.len(),
            2,
            "nested <item>s are not confused with the outer ones"
        );
        assert_eq!(vpcs[0].text_of("vpcId"), Some("vpc-1"));
        assert_eq!(vpcs[0].tag("Name"), Some("a & b!"));
        assert_eq!(vpcs[1].tag("Name"), None);
        assert_eq!(vpcs[1].text_of("empty"), Some(""));
        assert_eq!(root.descendants("vpcId").len(), 2);
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert_eq!(
            Element::parse("<a><b></a>"),
            Err("</a> closes <b>".to_owned())
        );
        assert!(Element::parse("").is_err());
    }
}
