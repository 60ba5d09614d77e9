/**
 * Files Huddle writes are its own: folders 0700, files 0600. The embedded store (LevelDB), the dev
 * mailbox and the generated keys are written with the process umask, which is usually 022 (files
 * anyone on the machine can read): a backup agent or another account on the host must not be able
 * to copy the database by reading it. So the entry points (main.ts, cli.ts) and the embedded store
 * set umask 077 before writing anything, and a data or keys directory left by an older run (or
 * copied in with wider modes) is tightened at start.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Everything created from here on gets no group or other bits. */
export function restrictNewFiles(): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; tightenTree still runs at every start.
  }
}

/**
 * Creates `dir` (0700) if missing, and removes the group and other bits from it and everything
 * under it (symbolic links are left alone: their targets are not ours to change). Answers how many
 * entries were tightened.
 */
export function tightenTree(dir: string): number {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let tightened = 0;
  const visit = (p: string) => {
    const stat = fs.lstatSync(p);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) {
      fs.chmodSync(p, stat.mode & 0o700);
      tightened++;
    }
    if (stat.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return tightened;
}

/** True when `inner` is `outer` or somewhere under it (after resolving symbolic links that exist). */
export function isInside(inner: string, outer: string): boolean {
  const real = (p: string) => {
    const abs = path.resolve(p);
    // The deepest existing ancestor decides where a not-yet-created path will really be.
    let existing = abs;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    return path.join(fs.realpathSync(existing), path.relative(existing, abs));
  };
  const rel = path.relative(real(outer), real(inner));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
