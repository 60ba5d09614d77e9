/** The server's effect of every kind of change, one module each: a kind without one fails typecheck. */
import { commentCreateEffect } from './comment-create.js';
import { commentEditEffect } from './comment-edit.js';
import { commentWithdrawEffect } from './comment-withdraw.js';
import { draftDeleteEffect, draftSaveEffect } from './drafts.js';
import { ideaCreateEffect } from './idea-create.js';
import { ideaEditEffect } from './idea-edit.js';
import { ideaWithdrawEffect } from './idea-withdraw.js';
import { notificationsSetEffect } from './notifications-set.js';
import { questionnaireSubmitEffect } from './questionnaire-submit.js';
import { reportCreateEffect } from './report-create.js';
import type { ServerEffects } from './types.js';
import { voteSetEffect } from './vote-set.js';

export const SERVER_EFFECTS = {
  'idea.create': ideaCreateEffect,
  'comment.create': commentCreateEffect,
  'vote.set': voteSetEffect,
  'idea.edit': ideaEditEffect,
  'comment.edit': commentEditEffect,
  'idea.withdraw': ideaWithdrawEffect,
  'comment.withdraw': commentWithdrawEffect,
  'report.create': reportCreateEffect,
  'questionnaire.submit': questionnaireSubmitEffect,
  'draft.save': draftSaveEffect,
  'draft.delete': draftDeleteEffect,
  'notifications.set': notificationsSetEffect,
} as const satisfies ServerEffects;
