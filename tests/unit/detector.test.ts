/**
 * The identifying-text warning: the guideline's own cases from the issue, the hard negatives
 * the dev data README lists, self-identification and abuse. Sentences here are written for
 * the test, not copied from the dev set.
 */
import { describe, expect, it } from 'vitest';
import { detectIdentifyingText, type WarningKind } from '../../shared/src/text/detector.js';
import { plainRoster } from '../../shared/src/text/roster.js';

const roster = plainRoster([
  'Siobhan Byrne',
  'Grace Nwosu',
  'Chloe Ashworth',
  'Agnieszka Wiśniewska',
  'Olumide Adeyemi',
]);
const detect = (text: string) =>
  detectIdentifyingText(text, { roster, allowWords: ['Riverside', 'Northgate'] });
const kinds = (text: string): WarningKind[] => [...new Set(detect(text).map((w) => w.kind))];
const spans = (text: string, kind: WarningKind) =>
  detect(text)
    .filter((w) => w.kind === kind)
    .map((w) => w.text);

describe('warns when a post names a person', () => {
  it.each([
    ['Dr Smith never answers the bleep after midnight.', 'Dr Smith'],
    ['Honestly Sister Jones runs the ward like a prison.', 'Sister Jones'],
    ['spoke to mr hughes about it and got nowhere', 'mr hughes'],
    ['Has anyone met Prof. Lindgren yet?', 'Prof. Lindgren'],
    ['Matron Ellison wants more audits.', 'Matron Ellison'],
  ])('title + name: %s', (text, span) => {
    expect(spans(text, 'names-person')).toContain(span);
  });

  it('finds roster names in any case and with accents folded, through the roster lookup', () => {
    expect(spans('I asked siobhan about the rota', 'names-person')).toEqual(['siobhan']);
    expect(spans('Thanks to Agnieszka Wisniewska for the training', 'names-person')).toEqual([
      'Agnieszka Wisniewska',
    ]);
    expect(spans('olumide fixed the scanner', 'names-person')).toEqual(['olumide']);
  });

  it('finds a first name with an initial, and a full name of someone not on the roster', () => {
    expect(spans('The rota from Jason K was late again', 'names-person')).toEqual(['Jason K']);
    expect(spans('We were helped by Tobias Renwick from IT', 'names-person')).toEqual(['Tobias Renwick']);
  });

  it('counts praise as naming, as complaints are', () => {
    expect(kinds('Massive thanks to Sharon on reception, she is a star')).toEqual(['names-person']);
  });

  it('marks a lone unknown capitalised word as a weak warning only', () => {
    const [warning] = detect('Ask Zebedee about the new forms');
    expect(warning).toMatchObject({ kind: 'names-person', text: 'Zebedee', strength: 'weak' });
  });

  it('points every warning to the guideline in plain English', () => {
    const [warning] = detect('Dr Smith never answers.');
    expect(warning?.message).toMatch(
      /Please don’t name colleagues or describe them so they can be recognised/,
    );
  });
});

describe('keeps ordinary capitalised words from raising false alarms', () => {
  it.each([
    'Nightingale Ward has no hot water again.',
    'The Sister Winifred Unit kitchen is closed.',
    'Ashworth Wing lifts are broken.',
    'Rowan Ward and Hazel Ward share one hoist.',
    'Rotas for March and April are out, and Monday is a bank holiday.',
    'Every Datix goes into a black hole, and Epic logs us out. Teams is down and ESR is wrong.',
    'The Agenda for Change pay award is late.',
    'The Freedom to Speak Up Guardian role should be better known.',
    'Parkinson’s patients and Crohn’s patients wait too long, and Alzheimer’s support is thin.',
    'Florence Nightingale and Nye Bevan would be appalled.',
    'Parking at Riverside and Northgate is a nightmare.',
    'Staff from Liverpool and the Wirral pay the tunnel toll.',
    'Grace period on the car park barrier would help.',
    'The Glasgow Coma Scale poster is out of date.',
    'St Helens has free staff parking.',
  ])('%s', (text) => {
    expect(detect(text)).toEqual([]);
  });

  it('does not flag generic or plural roles', () => {
    for (const text of [
      'Matrons should be on the wards more.',
      'Consultants never book leave like we do.',
      'Can we have a direct line to the on-call reg?',
      'Registrars on nights need protected time to eat.',
      'The F1s get thrown in every August.',
      'I told a manager and nothing happened.',
    ])
      expect(detect(text), text).toEqual([]);
  });

  it('does not treat a first-person story as identifying', () => {
    expect(detect('I have been a band 5 for eight years and never been promoted.')).toEqual([]);
  });
});

describe('warns when a description singles one person out', () => {
  it.each([
    ['The new matron on Ward 7 has banned sitting down.', 'The new matron on Ward 7'],
    ['The F1 who started in August on AMU was left alone.', 'The F1 who started in August on AMU'],
    ['the medical director said we need resilience', 'the medical director'],
    ['Our head of estates never replies.', 'Our head of estates'],
    ['The only male midwife at Northgate gets every heavy lift.', 'The only male midwife at Northgate'],
    ['The porter with the red beard is always cheerful.', 'The porter with the red beard'],
  ])('%s', (text, span) => {
    expect(spans(text, 'identifies-by-role')).toEqual([span]);
  });
});

describe('warns authors when a post may identify themselves', () => {
  it('as the only Band 7 on Ward 4', () => {
    expect(spans('As the only Band 7 on Ward 4, I get every complaint.', 'identifies-self')).toEqual([
      'As the only Band 7 on Ward 4',
    ]);
    expect(kinds('As the only Band 7 on Ward 4, I get every complaint.')).toEqual(['identifies-self']);
  });

  it('a role with a place, introduced by the author ("I\'m the ward clerk on Ward 4"), but not someone else\'s', () => {
    expect(spans("I'm the ward clerk on Ward 4 and I never get a break", 'identifies-self')).toEqual([
      "I'm the ward clerk on Ward 4",
    ]);
    expect(spans('It was the consultant on Ward 5 who shouted', 'identifies-by-role')).toEqual([
      'the consultant on Ward 5 who shouted',
    ]);
    expect(kinds('It was the consultant on Ward 5 who shouted')).toEqual(['identifies-by-role']);
  });

  it("I'm the only …", () => {
    expect(kinds("I'm the only physio covering the stroke unit at weekends")).toEqual(['identifies-self']);
  });
});

describe('warns about abusive words', () => {
  it('flags a word from the list, and not clinical words that look rude', () => {
    expect(spans('Honestly the managers are idiots', 'abusive')).toEqual(['idiots']);
    expect(detect('Needle prick injuries need reporting; cow’s milk allergy protocol.')).toEqual([]);
  });
});

describe('is fast enough to run on every keystroke', () => {
  it('handles a long post and empty text', () => {
    expect(detect('')).toEqual([]);
    const long = 'We were short again on the late shift and nobody came. '.repeat(200);
    expect(detect(long)).toEqual([]);
  });
});
