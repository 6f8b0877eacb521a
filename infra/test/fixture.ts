/**
 * Synthesizes a stage once per test process and hands out templates. Template tests stub the
 * Lambda code (`placeholderEntries: "*"`): they check the infrastructure, and one test
 * (test/synth.test.ts) bundles the real entries.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { createApp } from "../lib/app.ts";
import { type AssayStacks, type BuildOptions, buildAssay } from "../lib/assay.ts";
import { type StageConfig, type StageName, stages } from "../lib/config/stages.ts";
import { placeholderContextKey } from "../lib/constructs/assay-function.ts";

export interface Synthesized {
  readonly app: App;
  readonly stacks: AssayStacks;
  readonly template: (stack: keyof AssayStacks) => Template;
}

export interface SynthOptions extends BuildOptions {
  /** Entries to stub; `"*"` (default) for all, `[]` to bundle every one. */
  readonly placeholders?: "*" | readonly string[];
  /** Changes to the committed stage configuration. */
  readonly override?: (config: StageConfig) => StageConfig;
  /** Extra CDK context. */
  readonly context?: Record<string, unknown>;
}

export function synthesize(stage: StageName, options: SynthOptions = {}): Synthesized {
  const app = createApp({
    outdir: mkdtempSync(join(tmpdir(), `assay-cdk-${stage}-`)),
    context: { [placeholderContextKey]: options.placeholders ?? "*", ...options.context },
  });
  const config = options.override ? options.override(stages[stage]) : stages[stage];
  const stacks = buildAssay(app, config, options);
  const templates = new Map<keyof AssayStacks, Template>();
  return {
    app,
    stacks,
    template: (name) => {
      let template = templates.get(name);
      if (!template) {
        template = Template.fromStack(stacks[name]);
        templates.set(name, template);
      }
      return template;
    },
  };
}

/** The properties of every resource of a type in a template, as [logicalId, properties] pairs. */
export function resourcesOf(template: Template, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [
    id,
    resource.Properties ?? {},
  ]);
}

/** Every prod NATS node's client URL, as the runtime gets it. */
export const prodNatsUrl = [0, 1, 2].map((i) => `nats://nats-${i}.prod.assay.internal:4222`).join(",");

/** Both committed stages, synthesized once per test process. */
export interface Stages {
  readonly prod: Synthesized;
  readonly dev: Synthesized;
}
