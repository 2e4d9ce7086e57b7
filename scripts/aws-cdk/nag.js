// Runs cdk-nag's AwsSolutions pack over CloudFormation templates, as a team moving from
// the AWS CDK would: each template is included as written (CfnInclude, so every
// resource keeps its Metadata and cdk-nag reads its `cdk_nag.rules_to_suppress`) in a
// stack of its own, the pack is applied, and the stack's unsuppressed findings are printed.
//
// Usage: node nag.js TEMPLATE.json… > findings.json
// Output: [{"template", "path", "rule", "level", "message"}], one per finding.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Aspects, Stack } = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const { AwsSolutionsChecks } = require('cdk-nag');

const findings = [];
for (const file of process.argv.slice(2)) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Nag');
  new CfnInclude(stack, 'Template', { templateFile: file, preserveLogicalIds: true });
  Aspects.of(app).add(new AwsSolutionsChecks({ reports: false }));
  const assembly = app.synth();
  for (const artifact of assembly.stacks) {
    for (const m of artifact.messages) {
      if (m.level !== 'error' && m.level !== 'warning') continue;
      const text = String(m.entry.data);
      const rule = (text.match(/^(AwsSolutions-[A-Za-z0-9]+)/) || [])[1];
      if (!rule) continue;
      findings.push({
        template: path.basename(file),
        path: m.id.replace(/^\/Nag\/Template\//, ''),
        rule,
        level: m.level,
        message: text.split('\n')[0],
      });
    }
  }
  fs.rmSync(outdir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(findings, null, 1) + '\n');
