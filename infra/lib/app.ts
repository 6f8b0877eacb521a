/**
 * Creates the CDK App with the feature flags the stacks rely on, for bin/app.ts and tests alike
 * (keeping them in cdk.json would make tests, which do not read it, synthesize something else).
 *
 * The flags are those `cdk init` writes for the pinned aws-cdk-lib
 * (recommended-feature-flags.json, a copy of the library's own list), adopted before the first
 * deploy so none of them later turns into a replacement. A test fails when an upgraded
 * aws-cdk-lib recommends a flag this list does not decide. Deliberate departures are below.
 */
import { readFileSync } from "node:fs";
import { App, type AppProps } from "aws-cdk-lib";

const recommended: Record<string, unknown> = JSON.parse(
  readFileSync(new URL("./recommended-feature-flags.json", import.meta.url), "utf8"),
);

/** Where this app departs from the recommendation, and why. */
export const departures = {
  // Exports between stacks stay strong: a producer cannot drop an output a consumer still uses.
  "@aws-cdk/core:defaultCrossStackReferences": "strong",
} as const;

export const featureFlags: Record<string, unknown> = { ...recommended, ...departures };

export function createApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...featureFlags, ...props.context } });
}
