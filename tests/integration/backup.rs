//! AWS Backup: the vault, plan, selections and restore tests an L2 writes, what AWS would
//! refuse or quietly ignore refused at synthesis, the alerts on failed jobs, the posture
//! rule that every database is in a plan, and the reference app's backups.

use rcdk::{App, Stack};
use rcdk_constructs::backup::{
    BackupPlan, BackupPlanProps, BackupRule, BackupVault, BackupVaultProps, CopyTo, FailureAlerts,
    ResourceKind, RestoreTestOptions, RestoreTestingPlan, RestoreTestingPlanProps, Selection,
    VaultLock,
};
use rcdk_constructs::data::{PostgresInstance, PostgresInstanceProps};
use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
use rcdk_constructs::posture;
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::l2_fixtures::dev_vpc;
use crate::support::{
    assert_cfn_lint_clean, reference_assembly, resource, resources_of_type, synth, synth_err,
    template,
};

fn compliance(max: u32) -> VaultLock {
    VaultLock::Compliance {
        min_retention_days: 7,
        max_retention_days: max,
        changeable_for_days: 3,
    }
}

fn vault(s: &Stack, lock: Option<VaultLock>) -> BackupVault {
    BackupVault::new(
        s,
        "Vault",
        BackupVaultProps {
            lock,
            ..BackupVaultProps::default()
        },
    )
}

fn database(s: &Stack, props: impl FnOnce(&mut PostgresInstanceProps)) -> PostgresInstance {
    let vpc = dev_vpc(s);
    let mut p = PostgresInstanceProps::new(&vpc);
    props(&mut p);
    PostgresInstance::new(s, "Database", p)
}

/// A database with a plan (daily, monthly, copies into another region), restore tests
/// and the failure alerts: the shape of production.
fn backed_up_app() -> App {
    let app = app();
    let s = stack(&app, "data");
    let db = database(&s, |_| {});
    let plan = BackupPlan::new(
        &s,
        "Backups",
        BackupPlanProps {
            vault: vault(&s, Some(compliance(365))),
            rules: vec![
                BackupRule::daily(35).copy_to(CopyTo {
                    vault_arn: BackupVault::arn_of("us-west-2", "123456789012", "dr-backups"),
                    delete_after_days: 35,
                    lock: Some(compliance(35)),
                }),
                BackupRule::monthly(365),
            ],
            name: Some("prod-database".into()),
        },
    );
    plan.select("Database", Selection::database(&db));
    let tests = RestoreTestingPlan::new(
        &s,
        "RestoreTests",
        &plan,
        RestoreTestingPlanProps::default(),
    );
    tests.add_database("Database", &db, RestoreTestOptions::default());
    let topic = AlarmTopic::new(&s, "Alarms", AlarmTopicProps::default());
    FailureAlerts::new(&s, "BackupFailures", &topic);
    app
}

#[test]
fn the_vault_has_its_own_key_a_lock_and_outlives_the_stack() {
    let assembly = synth(&backed_up_app());
    let v = resource(&assembly, "data", "Vault");
    assert_eq!(v["Type"], "AWS::Backup::BackupVault");
    assert_eq!(v["DeletionPolicy"], "Retain");
    assert_eq!(v["Properties"]["BackupVaultName"], "data-Vault");
    assert_eq!(
        v["Properties"]["EncryptionKeyArn"],
        json!({"Fn::GetAtt": ["VaultKey", "Arn"]})
    );
    assert_eq!(
        v["Properties"]["LockConfiguration"],
        json!({"ChangeableForDays": 3, "MaxRetentionDays": 365, "MinRetentionDays": 7})
    );
    let key = resource(&assembly, "data", "VaultKey");
    assert_eq!(key["DeletionPolicy"], "Retain");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
}

