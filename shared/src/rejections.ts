/** Why the server refused a mutation. The client puts the content back in drafts with the message. */
export const REJECTION_CODES = {
  invalid: 'invalid',
  notFound: 'not-found',
  forbidden: 'forbidden',
  conversationClosed: 'conversation-closed',
  /** The change alone is larger than the server accepts in one request. */
  tooLarge: 'too-large',
  protocol: 'protocol',
  /** Other writes kept racing this one: not the content's fault, the device sends it again later. */
  busy: 'busy',
} as const;
export type RejectionCode = (typeof REJECTION_CODES)[keyof typeof REJECTION_CODES];

export interface Rejection {
  code: RejectionCode;
  message: string;
}

/** Rejections that no retry can fix; the others (and network errors, 5xx) are retried. */
export function isPermanent(code: RejectionCode): boolean {
  return code !== REJECTION_CODES.protocol && code !== REJECTION_CODES.busy;
}
