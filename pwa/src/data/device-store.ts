/**
 * The DeviceStore of shared/src/device.ts over this device's Dexie tables: what every kind of change
 * (shared/src/mutations/) uses to state its effect here. Use it inside a transaction over
 * DEVICE_STORE_TABLES, so that a change, its outbox entry and its effect commit together.
 */
import type { DevicePrefs, DeviceStore } from '../../../shared/src/device.js';
import type { Table } from 'dexie';
import { getMeta, setMeta, type HuddleDb, type MetaValues } from './db.js';

export const deviceStoreTables = (db: HuddleDb) => [
  db.localPosts,
  db.myVotes,
  db.drafts,
  db.ownPosts,
  db.ideas,
  db.comments,
  db.meta,
];

const table = <T>(t: Table<T, string>) => ({
  get: (key: string) => t.get(key),
  put: async (value: T) => {
    await t.put(value);
  },
  delete: (key: string) => t.delete(key),
});

export function deviceStore(db: HuddleDb): DeviceStore {
  return {
    localPosts: table(db.localPosts),
    votes: table(db.myVotes),
    drafts: table(db.drafts),
    ownPosts: table(db.ownPosts),
    ideas: table(db.ideas),
    comments: table(db.comments),
    getPref: <K extends keyof DevicePrefs>(key: K) => getMeta(db, key),
    setPref: <K extends keyof DevicePrefs>(key: K, value: DevicePrefs[K]) =>
      setMeta(db, key, value as MetaValues[K]),
    now: () => new Date().toISOString(),
  };
}
