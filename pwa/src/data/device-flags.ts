/**
 * Tiny per-device flags in localStorage that hold no personal data and must outlive a
 * logout (which deletes the Huddle database): "persistent storage already requested",
 * "someone contributed from this device", "install offer dismissed at". Storage may be
 * unavailable (private mode, tests): then every flag reads as unset.
 */
export const DEVICE_FLAGS = {
  persistRequested: 'huddle.persistRequested',
  hasContributed: 'huddle.hasContributed',
  installDismissedAt: 'huddle.installDismissedAt',
} as const;
export type DeviceFlag = keyof typeof DEVICE_FLAGS;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export function readFlag(flag: DeviceFlag): string | null {
  try {
    return storage()?.getItem(DEVICE_FLAGS[flag]) ?? null;
  } catch {
    return null;
  }
}

export function writeFlag(flag: DeviceFlag, value: string): void {
  try {
    storage()?.setItem(DEVICE_FLAGS[flag], value);
  } catch {
    // A full or disabled localStorage only means we may ask again later.
  }
}
