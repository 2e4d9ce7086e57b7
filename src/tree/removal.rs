use super::DeletionPolicy;

/// What happens to a resource when it leaves the template or is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// Delete the physical resource.
    Destroy,
    /// Keep the physical resource, orphaned from the stack.
    Retain,
    /// Keep the resource while the stack is created; delete on a failed create.
    RetainOnUpdateOrDelete,
    /// Take a final snapshot, then delete (stateful types only).
    Snapshot,
}

/// Resource types whose `DeletionPolicy` may be `Snapshot`.
const SNAPSHOT_TYPES: &[&str] = &[
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

impl RemovalPolicy {
    /// The `DeletionPolicy` (and `UpdateReplacePolicy`) value this writes.
    pub fn deletion_policy(self) -> DeletionPolicy {
        match self {
            RemovalPolicy::Destroy => DeletionPolicy::Delete,
            RemovalPolicy::Retain => DeletionPolicy::Retain,
            RemovalPolicy::RetainOnUpdateOrDelete => DeletionPolicy::RetainExceptOnCreate,
            RemovalPolicy::Snapshot => DeletionPolicy::Snapshot,
        }
    }

    /// Whether CloudFormation can snapshot resources of `type_name` (`Snapshot` on
    /// another type is a synthesis error).
    pub fn supports_snapshot(type_name: &str) -> bool {
        SNAPSHOT_TYPES.contains(&type_name)
    }
}
