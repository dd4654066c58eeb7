import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9), stateless: a nonce is the number of the current
 * time window and an HMAC of it, so every instance holding the same secret issues and accepts
 * the same nonces with no shared state. A nonce is accepted in its window and the next one, so
 * one issued just before a window ends still works for a full window.
 */
export class DpopNonces {
  readonly #secret: Buffer
  readonly #windowMs: number
  readonly #now: () => number
  #cached: { readonly window: number; readonly nonce: string } | undefined

  constructor(options: { secret?: Uint8Array | undefined; windowMs: number; now: () => number }) {
    this.#secret = Buffer.from(options.secret ?? randomBytes(32))
    this.#windowMs = options.windowMs
    this.#now = options.now
  }

  /** The nonce to send now in `DPoP-Nonce`. */
  current(): string {
    const window = Math.floor(this.#now() / this.#windowMs)
    if (this.#cached?.window !== window) this.#cached = { window, nonce: this.#make(window) }
    return this.#cached.nonce
  }

  /** Whether a proof's `nonce` claim is one of ours, of this window or the previous one. */
  accepts(nonce: unknown): boolean {
    if (typeof nonce !== 'string' || nonce.length !== 30) return false
    const bytes = Buffer.from(nonce, 'base64url')
    if (bytes.length !== 22) return false
    const window = bytes.readUIntBE(0, 6)
    const current = Math.floor(this.#now() / this.#windowMs)
    if (window !== current && window !== current - 1) return false
    return timingSafeEqual(bytes.subarray(6), this.#mac(window))
  }

  #make(window: number): string {
    const bytes = Buffer.alloc(22)
    bytes.writeUIntBE(window, 0, 6)
    this.#mac(window).copy(bytes, 6)
    return bytes.toString('base64url')
  }

  #mac(window: number): Buffer {
    const data = Buffer.alloc(6)
    data.writeUIntBE(window, 0, 6)
    return createHmac('sha256', this.#secret).update(data).digest().subarray(0, 16)
  }
}
