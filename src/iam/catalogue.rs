//! The catalogue itself: `catalog.txt` (generated), indexed once and each service read
//! on first use, so a synthesis that checks a few services parses only those.

use std::sync::OnceLock;

use super::glob;

const TEXT: &str = include_str!("catalog.txt");

/// How much an action can do, as the service authorization reference classes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccessLevels(u8);

impl AccessLevels {
    const NAMES: [(u8, char, &'static str); 5] = [
        (1, 'L', "List"),
        (2, 'R', "Read"),
        (4, 'W', "Write"),
        (8, 'T', "Tagging"),
        (16, 'P', "Permissions management"),
    ];

    fn parse(codes: &str) -> AccessLevels {
        AccessLevels(
            Self::NAMES
                .iter()
                .filter(|(_, c, _)| codes.contains(*c))
                .map(|(bit, _, _)| bit)
                .sum(),
        )
    }

    /// The levels' names: `["Tagging", "Write"]`.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(bit, _, _)| self.0 & bit != 0)
            .map(|(_, _, name)| *name)
            .collect()
    }

    /// Whether the action can change permissions (`iam:PutRolePolicy`, `kms:CreateGrant`).
    pub fn manages_permissions(self) -> bool {
        self.0 & 16 != 0
    }
}

/// A resource type an action can act on.
#[derive(Debug)]
pub struct ResourceType {
    /// Its name in the reference (`object`).
    pub name: &'static str,
    /// Its ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
    pub arn_format: &'static str,
    pattern: String,
}

impl ResourceType {
    /// Whether a resource pattern of a policy can name a resource of this type.
    pub fn admits(&self, resource: &str) -> bool {
        glob::intersects(resource, &self.pattern, false)
    }
}

/// One IAM action.
#[derive(Debug)]
pub struct Action {
    /// Its name, spelled as AWS does (`GetObject`).
    pub name: &'static str,
    /// What it can do.
    pub access: AccessLevels,
    resource_types: Vec<u16>,
    condition_keys: Vec<u16>,
}

/// One service: its prefix, resource types and actions.
#[derive(Debug)]
pub struct Service {
    /// The prefix of its actions (`s3`).
    pub prefix: &'static str,
    /// Its name (`Amazon S3`).
    pub name: &'static str,
    resource_types: Vec<ResourceType>,
    keys: Vec<&'static str>,
    actions: Vec<Action>,
}

impl Service {
    /// Its actions, sorted by name.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The action of this name (IAM compares names without case).
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .binary_search_by(|a| cmp_folded(a.name, name))
            .ok()
            .map(|i| &self.actions[i])
    }

    /// The actions a name pattern (`Get*`) matches.
    pub fn matching(&self, pattern: &str) -> Vec<&Action> {
        self.actions
            .iter()
            .filter(|a| glob::matches(pattern, a.name, true))
            .collect()
    }

    /// The resource types `action` acts on; none for an action that takes no resource
    /// (its statements need `Resource: "*"`).
    pub fn resource_types<'a>(
        &'a self,
        action: &'a Action,
    ) -> impl Iterator<Item = &'a ResourceType> {
        action
            .resource_types
            .iter()
            .filter_map(|&i| self.resource_types.get(usize::from(i)))
    }

    /// The condition keys `action` takes beyond the global ones, as patterns (`s3:ExistingObjectTag/*`).
    pub fn condition_keys<'a>(&'a self, action: &'a Action) -> impl Iterator<Item = &'a str> {
        action
            .condition_keys
            .iter()
            .filter_map(|&i| self.keys.get(usize::from(i)).copied())
    }
}

fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Every IAM action of every service, from AWS's service authorization reference.
pub struct Catalogue {
    header: &'static str,
    global_keys: Vec<&'static str>,
    /// (prefix, name, the service's lines), sorted by prefix.
    index: Vec<(&'static str, &'static str, &'static str)>,
    services: Vec<OnceLock<Service>>,
}

/// The catalogue (indexed on first use, about a millisecond).
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::index(TEXT))
}

