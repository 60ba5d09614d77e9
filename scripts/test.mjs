#!/usr/bin/env node
// `npm test`: typecheck, lint, format check, one PWA build, then every vitest project (unit,
// integration, couchdb-single, couchdb-cluster, browser) in one run. Ends with the plain line
// "N passed, N failed" (", N skipped" when some were: skipped never counts as passed) taken
// from vitest's own JSON results, and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const steps = [
  ['chromium', 'bash', ['scripts/ensure-chromium.sh']],
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['build', 'npm', ['run', '--silent', 'build']],
];
const extraArgs = process.argv.slice(2);
let stepFailures = 0;
if (!extraArgs.includes('--no-checks')) {
  for (const [name, cmd, args] of steps) {
    process.stdout.write(`\n== ${name}\n`);
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) {
      stepFailures++;
      process.stdout.write(`== ${name} FAILED\n`);
    }
  }
}

const resultsFile = 'test-results/vitest.json';
fs.mkdirSync('test-results', { recursive: true });
fs.rmSync(resultsFile, { force: true });
process.stdout.write('\n== tests (vitest: unit, integration, couchdb-single, couchdb-cluster, browser)\n');
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    ...extraArgs.filter((a) => a !== '--no-checks'),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests;
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  // A test file that failed to load has no failed tests but is a failure.
  const brokenFiles = (json.testResults ?? []).filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  failed += brokenFiles.length;
} catch {
  failed += 1;
  process.stdout.write('vitest produced no JSON results\n');
}
failed += stepFailures;
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || vitest.status !== 0 ? 1 : 0);
