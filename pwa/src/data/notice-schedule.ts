/**
 * Keeps the daily notice's time and the server's edit release (GET /api/notices/schedule) in the `meta`
 * table under 'noticeSchedule', so the Notices screen can say exactly when the e-mail goes, and the edit
 * and withdraw screens when others see a change, offline too. Asked at every sign-in and
 * start with a session (it is one small answer); a failure keeps what the device had.
 */
import { ApiError, NetworkError, type ApiClient } from './api-client.js';
import { setMeta, type HuddleDb } from './db.js';

export async function refreshNoticeSchedule(db: HuddleDb, api: ApiClient): Promise<boolean> {
  try {
    const { time, timeZone, editRelease } = await api.noticeSchedule();
    await setMeta(db, 'noticeSchedule', { time, timeZone, editRelease });
    return true;
  } catch (err) {
    if (err instanceof NetworkError || err instanceof ApiError) return false;
    throw err;
  }
}

/** "Europe/London" -> "London time": the plain name of a zone, for a sentence. */
export function zoneName(timeZone: string): string {
  const city = timeZone.split('/').pop() ?? timeZone;
  return `${city.replace(/_/g, ' ')} time`;
}
