#!/usr/bin/env node
/** chat-archiver: the command line. Each command lives in its own module with a `register`. */
import { Command, CommanderError } from 'commander';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_PROBLEMS, EXIT_USAGE, isIoError, UsageError } from './output.js';
import { register as importCommand } from './import.js';
import { register as mergeCommand } from './merge.js';
import { register as recordCommand } from './record.js';
import { register as verifyCommand } from './verify.js';
import { register as serveCommand } from './serve.js';
import { register as gapsCommand } from './gaps.js';
import { register as syncCommand } from './sync.js';
import { register as pullCommand } from './pull.js';
import { register as emotesCommand } from './emotes.js';

export function buildProgram(): Command {
  const program = new Command('chat-archiver')
    .description(
      'Record Twitch chat losslessly and merge archives recorded on many machines into one that loses nothing.',
    )
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  for (const register of [
    importCommand,
    mergeCommand,
    recordCommand,
    verifyCommand,
    serveCommand,
    syncCommand,
    pullCommand,
    gapsCommand,
    emotesCommand,
  ])
    register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
    } else if (e instanceof UsageError) {
      process.stderr.write(`chat-archiver: ${e.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else if (isIoError(e)) {
      process.stderr.write(`chat-archiver: ${(e as Error).message}\n`);
      process.exitCode = EXIT_PROBLEMS;
    } else {
      process.stderr.write(`chat-archiver: ${(e as Error).stack ?? e}\n`);
      process.exitCode = EXIT_PROBLEMS;
    }
  }
}

// Run when started as a script (`node --import tsx app/cli/main.ts`); bin/chat-archiver.js calls main itself.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv);