#[test]
fn the_plan_backs_up_daily_and_monthly_and_copies_the_dailies_away() {
    let assembly = synth(&backed_up_app());
    let plan = &resource(&assembly, "data", "Backups")["Properties"]["BackupPlan"];
    assert_eq!(plan["BackupPlanName"], "prod-database");
    let copy_arn = json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
        ":backup:us-west-2:123456789012:backup-vault:dr-backups"]]});
    assert_eq!(
        plan["BackupPlanRule"],
        json!([
            {
                "RuleName": "daily",
                "TargetBackupVault": "data-Vault",
                "ScheduleExpression": "cron(0 6 * * ? *)",
                "StartWindowMinutes": 60.0,
                "CompletionWindowMinutes": 480.0,
                "Lifecycle": {"DeleteAfterDays": 35.0},
                "CopyActions": [{
                    "DestinationBackupVaultArn": copy_arn,
                    "Lifecycle": {"DeleteAfterDays": 35.0}
                }]
            },
            {
                "RuleName": "monthly",
                "TargetBackupVault": "data-Vault",
                "ScheduleExpression": "cron(0 6 1 * ? *)",
                "StartWindowMinutes": 60.0,
                "CompletionWindowMinutes": 480.0,
                "Lifecycle": {"DeleteAfterDays": 365.0}
            }
        ])
    );
    // The vault's name, not a reference: the plan must wait for the vault all the same.
    let vault_name = resource(&assembly, "data", "Vault")["Properties"]["BackupVaultName"].clone();
    assert_eq!(plan["BackupPlanRule"][0]["TargetBackupVault"], vault_name);
    let selection = &resource(&assembly, "data", "BackupsDatabase")["Properties"];
    assert_eq!(
        selection["BackupSelection"],
        json!({
            "SelectionName": "Database",
            "IamRoleArn": {"Fn::GetAtt": ["BackupsRole", "Arn"]},
            "Resources": [{"Fn::GetAtt": ["Database", "DBInstanceArn"]}]
        })
    );
    let role = &resource(&assembly, "data", "BackupsRole")["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "backup.amazonaws.com"})
    );
    let managed = role["ManagedPolicyArns"].to_string();
    assert!(
        managed.contains("service-role/AWSBackupServiceRolePolicyForBackup")
            && managed.contains("service-role/AWSBackupServiceRolePolicyForRestores"),
        "{managed}"
    );
}

#[test]
fn the_plan_waits_for_its_vault() {
    // TargetBackupVault is a name: without a dependency, CloudFormation could create the
    // plan's rule before the vault exists.
    let assembly = synth(&backed_up_app());
    let plan = resource(&assembly, "data", "Backups");
    let depends = plan["DependsOn"].to_string();
    assert!(depends.contains("\"Vault\""), "{plan}");
}

#[test]
fn restore_tests_restore_the_latest_snapshot_into_an_isolated_copy() {
    let assembly = synth(&backed_up_app());
    let plan = &resource(&assembly, "data", "RestoreTests")["Properties"];
    assert_eq!(plan["ScheduleExpression"], "cron(0 10 ? * 7 *)");
    assert_eq!(plan["StartWindowHours"], 2);
    assert_eq!(
        plan["RecoveryPointSelection"],
        json!({
            "Algorithm": "LATEST_WITHIN_WINDOW",
            "IncludeVaults": [{"Fn::GetAtt": ["Vault", "BackupVaultArn"]}],
            "RecoveryPointTypes": ["SNAPSHOT"],
            "SelectionWindowDays": 7
        })
    );
    let selection = &resource(&assembly, "data", "RestoreTestsDatabase")["Properties"];
    assert_eq!(selection["ProtectedResourceType"], "RDS");
    assert_eq!(
        selection["ProtectedResourceArns"],
        json!([{"Fn::GetAtt": ["Database", "DBInstanceArn"]}])
    );
    assert_eq!(
        selection["RestoreTestingPlanName"],
        json!({"Ref": "RestoreTests"})
    );
    assert_eq!(selection["ValidationWindowHours"], 2);
    assert_eq!(
        selection["IamRoleArn"],
        json!({"Fn::GetAtt": ["BackupsRole", "Arn"]})
    );
    // Into the database's own subnets, behind a group that admits nothing and lets
    // nothing out: the copy holds production data.
    assert_eq!(
        selection["RestoreMetadataOverrides"],
        json!({
            "dbsubnetgroupname": {"Ref": "DatabaseSubnetGroup"},
            "vpcsecuritygroupids": {"Fn::Join": ["", ["[\"",
                {"Fn::GetAtt": ["RestoreTestsDatabaseIsolation", "GroupId"]}, "\"]"]]}
        })
    );
    // The copy runs as the source's class (AWS Backup infers it); the estimate reads it here.
    assert_eq!(
        resource(&assembly, "data", "RestoreTestsDatabase")["Metadata"]["rcdk:restored-instance-class"],
        "db.t4g.medium"
    );
    let group = &resource(&assembly, "data", "RestoreTestsDatabaseIsolation")["Properties"];
    assert!(group.get("SecurityGroupIngress").is_none(), "{group}");
    let t = template(&assembly, "data");
    assert!(
        resources_of_type(t, "AWS::EC2::SecurityGroupIngress")
            .iter()
            .all(|(_, r)| r["Properties"]["GroupId"]
                != json!({"Fn::GetAtt": ["RestoreTestsDatabaseIsolation", "GroupId"]})),
        "nothing may reach the restored copy"
    );
    assert_eq!(
        group["SecurityGroupEgress"][0]["CidrIp"], "255.255.255.255/32",
        "no egress: {group}"
    );
}

