import type { KeyUse } from './jwk-import.js'

/** What a key document profile read from one fetched document, before its keys are trusted. */
export interface KeyDocumentReading {
  /** The freshness the document itself asks for, if it says; it wins over `Cache-Control`. */
  readonly freshnessMs: number | undefined
  /** Called once the document's keys are in use: the moment to report what changed. */
  adopted(): void
}

/**
 * How a key source reads a document that is a JWK Set with more to it than RFC 7517: a SPIFFE
 * bundle, whose `use` members name SVID types and whose top level carries a sequence number and
 * a refresh hint. The key source keeps every other rule (single flight, last-known-good,
 * backoff, key policy, events); the profile only reads.
 */
export interface KeyDocumentProfile {
  /** What the keys' `use` members mean. */
  readonly keyUse: KeyUse
  /** The freshness the document in use asked for, if any: a 304 confirms it. */
  readonly freshnessMs: number | undefined
  /**
   * Reads a fetched document before its keys are built; throws a `FetchFailure` for a document
   * that is malformed at the top level, so the last good keys stay in use.
   */
  read(document: unknown): KeyDocumentReading
}
