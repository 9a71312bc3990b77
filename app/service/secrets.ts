/** Where the OAuth token lives: the desktop keeps it with safeStorage (main/secrets.ts), serve in memory. */
import { writeFileAtomic } from '../archive/atomic.js';

export interface SecretStore {
  get(): Promise<string | null>;
  set(token: string | null): Promise<void>;
  has(): boolean;
}

export function memorySecrets(): SecretStore {
  let token: string | null = null;
  return { get: async () => token, set: async (t) => void (token = t), has: () => token !== null };
}

/** Writes a file only its owner can read, atomically (temporary file created 0600, then renamed). */
export function writePrivateFile(file: string, bytes: Uint8Array): Promise<boolean> {
  return writeFileAtomic(file, bytes, true, 0o600);
}