#[test]
fn failed_backup_copy_and_restore_jobs_reach_the_alarm_topic() {
    let assembly = synth(&backed_up_app());
    let jobs = &resource(&assembly, "data", "BackupFailuresJobs")["Properties"];
    assert_eq!(
        jobs["EventPattern"],
        json!({
            "source": ["aws.backup"],
            "detail-type": ["Backup Job State Change", "Copy Job State Change"],
            "detail": {"state": ["FAILED", "ABORTED", "EXPIRED"]}
        })
    );
    // Restore jobs report `status`, not `state`.
    let restores = &resource(&assembly, "data", "BackupFailuresRestores")["Properties"];
    assert_eq!(
        restores["EventPattern"],
        json!({
            "source": ["aws.backup"],
            "detail-type": ["Restore Job State Change"],
            "detail": {"status": ["FAILED", "ABORTED"]}
        })
    );
    for rule in [jobs, restores] {
        assert_eq!(rule["Targets"][0]["Arn"], json!({"Ref": "Alarms"}));
    }
    let policy = resource(&assembly, "data", "AlarmsPolicy")["Properties"].to_string();
    assert!(policy.contains("events.amazonaws.com"), "{policy}");
}

#[test]
fn backup_templates_pass_cfn_lint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let assembly = synth(&backed_up_app());
    let path = tmp.path().join("data.template.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(template(&assembly, "data")).expect("json"),
    )
    .expect("write");
    assert_cfn_lint_clean(&[path]);
}

/// Synthesizes `app` (under the posture) and says whether the backup rule found anything;
/// the fixtures' other findings do not matter here.
fn backup_finding(app: &App) -> bool {
    app.synthesize().err().is_some_and(|e| {
        e.problems
            .iter()
            .any(|p| p.message.contains("RCDK-BACKUP-PLAN"))
    })
}

fn one_problem(app: &App, needle: &str) {
    let err = synth_err(app);
    assert!(
        err.problems.iter().any(|p| p.message.contains(needle)),
        "expected a problem containing {needle:?}, got: {err}"
    );
}

/// A plan named `Backups` in `s` with `rules`, into a vault locked by `lock`.
fn backup_plan(s: &Stack, lock: Option<VaultLock>, rules: Vec<BackupRule>) -> BackupPlan {
    BackupPlan::new(
        s,
        "Backups",
        BackupPlanProps {
            vault: vault(s, lock),
            rules,
            name: None,
        },
    )
}

/// A plan over a database with `rules`, into a vault locked by `lock`.
fn plan_app(
    lock: Option<VaultLock>,
    rules: Vec<BackupRule>,
    db_props: impl FnOnce(&mut PostgresInstanceProps),
) -> App {
    let app = app();
    let s = stack(&app, "data");
    let db = database(&s, db_props);
    let plan = backup_plan(&s, lock, rules);
    plan.select("Database", Selection::database(&db));
    app
}

