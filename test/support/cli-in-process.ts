/** Runs `chat-archiver` in this process (no child start-up): its exit code and what it wrote. */
import { main } from '../../app/cli/main.js';

export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const write = (key: 'stdout' | 'stderr') => (chunk: string | Uint8Array) => {
    out[key] += String(chunk);
    return true;
  };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write, code: process.exitCode };
  process.stdout.write = write('stdout') as typeof process.stdout.write;
  process.stderr.write = write('stderr') as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await main(['node', 'chat-archiver', ...args]);
    return { code: Number(process.exitCode ?? 0), ...out };
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    process.exitCode = saved.code;
  }
}
