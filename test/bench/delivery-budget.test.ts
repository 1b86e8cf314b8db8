// The CPU accounting the benchmark prints under its table (bench/report.ts), on made-up figures.
import { describe, expect, it } from 'vitest';
import { deliveryBudget, type Results, type SizeResult } from '../../bench/report.js';

function resultsWith(figures: {
  messages: number;
  sender: number | null;
  alone: { sender: number; sink: number };
}): Results {
  const size = {
    subscribers: 100_000,
    send: { cpuMsPerMessage: { sender: figures.sender, sink: 0.3 } },
    transportAlone: {
      messages: figures.messages,
      distinct: 60,
      averageMessageBytes: 32_000,
      sustainedPerSecond: 3500,
      cpuMsPerMessage: figures.alone,
    },
  } as unknown as SizeResult;
  return { machine: { cpus: 2 }, sizes: [size] } as unknown as Results;
}

describe('deliveryBudget', () => {
  it('gives what the transport leaves of the CPU per message, and how far the rest is over it', () => {
    const text = deliveryBudget(
      resultsWith({ messages: 73_000, sender: 0.85, alone: { sender: 0.25, sink: 0.25 } }),
    );
    expect(text).toContain('2 cores give 1.00 ms of CPU per message');
    expect(text).toContain('0.25 ms (sender) + 0.25 ms (sink)');
    expect(text).toContain('leaves 0.50 ms per message');
    expect(text).toContain('about 0.60 ms on everything but the transport: 1.2 times that budget');
    expect(text).toContain(
      'the sink used 0.30 ms per message, so sender and sink together used 1.15 ms: 1.15 times the 1.00 ms',
    );
  });

  it('says "within" when the rest fits', () => {
    const text = deliveryBudget(
      resultsWith({ messages: 73_000, sender: 0.6, alone: { sender: 0.25, sink: 0.25 } }),
    );
    expect(text).toContain('about 0.35 ms on everything but the transport: within that budget');
    expect(text).toContain('sender and sink together used 0.90 ms: within the 1.00 ms');
  });

  it('says the target is out of reach when the transport alone takes the whole budget', () => {
    const text = deliveryBudget(
      resultsWith({ messages: 73_000, sender: 0.9, alone: { sender: 0.5, sink: 0.6 } }),
    );
    expect(text).toContain('the whole budget: with these parts the target is out of reach');
  });

  it('prints nothing for a short run or an unknown sender CPU', () => {
    expect(
      deliveryBudget(resultsWith({ messages: 730, sender: 5, alone: { sender: 0.8, sink: 0.6 } })),
    ).toBeNull();
    expect(
      deliveryBudget(
        resultsWith({ messages: 73_000, sender: null, alone: { sender: 0.25, sink: 0.25 } }),
      ),
    ).toBeNull();
  });
});
