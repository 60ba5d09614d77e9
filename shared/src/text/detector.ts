/**
 * Warns when a post seems to identify someone: a person's name, a description that singles
 * one person out, details that identify the author, or abusive words. Runs on the device as
 * people type (offline too) and again on the server on arrival. Heuristics in layers, each
 * warning saying which layer fired (`why`), so a moderator or a developer can explain it:
 *
 * 1. titles + a name ("Dr Smith", "mr hughes", "Sister Byrne");
 * 2. roster names (through a RosterLookup: a salted hash set on devices, names in clear on
 *    the server), then common first names, with extra evidence needed for names that are
 *    also ordinary words ("Grace period" is not Grace);
 * 3. capitalised words that are not sentence-initial and not ordinary capitalised words
 *    (wards, months, systems, eponyms, famous people, places): weaker, `strength: 'weak'`;
 * 4. a singular, definite role plus a distinguishing detail ("the new matron on Ward 7"), or
 *    a post one person holds ("the medical director"); not plural or rotating roles;
 * 5. self-identification ("as the only Band 7 on Ward 4");
 * 6. a short list of abusive words.
 *
 * Pure and fast (one pass over tokens, set lookups): fine to run on every keystroke.
 */
import { foldText, foldToken, hasBreakBetween, tokenize, type Token } from './normalize.js';
import type { RosterLookup } from './roster.js';
import {
  ABUSIVE_WORDS,
  AMBIGUOUS_NAMES,
  CALENDAR_WORDS,
  DEMONYMS,
  EPONYMS,
  FAMOUS_NAMES,
  FIRST_NAMES,
  FUNCTION_WORDS,
  GENERIC_ROLE_FOLLOWERS,
  ORDINARY_CAPITALISED,
  PLACE_SUFFIXES,
  PLACE_WORDS,
  RELATIVE_MARKERS,
  ROLE_NOUNS,
  ROLE_TITLES,
  ROTATING_MODIFIERS,
  SHIFT_WORDS,
  SINGLE_HOLDER_PATTERNS,
  STRONG_TITLES,
  SYSTEM_WORDS,
  UNIT_NOUNS,
} from './lexicon.js';

export const WARNING_KINDS = ['names-person', 'identifies-by-role', 'identifies-self', 'abusive'] as const;
export type WarningKind = (typeof WARNING_KINDS)[number];

export { IDENTIFYING_GUIDELINE } from './guideline.js';

export interface TextWarning {
  kind: WarningKind;
  /** Offsets in the text (UTF-16, end exclusive) and the matched text. */
  start: number;
  end: number;
  text: string;
  /** Short plain-English advice pointing to the guideline. */
  message: string;
  /** 'weak' for an unknown capitalised word that may or may not be a name. */
  strength: 'strong' | 'weak';
  /** Which layer fired, for explanations and tests: 'title', 'roster', 'first-name', ... */
  why: string;
}

export interface DetectorContext {
  /** Staff name tokens (hash set on devices, plain on the server). */
  roster?: RosterLookup;
  /** This deployment's own ordinary capitalised words: site names, ward names, local systems. */
  allowWords?: Iterable<string>;
}

const MESSAGES: Record<WarningKind, (span: string, strength: 'strong' | 'weak') => string> = {
  'names-person': (span, strength) =>
    `${strength === 'weak' ? `Is “${span}” someone’s name?` : `“${span}” looks like a person’s name.`} ` +
    'Please don’t name colleagues or describe them so they can be recognised.',
  'identifies-by-role': (span) =>
    `“${span}” may let people work out who you mean. ` +
    'Please don’t name colleagues or describe them so they can be recognised.',
  'identifies-self': (span) =>
    `“${span}” may let people recognise you. Your post is anonymous: leave out details only you have.`,
  abusive: (span) => `“${span}” may be read as abusive. Please keep it respectful: talk about what happened.`,
};

