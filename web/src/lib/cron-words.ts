/**
 * A cron expression in words ("At 06:00 AM, Monday through Friday"), by cronstrue, which reads
 * the same five-field syntax the control plane accepts. Undefined when it cannot read it.
 */
import cronstrue from "cronstrue";

export function describeCron(cron: string): string | undefined {
  try {
    return cronstrue.toString(cron, {
      verbose: false,
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
    });
  } catch {
    return undefined;
  }
}
