//! Turns symbolic values into template JSON: resolves references to logical ids,
//! and references into other stacks to `Fn::ImportValue` of an export it records.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as J, json};

use super::cross_region;
use crate::error::Problem;
use crate::expr::{ElementRef, Intrinsic, Pseudo, Value};
use crate::tree::{NodeKind, Tree};

/// An output a producer stack must publish because another stack uses it: exported
/// under `name` for stacks of its region, or (no name) for `rcdk deploy` to carry to
/// another region.
pub(crate) struct Export {
    pub name: Option<String>,
    pub value: J,
}

/// A value `rcdk deploy` writes to SSM in another region after the producer deploys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CrossRegionValue {
    pub output: String,
    pub region: String,
    pub parameter: String,
    pub list: bool,
}

/// A value of another account's stack that `rcdk deploy` reads (through that account's
/// lookup role) and writes to SSM in the consumer's account before the consumer deploys:
/// the consumer's deployment needs only read access to the producer's account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CrossAccountValue {
    pub parameter: String,
    pub producer: String,
    pub account: String,
    pub region: String,
    pub output: String,
    pub list: bool,
}

/// Where every element landed, and what rendering found out along the way.
pub(crate) struct Context<'a> {
    pub tree: &'a Tree,
    /// Per node index: (stack node index, logical id) for template elements.
    pub ids: Vec<Option<(u32, String)>>,
    /// Producer stack → output logical id → export.
    pub exports: BTreeMap<u32, BTreeMap<String, Export>>,
    /// (consumer stack, producer stack)
    pub dependencies: BTreeSet<(u32, u32)>,
    /// Producer stack → the values it carries to other regions.
    pub cross_region: BTreeMap<u32, BTreeSet<CrossRegionValue>>,
    /// Consumer stack → the values of other accounts' stacks it reads.
    pub cross_account: BTreeMap<u32, BTreeSet<CrossAccountValue>>,
    /// Consumer stack → template parameters that read those values.
    pub parameters: BTreeMap<u32, BTreeMap<String, J>>,
    pub problems: Vec<Problem>,
}

impl<'a> Context<'a> {
    pub fn stack_name(&self, stack: u32) -> String {
        match &self.tree.node(stack).kind {
            NodeKind::Stack(d) => d.name.clone(),
            _ => self.tree.node(stack).path.clone(),
        }
    }
}

/// Renders the values of one template element.
pub(crate) struct Renderer<'c, 'a> {
    pub ctx: &'c mut Context<'a>,
    pub stack: u32,
    /// Construct path of the element being rendered (for messages).
    pub location: String,
    /// Property path inside the element (for messages).
    pub keys: Vec<String>,
}

/// What an element reference points at, once checked.
struct Target {
    node: u32,
    stack: u32,
    logical_id: String,
}

const LIST_EXPORT_DELIMITER: &str = "||";

impl<'c, 'a> Renderer<'c, 'a> {
    pub fn new(ctx: &'c mut Context<'a>, stack: u32, location: String) -> Self {
        Renderer {
            ctx,
            stack,
            location,
            keys: Vec::new(),
        }
    }

    fn problem(&mut self, message: String) -> J {
        let at = if self.keys.is_empty() {
            String::new()
        } else {
            format!(" (at {})", self.keys.join("."))
        };
        self.ctx.problems.push(Problem::new(
            self.location.clone(),
            format!("{message}{at}"),
            None,
        ));
        J::Null
    }