const DETERMINERS = new Set(['the', 'our', 'my', 'your', 'their', 'this', 'that', 'whoever']);
const FIRST_PERSON_LEADS = new Set(['being', "i'm", 'im']);
const PREPOSITIONS = new Set(['on', 'at', 'in', 'for', 'from', 'with', 'of', 'covering', 'covers']);
const PERSON_NOUNS = new Set([
  'lady',
  'guy',
  'man',
  'woman',
  'bloke',
  'chap',
  'fella',
  'gentleman',
  'girl',
  'lad',
]);
const THING_SUFFIXES = new Set([
  'programme',
  'program',
  'fund',
  'scale',
  'score',
  'chart',
  'criteria',
  'syndrome',
  'disease',
  'disorder',
  'sign',
  'test',
  'protocol',
  'pathway',
  'award',
  'lymphoma',
  'competence',
]);
const MAIN_VERB_STARTS = new Set([
  'was',
  'is',
  'are',
  'were',
  'has',
  'had',
  'never',
  'always',
  'keeps',
  'kept',
  'should',
  'could',
  'would',
  'will',
  'can',
  "won't",
  "doesn't",
  "didn't",
  "isn't",
  "wasn't",
  "hasn't",
  'gets',
  'got',
  'said',
  'told',
]);
const PLACE_PREPOSITIONS = new Set(['at', 'in', 'near', 'across', 'the', 'towards']);

interface Prepared {
  roster: RosterLookup | undefined;
  allow: Set<string>;
}

function prepare(context: DetectorContext): Prepared {
  const allow = new Set<string>();
  for (const w of context.allowWords ?? [])
    for (const part of foldText(w).split(/\s+/)) if (part) allow.add(part);
  return { roster: context.roster, allow };
}

/** Every warning for the text, in text order. */
export function detectIdentifyingText(text: string, context: DetectorContext = {}): TextWarning[] {
  return new Detection(text, prepare(context)).run();
}

/** A detector bound to one context (roster, allow-list), for calling on every keystroke. */
export function createDetector(context: DetectorContext): (text: string) => TextWarning[] {
  const prepared = prepare(context);
  return (text) => new Detection(text, prepared).run();
}

class Detection {
  private readonly tokens: Token[];
  /** Tokens that belong to a place, a thing or a famous person: never a colleague's name. */
  private readonly ignored = new Set<number>();
  /** Tokens already inside a name warning. */
  private readonly named = new Set<number>();
  private readonly warnings: TextWarning[] = [];

  constructor(
    private readonly text: string,
    private readonly ctx: Prepared,
  ) {
    this.tokens = tokenize(text);
  }

