import pino from 'pino';

export type Logger = pino.Logger;

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const COLOURS: Record<number, string> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };

/** One short line a person can read in a terminal: time, level, message, then key=value pairs. */
export function formatLine(o: Record<string, unknown>, colour: boolean): string {
  const { level, time, msg, err, ...rest } = o as {
    level: number;
    time: string;
    msg?: string;
    err?: { message?: string; stack?: string };
  };
  const t = typeof time === 'string' ? time.slice(11, 19) : '';
  const kv = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const c = colour ? (COLOURS[level] ?? '') : '';
  const reset = c ? '\x1b[0m' : '';
  let line = `${t} ${c}${LEVELS[level] ?? level}${reset} ${msg ?? ''}${kv ? `  ${colour ? '\x1b[2m' : ''}${kv}${colour ? '\x1b[0m' : ''}` : ''}`;
  if (err)
    line += `\n    ${level >= 50 && err.stack ? err.stack.replace(/\n/g, '\n    ') : (err.message ?? JSON.stringify(err))}`;
  return `${line}\n`;
}

/**
 * The process logger: JSON lines (pino) for log collectors; short human lines when `pretty`
 * (the default when stdout is a terminal).
 */
export function createLogger(level: string, pretty = Boolean(process.stdout.isTTY)): Logger {
  const opts = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (!pretty) return pino(opts);
  const colour = Boolean(process.stdout.isTTY);
  return pino(opts, {
    write(line: string) {
      try {
        process.stdout.write(formatLine(JSON.parse(line), colour));
      } catch {
        process.stdout.write(line);
      }
    },
  });
}
