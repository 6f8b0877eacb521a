/**
 * AlarmTopic: the SNS topic every alarm of the stage publishes to, encrypted with its own KMS key.
 *
 * `enforceSSL` gives the topic a policy, and a topic policy replaces SNS's default one, so nothing
 * may publish unless a statement says so: CloudWatch is allowed here, only for this account's
 * alarms named `<alarmPrefix>-*` (`aws:SourceAccount` / `aws:SourceArn`), and the key lets
 * CloudWatch encrypt under the same conditions. Alarms cannot publish to a topic under the
 * AWS-managed SNS key, hence the customer key.
 */
import { Aws } from "aws-cdk-lib";
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";

export interface AlarmTopicProps {
  /** Alarm names start with `<alarmPrefix>-`; only those alarms may publish. */
  readonly alarmPrefix: string;
  readonly emails: readonly string[];
  readonly description: string;
}

/** The conditions that tie CloudWatch's access to this account's alarms of this stage. */
export function alarmSourceConditions(alarmPrefix: string): Record<string, Record<string, string>> {
  return {
    StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
    ArnLike: {
      "aws:SourceArn": `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmPrefix}-*`,
    },
  };
}

export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const cloudWatch = new ServicePrincipal("cloudwatch.amazonaws.com");
    const conditions = alarmSourceConditions(props.alarmPrefix);

    this.key = new Key(this, "Key", { enableKeyRotation: true, description: props.description });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsEncrypt",
        principals: [cloudWatch],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions,
      }),
    );
    // Grants on this key only for AWS services acting on AWS resources.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "GrantsOnlyForAwsServices",
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        conditions: {
          BoolIfExists: { "kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false" },
        },
      }),
    );

    this.topic = new Topic(this, "Topic", { masterKey: this.key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [cloudWatch],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions,
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
  }
}
