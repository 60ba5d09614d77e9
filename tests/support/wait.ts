/**
 * Waiting on conditions instead of sleeping: every wait has a generous deadline and, when it
 * passes, fails with a message saying what was awaited (never a bare test timeout).
 */

/** Resolves as `promise` does, or rejects after `ms` with "timed out after … waiting for <what>". */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` until it answers a value other than undefined/false, backing off from 10 ms
 * to 250 ms between tries; rejects after `ms` with what was awaited and the last value seen.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  what: string,
  { timeoutMs = 20_000 }: { timeoutMs?: number } = {},
): Promise<Exclude<T, false | undefined | null>> {
  const started = Date.now();
  let pause = 10;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last !== undefined && last !== false && last !== null)
      return last as Exclude<T, false | undefined | null>;
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${JSON.stringify(last)})`,
      );
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 250);
  }
}
