use std::collections::BTreeMap;

use super::Value;

/// An element of a construct tree (resource, parameter, condition, mapping) that an
/// intrinsic refers to. It names the tree and the node, so synthesis can tell which
/// stack the element lives in and wire cross-stack references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementRef {
    pub(crate) tree: u64,
    pub(crate) node: u32,
}

/// CloudFormation pseudo parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pseudo {
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::Region`.
    Region,
    /// `AWS::Partition` (`aws`, `aws-cn`, `aws-us-gov`).
    Partition,
    /// `AWS::StackName`.
    StackName,
    /// `AWS::StackId`.
    StackId,
    /// `AWS::URLSuffix` (`amazonaws.com`).
    UrlSuffix,
    /// `AWS::NotificationARNs`.
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is the value of.
    NoValue,
}

impl Pseudo {
    /// The name CloudFormation uses (`AWS::Region`).
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Region => "AWS::Region",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
        }
    }

    /// The pseudo parameter named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        [
            Pseudo::AccountId,
            Pseudo::Region,
            Pseudo::Partition,
            Pseudo::StackName,
            Pseudo::StackId,
            Pseudo::UrlSuffix,
            Pseudo::NotificationArns,
            Pseudo::NoValue,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }
}

/// The intrinsic functions, with their references still symbolic.
#[derive(Debug, Clone, PartialEq)]
pub enum Intrinsic {
    /// `Ref` to a resource or parameter.
    Ref(ElementRef),
    /// `Fn::GetAtt`; `is_list` marks attributes that yield a list (exported joined).
    GetAtt {
        /// The resource.
        target: ElementRef,
        /// The attribute's name (`Arn`).
        attribute: String,
        /// The attribute yields a list.
        is_list: bool,
    },
    /// A pseudo parameter as seen by whichever stack the value is rendered in
    /// (`fns::region()`, …): the consumer's own.
    Pseudo(Pseudo),
    /// A pseudo parameter of one stack (`scope.aws().stack_name()`). Rendered in another
    /// stack it keeps its meaning: the producer's literal where synthesis knows it, else an
    /// export of the producer.
    ScopedPseudo {
        /// Which pseudo parameter.
        pseudo: Pseudo,
        /// The stack whose value it is.
        stack: ElementRef,
    },
    /// `Fn::Sub`; every `${Name}` in the template is a pseudo parameter or a key of `vars`.
    /// With a `scope`, the pseudo parameters in the template are that stack's (see
    /// [`Intrinsic::ScopedPseudo`]); without, the consumer's.
    Sub {
        /// The string with `${Name}` placeholders.
        template: String,
        /// Values of the placeholders that are not pseudo parameters.
        vars: BTreeMap<String, Value>,
        /// The stack whose pseudo parameters the template means, if not the consumer's.
        scope: Option<ElementRef>,
    },
    /// `Fn::Join`: the list's items with `delimiter` between them.
    Join {
        /// What goes between the items.
        delimiter: String,
        /// The items.
        list: Value,
    },
    /// `Fn::Select`: one item of a list.
    Select {
        /// Which item (from 0).
        index: Value,
        /// The list.
        list: Value,
    },
    /// `Fn::Split`: a string cut at each `delimiter`.
    Split {
        /// Where to cut.
        delimiter: String,
        /// The string.
        source: Value,
    },
    /// `Fn::GetAZs`: the AZs of a region (`""`: the stack's).
    GetAzs {
        /// The region.
        region: Value,
    },
    /// `Fn::ImportValue` of an export's name.
    ImportValue(Value),
    /// `Fn::If`: one value or the other, by a condition.
    If {
        /// The condition.
        condition: ElementRef,
        /// The value when it holds.
        then: Value,
        /// The value when it does not.
        otherwise: Value,
    },
    /// `Fn::Equals`, in conditions.
    Equals(Value, Value),
    /// `Fn::And`, in conditions.
    And(Vec<Value>),
    /// `Fn::Or`, in conditions.
    Or(Vec<Value>),
    /// `Fn::Not`, in conditions.
    Not(Value),
    /// `{"Condition": name}` inside a condition expression.
    Condition(ElementRef),
    /// `Fn::FindInMap`: a value of a mapping.
    FindInMap {
        /// The mapping.
        mapping: ElementRef,
        /// The first-level key.
        top_key: Value,
        /// The second-level key.
        second_key: Value,
    },
    /// `Fn::Base64` of a string.
    Base64(Value),
    /// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits carved from `ip_block`.
    Cidr {
        /// The block to carve.
        ip_block: Value,
        /// How many blocks.
        count: Value,
        /// Host bits of each block.
        cidr_bits: Value,
    },
    /// A `{{resolve:…}}` dynamic reference, whose parts may be intrinsics.
    Dynamic(Vec<Value>),
}

impl Intrinsic {
    /// The nested values, for walkers that look for references.
    pub fn children(&self) -> Vec<&Value> {
        match self {
            Intrinsic::Ref(_)
            | Intrinsic::GetAtt { .. }
            | Intrinsic::Pseudo(_)
            | Intrinsic::ScopedPseudo { .. }
            | Intrinsic::Condition(_) => vec![],
            Intrinsic::Sub { vars, .. } => vars.values().collect(),
            Intrinsic::Join { list, .. } => vec![list],
            Intrinsic::Select { index, list } => vec![index, list],
            Intrinsic::Split { source, .. } => vec![source],
            Intrinsic::GetAzs { region } => vec![region],
            Intrinsic::ImportValue(v) | Intrinsic::Not(v) | Intrinsic::Base64(v) => vec![v],
            Intrinsic::If {
                then, otherwise, ..
            } => vec![then, otherwise],
            Intrinsic::Equals(a, b) => vec![a, b],
            Intrinsic::And(items) | Intrinsic::Or(items) | Intrinsic::Dynamic(items) => {
                items.iter().collect()
            }
            Intrinsic::FindInMap {
                top_key,
                second_key,
                ..
            } => vec![top_key, second_key],
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => vec![ip_block, count, cidr_bits],
        }
    }
}
