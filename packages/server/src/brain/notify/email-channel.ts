import { createTransport } from 'nodemailer';
import { ChannelError, reasonOf, type Channel } from './channel.js';
import { renderEmail } from './render-email.js';

/** The SMTP server e-mail goes through (`notify.smtp`). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** The sender, e.g. `citybrain <alerts@city.example>`. */
  from: string;
}

/** Fields nodemailer sets on its errors. */
interface MailError {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
}

/** SMTP 5xx replies (but 503) and bad settings or messages fail for good; the rest may pass later. */
export function retryableMailError(err: unknown): boolean {
  const { code, responseCode, permanent } = (err ?? {}) as MailError;
  if (permanent !== undefined) return !permanent;
  if (responseCode !== undefined) return responseCode < 500 || responseCode === 503;
  return !['EAUTH', 'ECONFIG', 'EMESSAGE', 'EENVELOPE'].includes(code ?? '');
}

/**
 * Sends e-mail over SMTP with nodemailer: plain text and HTML, English then Chinese. The
 * Message-ID is derived from the delivery id, so a retried delivery is the same message to
 * mail clients. The password is handed to nodemailer only, never logged nor shown.
 */
export function emailChannel(settings: SmtpSettings): Channel {
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user !== undefined && {
      auth: { user: settings.user, pass: settings.password ?? '' },
    }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(delivery, signal) {
      const { target } = delivery;
      if (target.kind !== 'email')
        throw new ChannelError(`a ${target.kind} target is not an e-mail target`, {
          retryable: false,
        });
      if (signal.aborted) throw signal.reason;
      const mail = renderEmail(delivery);
      try {
        await transport.sendMail({
          from: settings.from,
          to: target.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${delivery.id}@citybrain>`,
          headers: {
            'X-Citybrain-Delivery': delivery.id,
            'X-Citybrain-Event': delivery.message.event,
          },
        });
      } catch (err) {
        throw new ChannelError(`SMTP ${settings.host}:${settings.port}: ${reasonOf(err)}`, {
          retryable: retryableMailError(err),
          cause: err,
        });
      }
    },
    close: async () => transport.close(),
  };
}
