/** Why the server refused a mutation. The client puts the content back in drafts with the message. */
export const REJECTION_CODES = {
  invalid: 'invalid',
  notFound: 'not-found',
  forbidden: 'forbidden',
  conversationClosed: 'conversation-closed',
  protocol: 'protocol',
} as const;
export type RejectionCode = (typeof REJECTION_CODES)[keyof typeof REJECTION_CODES];

export interface Rejection {
  code: RejectionCode;
  message: string;
}

/** Rejections that no retry can fix; anything else (network, 5xx) is retried. */
export function isPermanent(code: RejectionCode): boolean {
  return code !== REJECTION_CODES.protocol;
}
