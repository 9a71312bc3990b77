/** How a record reads in a row: who, badges, and the text for each kind of command. */
import type { ChatRecord } from '../../app/service/contract.js';
import { duration } from '../format.js';

const tag = (r: ChatRecord, k: string): string | undefined => {
  const v = r.tags?.[k];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export const login = (r: ChatRecord): string | null => r.user ?? tag(r, 'login') ?? null;

/** The name to show: the display name when it only differs in case, else `Display (login)`. */
export function senderName(r: ChatRecord): string {
  const display = tag(r, 'display-name');
  const who = login(r) ?? r.sender ?? '';
  if (!display) return who;
  return display.toLowerCase() === who.toLowerCase() || !who ? display : `${display} (${who})`;
}

const BADGE_WORDS: Record<string, string> = {
  broadcaster: 'streamer',
  moderator: 'mod',
  vip: 'VIP',
  staff: 'staff',
  admin: 'admin',
  global_mod: 'global mod',
  partner: 'verified',
  subscriber: 'sub',
  founder: 'founder',
  premium: 'prime',
  turbo: 'turbo',
  bits: 'bits',
};

/** `badges=subscriber/36,no_audio/1` (+ `badge-info=subscriber/38`) → `sub 38 mo`, `no audio`. */
export function badges(r: ChatRecord): string[] {
  return badgeList(r).map((b) => b.label);
}

/** Each badge with its `set/version` key (for its image, when badges are stored) and its words. */
export function badgeList(r: ChatRecord): Array<{ key: string; label: string }> {
  const list = tag(r, 'badges');
  if (!list) return [];
  const info = new Map<string, string>();
  for (const b of (tag(r, 'badge-info') ?? '').split(',')) {
    const [name, value] = b.split('/');
    if (name && value) info.set(name, value);
  }
  return list.split(',').flatMap((b) => {
    const [name, version = ''] = b.split('/');
    if (!name) return [];
    const word = BADGE_WORDS[name] ?? name.replace(/[-_]/g, ' ');
    const key = `${name}/${version}`;
    if (name === 'subscriber' || name === 'founder') {
      const months = info.get(name);
      return [{ key, label: months ? `${word} ${months} mo` : word }];
    }
    return [{ key, label: version && version !== '1' && version !== '0' ? `${word} ${version}` : word }];
  });
}

/** `\x01ACTION waves\x01` is a `/me` line. */
export function actionText(text: string): string | null {
  const m = /^\x01ACTION (.*?)\x01?$/s.exec(text);
  return m ? (m[1] ?? '') : null;
}

const trailing = (r: ChatRecord) => (r.params.length > 1 ? (r.params[r.params.length - 1] ?? '') : '');

/** The text column: the message, or a sentence for events that carry no text of their own. */
export function recordText(r: ChatRecord): string {
  switch (r.command) {
    case 'PRIVMSG': {
      const t = trailing(r);
      return actionText(t) ?? t;
    }
    case 'CLEARCHAT': {
      const target = r.params[1];
      const secs = tag(r, 'ban-duration');
      if (!target) return 'chat cleared by a moderator';
      return secs ? `${target} timed out for ${duration(Number(secs))}` : `${target} banned`;
    }
    case 'CLEARMSG':
      return `message by ${tag(r, 'login') ?? 'someone'} deleted: ${trailing(r)}`;
    case 'USERNOTICE': {
      const sys = tag(r, 'system-msg');
      const t = trailing(r);
      return [sys, t].filter(Boolean).join(' — ');
    }
    case 'ROOMSTATE':
      return Object.entries(r.tags ?? {})
        .filter(([k]) => ['emote-only', 'followers-only', 'r9k', 'slow', 'subs-only'].includes(k))
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    case 'JOIN':
      return 'joined';
    case 'PART':
      return 'left';
    default:
      return r.params.slice(1).join(' ');
  }
}

export const isModeration = (command: string) => command === 'CLEARCHAT' || command === 'CLEARMSG';

const NOTICE_WORDS: Record<string, string> = {
  sub: 'sub',
  resub: 'resub',
  subgift: 'gift sub',
  submysterygift: 'gift subs',
  anonsubgift: 'gift sub',
  giftpaidupgrade: 'sub upgrade',
  primepaidupgrade: 'sub upgrade',
  raid: 'raid',
  unraid: 'raid cancelled',
  announcement: 'announcement',
  bitsbadgetier: 'bits badge',
  ritual: 'ritual',
  viewermilestone: 'milestone',
};

/** The kind of a record in plain words instead of the IRC command (PRIVMSG → message, CLEARCHAT → timeout or ban). */
export function commandWord(r: ChatRecord): string {
  switch (r.command) {
    case 'PRIVMSG':
      return 'message';
    case 'CLEARCHAT':
      return !r.params[1] ? 'chat cleared' : tag(r, 'ban-duration') ? 'timeout' : 'ban';
    case 'CLEARMSG':
      return 'deleted';
    case 'USERNOTICE':
      return NOTICE_WORDS[tag(r, 'msg-id') ?? ''] ?? 'event';
    case 'JOIN':
      return 'joined';
    case 'PART':
      return 'left';
    case 'NOTICE':
      return 'notice';
    case 'ROOMSTATE':
      return 'room mode';
    case 'USERSTATE':
      return 'own state';
    case 'HOSTTARGET':
      return 'host';
    default:
      return r.command.toLowerCase();
  }
}
