/** Observations (SPEC §6): one receiver's record of one line. The unit the merge works on. */
import type { ChatRecord } from './record.js';
import { messageId } from './record.js';
import { encodeWithIdentity } from './encode.js';
import { hourStart } from './layout.js';

export interface Observation {
  /** Canonical JSON of the identity fields: equal keys, same event candidates. */
  key: string;
  /** The identity has exactly the six standard fields (see lineFromIdentity). */
  standard: boolean;
  id: string | null;
  receiver: string;
  received: number;
  /** The receiver's own interval: [start, start + length]. */
  start: number;
  length: number;
}

const STANDARD_KEYS = 10;

/** Splits a validated record into its observations; also returns its canonical line. */
export function observe(r: ChatRecord): { line: string; observations: Observation[] } {
  const { line, identity } = encodeWithIdentity(r);
  const standard = Object.keys(r).length === STANDARD_KEYS;
  const id = messageId(r);
  const observations: Observation[] = [];
  for (const receiver of Object.keys(r.receivers)) {
    const [start, length] = r.receiver_ranges[receiver]!;
    observations.push({ key: identity, standard, id, receiver, received: r.receivers[receiver]!, start, length });
  }
  return { line, observations };
}

export const observationHour = (o: Observation) => hourStart(o.start);
