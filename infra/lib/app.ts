/**
 * Creates the CDK App with the feature flags the stacks rely on, for bin/app.ts and tests alike
 * (keeping them in cdk.json would make tests, which do not read it, synthesize something else).
 */
import { App, type AppProps } from "aws-cdk-lib";

export const featureFlags = {
  // Server access logs are delivered under a bucket policy, so log buckets can disable ACLs.
  "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true,
  // Exports between stacks stay strong: a producer cannot drop an output a consumer still uses.
  "@aws-cdk/core:defaultCrossStackReferences": "strong",
} as const;

export function createApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...featureFlags, ...props.context } });
}