#[test]
fn what_aws_backup_would_refuse_or_ignore_is_refused_at_synthesis() {
    // A retention the vault lock refuses: AWS Backup fails every job.
    one_problem(
        &plan_app(Some(compliance(30)), vec![BackupRule::daily(35)], |_| {}),
        "the vault lock admits retention of 7 to 30 days; AWS Backup fails a job that keeps 35",
    );
    // A copy kept longer than the destination's lock admits.
    one_problem(
        &plan_app(
            None,
            vec![BackupRule::daily(35).copy_to(CopyTo {
                vault_arn: BackupVault::arn_of("us-west-2", "123456789012", "dr"),
                delete_after_days: 90,
                lock: Some(compliance(35)),
            })],
            |_| {},
        ),
        "rule 'daily', its copy: the vault lock admits retention of 7 to 35 days",
    );
    // RDS snapshots cannot move to cold storage; AWS Backup would bill them warm.
    let mut monthly = BackupRule::monthly(365);
    monthly.cold_after_days = Some(30);
    one_problem(
        &plan_app(None, vec![monthly], |_| {}),
        "protects an RDS instance with rule 'monthly', which moves points to cold storage",
    );
    // Cold storage keeps points 90 days at least.
    let mut short = BackupRule::daily(100);
    short.cold_after_days = Some(30);
    one_problem(
        &plan_app(None, vec![short], |_| {}),
        "delete_after_days is 100, make it 120 or more",
    );
    // Point-in-time recovery is kept 35 days at most.
    let mut pitr = BackupRule::daily(40);
    pitr.continuous = true;
    one_problem(
        &plan_app(None, vec![pitr], |_| {}),
        "continuous backups are kept at most 35 days",
    );
    // A compliance lock's grace period is 3 days or more.
    one_problem(
        &plan_app(
            Some(VaultLock::Compliance {
                min_retention_days: 7,
                max_retention_days: 35,
                changeable_for_days: 1,
            }),
            vec![BackupRule::daily(35)],
            |_| {},
        ),
        "changeable_for_days is 1; AWS Backup takes 3 or more",
    );
    // Two rules of one name.
    one_problem(
        &plan_app(
            None,
            vec![BackupRule::daily(7), BackupRule::daily(14)],
            |_| {},
        ),
        "two rules are named 'daily'",
    );
}

#[test]
fn a_rule_may_not_start_inside_the_databases_own_windows() {
    // The instance's maintenance moved onto the daily backup's start (06:00–07:00).
    one_problem(
        &plan_app(None, vec![BackupRule::daily(35)], |p| {
            p.maintenance_window = Some("sun:05:30-sun:06:30".into());
        }),
        "rule 'daily' starts (cron(0 6 * * ? *), within 60 minutes) inside an RDS instance's maintenance window sun:05:30-sun:06:30",
    );
    one_problem(
        &plan_app(None, vec![BackupRule::daily(35)], |p| {
            p.backup_window = Some("06:15-06:45".into());
        }),
        "inside an RDS instance's automated backup window 06:15-06:45",
    );
    // The defaults of both constructs keep apart.
    synth(&plan_app(
        None,
        vec![BackupRule::daily(35), BackupRule::monthly(365)],
        |_| {},
    ));
}

#[test]
fn a_restore_test_of_a_database_no_plan_selects_is_refused() {
    let app = app();
    let s = stack(&app, "data");
    let db = database(&s, |_| {});
    let plan = backup_plan(&s, None, vec![BackupRule::daily(7)]);
    plan.select(
        "Tagged",
        Selection::Tagged {
            key: "Backup".into(),
            value: "daily".into(),
        },
    );
    RestoreTestingPlan::new(&s, "Tests", &plan, RestoreTestingPlanProps::default()).add_database(
        "Database",
        &db,
        RestoreTestOptions::default(),
    );
    one_problem(
        &app,
        "restore test 'Database': data/Database is not selected by the backup plan data/Backups",
    );
}

#[test]
fn the_posture_wants_every_database_in_a_backup_plan() {
    // No plan.
    let a = app();
    let s = stack(&a, "data");
    database(&s, |_| {});
    posture::enforce(&a);
    one_problem(
        &a,
        "[RCDK-BACKUP-PLAN] no AWS Backup plan selects this resource",
    );

    // A plan in another stack selects it by reference.
    let a = app();
    let s = stack(&a, "data");
    let db = database(&s, |_| {});
    let b = stack(&a, "backup");
    let plan = backup_plan(&b, None, vec![BackupRule::daily(7)]);
    plan.select("Database", Selection::database(&db));
    posture::enforce(&a);
    assert!(!backup_finding(&a), "selected from another stack");

    // By a tag the database carries, or a wildcard ARN of its service.
    for selection in [
        Selection::Tagged {
            key: "Backup".into(),
            value: "daily".into(),
        },
        Selection::resource(ResourceKind::RdsInstance, "arn:aws:rds:*:*:db:*".into()),
    ] {
        let a = app();
        let s = stack(&a, "data");
        let db = database(&s, |_| {});
        rcdk::Tags::of(&db).add("Backup", "daily");
        let plan = backup_plan(&s, None, vec![BackupRule::daily(7)]);
        plan.select("Selection", selection);
        posture::enforce(&a);
        assert!(!backup_finding(&a), "selected by tag or wildcard");
    }
}

