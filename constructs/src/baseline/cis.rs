//! The CIS AWS Foundations Benchmark's monitoring recommendations (section 4 of v1.4 to
//! v3.0; AWS Security Hub's CloudWatch.1 to CloudWatch.14): a metric filter on the
//! trail's log group and an alarm for each. The patterns are the benchmark's.
//! AWS Config changes (4.9) are left out: this baseline records no Config.

/// One monitored event class.
pub struct CisAlarm {
    /// Construct id and metric name.
    pub name: &'static str,
    /// The benchmark's recommendation and the Security Hub control.
    pub controls: &'static str,
    /// The CloudWatch Logs filter pattern that matches the event in the trail's log group.
    pub pattern: &'static str,
    /// What happened and what to look at first.
    pub description: &'static str,
}

/// The CIS AWS Foundations Benchmark's monitoring recommendations (section 4) the
/// baseline alarms on, each a metric filter on the trail and an alarm.
pub const CIS_ALARMS: &[CisAlarm] = &[
    CisAlarm {
        name: "UnauthorizedApiCalls",
        controls: "CIS 4.1, CloudWatch.2",
        pattern: r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
        description: "API calls were refused for lack of permission: a misconfigured role, or someone probing. Look in the trail for the caller (userIdentity) and the action.",
    },
    CisAlarm {
        name: "ConsoleSignInWithoutMfa",
        controls: "CIS 4.2, CloudWatch.3",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
        description: "An IAM user signed in to the console without MFA. Find the user in the trail, require MFA for them and ask whether the sign-in was theirs.",
    },
    CisAlarm {
        name: "RootAccountUsage",
        controls: "CIS 4.3, CloudWatch.1",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        description: "The account's root user made a call. Nobody should need it day to day: confirm who did and why, and rotate its credentials if nobody can say.",
    },
    CisAlarm {
        name: "IamPolicyChanges",
        controls: "CIS 4.4, CloudWatch.4",
        pattern: "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }",
        description: "An IAM policy changed. Deploys through CloudFormation change IAM too: check that the caller is a deploy's execution role; anything else is out of band.",
    },
    CisAlarm {
        name: "CloudTrailChanges",
        controls: "CIS 4.5, CloudWatch.5",
        pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        description: "A trail was created, changed, stopped or deleted: the audit record itself. Confirm the change was this baseline's deploy; a stopped trail hides what follows.",
    },
    CisAlarm {
        name: "ConsoleSignInFailures",
        controls: "CIS 4.6, CloudWatch.6",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        description: "Console sign-ins failed. Several for one user, or from an unknown address, are someone guessing passwords: look at sourceIPAddress in the trail.",
    },
    CisAlarm {
        name: "KmsKeyDisabledOrDeleted",
        controls: "CIS 4.7, CloudWatch.7",
        pattern: "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
        description: "A customer-managed KMS key was disabled or scheduled for deletion: the data it encrypts becomes unreadable. Cancel the deletion (kms cancel-key-deletion) unless it is intended.",
    },
    CisAlarm {
        name: "BucketPolicyChanges",
        controls: "CIS 4.8, CloudWatch.8",
        pattern: "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
        description: "A bucket's policy, ACL, CORS, lifecycle or replication changed. Check the caller is a deploy and the bucket is not opened to the public.",
    },
    CisAlarm {
        name: "SecurityGroupChanges",
        controls: "CIS 4.10, CloudWatch.10",
        pattern: "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
        description: "A security group changed. Deploys change them too: check the caller; a rule added by hand drifts from the templates and may open a port.",
    },
    CisAlarm {
        name: "NetworkAclChanges",
        controls: "CIS 4.11, CloudWatch.11",
        pattern: "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
        description: "A network ACL changed. rcdk's VPCs use the default ACLs: any change is out of band; find the caller in the trail.",
    },
    CisAlarm {
        name: "NetworkGatewayChanges",
        controls: "CIS 4.12, CloudWatch.12",
        pattern: "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
        description: "An internet or customer gateway was created, attached or removed: a new way in or out of a VPC. Check the caller is a deploy of a network stack.",
    },
    CisAlarm {
        name: "RouteTableChanges",
        controls: "CIS 4.13, CloudWatch.13",
        pattern: "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
        description: "A route table changed: traffic may take another path (around the NAT, to a peer). Check the caller is a deploy of a network stack.",
    },
    CisAlarm {
        name: "VpcChanges",
        controls: "CIS 4.14, CloudWatch.14",
        pattern: "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
        description: "A VPC or a peering changed. Check the caller is a deploy of a network stack; a peering made by hand joins networks the templates keep apart.",
    },
];
