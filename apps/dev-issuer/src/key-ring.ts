import { generateSigningKey, type SigningKey } from './signing-key.js'

/**
 * `overlap`: publish the new key, sign with it only after `leadMs` (so verifiers have fetched it
 * on their own schedule), retire the old key `retireAfterMs` after the switch (once the tokens it
 * signed have expired). `abrupt`: sign with the new key the moment it is published, so verifiers
 * meet an unknown `kid`; the old key is retired on the same schedule.
 */
export type RotationMode = 'overlap' | 'abrupt'

export interface RotationTiming {
  /** Time between publishing the new key and signing with it (`overlap` only). */
  readonly leadMs: number
  /** Time between signing with the new key and removing the old one from the JWKS. */
  readonly retireAfterMs: number
}

/** What changed in the key ring; `published` and `retired` change the JWKS document. */
export type KeyRingChange =
  | { readonly type: 'published'; readonly kid: string }
  | { readonly type: 'signing'; readonly kid: string; readonly previousKid: string }
  | { readonly type: 'retired'; readonly kids: readonly string[] }

export interface RotationStatus {
  readonly mode: RotationMode
  readonly newKid: string
  readonly oldKid: string
  /** `published`: in the JWKS, not signing yet. `signing`: signing, old key still published. */
  readonly phase: 'published' | 'signing'
  /** Epoch milliseconds of the planned switch and retirement. */
  readonly signAt: number
  readonly retireAt: number
}

export interface KeyRingState {
  readonly keys: readonly { readonly kid: string; readonly signing: boolean }[]
  readonly signingKid: string
  readonly rotation: RotationStatus | undefined
  readonly completedRotations: number
}

/** Thrown by {@link KeyRing.rotate} while another rotation is still going. */
export class RotationInProgressError extends Error {
  constructor() {
    super('a key rotation is already in progress')
    this.name = 'RotationInProgressError'
  }
}

/**
 * The dev issuer's signing keys: which are published in the JWKS and which one signs. Rotations
 * follow the sequence real issuers use (publish, switch, retire) with timers; listeners hear each
 * step so the server can rebuild the provider that serves the new JWKS.
 *
 * @example
 * ```ts
 * const ring = await KeyRing.create()
 * ring.onChange((change) => console.log(change))
 * await ring.rotate('overlap', { leadMs: 5000, retireAfterMs: 60_000 })
 * ```
 */
export class KeyRing {
  #published: SigningKey[]
  #signingKid: string
  #rotation: RotationStatus | undefined
  /** True from the start of `rotate()` (key generation included) until the old key retires. */
  #rotating = false
  #completed = 0
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #listeners = new Set<(change: KeyRingChange) => void>()
  #schedule: NodeJS.Timeout | undefined

  private constructor(first: SigningKey) {
    this.#published = [first]
    this.#signingKid = first.kid
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await generateSigningKey(1))
  }

  /** Published keys, oldest first. */
  get published(): readonly SigningKey[] {
    return this.#published
  }

  get signingKid(): string {
    return this.#signingKid
  }

  onChange(listener: (change: KeyRingChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  state(): KeyRingState {
    return {
      keys: this.#published.map(({ kid }) => ({ kid, signing: kid === this.#signingKid })),
      signingKid: this.#signingKid,
      rotation: this.#rotation,
      completedRotations: this.#completed,
    }
  }

  /**
   * Starts a rotation and resolves once the new key is published (and, in `abrupt` mode,
   * signing). The switch and the retirement follow on timers; watch {@link state} or
   * {@link onChange} for them.
   */
  async rotate(mode: RotationMode, timing: RotationTiming): Promise<RotationStatus> {
    if (this.#rotating) throw new RotationInProgressError()
    // Claimed before the await, so two concurrent calls cannot both rotate.
    this.#rotating = true
    let key: SigningKey
    try {
      key = await generateSigningKey(this.#completed + 2)
    } catch (error) {
      this.#rotating = false
      throw error
    }
    const oldKid = this.#signingKid
    const now = Date.now()
    const leadMs = mode === 'abrupt' ? 0 : timing.leadMs
    const status: RotationStatus = {
      mode,
      newKid: key.kid,
      oldKid,
      phase: 'published',
      signAt: now + leadMs,
      retireAt: now + leadMs + timing.retireAfterMs,
    }
    this.#rotation = status
    this.#published = [...this.#published, key]
    this.#emit({ type: 'published', kid: key.kid })
    const retire = (): void => {
      this.#after(timing.retireAfterMs, () => {
        this.#retireAllBut(key.kid)
      })
    }
    if (leadMs === 0) {
      this.#switchTo(key.kid)
      retire()
    } else {
      this.#after(leadMs, () => {
        this.#switchTo(key.kid)
        retire()
      })
    }
    // In abrupt mode the rotation is already in its signing phase.
    return this.state().rotation ?? status
  }

  /** Rotates every `everyMs` (skipping a beat while one is still going) until {@link close}. */
  scheduleRotations(everyMs: number, mode: RotationMode, timing: RotationTiming): void {
    if (this.#schedule !== undefined) clearInterval(this.#schedule)
    this.#schedule = setInterval(() => {
      if (!this.#rotating) void this.rotate(mode, timing)
    }, everyMs)
    this.#schedule.unref()
  }

  /** Cancels pending rotation steps and the schedule. */
  close(): void {
    if (this.#schedule !== undefined) clearInterval(this.#schedule)
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #switchTo(kid: string): void {
    const previousKid = this.#signingKid
    this.#signingKid = kid
    if (this.#rotation !== undefined) this.#rotation = { ...this.#rotation, phase: 'signing' }
    this.#emit({ type: 'signing', kid, previousKid })
  }

  #retireAllBut(kid: string): void {
    const retired = this.#published.filter((key) => key.kid !== kid).map((key) => key.kid)
    this.#published = this.#published.filter((key) => key.kid === kid)
    this.#rotation = undefined
    this.#rotating = false
    this.#completed += 1
    this.#emit({ type: 'retired', kids: retired })
  }

  #after(ms: number, step: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      step()
    }, ms)
    // A pending rotation step must not keep a test or a closing process alive.
    timer.unref()
    this.#timers.add(timer)
  }

  #emit(change: KeyRingChange): void {
    for (const listener of this.#listeners) listener(change)
  }
}
