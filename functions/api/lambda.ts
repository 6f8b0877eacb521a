/** Lambda entry of the HTTP API (behind API Gateway): build once per container, then serve. */
import { handle } from "hono/aws-lambda";
import { buildAwsApiApp } from "./aws-app.ts";

// HTTP API buffers responses (and cuts them at 29 s): a follow answers what it has within 20 s
// and the client resumes from Last-Event-ID. Live streaming goes through lambda-stream.ts.
const app = await buildAwsApiApp({ followMaxMs: 20_000 });

export const handler = handle(app);
