/**
 * Reconstructions (README "Merge laws for reconstructions"): what the merge needs to fold a
 * line rebuilt by another tool into the verbatim line of the same message. Pure.
 *
 * An *estimated* line (Chatterino: no id, a time to the second) carries only a chat view: the
 * channel, the sender's login, the text as Chatterino shows it and the display name where
 * Chatterino logs it. Its identity is a function of that view alone (`estimateIdentity`), and
 * the view of a verbatim PRIVMSG is computed the way Chatterino computes what it logs
 * (`chatView`). So an estimate folded into a verbatim record, read back with that record's
 * fields, turns back into exactly the identity it had (`canonicalEstimateKey`): the merge
 * stays a pure function of the set of observations however often it runs.
 */
import { receiverFidelity } from '../rules.js';
import type { IrcFields, Tags } from './record.js';
import { canonicalJson, fromByteString, toByteString } from './encode.js';

/** 2 verbatim, 1 rebuilt with its id, 0 estimated: the higher one's fields and time win. */
export type Level = 0 | 1 | 2;
export const levelOf = (receiver: string): Level => {
  const f = receiverFidelity(receiver);
  return f === 'verbatim' ? 2 : f === 'rebuilt' ? 1 : 0;
};

export interface ChatView {
  /** `#channel`, as in the PRIVMSG's first param. */
  channel: string;
  login: string;
  text: string;
  /** Chatterino's "localized name": a display name that is not just the login in other case. */
  localized: string | null;
}

const ACTION = /^\u0001ACTION (.*)\u0001$/s;

const str = (tags: Tags | null, k: string): string | null => {
  const v = tags?.[k];
  return typeof v === 'string' ? v : null;
};

/**
 * What Chatterino logs of a PRIVMSG with default settings (LoggingChannel::addMessage):
 * `/me` text without its ACTION wrapper, and for a reply, the leading `@<parent display
 * name> ` replaced by `@<parent login> `. null for anything else.
 */
export function chatView(f: IrcFields): ChatView | null {
  if (f.command !== 'PRIVMSG' || f.params.length !== 2 || !f.sender || !f.params[0]!.startsWith('#')) return null;
  const login = f.sender;
  let text = f.params[1]!;
  const action = ACTION.exec(text);
  if (action) text = action[1]!;
  const parentLogin = str(f.tags, 'reply-parent-user-login');
  if (parentLogin !== null) {
    const parentName = str(f.tags, 'reply-parent-display-name') ?? '';
    // stripLeadingReplyMention, then the log puts "@<parent login>" back after the colon.
    if (parentName !== '' && text.length > parentName.length + 1 && text.startsWith(`@${parentName} `))
      text = text.slice(parentName.length + 2);
    text = `@${parentLogin} ${text}`;
  }
  const name = (str(f.tags, 'display-name') ?? '').trim();
  const localized = name !== '' && name.toLowerCase() !== login.toLowerCase() ? name : null;
  return { channel: f.params[0]!, login, text, localized };
}

/** The identity an estimated line is stored with: a function of its view alone. */
export function estimateIdentity(v: ChatView): IrcFields {
  return {
    command: 'PRIVMSG',
    params: [v.channel, v.text],
    sender: v.login,
    user: v.login,
    host: `${v.login}.tmi.twitch.tv`,
    tags: v.localized === null ? null : { 'display-name': v.localized },
  };
}

/** Canonical identity JSON (a byte string, as observations hold it) of a view's estimate. */
export const estimateKey = (v: ChatView) => toByteString(canonicalJson(estimateIdentity(v)));

/** The view of an identity held as canonical JSON in a byte string; null when it is no chat message. */
export function viewOfKey(key: string): ChatView | null {
  if (!key.startsWith('{"command":"PRIVMSG",')) return null;
  const f = JSON.parse(fromByteString(key)) as IrcFields;
  return Array.isArray(f.params) && f.params.every((p) => typeof p === 'string') ? chatView(f) : null;
}

/**
 * The identity key an estimated observation stands for, whatever record it was read from:
 * the fixed point of key → estimateKey(view(key)) (reached at once for anything a reader
 * writes; a hand-made text wrapped in several ACTIONs takes a step per wrapper). null when
 * its identity is no chat message: it then keeps its own.
 */
export function canonicalEstimateKey(key: string): string | null {
  for (let k = key; ;) {
    const v = viewOfKey(k);
    if (v === null) return k === key ? null : k;
    const next = estimateKey(v);
    if (next === k) return k;
    k = next;
  }
}