  run(): TextWarning[] {
    if (this.tokens.length === 0) return [];
    this.markThings();
    this.findTitles();
    this.findKnownNames();
    this.findCapitalisedWords();
    this.findSelfIdentification();
    this.findRoles();
    this.findAbuse();
    return this.warnings.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  // ---- helpers ------------------------------------------------------------------

  private tok(i: number): Token | undefined {
    return this.tokens[i];
  }

  /** Only spaces (and an optional full stop after a title) between two adjacent tokens. */
  private isAdjacent(a: Token, b: Token, allowDot = false): boolean {
    const between = this.text.slice(a.end, b.start);
    return allowDot ? /^\.?\s+$/.test(between) : /^\s+$/.test(between);
  }

  private isOrdinaryWord(norm: string): boolean {
    const folded = norm.replace(/['-]/g, '');
    // Plurals of ordinary words: "Fridays", "Matrons".
    const singular = norm.length > 3 && norm.endsWith('s') ? norm.slice(0, -1) : '';
    if (
      singular &&
      (CALENDAR_WORDS.has(singular) || ORDINARY_CAPITALISED.has(singular) || ROLE_NOUNS.has(singular))
    )
      return true;
    return (
      FUNCTION_WORDS.has(norm) ||
      CALENDAR_WORDS.has(norm) ||
      SYSTEM_WORDS.has(norm) ||
      SYSTEM_WORDS.has(folded) ||
      EPONYMS.has(norm) ||
      EPONYMS.has(folded) ||
      PLACE_WORDS.has(norm) ||
      DEMONYMS.has(norm) ||
      ORDINARY_CAPITALISED.has(norm) ||
      ROLE_NOUNS.has(norm) ||
      this.ctx.allow.has(norm)
    );
  }

  private isRosterName(t: Token): boolean {
    if (!this.ctx.roster) return false;
    const base = foldToken(t.norm);
    if (this.ctx.roster.has(base)) return true;
    // "dr ramanathans": a possessive written without its apostrophe.
    return base.length > 4 && base.endsWith('s') && this.ctx.roster.has(base.slice(0, -1));
  }

  private isInitial(t: Token | undefined): boolean {
    return !!t && /^\p{L}$/u.test(t.raw) && t.raw !== 'I' && t.raw !== 'a' && t.raw !== 'A';
  }

  /** Could this token be part of a name that continues a name already found? */
  private isNameContinuation(t: Token | undefined): boolean {
    if (!t || this.ignored.has(t.index)) return false;
    if (this.isInitial(t)) return true;
    if (this.isRosterName(t) && !AMBIGUOUS_NAMES.has(t.norm) && !this.isOrdinaryWord(t.norm)) return true;
    return t.isCapitalised && !this.isOrdinaryWord(t.norm);
  }

  private addName(from: number, to: number, strength: 'strong' | 'weak', why: string): void {
    for (let i = from; i <= to; i++) this.named.add(i);
    this.add('names-person', this.tokens[from]!.start, this.tokens[to]!.end, strength, why);
  }

  private add(kind: WarningKind, start: number, end: number, strength: 'strong' | 'weak', why: string): void {
    const overlapping = this.warnings.find((w) => w.kind === kind && w.start < end && start < w.end);
    if (overlapping) {
      if (overlapping.strength === 'weak' && strength === 'strong') overlapping.strength = 'strong';
      overlapping.start = Math.min(overlapping.start, start);
      overlapping.end = Math.max(overlapping.end, end);
      overlapping.text = this.text.slice(overlapping.start, overlapping.end);
      overlapping.message = MESSAGES[kind](overlapping.text, overlapping.strength);
      return;
    }
    const span = this.text.slice(start, end);
    this.warnings.push({
      kind,
      start,
      end,
      text: span,
      message: MESSAGES[kind](span, strength),
      strength,
      why,
    });
  }

  /** Extends a name forward over a surname or an initial: "Fatima Hussain", "Hannah G". */
  private extendName(i: number): number {
    let end = i;
    for (let step = 0; step < 2; step++) {
      const next = this.tok(end + 1);
      const cur = this.tok(end)!;
      if (!next || !this.isAdjacent(cur, next) || !this.isNameContinuation(next)) break;
      end++;
      if (this.isInitial(next)) break;
    }
    return end;
  }

  // ---- layer 0: places, things and famous people ----------------------------------

  private markThings(): void {
    const folded = this.tokens.map((t) => foldToken(t.norm));
    for (const famous of FAMOUS_NAMES) {
      const parts = famous.split(' ');
      for (let i = 0; i + parts.length <= this.tokens.length; i++) {
        if (parts.every((p, k) => folded[i + k] === p))
          for (let k = 0; k < parts.length; k++) this.ignored.add(i + k);
      }
    }
    for (const t of this.tokens) {
      const isSuffix = (PLACE_SUFFIXES.has(t.norm) && t.isCapitalised) || THING_SUFFIXES.has(t.norm);
      if (isSuffix) {
        // "Rowan Ward", "Sister Winifred Unit", "Mary Seacole programme", "Down's syndrome"
        if (t.isCapitalised) this.ignored.add(t.index);
        let j = t.index - 1;
        while (j >= 0 && t.index - j <= 3) {
          const prev = this.tokens[j]!;
          const next = this.tokens[j + 1]!;
          if (!(prev.isCapitalised || prev.isAcronym) || !this.isAdjacent(prev, next)) break;
          this.ignored.add(j);
          j--;
        }
      }
      // "St Helens", "St Thomas'": saints are places here.
      if ((t.raw === 'St' || t.raw === 'Saint') && this.tok(t.index + 1)?.isCapitalised) {
        this.ignored.add(t.index);
        this.ignored.add(t.index + 1);
      }
    }
  }

  // ---- layer 1: titles ------------------------------------------------------------

  private findTitles(): void {
    for (const t of this.tokens) {
      if (this.ignored.has(t.index)) continue;
      const isStrong = STRONG_TITLES.has(t.norm);
      const isRole = ROLE_TITLES.has(t.norm);
      if (!isStrong && !isRole) continue;
      const next = this.tok(t.index + 1);
      if (!next || this.ignored.has(next.index) || !this.isAdjacent(t, next, true)) continue;
      if (!/^\p{L}/u.test(next.raw) || next.isAcronym || FUNCTION_WORDS.has(next.norm)) continue;
      if (ROLE_NOUNS.has(next.norm) || ROLE_TITLES.has(next.norm)) continue;
      // "Sister Byrne" yes, "my sister came" no: role titles need a capitalised name or a roster hit.
      if (isRole) {
        const isNamed = (next.isCapitalised && !this.isOrdinaryWord(next.norm)) || this.isRosterName(next);
        if (!isNamed) continue;
        if (t.index > 0 && ['a', 'an', 'the', 'my', 'our'].includes(this.tokens[t.index - 1]!.norm)) continue;
      } else if (!next.isCapitalised && this.isOrdinaryWord(next.norm)) continue;
      this.addName(t.index, this.extendName(next.index), 'strong', 'title');
    }
  }

  // ---- layer 2: roster names and common first names -----------------------------

  private findKnownNames(): void {
    for (const t of this.tokens) {
      if (this.ignored.has(t.index) || this.named.has(t.index) || t.isAcronym) continue;
      if (!/^\p{L}/u.test(t.raw) || t.raw.length < 2) continue;
      const onRoster = this.isRosterName(t);
      const isFirstName = FIRST_NAMES.has(t.norm) && (t.isCapitalised || t.norm.length >= 3);
      if (!onRoster && !isFirstName) continue;
      const isAmbiguous = AMBIGUOUS_NAMES.has(t.norm) || this.isOrdinaryWord(t.norm);
      const next = this.tok(t.index + 1);
      const prev = this.tok(t.index - 1);
      const hasInitialAfter = !!next && this.isAdjacent(t, next) && this.isInitial(next);
      const hasSurnameAfter =
        !!next &&
        this.isAdjacent(t, next) &&
        next.isCapitalised &&
        t.isCapitalised &&
        !this.isOrdinaryWord(next.norm) &&
        !this.ignored.has(next.index);
      if (isAmbiguous) {
        // "Grace period", "will do", "Ward 7": a word first, a name only with more evidence.
        const isCapitalisedMidSentence =
          t.isCapitalised && !t.isSentenceStart && !this.isOrdinaryWord(t.norm);
        const isAfterPlaceWord = !!prev && PLACE_PREPOSITIONS.has(prev.norm);
        if (!hasInitialAfter && !hasSurnameAfter && !(isCapitalisedMidSentence && !isAfterPlaceWord))
          continue;
      }
      this.addName(t.index, this.extendName(t.index), 'strong', onRoster ? 'roster' : 'first-name');
    }
  }

  // ---- layer 3: other capitalised words (weaker) ---------------------------------

  private findCapitalisedWords(): void {
    for (const t of this.tokens) {
      if (!t.isCapitalised || t.isSentenceStart || this.ignored.has(t.index) || this.named.has(t.index))
        continue;
      if (/^i'/.test(t.norm) || this.isOrdinaryWord(t.norm) || AMBIGUOUS_NAMES.has(t.norm)) continue;
      const prev = this.tok(t.index - 1);
      if (prev && PLACE_PREPOSITIONS.has(prev.norm)) continue; // "at Northgate", "the Wirral"
      const next = this.tok(t.index + 1);
      // A capitalised word followed by a capitalised non-name is usually a proper noun phrase.
      // A first name before ("Ravi Sandhu") or a surname or initial after makes it a full name;
      // a sentence-initial word before it ("Ask Zebedee") does not.
      const hasNameBefore =
        !!prev &&
        this.isAdjacent(prev, t) &&
        prev.isCapitalised &&
        !prev.isSentenceStart &&
        !this.isOrdinaryWord(prev.norm) &&
        !this.ignored.has(prev.index);
      const hasNameAfter = !!next && this.isAdjacent(t, next) && this.isNameContinuation(next);
      const hasPartner = hasNameBefore || hasNameAfter;
      const end = hasNameAfter ? next!.index : t.index;
      const start = hasNameBefore ? prev!.index : t.index;
      this.addName(start, end, hasPartner ? 'strong' : 'weak', 'capitalised');
    }
  }

  // ---- layer 4: roles that single someone out -------------------------------------

  private findRoles(): void {
    for (let i = 0; i < this.tokens.length; i++) {
      const head = this.roleHeadAt(i);
      if (head === undefined) continue;
      const found = this.describeRole(i, head);
      if (!found) continue;
      // Inside "as the only Band 7 on Ward 4" (layer 5), the role describes the author.
      const isInSelf = this.warnings.some(
        (w) => w.kind === 'identifies-self' && w.start < found.end && found.start < w.end,
      );
      const kind: WarningKind = found.isSelf || isInSelf ? 'identifies-self' : 'identifies-by-role';
      this.add(kind, found.start, found.end, 'strong', found.why);
      i = head;
    }
  }

  /** The index of the role's head token if a role noun (or "band 7") ends here, else undefined. */
  private roleHeadAt(i: number): number | undefined {
    const t = this.tokens[i]!;
    if (this.ignored.has(i)) return undefined;
    if (t.norm === 'band') {
      const n = this.tok(i + 1);
      return n && /^\d[a-z]?$/.test(n.norm) && this.isAdjacent(t, n) ? i + 1 : undefined;
    }
    if (!ROLE_NOUNS.has(t.norm)) return undefined;
    // "consultant radiologist", "deputy director": the last role noun is the head.
    const next = this.tok(i + 1);
    if (next && this.isAdjacent(t, next) && ROLE_NOUNS.has(next.norm) && !PERSON_NOUNS.has(next.norm))
      return undefined;
    return i;
  }

  private describeRole(
    first: number,
    head: number,
  ): { start: number; end: number; why: string; isSelf: boolean } | undefined {
    // Walk back over modifiers to a determiner: "The new matron", "Our deputy director".
    let j = first - 1;
    const modifiers: Token[] = [];
    while (j >= 0 && first - j <= 6) {
      const t = this.tokens[j]!;
      const after = this.tokens[j + 1]!;
      if (!/^[\s-]+$/.test(this.text.slice(t.end, after.start))) return undefined;
      if (DETERMINERS.has(t.norm)) break;
      if (FUNCTION_WORDS.has(t.norm) && !['and', 'to', 'only', 'up'].includes(t.norm)) return undefined;
      modifiers.unshift(t);
      j--;
    }
    const det = this.tok(j);
    if (!det || !DETERMINERS.has(det.norm)) return undefined;
    if (modifiers.some((m) => ROTATING_MODIFIERS.has(m.norm))) return undefined;
    const headTok = this.tokens[head]!;
    const next = this.tok(head + 1);
    if (next && GENERIC_ROLE_FOLLOWERS.has(next.norm) && this.isAdjacent(headTok, next)) return undefined;

    // "I'm the ward clerk on Ward 4": the author describing themselves. ("As the matron on
    // Ward 7 said" is someone else, so "as" alone counts only with "the only", see layer 5.)
    const lead = this.tok(j - 1);
    const beforeLead = this.tok(j - 2)?.norm;
    const isSelf =
      det.norm === 'the' &&
      !!lead &&
      (FIRST_PERSON_LEADS.has(lead.norm) ||
        (['am', 'was'].includes(lead.norm) && beforeLead === 'i') ||
        (lead.norm === 'been' && (beforeLead === "i've" || beforeLead === 'ive')));
    const isOnly = modifiers.some((m) => m.norm === 'only');
    const start = isSelf
      ? beforeLead && lead!.norm !== "i'm" && lead!.norm !== 'im' && lead!.norm !== 'being'
        ? this.tokens[j - 2]!.start
        : lead!.start
      : det.start;

    // A post one person holds: "the medical director", "the head of estates".
    const tail = this.tailEnd(head);
    const phrase = foldText(this.text.slice(det.start, this.tokens[tail]!.end));
    if (!PERSON_NOUNS.has(headTok.norm) && SINGLE_HOLDER_PATTERNS.some((p) => p.test(phrase)))
      return { start, end: this.tokens[tail]!.end, why: 'single-holder post', isSelf };

    const detail = this.findDetail(head);
    if (isOnly) return { start, end: this.tokens[detail?.end ?? head]!.end, why: 'only', isSelf };
    if (!detail) return undefined;
    return { start, end: this.tokens[detail.end]!.end, why: detail.why, isSelf };
  }

  /** End of "of nursing", "for the surgical division" after a head noun. */
  private tailEnd(head: number): number {
    const next = this.tok(head + 1);
    if (
      !next ||
      !['of', 'for'].includes(next.norm) ||
      hasBreakBetween(this.text, this.tokens[head]!.end, next.start)
    )
      return head;
    let end = head + 1;
    for (let k = head + 2; k < this.tokens.length && k <= head + 6; k++) {
      const t = this.tokens[k]!;
      if (
        hasBreakBetween(this.text, this.tokens[k - 1]!.end, t.start) ||
        /[,(]/.test(this.text.slice(this.tokens[k - 1]!.end, t.start))
      )
        break;
      if (FUNCTION_WORDS.has(t.norm) && !['the', 'and'].includes(t.norm)) break;
      // "the director of nursing | visited": a verb ends the post's name.
      if (k > head + 2 && (MAIN_VERB_STARTS.has(t.norm) || /ed$/.test(t.norm))) break;
      end = k;
      if (!['the', 'and'].includes(t.norm) && (UNIT_NOUNS.has(t.norm) || k >= head + 5)) break;
    }
    return end;
  }

  /**
   * A distinguishing detail right after the role: a ward, unit or site; a shift with a place;
   * "who…" / "the one who…"; "with the pink hair"; a start date. Returns the token it ends on.
   */
  private findDetail(head: number): { end: number; why: string } | undefined {
    const headTok = this.tokens[head]!;
    const first = this.tok(head + 1);
    if (!first || hasBreakBetween(this.text, headTok.end, first.start)) return undefined;
    const gap = this.text.slice(headTok.end, first.start);
    const isApposition = /[,(]/.test(gap);
    const startsDetail =
      PREPOSITIONS.has(first.norm) ||
      RELATIVE_MARKERS.has(first.norm) ||
      (isApposition && (first.norm === 'the' || first.norm === 'tall' || first.norm === 'short'));
    if (!startsDetail) return undefined;

    let place = -1;
    let shift = -1;
    let relative = -1;
    let appearance = -1;
    for (let k = head + 1; k < this.tokens.length && k <= head + 16; k++) {
      const t = this.tokens[k]!;
      if (hasBreakBetween(this.text, this.tokens[k - 1]!.end, t.start)) break;
      // a new clause with its own subject ends the description: "..., they keep rejecting"
      if (
        k > head + 1 &&
        /,/.test(this.text.slice(this.tokens[k - 1]!.end, t.start)) &&
        !['the', 'tall', 'short'].includes(t.norm)
      )
        break;
      const prev = this.tokens[k - 1]!;
      if (
        RELATIVE_MARKERS.has(t.norm) ||
        (t.norm === 'one' && prev.norm === 'the' && this.tok(k + 1)?.norm === 'who')
      )
        relative = k;
      else if (t.norm === 'with' && ['the', 'a', 'an'].includes(this.tok(k + 1)?.norm ?? ''))
        appearance = k + 2;
      else if (k === head + 1 && t.norm === 'for') {
        // "the educator for theatres", "the lead for ED": a post for one department.
        const dept = this.tok(k + 1)?.norm === 'the' ? this.tok(k + 2) : this.tok(k + 1);
        if (dept && !FUNCTION_WORDS.has(dept.norm)) place = dept.index;
      } else if (t.norm === 'ward' && /^\d+$/.test(this.tok(k + 1)?.norm ?? '')) place = k + 1;
      else if (
        (t.isCapitalised || t.isAcronym) &&
        !t.isSentenceStart &&
        !CALENDAR_WORDS.has(t.norm) &&
        !/^i'/.test(t.norm)
      )
        place = PLACE_SUFFIXES.has(this.tok(k + 1)?.norm ?? '') ? k + 1 : k;
      else if (UNIT_NOUNS.has(t.norm) && k - head >= 3 && !['the', 'a'].includes(prev.norm)) place = k;
      else if (SHIFT_WORDS.has(t.norm) || CALENDAR_WORDS.has(t.norm)) shift = k;
    }
    if (relative >= 0) return { end: this.clauseEnd(relative), why: 'role + who…' };
    if (appearance >= 0)
      return { end: Math.max(this.clauseEnd(appearance), place), why: 'role + appearance' };
    if (place >= 0) return { end: Math.max(place, shift), why: 'role + place' };
    // A shift alone ("the porter on nights") is shared by several people.
    return undefined;
  }

  /** The last token of the clause that starts at `from` (up to a sentence break, comma or 10 words). */
  private clauseEnd(from: number): number {
    let end = Math.min(from, this.tokens.length - 1);
    for (let k = from + 1; k < this.tokens.length && k <= from + 10; k++) {
      const gap = this.text.slice(this.tokens[k - 1]!.end, this.tokens[k]!.start);
      if (/[.!?;,)\n]/.test(gap)) break;
      // "the F1 who started in August on AMU | was left alone": the main verb ends the clause.
      if (k >= from + 2 && MAIN_VERB_STARTS.has(this.tokens[k]!.norm)) break;
      end = k;
    }
    return end;
  }

  // ---- layer 5: the author identifying themselves ---------------------------------

  private findSelfIdentification(): void {
    // Same length as the text (no accent folding), so match offsets are text offsets.
    const folded = this.text.replace(/[’‘]/g, "'").toLowerCase();
    const pattern =
      /\b(?:as|being|i'?m|i am|i was|i've been|ive been)\s+(?:the\s+(?:only|sole|one and only)|one of (?:the )?only (?:two|three|2|3))\b[^.!?;,\n]{0,60}/g;
    for (const m of folded.matchAll(pattern)) {
      // "I'm the only Filipino nurse on the unit | and people ask me everything"
      const phrase = m[0].split(/\s(?:and|but|so|because|which|who|where|i|we)\s/)[0]!.trimEnd();
      this.add('identifies-self', m.index, m.index + phrase.length, 'strong', 'the only …');
    }
  }

  // ---- layer 6: abuse --------------------------------------------------------------

  private findAbuse(): void {
    for (const t of this.tokens) {
      if (ABUSIVE_WORDS.has(foldToken(t.norm))) this.add('abusive', t.start, t.end, 'strong', 'abusive word');
    }
  }
}
