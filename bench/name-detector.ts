/**
 * The identifying-text detector on the labelled dev posts (tests/fixtures/name-mentions.dev.jsonl):
 * precision, recall and F1 per label and overall, next to a naive anchor measured in the
 * same run ("any capitalised word that does not start a sentence is a name"), and the ratio.
 * Three detector runs: without a roster; with the roster as devices get it (salted hash set
 * built from tests/fixtures/staff-roster.dev.csv); and strong warnings only. Also prints the
 * time per post against the anchor's. Asserts nothing.
 * Usage: npx tsx bench/name-detector.ts [--mistakes]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createDetector, type DetectorContext } from '../shared/src/text/detector.js';
import { buildRosterHashSet, hashedRoster } from '../shared/src/text/roster.js';
import {
  evaluate,
  labelFromWarnings,
  parseSamples,
  SAMPLE_LABELS,
  type Evaluation,
  type LabelledSample,
  type SampleLabel,
} from '../shared/src/text/evaluate.js';

const FIXTURES = path.resolve(import.meta.dirname, '../tests/fixtures');
const samples = parseSamples(fs.readFileSync(path.join(FIXTURES, 'name-mentions.dev.jsonl'), 'utf8'));
const roster = parse(fs.readFileSync(path.join(FIXTURES, 'staff-roster.dev.csv'), 'utf8'), {
  columns: true,
  skip_empty_lines: true,
}) as Array<{ name: string; site: string }>;
const sites = [...new Set(roster.map((r) => r.site))];
const showMistakes = process.argv.includes('--mistakes');

/** The anchor: any capitalised word that does not start a sentence is a name. */
function anchor(text: string): { label: SampleLabel; nameSpans: Array<{ start: number; end: number }> } {
  const nameSpans: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(/\p{Lu}\p{Ll}+/gu)) {
    const before = text.slice(0, m.index).trimEnd();
    const isSentenceStart = before === '' || /[.!?:]$/.test(before);
    const isWordStart = m.index === 0 || !/[\p{L}']/u.test(text[m.index - 1]!);
    if (!isSentenceStart && isWordStart) nameSpans.push({ start: m.index, end: m.index + m[0].length });
  }
  return { label: nameSpans.length > 0 ? 'names_person' : 'none', nameSpans };
}

function detectorPredict(context: DetectorContext, includeWeak = true) {
  const detect = createDetector(context);
  return (text: string) => {
    const warnings = detect(text);
    return {
      label: labelFromWarnings(warnings, includeWeak),
      nameSpans: warnings.filter(
        (w) => w.kind === 'names-person' && (includeWeak || w.strength === 'strong'),
      ),
    };
  };
}

function timePerPost(predict: (text: string) => unknown, rounds = 50): number {
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const s of samples) predict(s.text);
  return Number(process.hrtime.bigint() - started) / 1e3 / (rounds * samples.length);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

function report(name: string, e: Evaluation): void {
  console.log(`\n${name}`);
  console.log('  label                precision  recall      F1   (support, predicted)');
  for (const label of SAMPLE_LABELS) {
    const s = e.perLabel[label];
    console.log(
      `  ${label.padEnd(20)} ${pct(s.precision)}    ${pct(s.recall)}  ${pct(s.f1)}   (${s.support}, ${s.predicted})`,
    );
  }
  console.log(
    `  overall: accuracy ${pct(e.accuracy)}, macro-F1 ${pct(e.macroF1)}, ` +
      `false alarms on none ${pct(e.falseAlarmRate)}, name-span recall ${pct(e.nameSpanRecall)}`,
  );
}

function printMistakes(e: Evaluation): void {
  for (const m of e.mistakes) console.log(`  [${m.sample.label} -> ${m.predicted}] ${m.sample.text}`);
}

const salt = 'bench-salt';
const hashSet = buildRosterHashSet(
  salt,
  roster.map((r) => r.name),
);
const withRoster: DetectorContext = { roster: hashedRoster(hashSet), allowWords: sites };
const withoutRoster: DetectorContext = { allowWords: sites };

const runs: Array<
  [string, (t: string) => { label: SampleLabel; nameSpans?: Array<{ start: number; end: number }> }]
> = [
  ['anchor: any capitalised non-initial word is a name', anchor],
  ['detector, no roster', detectorPredict(withoutRoster)],
  [`detector + roster hash set (${hashSet.hashes.length} hashes)`, detectorPredict(withRoster)],
  ['detector + roster, strong warnings only', detectorPredict(withRoster, false)],
];
const results = runs.map(
  ([name, predict]) => [name, evaluate(samples as LabelledSample[], predict)] as const,
);
console.log(
  `${samples.length} posts: ${SAMPLE_LABELS.map((l) => `${l} ${samples.filter((s) => s.label === l).length}`).join(', ')}`,
);
for (const [name, e] of results) report(name, e);

const anchorEval = results[0]![1];
const best = results[2]![1];
console.log(
  `\nratio detector+roster / anchor: macro-F1 ×${(best.macroF1 / anchorEval.macroF1).toFixed(2)}, ` +
    `names_person F1 ×${(best.perLabel.names_person.f1 / anchorEval.perLabel.names_person.f1).toFixed(2)}, ` +
    `false alarms on none ×${(best.falseAlarmRate / Math.max(anchorEval.falseAlarmRate, 1e-9)).toFixed(2)}`,
);
const anchorMicros = timePerPost(anchor);
const detectorMicros = timePerPost(detectorPredict(withRoster));
console.log(
  `time per post: anchor ${anchorMicros.toFixed(1)} µs, detector+roster ${detectorMicros.toFixed(1)} µs ` +
    `(×${(detectorMicros / anchorMicros).toFixed(1)})`,
);
if (showMistakes) {
  console.log('\nmistakes, detector + roster:');
  printMistakes(best);
}