    pub fn render(&mut self, value: &Value) -> J {
        match value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(n) => J::from(*n),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(|v| self.render(v)).collect()),
            Value::Map(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    self.keys.push(k.clone());
                    let rendered = self.render(v);
                    self.keys.pop();
                    out.insert(k.clone(), rendered);
                }
                J::Object(out)
            }
            Value::Lazy(l) => self.render(&l.produce()),
            Value::Intrinsic(i) => self.intrinsic(i),
        }
    }

    /// Checks an element reference and says where it lives.
    fn target(&mut self, e: ElementRef, what: &str) -> Option<Target> {
        let tree = self.ctx.tree;
        if e.tree != tree.id {
            self.problem(format!(
                "{what} refers to a construct of another app; build every stack in one App"
            ));
            return None;
        }
        let path = tree.node(e.node).path.clone();
        if tree.is_removed(e.node) {
            self.problem(format!("{what} refers to '{path}', which was removed from the tree; remove the reference too"));
            return None;
        }
        match self.ctx.ids.get(e.node as usize).cloned().flatten() {
            Some((stack, logical_id)) => Some(Target {
                node: e.node,
                stack,
                logical_id,
            }),
            None => {
                self.problem(format!(
                    "{what} refers to '{path}', which is not in any stack (a dangling reference); create it inside a Stack"
                ));
                None
            }
        }
    }

    fn same_stack(&mut self, t: &Target, what: &str) -> bool {
        if t.stack == self.stack {
            return true;
        }
        let path = self.ctx.tree.node(t.node).path.clone();
        self.problem(format!(
            "{what} '{path}' belongs to stack '{}'; it can only be used inside its own stack",
            self.ctx.stack_name(t.stack)
        ));
        false
    }

    /// A reference into another stack: export it there, import it here, and record
    /// the dependency.
    fn import(
        &mut self,
        t: &Target,
        output_id: String,
        value: J,
        is_list: bool,
        attribute: Option<&str>,
    ) -> J {
        let (here, there) = (self.env_of(self.stack), self.env_of(t.stack));
        if here != there {
            return self.cross_environment(t, &output_id, value, is_list, attribute, &here, &there);
        }
        let name = format!("{}:{}", self.ctx.stack_name(t.stack), output_id);
        let exported = if is_list {
            json!({"Fn::Join": [LIST_EXPORT_DELIMITER, value]})
        } else {
            value
        };
        self.ctx.exports.entry(t.stack).or_default().insert(
            output_id,
            Export {
                name: Some(name.clone()),
                value: exported,
            },
        );
        self.ctx.dependencies.insert((self.stack, t.stack));
        let import = json!({"Fn::ImportValue": name});
        if is_list {
            json!({"Fn::Split": [LIST_EXPORT_DELIMITER, import]})
        } else {
            import
        }
    }

    /// A reference between environments: a literal within one account when synthesis
    /// knows the value, else an SSM parameter when the consumer opted in, else an error
    /// that names both ways.
    #[allow(clippy::too_many_arguments)]
    fn cross_environment(
        &mut self,
        t: &Target,
        output_id: &str,
        value: J,
        is_list: bool,
        attribute: Option<&str>,
        here: &crate::tree::Environment,
        there: &crate::tree::Environment,
    ) -> J {
        let tree = self.ctx.tree;
        let path = tree.node(t.node).path.clone();
        let placed = here.account.is_some()
            && there.account.is_some()
            && here.region.is_some()
            && there.region.is_some();
        if !placed {
            return self.problem(format!(
                "a reference to '{path}' crosses environments ({} → {}); exports only work within one account and region, so pass the value through a parameter or SSM",
                there.uri(),
                here.uri()
            ));
        }
        // Another account's: read by the consumer's deployment, written in its account.
        let other_account = (here.account != there.account)
            .then(|| here.account.clone())
            .flatten();
        let known = match &tree.node(t.node).kind {
            NodeKind::Resource(d) => {
                cross_region::literal(&d.type_name, &d.properties(), attribute, there)
            }
            NodeKind::Parameter(_) => Err("it is a template parameter".into()),
            _ => Err("CloudFormation assigns it at deploy".into()),
        };
        // Either way the producer deploys first: what the value names must exist. A name
        // synthesis knows (a named repository's ARN) is text in any region or account.
        self.ctx.dependencies.insert((self.stack, t.stack));
        let why = match known {
            Ok(literal) => return literal,
            Err(why) => why,
        };
        let producer = self.ctx.stack_name(t.stack);
        let consumer = self.ctx.stack_name(self.stack);
        let region = here.region.clone().unwrap_or_default();
        let output = format!(
            "CrossRegion{}",
            output_id.trim_start_matches("ExportsOutput")
        );
        let parameter = cross_region::parameter_name(&producer, &output);
        let allowed =
            matches!(&tree.node(self.stack).kind, NodeKind::Stack(d) if d.cross_region_references);
        if !allowed {
            return self.problem(match &other_account {
                Some(_) => format!(
                    "a reference to '{path}' crosses accounts ({} → {}) and its value is known only at deploy ({why}); one account cannot read another's exports. Either give it a fixed name, so synthesis writes the value as text, or set cross_region_references: true in the StackProps of '{consumer}': before '{consumer}' deploys, rcdk deploy then reads the value from '{producer}' (through its account's lookup role) and writes it to the SSM parameter {parameter} in {consumer}'s account and region (or pass it as a template parameter, or share the resource through a resource policy naming that account)",
                    there.uri(),
                    here.uri()
                ),
                None => format!(
                    "a reference to '{path}' crosses regions ({} → {region}) and its value is known only at deploy ({why}). Either give it a fixed name, so synthesis writes the value as text, or set cross_region_references: true in the StackProps of '{consumer}': rcdk deploy then writes it to the SSM parameter {parameter} in {region} after '{producer}' deploys",
                    there.region.as_deref().unwrap_or_default()
                ),
            });
        }
        let exported = if is_list {
            json!({"Fn::Join": [",", value]})
        } else {
            value
        };
        self.ctx
            .exports
            .entry(t.stack)
            .or_default()
            .entry(output.clone())
            .or_insert(Export {
                name: None,
                value: exported,
            });
        match &other_account {
            // Read at the consumer's deploy, from the producer's account.
            Some(_) => {
                self.ctx
                    .cross_account
                    .entry(self.stack)
                    .or_default()
                    .insert(CrossAccountValue {
                        parameter: parameter.clone(),
                        producer: producer.clone(),
                        account: there.account.clone().unwrap_or_default(),
                        region: there.region.clone().unwrap_or_default(),
                        output: output.clone(),
                        list: is_list,
                    });
            }
            // Written at the producer's deploy, into the consumer's region.
            None => {
                self.ctx
                    .cross_region
                    .entry(t.stack)
                    .or_default()
                    .insert(CrossRegionValue {
                        output: output.clone(),
                        region: region.clone(),
                        parameter: parameter.clone(),
                        list: is_list,
                    });
            }
        }
        let logical = format!("{}{output}", super::logical_id::pascal_case(&producer));
        let kind = if is_list {
            "AWS::SSM::Parameter::Value<List<String>>"
        } else {
            "AWS::SSM::Parameter::Value<String>"
        };
        self.ctx.parameters.entry(self.stack).or_default().insert(
            logical.clone(),
            json!({
                "Type": kind,
                "Default": parameter,
                "Description": format!("{path} of {producer} ({}), written here by rcdk deploy", if other_account.is_some() { there.uri() } else { there.region.clone().unwrap_or_default() }),
            }),
        );
        json!({"Ref": logical})
    }

    fn env_of(&self, stack: u32) -> crate::tree::Environment {
        match &self.ctx.tree.node(stack).kind {
            NodeKind::Stack(d) => d.env.clone(),
            _ => crate::tree::Environment::default(),
        }
    }

    fn intrinsic(&mut self, i: &Intrinsic) -> J {
        match i {
            Intrinsic::Ref(e) => {
                let Some(t) = self.target(*e, "Ref") else {
                    return J::Null;
                };
                let kind_ok = matches!(
                    self.ctx.tree.node(t.node).kind,
                    NodeKind::Resource(_) | NodeKind::Parameter(_)
                );
                if !kind_ok {
                    let path = self.ctx.tree.node(t.node).path.clone();
                    return self.problem(format!(
                        "Ref can only point at a resource or parameter, not '{path}'"
                    ));
                }
                let local = json!({"Ref": t.logical_id});
                if t.stack == self.stack {
                    local
                } else {
                    let output_id = format!("ExportsOutputRef{}", t.logical_id);
                    self.import(&t, output_id, local, false, None)
                }
            }
            Intrinsic::GetAtt {
                target,
                attribute,
                is_list,
            } => {
                let Some(t) = self.target(*target, "Fn::GetAtt") else {
                    return J::Null;
                };
                if !matches!(self.ctx.tree.node(t.node).kind, NodeKind::Resource(_)) {
                    let path = self.ctx.tree.node(t.node).path.clone();
                    return self.problem(format!(
                        "Fn::GetAtt can only point at a resource, not '{path}'"
                    ));
                }
                let local = json!({"Fn::GetAtt": [t.logical_id, attribute]});
                if t.stack == self.stack {
                    local
                } else {
                    let attr_id = super::logical_id::pascal_case(attribute);
                    let output_id = format!("ExportsOutputFnGetAtt{}{}", t.logical_id, attr_id);
                    self.import(&t, output_id, local, *is_list, Some(attribute))
                }
            }
            Intrinsic::Pseudo(p) => json!({"Ref": p.name()}),
            Intrinsic::ScopedPseudo { pseudo, stack } => match self.producer(*stack) {
                Some(producer) => self.pseudo_of(*pseudo, producer),
                None => J::Null,
            },
            Intrinsic::Sub {
                template,
                vars,
                scope,
            } => self.sub(template, vars, *scope),
            Intrinsic::Join { delimiter, list } => self.join(delimiter, list),
            Intrinsic::Select { index, list } => {
                let (index, list) = (self.render(index), self.render(list));
                json!({"Fn::Select": [index, list]})
            }
            Intrinsic::Split { delimiter, source } => {
                let source = self.render(source);
                json!({"Fn::Split": [delimiter, source]})
            }
            Intrinsic::GetAzs { region } => json!({"Fn::GetAZs": self.render(region)}),
            Intrinsic::ImportValue(v) => json!({"Fn::ImportValue": self.render(v)}),
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => {
                let Some(name) = self.condition_name(*condition) else {
                    return J::Null;
                };
                let (a, b) = (self.render(then), self.render(otherwise));
                json!({"Fn::If": [name, a, b]})
            }
            Intrinsic::Equals(a, b) => {
                let (a, b) = (self.render(a), self.render(b));
                json!({"Fn::Equals": [a, b]})
            }
            Intrinsic::And(items) => self.condition_list("Fn::And", items),
            Intrinsic::Or(items) => self.condition_list("Fn::Or", items),
            Intrinsic::Not(c) => json!({"Fn::Not": [self.render(c)]}),
            Intrinsic::Condition(c) => match self.condition_name(*c) {
                Some(name) => json!({"Condition": name}),
                None => J::Null,
            },
            Intrinsic::FindInMap {
                mapping,
                top_key,
                second_key,
            } => {
                let Some(t) = self.target(*mapping, "Fn::FindInMap") else {
                    return J::Null;
                };
                if !matches!(self.ctx.tree.node(t.node).kind, NodeKind::Mapping(_))
                    || !self.same_stack(&t, "mapping")
                {
                    return J::Null;
                }
                let (a, b) = (self.render(top_key), self.render(second_key));
                json!({"Fn::FindInMap": [t.logical_id, a, b]})
            }
            Intrinsic::Base64(v) => json!({"Fn::Base64": self.render(v)}),
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                let (a, b, c) = (
                    self.render(ip_block),
                    self.render(count),
                    self.render(cidr_bits),
                );
                json!({"Fn::Cidr": [a, b, c]})
            }
            Intrinsic::Dynamic(parts) => {
                let parts: Vec<J> = parts.iter().map(|p| self.render(p)).collect();
                fold_join("", parts)
            }
        }
    }

    /// The stack a scoped value belongs to.
    fn producer(&mut self, e: ElementRef) -> Option<u32> {
        if e.tree != self.ctx.tree.id {
            self.problem(
                "a stack-scoped value comes from another app; build every stack in one App".into(),
            );
            return None;
        }
        matches!(self.ctx.tree.node(e.node).kind, NodeKind::Stack(_)).then_some(e.node)
    }

    /// A pseudo parameter of stack `producer` as this stack must write it to mean the same:
    /// itself at home (and for account, region and partition within one environment), the
    /// producer's literal where synthesis knows it, else an export of the producer.
    fn pseudo_of(&mut self, p: Pseudo, producer: u32) -> J {
        let local = json!({"Ref": p.name()});
        if producer == self.stack || p == Pseudo::NoValue {
            return local;
        }
        let env = self.env_of(producer);
        let same_env = env == self.env_of(self.stack);
        let known = match p {
            Pseudo::StackName => Some(self.ctx.stack_name(producer)),
            Pseudo::AccountId | Pseudo::Region | Pseudo::Partition | Pseudo::UrlSuffix
                if same_env =>
            {
                return local;
            }
            Pseudo::AccountId => env.account.clone(),
            Pseudo::Region => env.region.clone(),
            Pseudo::Partition => env.region.as_deref().map(|r| partition(r).0.to_owned()),
            Pseudo::UrlSuffix => env.region.as_deref().map(|r| partition(r).1.to_owned()),
            Pseudo::StackId | Pseudo::NotificationArns | Pseudo::NoValue => None,
        };
        if let Some(text) = known {
            return J::String(text);
        }
        let target = Target {
            node: producer,
            stack: producer,
            logical_id: String::new(),
        };
        let output_id = format!("ExportsOutputRef{}", p.name().replace("::", ""));
        self.import(
            &target,
            output_id,
            local,
            p == Pseudo::NotificationArns,
            None,
        )
    }

    fn condition_name(&mut self, e: ElementRef) -> Option<String> {
        let t = self.target(e, "condition")?;
        if !matches!(self.ctx.tree.node(t.node).kind, NodeKind::Condition(_)) {
            let path = self.ctx.tree.node(t.node).path.clone();
            self.problem(format!("'{path}' is not a condition"));
            return None;
        }
        self.same_stack(&t, "condition").then_some(t.logical_id)
    }

    fn condition_list(&mut self, name: &str, items: &[Value]) -> J {
        if !(2..=10).contains(&items.len()) {
            return self.problem(format!(
                "{name} takes 2 to 10 conditions, got {}",
                items.len()
            ));
        }
        let rendered: Vec<J> = items.iter().map(|v| self.render(v)).collect();
        json!({name: rendered})
    }

    fn join(&mut self, delimiter: &str, list: &Value) -> J {
        match list {
            Value::List(items) => {
                let parts: Vec<J> = items.iter().map(|v| self.render(v)).collect();
                fold_join(delimiter, parts)
            }
            other => {
                let rendered = self.render(other);
                json!({"Fn::Join": [delimiter, rendered]})
            }
        }
    }

    fn sub(
        &mut self,
        template: &str,
        vars: &BTreeMap<String, Value>,
        scope: Option<ElementRef>,
    ) -> J {
        // The pseudo parameters of a Sub built for another stack are that stack's.
        let producer = match scope {
            Some(e) => self.producer(e).filter(|&s| s != self.stack),
            None => None,
        };
        // Variables that are same-stack references or plain text are written inline,
        // as a person would; the rest stay in the variable map.
        let mut inline: BTreeMap<String, String> = BTreeMap::new();
        let mut map = Map::new();
        for (name, value) in vars {
            self.keys.push(format!("${{{name}}}"));
            let rendered = self.render(value);
            self.keys.pop();
            match inline_form(&rendered) {
                Some(text) => {
                    inline.insert(name.clone(), text);
                }
                None => {
                    map.insert(name.clone(), rendered);
                }
            }
        }
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if after.starts_with('!') {
                out.push_str("${");
                rest = after;
                continue;
            }
            let Some(end) = after.find('}') else {
                return self.problem(format!(
                    "Fn::Sub template '{template}' has an unclosed '${{'"
                ));
            };
            let name = &after[..end];
            let foreign = producer.zip(Pseudo::from_name(name));
            if let Some((producer, p)) = foreign {
                match self.pseudo_of(p, producer) {
                    J::String(text) => out.push_str(&text),
                    J::Object(o) if o.get("Ref") == Some(&J::from(p.name())) => {
                        out.push_str(&rest[start..start + 2 + end + 1]);
                    }
                    imported => {
                        let var = p.name().replace("::", "");
                        out.push_str(&format!("${{{var}}}"));
                        map.insert(var, imported);
                    }
                }
            } else if let Some(text) = inline.get(name) {
                out.push_str(text);
            } else if map.contains_key(name) || Pseudo::from_name(name).is_some() {
                out.push_str(&rest[start..start + 2 + end + 1]);
            } else {
                return self.problem(format!(
                    "Fn::Sub template '{template}' uses ${{{name}}}, which is neither a pseudo parameter nor a variable; pass it in the variables of fns::sub_with"
                ));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        if map.is_empty() && !out.contains("${") {
            // Nothing left to substitute (cfn-lint W1020 flags such a Fn::Sub).
            J::String(out)
        } else if map.is_empty() {
            json!({"Fn::Sub": out})
        } else {
            json!({"Fn::Sub": [out, map]})
        }
    }
}

