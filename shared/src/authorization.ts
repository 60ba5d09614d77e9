/**
 * Who may do what. Every route calls one of these; the errors are generic so they
 * never reveal whether a thing exists.
 */
import type { Role } from './roles.js';

export const ACTIONS = {
  read: 'read',
  contribute: 'contribute',
  moderate: 'moderate',
  viewDashboard: 'view-dashboard',
  administer: 'administer',
} as const;
export type Action = (typeof ACTIONS)[keyof typeof ACTIONS];

const ALLOWED: Record<Action, readonly Role[]> = {
  read: ['participant', 'moderator', 'sponsor', 'admin'],
  contribute: ['participant', 'moderator'],
  moderate: ['moderator'],
  'view-dashboard': ['moderator', 'sponsor', 'admin'],
  administer: ['admin'],
};

export class NotAllowedError extends Error {
  readonly statusCode = 403;
  constructor() {
    super('You are not allowed to do that.');
    this.name = 'NotAllowedError';
  }
}

export function can(roles: readonly Role[], action: Action): boolean {
  return roles.some((role) => ALLOWED[action].includes(role));
}

export function assertCan(roles: readonly Role[], action: Action): void {
  if (!can(roles, action)) throw new NotAllowedError();
}

export const assertCanRead = (roles: readonly Role[]) => assertCan(roles, ACTIONS.read);
export const assertCanContribute = (roles: readonly Role[]) => assertCan(roles, ACTIONS.contribute);
export const assertCanModerate = (roles: readonly Role[]) => assertCan(roles, ACTIONS.moderate);
export const assertCanAdminister = (roles: readonly Role[]) => assertCan(roles, ACTIONS.administer);
