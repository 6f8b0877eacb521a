/** The agent's time and randomness are the shared ports (one definition for every deployable). */
export { type Clock, type Random, sleep, systemClock, systemRandom } from "@assay/shared/time";
