/**
 * Scoring for the identifying-text detector against labelled posts (tests/fixtures/
 * name-mentions.dev.jsonl): each post is classified as names_person, identifies_by_role or
 * none, and precision, recall and F1 are computed per label and overall. Shared by the
 * bench script and the regression floor in the unit tests. Pure: the caller loads the file.
 */
import type { TextWarning } from './detector.js';

export const SAMPLE_LABELS = ['names_person', 'identifies_by_role', 'none'] as const;
export type SampleLabel = (typeof SAMPLE_LABELS)[number];

export interface LabelledSample {
  text: string;
  label: SampleLabel;
  spans: string[];
  note?: string;
}

export interface LabelScore {
  label: SampleLabel;
  support: number;
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Evaluation {
  perLabel: Record<SampleLabel, LabelScore>;
  accuracy: number;
  /** Mean F1 over the three labels. */
  macroF1: number;
  /** Share of posts labelled `none` that got a warning (names or role). */
  falseAlarmRate: number;
  /** Share of names_person gold spans overlapped by a names-person warning. */
  nameSpanRecall: number;
  mistakes: Array<{ sample: LabelledSample; predicted: SampleLabel }>;
}

/** Names beat roles: a post that names someone is a names_person post whatever else it does. */
export function labelFromWarnings(warnings: readonly TextWarning[], includeWeak = true): SampleLabel {
  const counted = warnings.filter((w) => includeWeak || w.strength === 'strong');
  if (counted.some((w) => w.kind === 'names-person')) return 'names_person';
  if (counted.some((w) => w.kind === 'identifies-by-role' || w.kind === 'identifies-self'))
    return 'identifies_by_role';
  return 'none';
}

export function parseSamples(jsonl: string): LabelledSample[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabelledSample);
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function evaluate(
  samples: readonly LabelledSample[],
  predict: (text: string) => { label: SampleLabel; nameSpans?: Array<{ start: number; end: number }> },
): Evaluation {
  const tp = { names_person: 0, identifies_by_role: 0, none: 0 };
  const predictedCount = { names_person: 0, identifies_by_role: 0, none: 0 };
  const support = { names_person: 0, identifies_by_role: 0, none: 0 };
  const mistakes: Evaluation['mistakes'] = [];
  let goldSpans = 0;
  let foundSpans = 0;
  for (const sample of samples) {
    const result = predict(sample.text);
    support[sample.label]++;
    predictedCount[result.label]++;
    if (result.label === sample.label) tp[sample.label]++;
    else mistakes.push({ sample, predicted: result.label });
    if (sample.label === 'names_person') {
      for (const span of sample.spans) {
        goldSpans++;
        const start = sample.text.indexOf(span);
        const end = start + span.length;
        if ((result.nameSpans ?? []).some((s) => s.start < end && start < s.end)) foundSpans++;
      }
    }
  }
  const perLabel = {} as Record<SampleLabel, LabelScore>;
  for (const label of SAMPLE_LABELS) {
    const precision = ratio(tp[label], predictedCount[label]);
    const recall = ratio(tp[label], support[label]);
    perLabel[label] = {
      label,
      support: support[label],
      predicted: predictedCount[label],
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
    };
  }
  const noneSamples = samples.filter((s) => s.label === 'none').length;
  const noneFlagged = mistakes.filter((m) => m.sample.label === 'none').length;
  return {
    perLabel,
    accuracy: ratio(tp.names_person + tp.identifies_by_role + tp.none, samples.length),
    macroF1: SAMPLE_LABELS.reduce((sum, l) => sum + perLabel[l].f1, 0) / SAMPLE_LABELS.length,
    falseAlarmRate: ratio(noneFlagged, noneSamples),
    nameSpanRecall: ratio(foundSpans, goldSpans),
    mistakes,
  };
}
