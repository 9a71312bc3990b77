/**
 * History gap filling (issue 3 item 6): the recent-messages service's lines, recorded as
 * their own receiver. They merge with live copies by message id.
 */
import { parseIrcLine } from '../archive/irc-parse.js';
import type { Receiver } from './receiver.js';

/** `{channel}` in the URL is replaced; otherwise the channel name is appended as a path segment. */
export function historyUrlFor(base: string, channel: string): string {
  if (base.includes('{channel}')) return base.replaceAll('{channel}', encodeURIComponent(channel));
  return (base.endsWith('/') ? base : base + '/') + encodeURIComponent(channel);
}

export type HistoryResult = { ok: true; lines: string[] } | { ok: false; error: string };

export async function fetchHistory(url: string, signal?: AbortSignal, timeoutMs = 15_000): Promise<HistoryResult> {
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!res.ok) return { ok: false, error: `history service answered ${res.status} ${res.statusText}` };
    const body = (await res.json()) as { messages?: unknown };
    if (!Array.isArray(body.messages) || !body.messages.every((m) => typeof m === 'string'))
      return { ok: false, error: 'history service answer has no "messages" list' };
    return { ok: true, lines: body.messages as string[] };
  } catch (e) {
    return { ok: false, error: `history service unreachable: ${(e as Error).message}` };
  }
}

/** Feeds history lines to a history receiver; a line's receive time is its `rm-received-ts`. */
export function recordHistory(receiver: Receiver, lines: string[], fetchedAt: number): void {
  for (const raw of lines) {
    const ts = parseIrcLine(raw)?.tags?.['rm-received-ts'];
    const recv = typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) / 1000 : fetchedAt;
    receiver.handleLine(raw, recv);
  }
}
