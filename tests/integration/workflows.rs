//! The GitHub Actions workflows: actionlint (pinned, installed by the project's script)
//! passes on each and fails on a broken one; every action is pinned by commit SHA; the
//! deploy goes dev → staging → prod, each in its GitHub environment with its OIDC role,
//! planning before it deploys; the pull request posts the golden-template diff.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value as J;

use crate::support::{cfn_lint, root};

fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .expect("workflows")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    files
}

fn workflow(name: &str) -> J {
    let text =
        std::fs::read_to_string(root().join(".github/workflows").join(name)).expect("workflow");
    serde_yaml_ng::from_str(&text).expect("yaml")
}

fn actionlint(files: &[PathBuf]) -> (Option<i32>, String) {
    // The same script installs cfn-lint, moto and actionlint.
    cfn_lint();
    let out = Command::new("bash")
        .arg(root().join("scripts/actionlint.sh"))
        .args(files)
        .output()
        .expect("actionlint runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn every_workflow_passes_actionlint_and_a_broken_one_does_not() {
    let files = workflows();
    assert_eq!(
        files
            .iter()
            .filter_map(|f| f.file_name()?.to_str())
            .collect::<Vec<_>>(),
        [
            "deploy-environment.yml",
            "deploy.yml",
            "drift.yml",
            "pull-request.yml"
        ]
    );
    let (code, report) = actionlint(&files);
    assert_eq!(code, Some(0), "{report}");
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: nowhere\n    steps:\n      - run: echo ${{ github.event.pull_request.nmber }}\n",
    )
    .expect("write");
    let (code, report) = actionlint(&[broken]);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains(r#"job "a" needs job "nowhere" which does not exist"#),
        "{report}"
    );
}

/// Every `uses:` of every workflow: a local workflow, or `owner/repo@<40-hex commit>`
/// followed by the release it is (`# v7.0.1`).
#[test]
fn every_action_is_pinned_by_commit_sha() {
    let mut seen = 0;
    for file in workflows() {
        let text = std::fs::read_to_string(&file).expect("workflow");
        for line in text.lines() {
            let Some(uses) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses: ")
            else {
                continue;
            };
            seen += 1;
            if uses.starts_with("./") {
                continue;
            }
            let (action, rest) = uses.split_once('@').expect("owner/repo@ref");
            let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{}: {action} is not pinned by commit SHA: {rest}",
                file.display()
            );
            assert!(
                comment.starts_with('v'),
                "{}: say which release {action}@{sha} is",
                file.display()
            );
        }
    }
    assert!(seen >= 8, "{seen}");
}

fn steps(job: &J) -> Vec<&J> {
    job["steps"].as_array().into_iter().flatten().collect()
}

