import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { inspect } from 'node:util'
import { EVENT_CHANNELS, type KeywardEvent } from '../../../src/index.js'

/**
 * Everything the attack suite lets out of keyward (events, `diagnostics_channel` messages, log
 * lines, HTTP answers) and every secret it sent in (tokens, signature segments, HMAC secrets,
 * private key material). The log audit checks that no secret ever shows up in any record.
 */
const records: string[] = []
const secrets = new Set<string>()

// A signature segment shorter than this could appear by chance in a kid or a base64 blob.
const MIN_SECRET_CHARS = 16

/** Remembers a value that must never appear in an event, a log line or an answer. */
export function registerSecret(value: string | Buffer): void {
  const text = typeof value === 'string' ? value : value.toString('base64url')
  if (text.length >= MIN_SECRET_CHARS) secrets.add(text)
}

/** Registers a token sent to a server: the whole token and its signature segment. */
export function registerToken(token: string): void {
  registerSecret(token)
  const signature = token.slice(token.lastIndexOf('.') + 1)
  if (signature !== token) registerSecret(signature)
}

export function record(kind: string, value: unknown): void {
  records.push(`${kind} ${typeof value === 'string' ? value : safeJson(value)}`)
}

/** Records an event the way a log shipper would: JSON and `util.inspect`. */
export function recordEvent(source: string, event: KeywardEvent): void {
  record(source, event)
  records.push(`${source} ${inspect(event, { depth: 8 })}`)
}

/** A logger as an app would attach one: it prints the error with its whole cause chain. */
export const logger = {
  warn(fields: Record<string, unknown>): void {
    record('log', fields)
  },
  error(error: unknown): void {
    records.push(`log ${inspect(error, { depth: 8, showHidden: false })}`)
    record('log', serialiseError(error))
  },
}

/** pino's `err` serialiser, cause chain included. */
export function serialiseError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 8) return error
  return {
    ...Object.fromEntries(Object.entries(error)),
    name: error.name,
    message: error.message,
    stack: error.stack,
    cause: serialiseError(error.cause, depth + 1),
  }
}

function safeJson(value: unknown): string {
  try {
    // JSON.stringify returns undefined for undefined and functions, whatever its type says.
    const text = JSON.stringify(value) as string | undefined
    return text ?? String(value)
  } catch {
    return inspect(value, { depth: 8 })
  }
}

const channelListener = (message: unknown): void => {
  recordEvent('diagnostics_channel', message as KeywardEvent)
}

/** Subscribes to every `keyward:*` diagnostics channel. */
export function startChannelAudit(): void {
  for (const name of Object.values(EVENT_CHANNELS)) subscribe(name, channelListener)
}

export function stopChannelAudit(): void {
  for (const name of Object.values(EVENT_CHANNELS)) unsubscribe(name, channelListener)
}

export interface Leak {
  readonly secret: string
  readonly record: string
}

/** Every (secret, record) pair where the record contains the secret. */
export function findLeaks(
  inRecords: readonly string[] = records,
  of: Iterable<string> = secrets,
): Leak[] {
  const leaks: Leak[] = []
  for (const secret of of) {
    for (const entry of inRecords) {
      if (entry.includes(secret))
        leaks.push({ secret: secret.slice(0, 40), record: entry.slice(0, 200) })
    }
  }
  return leaks
}

export function auditState(): {
  readonly records: readonly string[]
  readonly secrets: ReadonlySet<string>
} {
  return { records, secrets }
}
