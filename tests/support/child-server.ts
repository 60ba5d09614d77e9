/**
 * Runs the real server entry point (sync-server/src/main.ts) as a child process on
 * 127.0.0.1, capturing everything it logs. For tests that must read the logs or kill
 * the process. Open storage in the test process only while the child is stopped
 * (the embedded store takes a LevelDB lock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { waitUntil } from './wait.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves as soon as the output satisfies `isDone` (checked on every chunk); fails after timeoutMs saying `what`. */
  waitForOutput(isDone: (output: string) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code/signal when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function startChildServer(
  env: Record<string, string>,
  port?: number,
  options: { umask?: string } = {},
): Promise<ChildServer> {
  const chosen = port ?? (await freePort());
  // One process (node with tsx's loader), so signals reach the server itself, as in `npm start`.
  // With a umask, a shell sets it and then becomes that node process (exec).
  const nodeArgs = ['--import', 'tsx', path.resolve('sync-server/src/main.ts')];
  const [command, args] = options.umask
    ? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: String(chosen),
      PUBLIC_URL: `http://localhost:${chosen}`,
      RELEASE_INTERVAL_SECONDS: '0',
      // Edits with every batch unless a test is about the daily edit gate (it sets EDIT_RELEASE=daily).
      EDIT_RELEASE: 'every-batch',
      HUDDLE_TEST_HOOKS: '1',
      PWA_DIST_DIR: '/nonexistent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const watchers = new Set<() => void>();
  const append = (d: Buffer) => {
    out += d.toString();
    for (const watch of watchers) watch();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${chosen}`;
  // Ready when /healthz answers; a server that exits first fails at once with its output.
  const isUp = async () => {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited during start-up:\n${out}`);
    try {
      return (await fetch(`${url}/healthz`)).ok;
    } catch {
      return false; // not listening yet
    }
  };
  try {
    await waitUntil(isUp, 'the child server to answer /healthz', { timeoutMs: 30_000 });
  } catch (err) {
    child.kill('SIGKILL');
    throw err instanceof Error && err.message.startsWith('server exited')
      ? err
      : new Error(`server did not start within 30 s:\n${out}`);
  }
  return {
    url,
    port: chosen,
    process: child,
    output: () => out,
    waitForOutput(isDone, what, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output:\n${out}`));
        }, timeoutMs);
        const watch = () => {
          if (!isDone(out)) return;
          watchers.delete(watch);
          clearTimeout(timer);
          resolve();
        };
        watchers.add(watch);
        watch();
      });
    },
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
