import type { LogLevel as TemporalLogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { LogLevel } from './config';

const SEVERITY: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };

// A key names a credential when, ignoring case, "-" and "_", it ends in one of these words: accessToken,
// refresh_token, clientSecret, Authorization, x-api-key, client_assertion, credential... but not tokenMode or
// tokenCount, which only describe one. Values that are bearer tokens (JWTs) are scrubbed whatever their key.
const SECRET_KEY = /(?:token|secret|password|passwd|authorization|apikey|assertion|credentials?|privatekey|cookie)$/;
const isSecretKey = (key: string) => SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** Copies `value` with secret-named fields and embedded JWTs replaced, so no log line can carry a credential. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(JWT, '[redacted-jwt]');
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, isSecretKey(key) ? '[redacted]' : redact(item, depth + 1)]),
  );
}

/**
 * Structured JSON logs, one object per line (contract: LOG_LEVEL, stdout). Implements Temporal's Logger so the
 * SDK's own messages (worker, activity and replay-safe workflow logs) go the same way.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = SEVERITY[level];
  const log = (logLevel: TemporalLogLevel, message: string, meta?: LogMetadata) => {
    const name = logLevel.toLowerCase() as LogLevel;
    if (SEVERITY[name] < threshold) return;
    const fields = meta ? (redact(meta) as Record<string, unknown>) : {};
    write(`${JSON.stringify({ time: new Date().toISOString(), level: name, msg: redact(message), ...fields })}\n`);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
