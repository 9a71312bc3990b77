/** Where the app keeps its data by default (the user's data folder, per platform). */
import os from 'node:os';
import path from 'node:path';

export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'chat-archiver');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'chat-archiver');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'chat-archiver');
}

export const defaultSegmentsDir = (env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform) =>
  path.join(userDataDir(env, platform), 'segments');
