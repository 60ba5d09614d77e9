/**
 * Problems with the device itself (not the network), shown to the person instead of being
 * swallowed: the browser refused to store more (quota full), another tab opened a newer
 * Huddle (this tab must reload), or an old tab blocks this one's upgrade. In-memory only:
 * each is re-detected when it happens again.
 */
import { useSyncExternalStore } from 'react';

export const DATABASE_STATES = [
  'ok',
  'updated-in-another-tab',
  'cleared-in-another-tab',
  'blocked-by-another-tab',
] as const;
export type DatabaseState = (typeof DATABASE_STATES)[number];

export const STORAGE_STATES = ['ok', 'full'] as const;
export type StorageState = (typeof STORAGE_STATES)[number];

export interface DeviceState {
  database: DatabaseState;
  storage: StorageState;
}

let state: DeviceState = { database: 'ok', storage: 'ok' };
const listeners = new Set<() => void>();

export function getDeviceState(): DeviceState {
  return state;
}

export function subscribeDeviceState(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportDevice(patch: Partial<DeviceState>): void {
  const next = { ...state, ...patch };
  if (next.database === state.database && next.storage === state.storage) return;
  state = next;
  for (const l of listeners) l();
}

export function useDeviceState(): DeviceState {
  return useSyncExternalStore(subscribeDeviceState, getDeviceState, getDeviceState);
}
