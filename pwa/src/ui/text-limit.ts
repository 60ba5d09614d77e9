/**
 * Length limits on what people write, measured the way the shared validators measure (trimmed, in
 * UTF-16 units), so a text the screen accepts is a text the device and the server accept. Nothing is
 * ever cut: over the limit, the screen says by how much and refuses to post until it is shortened.
 */
/** The counter shows from this share of the limit on (the title's 140: from 112). */
export const NEAR_LIMIT_RATIO = 0.8;

export interface LimitState {
  length: number;
  max: number;
  isNear: boolean;
  isOver: boolean;
  /** Characters to remove to be within the limit (0 when within). */
  excess: number;
}

export const measure = (value: string) => value.trim().length;

export function limitState(value: string, max: number): LimitState {
  const length = measure(value);
  return {
    length,
    max,
    isNear: length >= Math.ceil(max * NEAR_LIMIT_RATIO),
    isOver: length > max,
    excess: Math.max(0, length - max),
  };
}

const number = (n: number) => n.toLocaleString('en-GB');
const characters = (n: number) => `${number(n)} character${n === 1 ? '' : 's'}`;

/** What the counter under a box says ('' while far from the limit). */
export function countText(state: LimitState): string {
  if (state.isOver) return `${characters(state.excess)} over the limit of ${number(state.max)}`;
  if (state.isNear) return `${number(state.length)} / ${number(state.max)} characters`;
  return '';
}

/** The same for a screen reader, said after a pause in typing. */
export function countAnnouncement(state: LimitState): string {
  if (state.isOver) return countText(state);
  if (state.isNear) return `${characters(state.max - state.length)} left of ${number(state.max)}`;
  return '';
}

export interface LimitedField {
  /** How the person knows the box: 'title', 'description', 'comment', 'note'. */
  name: string;
  state: LimitState;
}

/**
 * Why the form cannot be sent yet, or null: "Shorten the description by 120 characters to post it."
 * `action` finishes the sentence ('post it', 'save it', 'send it').
 */
export function overLimitMessage(fields: LimitedField[], action: string): string | null {
  const over = fields.filter((f) => f.state.isOver);
  if (over.length === 0) return null;
  const parts = over.map((f) => `the ${f.name} by ${characters(f.state.excess)}`);
  return `Shorten ${parts.join(' and ')} to ${action}. Nothing you wrote has been removed.`;
}

/**
 * Said once when a send is refused for length, in words that stay true while the person shortens the
 * text: "Not posted: the description is longer than 5,000 characters. Shorten it to post; …".
 */
export function overLimitRefusal(
  fields: LimitedField[],
  verb: { done: string; todo: string },
): string | null {
  const over = fields.filter((f) => f.state.isOver);
  if (over.length === 0) return null;
  const parts = over.map((f) => `the ${f.name} is longer than ${characters(f.state.max)}`);
  return `Not ${verb.done}: ${parts.join(' and ')}. Shorten ${over.length === 1 ? 'it' : 'them'} to ${verb.todo}; nothing you wrote has been removed.`;
}
