/**
 * Fixed demo logins. Accepted only when the server runs in demo mode (HUDDLE_DEMO=1)
 * AND the account was created by the demo seed (isDemo): both are checked at verify.
 */
import type { Role } from '../../../shared/src/roles.js';

export const DEMO_LOGINS: ReadonlyArray<{ role: Role; email: string; code: string }> = [
  { role: 'participant', email: 'participant@demo.huddle.example', code: '11111111' },
  { role: 'moderator', email: 'moderator@demo.huddle.example', code: '22222222' },
  { role: 'sponsor', email: 'sponsor@demo.huddle.example', code: '33333333' },
  { role: 'admin', email: 'admin@demo.huddle.example', code: '44444444' },
];
