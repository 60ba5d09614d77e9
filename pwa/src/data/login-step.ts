/**
 * Where this tab is in logging in, so a reload (or the phone discarding the tab while the
 * person reads their mail) comes back to the code box for the same address. Stored in
 * sessionStorage under LOGIN_STEP_KEY: the address and how the code came, never the code.
 * sessionStorage rather than the Huddle database: the step belongs to this tab and ends
 * with it, so a half-finished login does not wait on a shared ward computer for the next
 * person. Storage may be unavailable (private mode, tests): then nothing is kept.
 */
import { z } from 'zod';

const LOGIN_STEP_KEY = 'huddle.loginStep';

const loginStepSchema = z.object({
  version: z.literal(1),
  email: z.string().min(1).max(254),
  /** 'requested': we asked the server for a code; 'already-had': from the invitation or an earlier mail. */
  codeSource: z.enum(['requested', 'already-had']),
});

export type LoginCodeSource = z.infer<typeof loginStepSchema>['codeSource'];
export type LoginStep = Omit<z.infer<typeof loginStepSchema>, 'version'>;

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

/** The code step this tab was at, if any (anything unreadable counts as none). */
export function readLoginStep(): LoginStep | undefined {
  try {
    const raw = storage()?.getItem(LOGIN_STEP_KEY);
    if (!raw) return undefined;
    const parsed = loginStepSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { email: parsed.data.email, codeSource: parsed.data.codeSource } : undefined;
  } catch {
    return undefined;
  }
}

export function saveLoginStep(step: LoginStep): void {
  try {
    storage()?.setItem(LOGIN_STEP_KEY, JSON.stringify({ version: 1, ...step }));
  } catch {
    // Full or disabled storage: a reload just starts from the e-mail step.
  }
}

export function clearLoginStep(): void {
  try {
    storage()?.removeItem(LOGIN_STEP_KEY);
  } catch {
    // Nothing kept, nothing to clear.
  }
}
