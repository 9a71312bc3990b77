/**
 * A merge in its own process, for the crash test: says "ready" once loaded, so the test
 * can kill it at a moment within the merge itself rather than during start-up.
 */
import { mergeAll } from '../../app/archive/merge.js';

const segments = process.argv[2];
if (!segments) throw new Error('usage: merge-child.ts SEGMENTS');
process.stdout.write('ready\n');
const s = await mergeAll(segments);
process.stdout.write(`done ${JSON.stringify({ written: s.filesWritten, removed: s.filesRemoved })}\n`);
