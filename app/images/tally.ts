/** Counts of a fetch run, and every image that is not there named with its reason. */
import type { DownloadOutcome } from './download.js';

export interface ImageProblem {
  /** `twitch`, `7tv`, `bttv`, `ffz`, `badges`, `media`. */
  source: string;
  /** The emote, badge image or URL it is about. */
  id: string;
  file: string;
  reason: string;
  /** Remembered from an earlier run rather than asked again. */
  known?: boolean;
}

export class Tally {
  stored = 0;
  present = 0;
  readonly missing: ImageProblem[] = [];
  readonly failed: ImageProblem[] = [];

  add(source: string, id: string, file: string, o: DownloadOutcome): void {
    if (o.status === 'stored') this.stored++;
    else if (o.status === 'present') this.present++;
    else if (o.status === 'missing') this.missing.push({ source, id, file, reason: o.reason, known: o.known });
    else this.failed.push({ source, id, file, reason: o.reason });
  }

  addAll(other: Tally): void {
    this.stored += other.stored;
    this.present += other.present;
    this.missing.push(...other.missing);
    this.failed.push(...other.failed);
  }
}