impl Catalogue {
    fn index(text: &'static str) -> Catalogue {
        let mut header_end = 0;
        let mut global_keys = Vec::new();
        let mut index = Vec::new();
        let mut offset = 0;
        let mut current: Option<(&'static str, &'static str, usize)> = None;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if line.starts_with('#') {
                header_end = offset;
            } else if let Some(keys) = line.strip_prefix("g ") {
                global_keys = keys.split_whitespace().collect();
            } else if let Some(head) = line.strip_prefix('@') {
                if let Some((prefix, name, from)) = current.take() {
                    index.push((prefix, name, &text[from..start]));
                }
                let head = head.trim_end();
                let (prefix, name) = head.split_once(' ').unwrap_or((head, head));
                current = Some((prefix, name, offset));
            }
        }
        if let Some((prefix, name, from)) = current {
            index.push((prefix, name, &text[from..]));
        }
        index.sort_by(|a, b| a.0.cmp(b.0));
        let services = index.iter().map(|_| OnceLock::new()).collect();
        Catalogue {
            header: &text[..header_end],
            global_keys,
            index,
            services,
        }
    }

    /// Where the catalogue comes from (its generated header).
    pub fn source(&self) -> &'static str {
        self.header
    }

    /// How many services and actions it has.
    pub fn size(&self) -> (usize, usize) {
        let actions = self
            .index
            .iter()
            .map(|(_, _, body)| body.lines().filter(|l| l.starts_with("a ")).count())
            .sum();
        (self.index.len(), actions)
    }

    /// Every service prefix.
    pub fn prefixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.index.iter().map(|(p, _, _)| *p)
    }

    /// The service of `prefix` (without case).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let i = self
            .index
            .binary_search_by(|(p, _, _)| cmp_folded(p, prefix))
            .ok()?;
        let (prefix, name, body) = self.index[i];
        Some(self.services[i].get_or_init(|| parse_service(prefix, name, body)))
    }

    /// `service:Action` (without case), with its service.
    pub fn action(&self, action: &str) -> Option<(&Service, &Action)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        Some((service, service.action(name)?))
    }

    /// Whether `key` is a global condition key (`aws:SourceArn`, `aws:PrincipalTag/team`).
    pub fn is_global_key(&self, key: &str) -> bool {
        self.global_keys
            .iter()
            .any(|pattern| glob::matches(pattern, key, true))
    }
}

fn numbers(field: Option<&str>) -> Vec<u16> {
    match field {
        None | Some("-") => Vec::new(),
        Some(list) => list.split(',').filter_map(|n| n.parse().ok()).collect(),
    }
}

fn parse_service(prefix: &'static str, name: &'static str, body: &'static str) -> Service {
    let mut service = Service {
        prefix,
        name,
        resource_types: Vec::new(),
        keys: Vec::new(),
        actions: Vec::new(),
    };
    for line in body.lines() {
        let mut fields = line.split(' ');
        match fields.next() {
            Some("r") => {
                let (Some(name), Some(arn_format)) = (fields.next(), fields.next()) else {
                    continue;
                };
                service.resource_types.push(ResourceType {
                    name,
                    arn_format,
                    pattern: glob::arn_format_pattern(arn_format),
                });
            }
            Some("k") => service.keys = fields.collect(),
            Some("a") => {
                let Some(name) = fields.next() else { continue };
                let access = AccessLevels::parse(fields.next().unwrap_or(""));
                service.actions.push(Action {
                    name,
                    access,
                    resource_types: numbers(fields.next()),
                    condition_keys: numbers(fields.next()),
                });
            }
            _ => {}
        }
    }
    // Sorted by the generator; sorted here without case, as lookups compare.
    service.actions.sort_by(|a, b| cmp_folded(a.name, b.name));
    service
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_knows_actions_their_resources_and_keys() {
        let c = catalogue();
        let (services, actions) = c.size();
        assert!(services > 400 && actions > 20_000, "{services} {actions}");
        let (s3, get) = c.action("s3:getobject").expect("s3:GetObject");
        assert_eq!(get.name, "GetObject");
        assert_eq!(get.access.names(), ["Read"]);
        let types: Vec<&str> = s3.resource_types(get).map(|t| t.name).collect();
        assert_eq!(types, ["accesspointobject", "object"]);
        assert!(
            s3.condition_keys(get)
                .any(|k| k == "s3:ExistingObjectTag/*")
        );
        let (ecr, token) = c.action("ecr:GetAuthorizationToken").expect("token");
        assert_eq!(ecr.resource_types(token).count(), 0);
        assert!(c.action("s3:GetObjet").is_none());
        assert!(c.service("nosuch").is_none());
        assert_eq!(
            s3.matching("Get*Tagging").len(),
            s3.matching("get*tagging").len()
        );
        assert!(c.is_global_key("aws:PrincipalTag/team"));
        assert!(c.is_global_key("aws:sourcearn"));
        assert!(!c.is_global_key("aws:NoSuchKey"));
        let (_, put_policy) = c.action("iam:PutRolePolicy").expect("iam");
        assert!(put_policy.access.manages_permissions());
    }
}
