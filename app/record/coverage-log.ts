/**
 * The recorder's own coverage records (README "Coverage records"): one channel's open
 * connections in one small file that each write replaces (written first, the previous one
 * removed after), and every ended connection's final record in a file of its own that
 * stays until a merge folds it in. Writes run one after another.
 */
import type { ConnectedSpan } from '../archive/coverage.js';
import { replaceSpans, writeSpans } from '../archive/coverage-files.js';

export class CoverageLog {
  #previous: string[] = [];
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly segments: string,
    private readonly channel: string,
    private readonly onError: (message: string) => void,
  ) {}

  /** Writes the open connections' records in place of the last such write. */
  live(open: ConnectedSpan[]): Promise<void> {
    return this.#run(async () => {
      this.#previous = await replaceSpans(this.segments, this.channel, open, this.#previous);
    });
  }

  /** A connection ended: its final record is written to stay, then the open ones are rewritten without it. */
  ended(final: ConnectedSpan, open: ConnectedSpan[]): Promise<void> {
    return this.#run(async () => {
      await writeSpans(this.segments, this.channel, [final]);
      this.#previous = await replaceSpans(this.segments, this.channel, open, this.#previous);
    });
  }

  #run(job: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(job).catch((e: unknown) => {
      // The previous file stays; the next write tries again.
      this.onError(`cannot write coverage records: ${(e as Error).message}`);
    });
    this.#chain = next;
    return next;
  }
}
