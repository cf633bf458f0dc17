import pino from 'pino';

export type Logger = pino.Logger;

/** The process logger: JSON lines (pino); `pretty` prints short human lines for a terminal. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
