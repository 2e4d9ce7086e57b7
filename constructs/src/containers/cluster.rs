//! The ECS cluster.

use std::ops::Deref;

use rcdk::{Expr, Scope};
use rcdk_l1::ecs::cluster::ClusterSettings;
use rcdk_l1::ecs::{CfnCluster, CfnClusterProps};

/// CloudWatch Container Insights level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContainerInsights {
    /// Task- and container-level metrics.
    #[default]
    Enhanced,
    /// Cluster- and service-level metrics.
    Enabled,
    Disabled,
}

/// Settings of a [`Cluster`].
#[derive(Debug, Clone, Default)]
pub struct ClusterProps {
    /// Default: enhanced.
    pub container_insights: ContainerInsights,
}

/// An ECS cluster for Fargate services.
#[derive(Debug, Clone)]
pub struct Cluster {
    cluster: CfnCluster,
}

impl Deref for Cluster {
    type Target = CfnCluster;
    fn deref(&self) -> &CfnCluster {
        &self.cluster
    }
}

impl Cluster {
    pub fn new(scope: &Scope, id: &str, props: ClusterProps) -> Cluster {
        let value = match props.container_insights {
            ContainerInsights::Enhanced => "enhanced",
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Disabled => "disabled",
        };
        let cluster = CfnCluster::new(
            scope,
            id,
            CfnClusterProps {
                cluster_settings: Some(vec![ClusterSettings {
                    name: Some("containerInsights".into()),
                    value: Some(value.into()),
                }]),
                ..Default::default()
            },
        );
        Cluster { cluster }
    }

    pub fn name(&self) -> Expr<String> {
        self.cluster.ref_()
    }

    pub fn arn(&self) -> Expr<String> {
        self.cluster.attr_arn()
    }
}
