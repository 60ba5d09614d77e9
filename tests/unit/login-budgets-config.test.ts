/**
 * The per-process login budgets are set by LOGIN_NETWORK_PER_MINUTE and LOGIN_SERVICE_PER_MINUTE
 * (config.ts), so an operator running N instances can divide them by N: the defaults stay as they
 * were, what is given is used by the budgets, and anything that is not a whole number of at least 1
 * stops the server with the setting's name.
 */
import { describe, expect, it } from 'vitest';
import {
  createLoginBudgets,
  DEFAULT_NETWORK_PER_MINUTE,
  DEFAULT_SERVICE_PER_MINUTE,
} from '../../sync-server/src/auth/login-budgets.js';
import { loadConfig } from '../../sync-server/src/config.js';

const now = () => new Date('2026-12-07T09:00:00Z');

describe('login budget settings', () => {
  it('default to 1,200 a minute per network and 3,000 service-wide', () => {
    expect([DEFAULT_NETWORK_PER_MINUTE, DEFAULT_SERVICE_PER_MINUTE]).toEqual([1_200, 3_000]);
    expect(loadConfig({}).loginBudgets).toEqual({ networkPerMinute: 1_200, servicePerMinute: 3_000 });
  });

  it('are read from the environment and sized into the budgets (links that do not work: half the network one)', () => {
    const config = loadConfig({ LOGIN_NETWORK_PER_MINUTE: '400', LOGIN_SERVICE_PER_MINUTE: '1000' });
    expect(config.loginBudgets).toEqual({ networkPerMinute: 400, servicePerMinute: 1_000 });
    const budgets = createLoginBudgets({ now, config });
    expect(budgets.perIpCodeRequests.capacity).toBe(400);
    expect(budgets.perIpVerifies.capacity).toBe(400);
    expect(budgets.perIpBadLinks.capacity).toBe(200);
    expect(budgets.serviceCodeRequests.capacity).toBe(1_000);
    expect(budgets.serviceVerifies.capacity).toBe(1_000);
    expect(
      createLoginBudgets({ now, config: loadConfig({ LOGIN_NETWORK_PER_MINUTE: '1' }) }).perIpBadLinks
        .capacity,
    ).toBe(1);
  });

  it('refuse what is not a whole number of tries a minute, naming the setting', () => {
    for (const [name, value] of [
      ['LOGIN_NETWORK_PER_MINUTE', '0'],
      ['LOGIN_NETWORK_PER_MINUTE', '-5'],
      ['LOGIN_SERVICE_PER_MINUTE', '2.5'],
      ['LOGIN_SERVICE_PER_MINUTE', 'lots'],
      ['LOGIN_SERVICE_PER_MINUTE', ''],
    ] as const)
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(
        new RegExp(`${name}: ${name} must`),
      );
  });
});