#[test]
fn the_reference_app_backs_up_staging_and_prod_and_copies_prod_to_its_standby() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let assembly = reference_assembly(tmp.path());
    assert!(assembly.stack("dev-backup").is_none(), "dev is disposable");
    // Staging: daily, a lock an administrator can lift, no copies, no restore tests.
    let staging = template(&assembly, "staging-backup");
    let lock = &resource(&assembly, "staging-backup", "Vault")["Properties"]["LockConfiguration"];
    assert_eq!(
        lock,
        &json!({"MaxRetentionDays": 14, "MinRetentionDays": 7})
    );
    assert!(resources_of_type(staging, "AWS::Backup::RestoreTestingPlan").is_empty());
    // Prod: compliance lock, daily and monthly, dailies copied into prod-dr's vault,
    // whose lock admits the copies' retention.
    let prod_plan = &resource(&assembly, "prod-backup", "Plan")["Properties"]["BackupPlan"];
    let copy = &prod_plan["BackupPlanRule"][0]["CopyActions"][0];
    let dr_vault = &resource(&assembly, "prod-dr-backup", "Vault")["Properties"];
    let dr_env = &assembly
        .stack("prod-dr-backup")
        .expect("prod-dr-backup")
        .environment;
    let destination = copy["DestinationBackupVaultArn"]["Fn::Join"][1][2]
        .as_str()
        .expect("literal tail")
        .to_owned();
    assert_eq!(
        destination,
        format!(
            ":backup:{}:{}:backup-vault:{}",
            dr_env.region.as_deref().expect("region"),
            dr_env.account.as_deref().expect("account"),
            dr_vault["BackupVaultName"].as_str().expect("name")
        )
    );
    let kept = copy["Lifecycle"]["DeleteAfterDays"].as_f64().expect("days");
    let dr_lock = &dr_vault["LockConfiguration"];
    assert!(
        dr_lock["MinRetentionDays"].as_f64().expect("min") <= kept
            && kept <= dr_lock["MaxRetentionDays"].as_f64().expect("max"),
        "the DR vault's lock {dr_lock} must admit copies kept {kept} days"
    );
    assert_eq!(dr_lock["ChangeableForDays"], 3);
    // The plan selects prod's primary database and restore tests it weekly.
    let selection = &resource(&assembly, "prod-backup", "PlanDatabase")["Properties"];
    assert_eq!(
        selection["BackupSelection"]["Resources"],
        json!([{"Fn::ImportValue": "prod-data:ExportsOutputFnGetAttDatabaseDBInstanceArn"}])
    );
    assert_eq!(
        resource(&assembly, "prod-backup", "RestoreTestsDatabase")["Properties"]["ProtectedResourceType"],
        "RDS"
    );
    // Failed jobs: in the baseline every workload account gets in both regions (copies
    // land in the standby's).
    let baseline = template(&assembly, "org-baseline");
    assert!(baseline["Resources"].get("BackupFailuresJobs").is_some());
    let set = assembly
        .stack("org-baseline")
        .and_then(|s| s.stack_set.clone())
        .expect("org-baseline is a StackSet");
    assert_eq!(set.regions, ["us-east-1", "us-west-2"]);
}

#[test]
fn a_restore_test_may_run_its_copy_on_a_smaller_class() {
    let app = app();
    let s = stack(&app, "data");
    let db = database(&s, |_| {});
    let plan = backup_plan(&s, None, vec![BackupRule::daily(7)]);
    plan.select("Database", Selection::database(&db));
    RestoreTestingPlan::new(&s, "Tests", &plan, RestoreTestingPlanProps::default()).add_database(
        "Database",
        &db,
        RestoreTestOptions {
            instance_class: Some("db.t4g.small".into()),
            ..RestoreTestOptions::default()
        },
    );
    let assembly = synth(&app);
    let selection = resource(&assembly, "data", "TestsDatabase");
    assert_eq!(
        selection["Properties"]["RestoreMetadataOverrides"]["dbinstanceclass"],
        "db.t4g.small"
    );
    assert_eq!(
        selection["Metadata"]["rcdk:restored-instance-class"],
        "db.t4g.small"
    );
}
