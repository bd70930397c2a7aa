// Structured JSON for journald when run as a service; readable lines when a person watches a terminal.
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Force pretty (true) or JSON (false); by default pretty only when stdout is a terminal. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.SCHOOLGATE_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  if (!pretty) return pino({ level, base: { service: 'schoolgate' } });
  return pino({
    level,
    base: undefined,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } },
  });
}

/** For tests and for library code used without a daemon. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
