export * from "./log-events.ts";
export * from "./parser.ts";
