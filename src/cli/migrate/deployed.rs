//! `--from-stack NAME`: the template a deployed stack was created or last updated with
//! (`GetTemplate`, stage `Original`: before transforms expanded it), whatever tool
//! deployed it. Its parameter values stay with the stack: `rcdk deploy` keeps the
//! previous value of every parameter it is not given.

use super::Source;
use crate::cli::CliError;
use crate::cli::args::MigrateArgs;
use crate::deploy::{DeployError, connect, deployed_template};

pub fn read(args: &MigrateArgs, name: &str) -> Result<Source, CliError> {
    let runtime = crate::cli::runtime()?;
    let template = runtime.block_on(async {
        let cfn = connect(args.region.as_deref()).await;
        deployed_template(&cfn, name).await
    })?;
    let Some(template) = template else {
        return Err(CliError::Deploy(DeployError::Api {
            stack: name.to_owned(),
            operation: "GetTemplate",
            message: format!(
                "no stack '{name}' is deployed{}; check the name and the region (--region)",
                args.region
                    .as_deref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default()
            ),
        }));
    };
    let mut taken = std::collections::BTreeSet::new();
    Ok(Source {
        origin: format!("stack:{name}"),
        stack: super::stack_name(args.stack_name.as_deref().unwrap_or(name), &mut taken),
        template,
    })
}
