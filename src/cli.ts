#!/usr/bin/env node
// The one edge: parses argv, runs a command, turns errors into one clear line and an exit code.
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { runDigest } from './commands/digest.js';
import { runParse } from './commands/parse.js';
import { runPlan } from './commands/plan.js';
import { registerSubscribersCommand } from './commands/subscribers.js';
import { runTopics } from './commands/topics.js';
import { ExitCode, PaperboyError } from './errors.js';
import { SOURCE_FORMATS, SOURCE_HELP } from './sources/index.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a bug in paperboy (please report it with the stack trace)
  2  bad usage: unknown command, option or argument
  3  a file, URL or the network could not be read
  4  the input is not usable (empty, binary, malformed, no papers)
  5  the configuration is wrong (config file, unknown topic id)
  6  the subscriber file is broken, or could not be locked or written (it is left as it was)
  7  the request conflicts with the list (unknown address, already subscribed, suppressed)`;

const SOURCE_ARGUMENT_HELP = `Sources: ${SOURCE_HELP}.
Formats are detected from the content: the plain-text copy of the HF papers page, HF API JSON
(/api/daily_papers or /api/papers/{id}) or a saved HF papers page (HTML).`;

function sourceOptions(command: Command): Command {
  return command
    .option('--date <YYYY-MM-DD>', 'issue date when the source carries no year or date')
    .addOption(
      new Option('--format <format>', 'input format')
        .choices(['auto', ...SOURCE_FORMATS])
        .default('auto'),
    )
    .option('--config <file>', 'config file (default: $PAPERBOY_CONFIG or ./paperboy.config.json)');
}

export function createProgram(): Command {
  const program = new Command('paperboy')
    .description(
      "Turns each day's trending AI papers (Hugging Face Daily Papers) into a digest per topic.",
    )
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${SOURCE_ARGUMENT_HELP}\n${EXIT_CODES_HELP}`)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`paperboy: ${text.replace(/^error: /, '')}`),
    });

  sourceOptions(
    program
      .command('digest')
      .description(
        "show an issue's papers grouped by topic (the bundled Oct 31, 2025 sample when no source is given)",
      )
      .argument('[source]', 'where to read papers from'),
  )
    .option('--topic <ids>', 'only these topics, comma-separated')
    .addHelpText('after', `\n${SOURCE_ARGUMENT_HELP}`)
    .action((source: string | undefined, flags) => runDigest(source, flags));

  sourceOptions(
    program
      .command('parse')
      .description('parse a source and print its issues as JSON (papers with topics) on stdout')
      .argument('<source>', 'where to read papers from'),
  )
    .addHelpText(
      'after',
      `\n${SOURCE_ARGUMENT_HELP}\nWarnings (skipped cards, with line numbers) go to stderr.`,
    )
    .action((source: string, flags) => runParse(source, flags));

  sourceOptions(
    program
      .command('topics')
      .description('list the topics; given a source, also how many of its papers each has')
      .argument('[source]', 'where to read papers from'),
  )
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', `\n${SOURCE_ARGUMENT_HELP}`)
    .action((source: string | undefined, flags) => runTopics(source, flags));

  sourceOptions(
    program
      .command('plan')
      .description(
        'show who gets which papers for an issue: segments, their papers, and who is skipped and why',
      )
      .argument('<source>', 'where to read papers from'),
  )
    .option(
      '--subscribers <file>',
      'the subscriber file (default: config "subscribers", ./subscribers.json)',
    )
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      `
With several days in the source, the plan is for --date (or the newest day); the other days feed
weekly digests. Papers a segment got within the last plan.historyDays days (config, default 30)
are not planned again; the history is <dataDir>/history.json.

Example:
  paperboy plan examples/hf-papers-2025-10-31.txt --date 2025-10-31 --subscribers subscribers.example.json

${SOURCE_ARGUMENT_HELP}`,
    )
    .action((source: string, flags) => runPlan(source, flags));

  registerSubscribersCommand(program);

  for (const command of program.commands) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
    command.configureOutput(program.configureOutput());
  }
  return program;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof PaperboyError) {
    process.stderr.write(`paperboy: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `paperboy: unexpected error; this is a bug, please report it with what follows\n${(error as Error)?.stack ?? String(error)}\n`,
  );
  return ExitCode.bug;
}

async function main(argv: string[]): Promise<number> {
  // A reader piping into `head` closes stdout early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    throw error;
  });
  try {
    await createProgram().parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    return report(error);
  }
}

process.exitCode = await main(process.argv);