/// The partition and URL suffix of a region.
fn partition(region: &str) -> (&'static str, &'static str) {
    if region.starts_with("cn-") {
        ("aws-cn", "amazonaws.com.cn")
    } else if region.starts_with("us-gov-") {
        ("aws-us-gov", "amazonaws.com")
    } else if region.starts_with("us-isob-") {
        ("aws-iso-b", "sc2s.sgov.gov")
    } else if region.starts_with("us-iso-") {
        ("aws-iso", "c2s.ic.gov")
    } else {
        ("aws", "amazonaws.com")
    }
}

/// How a rendered `Fn::Sub` variable can be written inside the template string, if it can.
fn inline_form(v: &J) -> Option<String> {
    match v {
        J::String(s) if !s.contains("${") => Some(s.clone()),
        J::Object(o) if o.len() == 1 => {
            if let Some(J::String(id)) = o.get("Ref") {
                return Some(format!("${{{id}}}"));
            }
            match o.get("Fn::GetAtt") {
                Some(J::Array(a)) => match (a.first(), a.get(1)) {
                    (Some(J::String(id)), Some(J::String(attr))) => {
                        Some(format!("${{{id}.{attr}}}"))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Fn::Join` with adjacent literal parts merged, and a plain string when all are literal.
fn fold_join(delimiter: &str, parts: Vec<J>) -> J {
    let mut folded: Vec<J> = Vec::with_capacity(parts.len());
    for part in parts {
        if let (J::String(s), Some(J::String(prev))) = (&part, folded.last_mut()) {
            prev.push_str(delimiter);
            prev.push_str(s);
            continue;
        }
        folded.push(part);
    }
    match folded.as_slice() {
        [] => J::String(String::new()),
        [J::String(s)] => J::String(s.clone()),
        _ => json!({"Fn::Join": [delimiter, folded]}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_folds_literals() {
        assert_eq!(fold_join("-", vec![json!("a"), json!("b")]), json!("a-b"));
        assert_eq!(
            fold_join(
                ":",
                vec![json!("a"), json!("b"), json!({"Ref": "X"}), json!("c")]
            ),
            json!({"Fn::Join": [":", ["a:b", {"Ref": "X"}, "c"]]})
        );
        assert_eq!(fold_join(",", vec![]), json!(""));
    }
}
