//! The reference app's binary: `cdk.json` runs it (`rcdk synth`, or the AWS CDK CLI).

fn main() -> std::process::ExitCode {
    rcdk::run(|app| rcdk_apps::build(app).map_err(Into::into))
}
