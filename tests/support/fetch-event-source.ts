/**
 * An EventSource for the PWA's sync engine in node (which has none), over real HTTP with fetch,
 * behaving as the browser's does where the engine depends on it: a 200 text/event-stream opens
 * ('open', then 'batch' for each `event: batch` frame); any other answer fails the connection for
 * good (readyState CLOSED, then 'error'), as the HTML standard says a browser must.
 */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

export interface FetchEventSourceClass {
  new (url: string): FetchEventSourceLike;
  instances: FetchEventSourceLike[];
}

export interface FetchEventSourceLike {
  readonly url: string;
  readyState: number;
  /** The HTTP status the server answered, once it has. */
  status?: number;
  addEventListener(type: string, listener: () => void): void;
  close(): void;
}

/** A class whose instances send `cookie` (the person's session), and remember every instance made. */
export function fetchEventSource(cookie: string): FetchEventSourceClass {
  const instances: FetchEventSourceLike[] = [];
  class FetchEventSource implements FetchEventSourceLike {
    static instances = instances;
    readyState = CONNECTING;
    status?: number;
    private readonly listeners = new Map<string, Array<() => void>>();
    private readonly abort = new AbortController();

    constructor(readonly url: string) {
      instances.push(this);
      void this.connect();
    }

    addEventListener(type: string, listener: () => void): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }

    close(): void {
      this.readyState = CLOSED;
      this.abort.abort();
    }

    private emit(type: string): void {
      for (const l of this.listeners.get(type) ?? []) l();
    }

    private async connect(): Promise<void> {
      try {
        const res = await fetch(this.url, { headers: { cookie }, signal: this.abort.signal });
        this.status = res.status;
        if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
          await res.body?.cancel();
          this.readyState = CLOSED;
          this.emit('error');
          return;
        }
        this.readyState = OPEN;
        this.emit('open');
        const decoder = new TextDecoder();
        let buffered = '';
        for await (const chunk of res.body!) {
          buffered += decoder.decode(chunk as Uint8Array, { stream: true });
          let end;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const frame = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const event = /^event: (.+)$/m.exec(frame)?.[1];
            if (event) this.emit(event);
          }
        }
      } catch {
        // Aborted by close(), or the server went away.
      }
      if (this.readyState !== CLOSED) {
        this.readyState = CLOSED;
        this.emit('error');
      }
    }
  }
  return FetchEventSource;
}
