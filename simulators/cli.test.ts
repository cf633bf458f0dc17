import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli.ts';

describe('simulator command line', () => {
  it('runs in real time against the local broker by default', () => {
    expect(parseCliArgs([])).toMatchObject({
      broker: 'mqtt://127.0.0.1:1883',
      rate: { kind: 'multiplier', value: 1 },
      seed: 42,
      backfillDays: 0,
      help: false,
    });
  });

  it('reads a time multiplier (10x) or a load in messages per second (5000)', () => {
    expect(parseCliArgs(['--rate', '10x']).rate).toEqual({ kind: 'multiplier', value: 10 });
    expect(parseCliArgs(['--rate', '5000']).rate).toEqual({ kind: 'msgsPerSecond', value: 5000 });
    expect(parseCliArgs(['--seed', '7', '--duration', '30', '--backfill-days', '2'])).toMatchObject({
      seed: 7,
      durationS: 30,
      backfillDays: 2,
    });
  });

  it('reads the device to publish as', () => {
    expect(parseCliArgs(['--username', 'sim', '--password', 'p'])).toMatchObject({
      username: 'sim',
      password: 'p',
    });
    expect(() => parseCliArgs(['--password', 'p'])).toThrow(/--username/);
  });

  it('refuses bad values and unknown options with a readable message', () => {
    expect(() => parseCliArgs(['--rate', 'fast'])).toThrow(/--rate must be a number/);
    expect(() => parseCliArgs(['--duration', '-1'])).toThrow(/--duration/);
    expect(() => parseCliArgs(['--brokr', 'x'])).toThrow(/brokr/);
  });
});
