/**
 * The login step kept across a reload (pwa/src/data/login-step.ts), over an in-memory
 * sessionStorage (Node has none). The browser test drives it for real; these cover what a
 * browser test cannot reach easily: unreadable, old or missing storage.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearLoginStep, readLoginStep, saveLoginStep } from '../../../pwa/src/data/login-step.js';

const KEY = 'huddle.loginStep';
let store: Map<string, string>;

beforeEach(() => {
  store = new Map();
  const fakeSessionStorage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  };
  Object.defineProperty(globalThis, 'sessionStorage', { value: fakeSessionStorage, configurable: true });
});
afterEach(() => void Reflect.deleteProperty(globalThis, 'sessionStorage'));

describe('the login step kept across a reload', () => {
  it('keeps the address and where the code came from, never a code, until cleared', () => {
    expect(readLoginStep()).toBeUndefined();
    saveLoginStep({ email: 'ann@trust.example', codeSource: 'already-had' });
    expect(readLoginStep()).toEqual({ email: 'ann@trust.example', codeSource: 'already-had' });
    expect(JSON.parse(store.get(KEY)!)).toEqual({
      version: 1,
      email: 'ann@trust.example',
      codeSource: 'already-had',
    });
    clearLoginStep();
    expect(readLoginStep()).toBeUndefined();
  });

  it('reads anything unreadable, or from another version, as no step (the e-mail step)', () => {
    for (const raw of [
      '{',
      'null',
      '"x"',
      '{"version":2,"email":"a@b.c","codeSource":"requested"}',
      '{"version":1}',
    ]) {
      store.set(KEY, raw);
      expect(readLoginStep(), raw).toBeUndefined();
    }
  });

  it('without sessionStorage (private mode, blocked storage) nothing is kept and nothing throws', () => {
    Object.defineProperty(globalThis, 'sessionStorage', {
      get: () => {
        throw new Error('SecurityError');
      },
      configurable: true,
    });
    saveLoginStep({ email: 'ann@trust.example', codeSource: 'requested' });
    expect(readLoginStep()).toBeUndefined();
    clearLoginStep();
  });
});
