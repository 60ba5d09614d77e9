/**
 * `npm run bench`: runs every benchmark script in bench/ one after another. Each prints
 * its own figures and a ratio against an anchor measured in the same run; nothing here
 * passes or fails on a time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const scripts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .sort();
let failures = 0;
for (const script of scripts) {
  process.stdout.write(`\n== bench/${script}\n`);
  const r = spawnSync(path.resolve('node_modules/.bin/tsx'), [path.join(dir, script)], { stdio: 'inherit' });
  if (r.status !== 0) failures++;
}
process.exit(failures ? 1 : 0);
