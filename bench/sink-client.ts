// Starts the benchmark's SMTP sink (smtp-sink.ts) as a separate process and talks to it.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SinkReport } from './smtp-sink.js';

export interface Sink {
  url: string;
  report(): Promise<SinkReport>;
  reset(): Promise<void>;
  stop(): void;
}

function reply<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { kind: string; report?: T; port?: T }) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve((message.report ?? message.port) as T);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`the SMTP sink exited (code ${code}) before answering "${kind}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** `sampleDir`: where the sink keeps a sample of whole messages, one in `sampleEvery`. */
export async function startSink(
  options: { sampleDir?: string; sampleEvery?: number } = {},
): Promise<Sink> {
  const child = fork(fileURLToPath(new URL('./smtp-sink.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      ...(options.sampleDir ? { SINK_SAMPLE_DIR: options.sampleDir } : {}),
      SINK_SAMPLE_EVERY: String(options.sampleEvery ?? 500),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await reply<number>(child, 'ready');
  return {
    url: `smtp://127.0.0.1:${port}`,
    report() {
      child.send({ kind: 'report' });
      return reply<SinkReport>(child, 'report');
    },
    async reset() {
      child.send({ kind: 'reset' });
      await reply(child, 'reset');
    },
    stop() {
      child.kill();
    },
  };
}
