/**
 * Runs real Apache CouchDB nodes for the tests from the kit beside the repository
 * (`../shared/couchdb`, see its README): one node, or a cluster of N nodes on one machine.
 *
 * Like the kit's start.sh, but made for test runs that may overlap with other runs on the same
 * machine: the release is unpacked once into a shared cache, every node gets a unique Erlang
 * name and cookie and free ports, and all of a run's state (data, logs, pids) lives in one
 * temporary run directory that `stopLocalCouch` deletes. A run whose owner died is reaped by the
 * next one. Admin `admin`, password `password`, loopback only.
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './child-server.js';

export const LOCAL_COUCH_ADMIN = { name: 'admin', password: 'password' } as const;
const TARBALL = 'couchdb-3.4.3-debian12-x86_64.tar.xz';
const RUN_DIR_PREFIX = 'huddle-couchdb-run-';

export interface LocalCouchNode {
  index: number;
  /** Erlang node name, unique to this run. */
  name: string;
  port: number;
  /** http://admin:password@127.0.0.1:port */
  url: string;
  dir: string;
}

/** Everything needed to stop, kill or restart the nodes, from any process (saved as run.json). */
export interface LocalCouchRun {
  runDir: string;
  install: string;
  cookie: string;
  nodes: LocalCouchNode[];
}

/** The kit, if it is there: `../shared/couchdb` relative to the repository root. */
export function findCouchKit(repoRoot: string): string | undefined {
  const kit = path.resolve(repoRoot, '../shared/couchdb');
  return fs.existsSync(path.join(kit, TARBALL)) ? kit : undefined;
}

/** The shared libraries the release was built against (start.sh installs them the same way). */
const SYSTEM_LIBS = ['libicu72', 'libssl3', 'libtinfo6'];

function ensureSystemLibs(): void {
  const isInstalled = (lib: string) => {
    try {
      execFileSync('dpkg', ['-s', lib], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = SYSTEM_LIBS.filter((lib) => !isInstalled(lib));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`CouchDB needs ${missing.join(', ')}: apt-get install -y ${missing.join(' ')}`);
  }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'ignore' });
}

/**
 * Unpacks the release once per kit version into the temp dir (about 3 s), shared by every run:
 * nodes never write into it (their ini files, data and logs live in the run directory).
 */
function ensureInstall(kit: string): string {
  const tarball = path.join(kit, TARBALL);
  const stat = fs.statSync(tarball);
  const install = path.join(os.tmpdir(), `huddle-couchdb-3.4.3-${stat.size}-${Math.floor(stat.mtimeMs)}`);
  if (fs.existsSync(path.join(install, 'bin', 'couchdb'))) return install;
  const partial = `${install}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-C', partial, '--strip-components=1', '-xJf', tarball]);
  try {
    fs.renameSync(partial, install);
  } catch {
    // Another run unpacked it at the same moment: use theirs.
    fs.rmSync(partial, { recursive: true, force: true });
  }
  return install;
}

/** Allocates ports and names, writes every node's config, and spawns the nodes (not yet ready). */
export async function launchLocalCouch(kit: string, nodeCount: number): Promise<LocalCouchRun> {
  reapStaleRuns();
  ensureSystemLibs();
  const install = ensureInstall(kit);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  fs.writeFileSync(path.join(runDir, 'owner'), String(process.pid));
  const tag = crypto.randomBytes(4).toString('hex');
  const nodes: LocalCouchNode[] = [];
  for (let index = 1; index <= nodeCount; index++) {
    const port = await freePort();
    nodes.push({
      index,
      name: `huddle${tag}n${index}@127.0.0.1`,
      port,
      url: `http://${LOCAL_COUCH_ADMIN.name}:${LOCAL_COUCH_ADMIN.password}@127.0.0.1:${port}`,
      dir: path.join(runDir, `node${index}`),
    });
  }
  const run: LocalCouchRun = { runDir, install, cookie: `huddle-test-${tag}`, nodes };
  for (const node of nodes) writeNodeConfig(run, node);
  fs.writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(run, null, 2));
  for (const node of nodes) spawnNode(run, node);
  return run;
}

export function readRun(runDir: string): LocalCouchRun {
  return JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as LocalCouchRun;
}

