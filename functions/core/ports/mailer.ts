export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends email (SES in AWS, an outbox shown at `GET /v1/dev/outbox` locally). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** A mail kept by a local outbox instead of being sent. */
export interface OutboxMail extends Mail {
  id: number;
  sentAt: string;
}

/** A mailer that keeps what it "sends" for reading back (local mode's `GET /v1/dev/outbox`). */
export interface OutboxMailer extends Mailer {
  /** Messages, oldest first; optionally only those to one address. */
  messages(to?: string): OutboxMail[];
}
