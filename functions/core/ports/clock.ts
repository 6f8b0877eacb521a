/** Wall clock and timers (shared with the agent), injected so leases and timeouts are testable. */
export { type Clock, type Random, systemClock, systemRandom } from "@assay/shared";