function writeNodeConfig(run: LocalCouchRun, node: LocalCouchNode): void {
  const count = run.nodes.length;
  fs.mkdirSync(path.join(node.dir, 'data'), { recursive: true });
  const vmArgs = fs
    .readFileSync(path.join(run.install, 'etc', 'vm.args'), 'utf8')
    .split('\n')
    .filter((line) => !/^-(name|setcookie)\s/.test(line));
  vmArgs.push(
    `-name ${node.name}`,
    `-setcookie ${run.cookie}`,
    // No scheduler busy-waiting: these machines are small and shared, and idle nodes wait for
    // the other test projects.
    '+sbwt none',
    '+sbwtdcpu none',
    '+sbwtdio none',
  );
  fs.writeFileSync(path.join(node.dir, 'vm.args'), `${vmArgs.join('\n')}\n`);
  fs.writeFileSync(
    path.join(node.dir, 'local.ini'),
    `[couchdb]
single_node = ${count === 1}
js_engine = quickjs
uuid = ${crypto.randomBytes(16).toString('hex')}
database_dir = ${node.dir}/data
view_index_dir = ${node.dir}/data

[smoosh]
state_dir = ${node.dir}/data

[cluster]
n = ${Math.min(count, 3)}

[chttpd]
bind_address = 127.0.0.1
port = ${node.port}

[chttpd_auth]
secret = ${run.cookie}-auth

[admins]
${LOCAL_COUCH_ADMIN.name} = ${LOCAL_COUCH_ADMIN.password}
`,
  );
}

/** Starts one node's Erlang VM (the pid is the VM itself: bin/couchdb execs it). */
export function spawnNode(run: LocalCouchRun, node: LocalCouchNode): number {
  const log = fs.openSync(path.join(node.dir, 'couchdb.log'), 'a');
  const child = spawn(path.join(run.install, 'bin', 'couchdb'), [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      COUCHDB_ARGS_FILE: path.join(node.dir, 'vm.args'),
      // The last file is the one CouchDB writes to (hashed admin password): the node's own.
      COUCHDB_INI_FILES: `${path.join(run.install, 'etc', 'default.ini')} ${path.join(node.dir, 'local.ini')}`,
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start CouchDB node ${node.index}`);
  fs.appendFileSync(path.join(run.runDir, 'pids'), `${node.index} ${child.pid}\n`);
  return child.pid;
}

/** The live pid of each node (the last one started for it). */
export function nodePids(runDir: string): Map<number, number> {
  const pids = new Map<number, number>();
  const file = path.join(runDir, 'pids');
  if (!fs.existsSync(file)) return pids;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [index, pid] = line.trim().split(/\s+/).map(Number);
    if (index && pid) pids.set(index, pid);
  }
  return pids;
}

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A pid belongs to this run only while its command line names the run directory (pids get reused). */
function isOurs(pid: number, runDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(runDir);
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** One JSON request with basic auth taken from the URL (fetch refuses credentials in URLs). */
export async function couchFetch(
  url: string,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const parsed = new URL(url);
  const auth = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  const res = await fetch(`${parsed.origin}${pathname}`, {
    method,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

/** "Apache CouchDB 3.4.3, 3 nodes" as the first node reports it. */
export async function describeCouch(url: string): Promise<string> {
  const welcome = (await couchFetch(url, 'GET', '/')).body as {
    version?: string;
    vendor?: { name?: string };
  };
  const membership = (await couchFetch(url, 'GET', '/_membership')).body as { cluster_nodes?: string[] };
  const nodes = membership.cluster_nodes?.length ?? 0;
  return `${welcome.vendor?.name === 'The Apache Software Foundation' ? 'Apache ' : ''}CouchDB ${welcome.version ?? '?'}, ${nodes} node${nodes === 1 ? '' : 's'}`;
}

function logTail(node: LocalCouchNode, lines = 15): string {
  try {
    const text = fs.readFileSync(path.join(node.dir, 'couchdb.log'), 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits for one node to answer and to have every node of the cluster as a member. */
export async function waitNodeUp(run: LocalCouchRun, node: LocalCouchNode, timeoutMs = 90_000) {
  const pid = nodePids(run.runDir).get(node.index);
  await waitFor(
    `CouchDB node ${node.index} (port ${node.port}) up`,
    async () => {
      if (pid !== undefined && !isAlive(pid)) {
        throw new Error(`node ${node.index} exited:\n${logTail(node)}`);
      }
      const up = await couchFetch(node.url, 'GET', '/_up');
      if (up.status !== 200) return undefined;
      const membership = (await couchFetch(node.url, 'GET', '/_membership')).body as {
        cluster_nodes?: string[];
      };
      return (membership.cluster_nodes?.length ?? 0) === run.nodes.length ? true : undefined;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${logTail(node)}`);
  });
}

