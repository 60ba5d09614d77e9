/**
 * Text normalisation and tokenising shared by the identifying-text detector and the roster
 * hash set: case folded, accents removed, curly apostrophes straightened, so "Wiśniewska",
 * "WISNIEWSKA" and "wisniewska" are one token on the device and on the server.
 * Pure functions: no DOM, no Node APIs.
 */

/** Lower case, accents folded (NFD without combining marks), apostrophes straightened. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’‘`´]/g, "'")
    .toLowerCase();
}

/** A token folded for lookups, without apostrophes or hyphens ("O'Brien" -> "obrien"). */
export function foldToken(token: string): string {
  return foldText(token).replace(/['-]/g, '');
}

export interface Token {
  /** As written. */
  raw: string;
  /** Folded (see foldText), possessive "'s" removed. */
  norm: string;
  start: number;
  end: number;
  /** Index in the token list. */
  index: number;
  /** First letter upper case and at least one lower-case letter ("Smith", not "AMU"). */
  isCapitalised: boolean;
  /** Two or more capitals, or letters mixed with digits: "AMU", "GPs", "F1", "PhD". */
  isAcronym: boolean;
  /** First word of the text or of a sentence (after . ! ? : or a line break). */
  isSentenceStart: boolean;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu;

/** Splits text into word tokens with their offsets; punctuation between them is kept out. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    let raw = match[0];
    // A trailing apostrophe or hyphen belongs to the punctuation ("doctors'" -> "doctors").
    while (/['’-]$/.test(raw)) raw = raw.slice(0, -1);
    const start = match.index;
    const end = start + raw.length;
    const upper = (raw.match(/\p{Lu}/gu) ?? []).length;
    const lower = (raw.match(/\p{Ll}/gu) ?? []).length;
    const hasDigit = /\p{N}/u.test(raw);
    const isAcronym = (upper >= 2 && lower <= 1) || (hasDigit && /\p{L}/u.test(raw));
    tokens.push({
      raw,
      norm: foldText(raw).replace(/'s$/, ''),
      start,
      end,
      index: tokens.length,
      isCapitalised: /^\p{Lu}/u.test(raw) && lower > 0 && !isAcronym,
      isAcronym,
      isSentenceStart: isSentenceStartAt(text, start),
    });
  }
  return tokens;
}

function isSentenceStartAt(text: string, start: number): boolean {
  let i = start - 1;
  // Skip spaces, quotes, brackets, bullets and emoji between the word and what came before.
  while (i >= 0 && /[\s"“”'‘’([*•\-–—\p{Extended_Pictographic}\uFE0F]/u.test(text[i]!)) {
    if (text[i] === '\n') return true;
    i--;
  }
  if (i < 0) return true;
  return /[.!?…:;]/.test(text[i]!);
}

/** Text between two tokens holds a sentence or clause break (. ! ? ; or a line break). */
export function hasBreakBetween(text: string, from: number, to: number): boolean {
  return /[.!?;\n]/.test(text.slice(from, to));
}
