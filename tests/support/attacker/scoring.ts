/**
 * How an attack answers and how it is scored against the ground truth.
 *
 * An attack answers, for each public post (by content id) and each published tally change (batch and
 * item), a Guess: a candidate set the attacker is sure holds the author (or every voter of that change),
 * and optional weights over it (its best ranking). No guess means "anyone".
 *
 * Scoring, per contribution: a post counts once (its author); a vote counts once per (voter, item,
 * batch) whose change that batch's tally published. Accuracy: the chance the attacker's top pick is
 * right (top m for a tally change that needs at least m voters; ties shared); chance is m / people.
 * Linked with certainty: the candidate set holds the truth and is no larger than m (a set of one for a
 * post). A "certain" set that misses the truth is counted apart (an unsound attack: a bug to fix here).
 */
import type { Batch, Truth } from './world.js';

export interface Guess {
  candidates: Set<string>;
  weights?: Map<string, number>;
}

export interface AttackResult {
  name: string;
  posts: Map<string, Guess>;
  /** key: `${batch}|${itemId}` */
  tallies: Map<string, Guess>;
  notes: string[];
}

export const tallyKey = (batch: number, itemId: string) => `${batch}|${itemId}`;

/** The fewest voters a tally change needs (each voter moves each count by at most one). */
export function minVoters(change: { tally?: { before: [number, number]; after: [number, number] } }): number {
  const t = change.tally!;
  return Math.max(1, Math.abs(t.after[0] - t.before[0]), Math.abs(t.after[1] - t.before[1]));
}

export interface Score {
  name: string;
  posts: { units: number; accuracy: number; chance: number; certain: number; wrongCertain: number };
  votes: { units: number; accuracy: number; chance: number; certain: number; wrongCertain: number };
  /** Examples of what was linked with certainty, for the failure message. */
  certainExamples: string[];
}

function hitShare(guess: Guess | undefined, truth: string, slots: number, everyone: string[]): number {
  const candidates = guess ? [...guess.candidates] : everyone;
  if (!candidates.includes(truth)) return 0;
  // With a ranking, whoever it leaves out ranks last; without one, everyone ranks the same.
  const w = (p: string) => (guess?.weights ? (guess.weights.get(p) ?? 0) : 1);
  const mine = w(truth);
  const higher = candidates.filter((p) => w(p) > mine).length;
  const equal = candidates.filter((p) => w(p) === mine).length;
  const free = slots - higher;
  return free <= 0 ? 0 : Math.min(1, free / equal);
}

export function score(result: AttackResult, truth: Truth, batches: Batch[], everyone: string[]): Score {
  const n = everyone.length;
  const examples: string[] = [];
  const posts = { units: 0, accuracy: 0, chance: 0, certain: 0, wrongCertain: 0 };
  for (const [contentId, author] of truth.postAuthor) {
    // Only what was published is the attacker's to link.
    if (!batches.some((b) => b.changes.some((c) => c.itemId === contentId && c.isNew))) continue;
    posts.units++;
    const guess = result.posts.get(contentId);
    posts.accuracy += hitShare(guess, author, 1, everyone);
    posts.chance += 1 / n;
    if (guess && guess.candidates.size === 1) {
      if (guess.candidates.has(author)) {
        posts.certain++;
        if (examples.length < 5) examples.push(`${truth.postKind.get(contentId)} ${contentId} -> ${author}`);
      } else posts.wrongCertain++;
    }
  }
  const votes = { units: 0, accuracy: 0, chance: 0, certain: 0, wrongCertain: 0 };
  for (const v of truth.votes) {
    const change = batches[v.batch]!.changes.find((c) => c.type === 'tally' && c.itemId === v.itemId)!;
    const m = minVoters(change);
    const guess = result.tallies.get(tallyKey(v.batch, v.itemId));
    votes.units++;
    votes.accuracy += hitShare(guess, v.voter, m, everyone);
    votes.chance += Math.min(1, m / n);
    if (guess && guess.candidates.size <= m) {
      if (guess.candidates.has(v.voter)) {
        votes.certain++;
        if (examples.length < 10) examples.push(`vote on ${v.itemId} in batch ${v.batch} -> ${v.voter}`);
      } else votes.wrongCertain++;
    }
  }
  const norm = (s: typeof posts) => ({
    ...s,
    accuracy: s.units ? s.accuracy / s.units : 0,
    chance: s.units ? s.chance / s.units : 0,
  });
  return { name: result.name, posts: norm(posts), votes: norm(votes), certainExamples: examples };
}

/**
 * Every attack at once, as the Trust would combine them: the candidate sets intersected (an empty
 * intersection, which a sound attack never gives, falls back to the smallest set), weights multiplied.
 */
export function combine(results: AttackResult[]): AttackResult {
  const merge = (pick: (r: AttackResult) => Map<string, Guess>) => {
    const out = new Map<string, Guess>();
    const keys = new Set(results.flatMap((r) => [...pick(r).keys()]));
    for (const key of keys) {
      const guesses = results.map(pick).flatMap((m) => (m.has(key) ? [m.get(key)!] : []));
      let candidates: Set<string> | undefined;
      for (const g of guesses)
        candidates = candidates
          ? new Set([...candidates].filter((p) => g.candidates.has(p)))
          : new Set(g.candidates);
      if (!candidates || candidates.size === 0)
        candidates = [...guesses].sort((a, b) => a.candidates.size - b.candidates.size)[0]!.candidates;
      const weights = new Map<string, number>();
      for (const p of candidates) {
        let w = 1;
        for (const g of guesses) if (g.weights) w *= (g.weights.get(p) ?? 0) + 1e-6;
        weights.set(p, w);
      }
      out.set(key, { candidates, weights });
    }
    return out;
  };
  return {
    name: 'all attacks combined',
    posts: merge((r) => r.posts),
    tallies: merge((r) => r.tallies),
    notes: [],
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function formatScores(scores: Score[]): string {
  const rows = scores.map(
    (s) =>
      `${s.name.padEnd(50)} posts ${pct(s.posts.accuracy).padStart(7)} (chance ${pct(s.posts.chance)}), ` +
      `certain ${String(s.posts.certain).padStart(3)}/${s.posts.units}` +
      `${s.posts.wrongCertain ? ` [${s.posts.wrongCertain} wrongly certain]` : ''}; ` +
      `votes ${pct(s.votes.accuracy).padStart(7)} (chance ${pct(s.votes.chance)}), ` +
      `certain ${String(s.votes.certain).padStart(3)}/${s.votes.units}` +
      `${s.votes.wrongCertain ? ` [${s.votes.wrongCertain} wrongly certain]` : ''}`,
  );
  return rows.join('\n');
}