/**
 * Waits until every node answers, joins them into one cluster (as start.sh does: node 1 adds
 * the others, then the system databases are created) and every node is up with all members.
 */
export async function readyLocalCouch(run: LocalCouchRun, timeoutMs = 120_000): Promise<void> {
  const [first] = run.nodes;
  if (!first) throw new Error('no nodes');
  for (const node of run.nodes) {
    await waitFor(
      `CouchDB node ${node.index} answering`,
      async () => ((await couchFetch(node.url, 'GET', '/')).status === 200 ? true : undefined),
      timeoutMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${logTail(node)}`);
    });
  }
  if (run.nodes.length > 1) {
    for (const node of run.nodes.slice(1)) {
      const res = await couchFetch(first.url, 'PUT', `/_node/_local/_nodes/${node.name}`, {});
      if (res.status !== 201 && res.status !== 202 && res.status !== 409) {
        throw new Error(`could not add ${node.name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    await waitFor(
      'cluster membership',
      async () => {
        const m = (await couchFetch(first.url, 'GET', '/_membership')).body as { cluster_nodes?: string[] };
        return m.cluster_nodes?.length === run.nodes.length ? true : undefined;
      },
      timeoutMs,
    );
    for (const db of ['_users', '_replicator']) {
      const res = await couchFetch(first.url, 'PUT', `/${db}`);
      if (![201, 202, 412].includes(res.status)) {
        throw new Error(`could not create ${db}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  }
  for (const node of run.nodes) await waitNodeUp(run, node, timeoutMs);
}

/** SIGKILL, like a machine losing power; answers once the process is gone. */
export async function killNode(run: LocalCouchRun, index: number): Promise<void> {
  const pid = nodePids(run.runDir).get(index);
  if (pid === undefined || !isOurs(pid, run.runDir)) throw new Error(`node ${index} is not running`);
  process.kill(pid, 'SIGKILL');
  await waitFor(`node ${index} gone`, async () => (isAlive(pid) ? undefined : true), 10_000, 50);
}

export function isNodeRunning(run: LocalCouchRun, index: number): boolean {
  const pid = nodePids(run.runDir).get(index);
  return pid !== undefined && isAlive(pid) && isOurs(pid, run.runDir);
}

/** Starts a killed node again on its data (it rejoins the cluster by itself) and waits until it is up. */
export async function restartNode(run: LocalCouchRun, index: number): Promise<void> {
  const node = run.nodes.find((n) => n.index === index);
  if (!node) throw new Error(`no node ${index}`);
  spawnNode(run, node);
  await waitNodeUp(run, node);
}

/** Stops every node of the run (TERM, then KILL after 10 s) and deletes the run directory. */
export async function stopLocalCouch(runDir: string): Promise<void> {
  const pids = [...nodePids(runDir).values()].filter((pid) => isOurs(pid, runDir));
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(runDir, { recursive: true, force: true });
}

/** Synchronous last resort (process 'exit' handlers cannot wait). */
export function killLocalCouchNow(runDir: string): void {
  for (const pid of nodePids(runDir).values()) {
    if (isOurs(pid, runDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

/** Runs left behind by a test process that was killed: stop their nodes and delete their data. */
function reapStaleRuns(): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (!entry.startsWith(RUN_DIR_PREFIX)) continue;
    const runDir = path.join(os.tmpdir(), entry);
    let owner = 0;
    try {
      owner = Number(fs.readFileSync(path.join(runDir, 'owner'), 'utf8'));
    } catch {
      // no owner yet: a run being created right now, unless the directory is old
    }
    const isYoung = Date.now() - fs.statSync(runDir).mtimeMs < 60_000;
    if (owner ? isAlive(owner) : isYoung) continue;
    killLocalCouchNow(runDir);
  }
}
