/**
 * GET /api/text/roster-hashes: the salted hash set of staff name tokens that devices use to
 * warn, offline, when a post seems to name a colleague. Session required; never cached by
 * the browser (route helper: no-store). The names themselves never leave the server.
 */
import type { FastifyInstance } from 'fastify';
import { rosterHashesResponseSchema, type RosterHashesResponse } from '../../../shared/src/api.js';
import { assertCanRead } from '../../../shared/src/authorization.js';
import { requireSession } from '../auth/sessions.js';
import type { Deps } from '../deps.js';
import { route } from '../http/route.js';
import { rosterHashSet } from './roster.js';

export async function registerRosterRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  route(
    app,
    {
      method: 'GET',
      url: '/api/text/roster-hashes',
      summary: 'Staff name tokens as a salted, truncated hash set, for the on-device naming warning',
      tag: 'text',
      access: 'session',
      response: rosterHashesResponseSchema,
    },
    async ({ request }): Promise<RosterHashesResponse> => {
      const session = await requireSession(deps, request);
      assertCanRead(session.roles);
      return rosterHashSet(deps);
    },
  );
}