#[test]
fn merges_deploy_dev_then_staging_then_prod_each_with_its_own_role_after_a_plan() {
    let deploy = workflow("deploy.yml");
    assert_eq!(
        deploy["on"]["push"]["branches"],
        serde_json::json!(["main"])
    );
    assert_eq!(deploy["concurrency"]["cancel-in-progress"], false);
    // The shared images first (every environment pulls them), the DNS failover last (it
    // reads prod's and prod-dr's load balancers), each by the shared environment's job.
    for (job_name, after, env, stacks) in [
        ("images", "test", "shared", Some("images-*")),
        ("dev", "images", "dev", None),
        ("staging", "dev", "staging", None),
        ("prod", "staging", "prod", None),
        ("dns", "prod", "shared", Some("dns-*")),
    ] {
        let job = &deploy["jobs"][job_name];
        assert_eq!(job["needs"], after, "{job_name}");
        assert_eq!(job["uses"], "./.github/workflows/deploy-environment.yml");
        assert_eq!(job["with"]["environment"], env);
        assert_eq!(job["with"]["stacks"].as_str(), stacks, "{job_name}");
        assert_eq!(job["permissions"]["id-token"], "write", "{job_name}");
    }
    // Only the deploy jobs may ask for an OIDC token.
    assert!(deploy["jobs"]["test"]["permissions"].is_null());
    assert_eq!(
        deploy["permissions"],
        serde_json::json!({"contents": "read"})
    );

    let one = workflow("deploy-environment.yml");
    let job = &one["jobs"]["deploy"];
    assert_eq!(job["environment"], "${{ inputs.environment }}");
    let steps = steps(job);
    let index = |pred: &dyn Fn(&J) -> bool| steps.iter().position(|s| pred(s));
    let credentials = index(&|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
    })
    .expect("credentials step");
    let creds = &steps[credentials]["with"];
    assert_eq!(creds["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    assert_eq!(creds["role-duration-seconds"], 3600);
    assert!(creds.get("aws-access-key-id").is_none());
    let plan = index(&|s| s["name"] == "Plan").expect("plan step");
    let apply = index(&|s| s["name"] == "Deploy").expect("deploy step");
    assert!(credentials < plan && plan < apply);
    let run = |i: usize| steps[i]["run"].as_str().unwrap_or_default().to_owned();
    assert!(run(plan).contains(r#"diff "$STACKS""#), "{}", run(plan));
    assert!(!run(plan).contains("deploy"));
    assert_eq!(
        job["env"]["STACKS"],
        "${{ inputs.stacks || format('{0}-*', inputs.environment) }}"
    );
    // Only the named stacks: a job never reaches another account's stacks through
    // their dependencies.
    for needle in [
        r#"deploy "$STACKS" --exclusively"#,
        "--require-approval never",
    ] {
        assert!(run(apply).contains(needle), "{needle}: {}", run(apply));
    }
    // The execution role is the environment account's bootstrapped one, which the
    // manifest names: the pipeline passes none.
    assert!(!run(apply).contains("--role-arn"), "{}", run(apply));
    // Nothing before the plan deploys.
    for i in 0..plan {
        assert!(!run(i).contains(" deploy "), "{}", run(i));
    }
    // The variable is the identity stack's output, which says so; the role behind it
    // may only assume the environment account's bootstrapped roles.
    let identity = std::fs::read_to_string(root().join("snapshots/identity-123456789012.snap"))
        .expect("identity snapshot");
    // dev, staging, prod and shared.
    assert_eq!(
        identity.matches("(variable AWS_DEPLOY_ROLE_ARN)").count(),
        4
    );
    assert!(!identity.contains("AWS_EXECUTION_ROLE_ARN"));
}

#[test]
fn drift_is_detected_nightly_per_environment_through_read_only_drift_roles() {
    let drift = workflow("drift.yml");
    assert!(drift["on"]["schedule"][0]["cron"].is_string());
    assert_eq!(
        drift["permissions"],
        serde_json::json!({"contents": "read"})
    );
    let job = &drift["jobs"]["drift"];
    assert_eq!(
        job["strategy"]["matrix"]["environment"],
        serde_json::json!(["dev", "staging", "prod", "shared"])
    );
    assert_eq!(
        job["strategy"]["fail-fast"], false,
        "one drifted environment hides no other"
    );
    // Not the deploy environments (prod's reviewers would hold a nightly run).
    assert_eq!(job["environment"], "${{ matrix.environment }}-drift");
    assert_eq!(job["permissions"]["id-token"], "write");
    let steps = steps(job);
    let creds = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
        })
        .expect("credentials step");
    assert_eq!(
        creds["with"]["role-to-assume"],
        "${{ vars.AWS_DRIFT_ROLE_ARN }}"
    );
    let run = steps
        .iter()
        .find(|s| s["name"] == "Detect drift")
        .and_then(|s| s["run"].as_str())
        .expect("drift step");
    assert_eq!(
        job["env"]["STACKS"],
        "${{ matrix.environment == 'shared' && 'images-* dns-*' || format('{0}-*', matrix.environment) }}"
    );
    for needle in [
        r#"read -ra stacks <<< "$STACKS""#,
        r#"drift "${stacks[@]}""#,
        "--format markdown",
        "--fail",
        "GITHUB_STEP_SUMMARY",
        "pipefail",
    ] {
        assert!(run.contains(needle), "{needle}: {run}");
    }
    assert!(!run.contains(" deploy "), "{run}");
    // The variable is the identity stack's output, and the role behind it only reads.
    let identity = std::fs::read_to_string(root().join("snapshots/identity-123456789012.snap"))
        .expect("identity snapshot");
    // dev, staging, prod and shared.
    assert_eq!(identity.matches("(variable AWS_DRIFT_ROLE_ARN)").count(), 4);
}

#[test]
fn pull_requests_are_checked_and_get_the_golden_template_diff_as_one_comment() {
    let pr = workflow("pull-request.yml");
    let job = &pr["jobs"]["check"];
    assert_eq!(
        job["permissions"],
        serde_json::json!({"contents": "read", "pull-requests": "write"})
    );
    let runs: Vec<String> = steps(job)
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_owned))
        .collect();
    let position = |needle: &str| {
        runs.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no step runs {needle}: {runs:?}"))
    };
    let ci = position("bash .ci/run");
    let base = position(r#"git archive "origin/$BASE_REF" snapshots"#);
    let diff = position(r#"diff --snapshots "$RUNNER_TEMP/base/snapshots" --format markdown"#);
    let comment = position("bash scripts/pr-comment.sh");
    assert!(ci < base && base < diff && diff < comment);
    // The comment script updates the comment it posted before (by the marker).
    let script = std::fs::read_to_string(root().join("scripts/pr-comment.sh")).expect("script");
    assert!(script.contains(&format!("marker=\"{}\"", rcdk::diff::MARKER)));
    assert!(script.contains("--method PATCH") && script.contains("--method POST"));
}
