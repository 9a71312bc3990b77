/** Small React hooks shared by the views. */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ApiError, ApiEvent, Result } from '../app/service/contract.js';
import { api, errorText } from './api.js';
import type { Scheme } from './messages/user-color.js';

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

/** The system's light/dark preference, live. */
export function useColorScheme(): Scheme {
  return useSyncExternalStore(
    (cb) => {
      const q = darkQuery();
      q.addEventListener('change', cb);
      return () => q.removeEventListener('change', cb);
    },
    () => (darkQuery().matches ? 'dark' : 'light'),
  );
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function useApiEvent(listener: (e: ApiEvent) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.onEvent((e) => ref.current(e)), []);
}

export type Loaded<T> =
  | { state: 'loading'; value: T | null; error: null }
  | { state: 'ok'; value: T; error: null }
  | { state: 'error'; value: T | null; error: ApiError };

/**
 * Calls the API when `key` changes and keeps the last value while the next one loads,
 * so views refresh without flashing empty. `reload()` asks again with the same key.
 */
export function useLoad<T>(key: string | null, call: () => Promise<Result<T>>): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ state: 'loading', value: null, error: null });
  const [tick, setTick] = useState(0);
  const callRef = useRef(call);
  callRef.current = call;
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState((s) => ({ state: 'loading', value: s.value, error: null }));
    void callRef.current().then((res) => {
      if (!live) return;
      setState((s) =>
        res.ok ? { state: 'ok', value: res.value, error: null } : { state: 'error', value: s.value, error: res.error },
      );
    });
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/**
 * A panel's calls that answer with its new state: one at a time (`busy`), the answer handed
 * to `onValue`, a failure kept as `error` in plain words.
 */
export function useApiAction<T>(onValue: (v: T) => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<Result<T>>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    const res = await call();
    setBusy(false);
    if (res.ok) onValue(res.value);
    else setError(errorText(res.error));
    return res.ok;
  };
  return { busy, error, setError, run };
}
