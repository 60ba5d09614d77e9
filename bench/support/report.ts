/**
 * How every benchmark prints: one line per figure, in the same form everywhere, so a run can be read
 * by eye and by a script:
 *
 *   figure <name>: <value> <unit>; anchor <name>: <value>; ratio <r>
 *
 * The anchor is measured in the same run, in the same unit; the ratio is figure / anchor unless the
 * bench says otherwise (a cost, where lower is better, is divided the same way). A figure that cannot
 * be measured here prints `figure <name>: skipped (<reason>)`. Nothing passes or fails on a time.
 */

export interface Figure {
  name: string;
  value: number;
  unit: string;
  anchorName: string;
  anchorValue: number;
  /** Default value / anchorValue. */
  ratio?: number;
  /** Decimals for the value and the anchor (default: 0 at 100 or more, else 1). */
  digits?: number;
}

const fixed = (n: number, digits?: number) => n.toFixed(digits ?? (Math.abs(n) >= 100 ? 0 : 1));

export function printFigure(f: Figure): void {
  const ratio = f.ratio ?? f.value / f.anchorValue;
  console.log(
    `figure ${f.name}: ${fixed(f.value, f.digits)} ${f.unit}; anchor ${f.anchorName}: ${fixed(f.anchorValue, f.digits)}; ratio ${ratio.toFixed(2)}`,
  );
}

export function printSkipped(name: string, reason: string): void {
  console.log(`figure ${name}: skipped (${reason})`);
}

/** Indented context under a figure (what was measured, N, the goal). */
export function note(text: string): void {
  console.log(`  ${text}`);
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}
