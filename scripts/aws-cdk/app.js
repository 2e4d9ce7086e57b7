// The web tier of rcdk's reference architecture, written as an AWS CDK team would write
// it (plain JavaScript: no compiler needed). The test suite runs it with CDK_OUTDIR set
// and checks the assembly with `rcdk posture`, `cost` and `diff`.
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const rds = require('aws-cdk-lib/aws-rds');
const s3 = require('aws-cdk-lib/aws-s3');
const sqs = require('aws-cdk-lib/aws-sqs');
const logs = require('aws-cdk-lib/aws-logs');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'WebStack');

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

const assets = new s3.Bucket(stack, 'Assets', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  versioned: true,
});
// What cdk-nag's NagSuppressions writes on a resource.
assets.node.defaultChild.addMetadata('cdk_nag', {
  rules_to_suppress: [
    { id: 'AwsSolutions-S1', reason: 'Served through CloudFront, which logs every request' },
  ],
});

const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
const https = lb.addListener('Https', {
  port: 443,
  certificates: [elbv2.ListenerCertificate.fromArn(
    'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555')],
  sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
});
https.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(404) });

const db = new rds.DatabaseInstance(stack, 'Database', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  storageEncrypted: true,
  multiAz: false,
  deletionProtection: true,
  backupRetention: cdk.Duration.days(7),
  iamAuthentication: true,
});
db.node.defaultChild.addMetadata('cdk_nag', {
  rules_to_suppress: [
    { id: 'AwsSolutions-RDS3', reason: 'Staging copy in one AZ, rebuilt from snapshots' },
  ],
});

new sqs.Queue(stack, 'Jobs', { enforceSSL: true });
new logs.LogGroup(stack, 'AppLogs', { retention: logs.RetentionDays.ONE_YEAR });

app.synth();
