/** Lambda entry of the insights worker (SQS): folds finished executions and their tests into insights. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createJobHandlers } from "../job-handlers.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createJobHandlers(core, logger).insights;
