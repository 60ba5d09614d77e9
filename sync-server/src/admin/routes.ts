/**
 * Admin API: invite import and session revocation. Every route starts with
 * requireSession and assertCanAdminister. Invitation e-mails go out after the answer
 * (a large roster takes a while); close() waits for them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  conversationIdParamSchema,
  importInvitesBodySchema,
  importInvitesResponseSchema,
  setConversationStatusBodySchema,
  setConversationStatusResponseSchema,
  setReleaseMinContributorsBodySchema,
  setReleaseMinContributorsResponseSchema,
} from '../../../shared/src/api.js';
import { assertCanAdminister } from '../../../shared/src/authorization.js';
import { releaseMinContributorsOf } from '../../../shared/src/documents.js';
import { createBackground } from '../auth/background.js';
import { revokeAccessByEmail } from '../auth/revoke.js';
import { requireSession } from '../auth/sessions.js';
import type { Deps } from '../deps.js';
import { HttpError, zodToHttpError } from '../http/errors.js';
import { route } from '../http/route.js';
import { importInvites } from './invites.js';
import { setConversationStatus, setReleaseMinContributors } from './conversation-status.js';

export const revokeSessionsBodySchema = z.object({ email: z.email('Enter a valid e-mail address').max(254) });
export const revokeSessionsResponseSchema = z.object({ revoked: z.number().int() });

export async function registerAdminRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const background = createBackground(deps.log);
  app.addHook('onClose', async () => background.drain());

  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/invites',
      summary:
        'Import invitations from CSV (email and optional name; header optional); e-mails each new invitee',
      tag: 'admin',
      access: 'admin',
      body: importInvitesBodySchema,
      response: importInvitesResponseSchema,
      bodyLimit: 3 * 1024 * 1024,
    },
    async ({ body, request }) => {
      assertCanAdminister((await requireSession(deps, request)).roles);
      const outcome = await importInvites(deps, body.csv, { role: body.role, sendEmails: body.sendEmails });
      background.run('invitation e-mails', () => outcome.mails);
      return importInvitesResponseSchema.parse(outcome.result);
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/revoke-sessions',
      summary: 'End every session of one person and cancel their unused login code',
      tag: 'admin',
      access: 'admin',
      body: revokeSessionsBodySchema,
      response: revokeSessionsResponseSchema,
    },
    async ({ body, request }) => {
      assertCanAdminister((await requireSession(deps, request)).roles);
      const revoked = await revokeAccessByEmail(deps, body.email);
      if (revoked === undefined) throw new HttpError(404, 'not-found', 'No account has this e-mail address.');
      return { revoked };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/conversations/:id/status',
      summary: 'Open (live) or close a conversation; a closed one rejects every mutation on it',
      tag: 'admin',
      access: 'admin',
      body: setConversationStatusBodySchema,
      response: setConversationStatusResponseSchema,
    },
    async ({ body, request }) => {
      assertCanAdminister((await requireSession(deps, request)).roles);
      const params = conversationIdParamSchema.safeParse(request.params);
      if (!params.success) throw zodToHttpError(params.error, 'path');
      const conversation = await setConversationStatus(deps, params.data.id, body.status);
      return { id: conversation.id, status: conversation.status };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/admin/conversations/:id/release-min-contributors',
      summary:
        'Set k: the conversation’s new posts, edits and tally changes reach others once k people took part',
      tag: 'admin',
      access: 'admin',
      body: setReleaseMinContributorsBodySchema,
      response: setReleaseMinContributorsResponseSchema,
    },
    async ({ body, request }) => {
      assertCanAdminister((await requireSession(deps, request)).roles);
      const params = conversationIdParamSchema.safeParse(request.params);
      if (!params.success) throw zodToHttpError(params.error, 'path');
      const conversation = await setReleaseMinContributors(deps, params.data.id, body.releaseMinContributors);
      return { id: conversation.id, releaseMinContributors: releaseMinContributorsOf(conversation) };
    },
  );
}
