/**
 * The text of login and invite e-mails. They carry the code and the link and nothing
 * else: no address (not even the recipient's), no name, nothing about any post
 * (mailboxes are run by the Trust).
 *
 * Login mail is the one exception to the daily-notice rule (notify/daily-notice.ts): it must go when
 * someone asks to log in, so the Trust's mail logs can see that a person asked for a code, and when.
 * That is not authorship. Everything else about it is the same for every login: the same subject and
 * words, an 8-digit code and a 43-character link token (32 random bytes, base64url: nothing in a URL
 * needs escaping), so every login mail has the same body, byte for byte in size, whoever it is for.
 * Invitations follow the same rule (and go to everyone invited at once).
 */
import type { Config } from '../config.js';
import type { MailMessage } from '../deps.js';
import { LOGIN_CODE_DIGITS, type IssuedChallenge } from './login-codes.js';

export const loginLinkUrl = (config: Pick<Config, 'publicUrl'>, token: string) =>
  `${config.publicUrl}/login/link?t=${encodeURIComponent(token)}`;

function validity(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/** Fixed lengths keep every login mail the same size; a change here would make them differ. */
function checkUniform(issued: IssuedChallenge): void {
  const isCodeUniform = issued.code.length === LOGIN_CODE_DIGITS && /^\d+$/.test(issued.code);
  if (!isCodeUniform || !/^[A-Za-z0-9_-]{43}$/.test(issued.token))
    throw new Error('login code or link token is not of the fixed length every login mail uses');
}

export function loginCodeMail(
  config: Pick<Config, 'publicUrl'>,
  to: string,
  issued: IssuedChallenge,
  validForMs: number,
): MailMessage {
  checkUniform(issued);
  return {
    to,
    subject: 'Your Huddle login code',
    text: [
      `Your ${LOGIN_CODE_DIGITS}-digit code to log in to Huddle is: ${issued.code}`,
      '',
      'Or open this link on the device you want to use:',
      loginLinkUrl(config, issued.token),
      '',
      `The code and the link work once, for the next ${validity(validForMs)}.`,
      'If you did not ask to log in, you can ignore this e-mail: nobody can log in without the code.',
    ].join('\n'),
  };
}

export function inviteMail(
  config: Pick<Config, 'publicUrl'>,
  to: string,
  issued: IssuedChallenge,
  validForMs: number,
): MailMessage {
  checkUniform(issued);
  return {
    to,
    subject: 'You are invited to Huddle',
    text: [
      'You are invited to take part in Huddle, an anonymous online conversation for staff.',
      'What you post is not shown with your name, and no one within the Trust will be able to identify you.',
      '',
      'To join, open this link on the device you want to use:',
      loginLinkUrl(config, issued.token),
      '',
      `Or go to ${config.publicUrl} and enter this ${LOGIN_CODE_DIGITS}-digit code: ${issued.code}`,
      '',
      `The code and the link work once, for the next ${validity(validForMs)}.`,
      `After that, go to ${config.publicUrl} and ask for a new code with this e-mail address.`,
    ].join('\n'),
  };
}
