/**
 * globalSetup of the 'couchdb-single' and 'couchdb-cluster' projects (vitest runs it only when
 * the project has tests in the run). With a local kit it launches the node(s) and returns at
 * once: they finish starting in the background while other projects run, and each test file
 * waits for them (couchdb-setup.ts). The teardown stops them and deletes their data, also when
 * tests failed; a process exit without teardown still kills them, and a run whose test process
 * was killed outright is reaped by the next run (couchdb-local.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  describeCouch,
  killLocalCouchNow,
  launchLocalCouch,
  readyLocalCouch,
  stopLocalCouch,
} from './couchdb-local.js';
import { COUCH_PROJECTS, couchTarget, type CouchTopology } from './couchdb-targets.js';

export interface CouchUnderTestInfo {
  project: string;
  topology: CouchTopology;
  kind: 'local' | 'external';
  /** Node URLs with credentials; the first is the one test servers use unless told otherwise. */
  urls: string[];
  /** Local runs: where the node pids, logs and the ready/failed markers are. */
  runDir?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    huddleCouchDb: CouchUnderTestInfo;
  }
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const topology: CouchTopology = project.name === COUCH_PROJECTS.cluster ? 'cluster' : 'single';
  const target = couchTarget(topology, process.env, REPO_ROOT);
  const say = (text: string) => process.stdout.write(`[${project.name}] ${text}\n`);
  if (target.kind === 'skip') {
    say(`skipped: ${target.reason}`);
    return undefined;
  }
  if (target.kind === 'external') {
    const label = await describeCouch(target.urls[0]!);
    say(`against ${label} at ${target.urls.map(withoutPassword).join(', ')} (given in the environment)`);
    project.provide('huddleCouchDb', {
      project: project.name,
      topology,
      kind: 'external',
      urls: target.urls,
    });
    return undefined;
  }

  const started = Date.now();
  const run = await launchLocalCouch(target.kit, target.nodes);
  const onExit = () => killLocalCouchNow(run.runDir);
  process.once('exit', onExit);
  const ready = readyLocalCouch(run).then(
    async () => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const label = await describeCouch(run.nodes[0]!.url);
      fs.writeFileSync(path.join(run.runDir, 'ready'), label);
      say(
        `${label} from ../shared/couchdb, ports ${run.nodes.map((n) => n.port).join(', ')}: up in ${seconds} s`,
      );
    },
    (err: Error) => {
      fs.writeFileSync(path.join(run.runDir, 'failed'), err.message);
      say(`did not start: ${err.message}`);
    },
  );
  project.provide('huddleCouchDb', {
    project: project.name,
    topology,
    kind: 'local',
    urls: run.nodes.map((n) => n.url),
    runDir: run.runDir,
  });
  return async () => {
    await ready;
    await stopLocalCouch(run.runDir);
    process.off('exit', onExit);
    say(`stopped (ran ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  };
}

function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace(/\/$/, '');
}
