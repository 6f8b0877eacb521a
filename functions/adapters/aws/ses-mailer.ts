/**
 * Mailer on Amazon SES (API v2). Plain-text mail only: the messages are links and short
 * notices, and text avoids HTML injection of user-chosen names.
 */
import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Mailer } from "../../core/ports.ts";

export interface SesMailerConfig {
  client: SESv2Client;
  /** Verified sender, e.g. `Assay <no-reply@assay.example>`. */
  from: string;
  /** Optional SES configuration set (bounce and complaint tracking). */
  configurationSetName?: string;
}

/** Creates a Mailer that sends through SES. */
export const createSesMailer = (config: SesMailerConfig): Mailer => ({
  async send(mail) {
    await config.client.send(
      new SendEmailCommand({
        FromEmailAddress: config.from,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: "UTF-8" },
            Body: { Text: { Data: mail.text, Charset: "UTF-8" } },
          },
        },
        ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
      }),
    );
  },
});
