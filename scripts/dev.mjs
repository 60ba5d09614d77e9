// `npm run dev`: the API server (demo mode, restarts on change) and the Vite dev server
// (which proxies /api, /login and /healthz to it) together. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const children = [
  {
    name: 'api',
    child: spawn(bin('tsx'), ['watch', 'sync-server/src/main.ts'], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        HUDDLE_DEMO: process.env.HUDDLE_DEMO ?? '1',
        PORT: '8080',
        HOST: '127.0.0.1',
        PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://127.0.0.1:5173',
      },
    }),
  },
  { name: 'vite', child: spawn(bin('vite'), [], { cwd: root, stdio: 'inherit', env: process.env }) },
];

let isStopping = false;
function stopAll(code = 0) {
  if (isStopping) return;
  isStopping = true;
  for (const { child } of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  // Give them a moment to finish in-flight work, then make sure nothing is left behind.
  const timer = setTimeout(() => {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    process.exit(code);
  }, 5000);
  timer.unref();
  Promise.all(
    children.map(({ child }) =>
      child.exitCode !== null || child.signalCode !== null ? null : new Promise((r) => child.once('exit', r)),
    ),
  ).then(() => process.exit(code));
}

for (const { name, child } of children) {
  child.on('exit', (code, signal) => {
    if (isStopping) return;
    console.error(`\n[dev] ${name} stopped (${signal ?? `exit ${code}`}); stopping the other one.`);
    stopAll(code ?? 1);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(0));
