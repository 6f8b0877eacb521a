export * from "./clock.ts";
export * from "./manual-clock.ts";
export * from "./ttl-cache.ts";
