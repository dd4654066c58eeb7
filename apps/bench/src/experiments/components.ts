import { isAscii } from 'node:buffer'
import { verify as cryptoVerify } from 'node:crypto'
import { BENCH_ALGORITHMS, createFixture } from '../fixtures.js'
import { nodeVerifyParams } from '../micro/contenders.js'
import { median } from '../stats.js'

/**
 * Cost of each stage of core's verification path and of its proposed replacement, in ns per
 * operation of CPU time. The two sides of a pair run in alternating batches (many short batches, median),
 * so load from other processes hits both alike. Usage: components.ts [batches] [batchMs]
 */
const batches = Number(process.argv[2] ?? '30')
const batchMs = Number(process.argv[3] ?? '15')

let sink: unknown
const fixture = await createFixture('RS256', 512)
const tokens = fixture.distinct
const parts = tokens.map((token) => token.split('.') as [string, string, string])

/** CPU nanoseconds per call: CPU time, unlike wall time, hardly moves with other load. */
function nsPerOp(body: (i: number) => unknown): number {
  const start = performance.now()
  const cpu = process.cpuUsage()
  let ops = 0
  while (performance.now() - start < batchMs) {
    for (let i = 0; i < 64; i++) sink = body(ops++)
  }
  const used = process.cpuUsage(cpu)
  return ((used.user + used.system) * 1000) / ops
}

function compare(name: string, sides: Record<string, (i: number) => unknown>): void {
  const samples = new Map<string, number[]>(Object.keys(sides).map((side) => [side, []]))
  for (const body of Object.values(sides)) nsPerOp(body) // warm-up
  for (let batch = 0; batch < batches; batch++) {
    for (const [side, body] of Object.entries(sides)) samples.get(side)?.push(nsPerOp(body))
  }
  const cells = [...samples.entries()].map(
    ([side, values]) => `${side} ${median(values).toFixed(0)} ns`,
  )
  process.stdout.write(`| ${name} | ${cells.join(' | ')} |\n`)
}

const BASE64URL = /^[A-Za-z0-9_-]*$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUE = new Uint8Array(128)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i
const payload = (i: number): string => parts[i % parts.length]?.[1] ?? ''
const header = (i: number): string => parts[i % parts.length]?.[0] ?? ''
const payloadBytes = parts.map(([, p]) => Buffer.from(p, 'base64url'))
const bytes = (i: number): Buffer => payloadBytes[i % payloadBytes.length] ?? Buffer.alloc(0)
const texts = payloadBytes.map((b) => b.toString('utf8'))
const text = (i: number): string => texts[i % texts.length] ?? '{}'
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

process.stdout.write(`payload ${payload(0).length} chars, header ${header(0).length} chars\n\n`)
process.stdout.write('| Stage | today | proposed / alternatives |\n| --- | --- | --- |\n')

compare('base64url payload: canonical check', {
  're-encode': (i) => {
    const s = payload(i)
    if (!BASE64URL.test(s)) return undefined
    const b = Buffer.from(s, 'base64url')
    return b.toString('base64url') === s ? b : undefined
  },
  'last-char pad bits': (i) => {
    const s = payload(i)
    if (!BASE64URL.test(s)) return undefined
    const b = Buffer.from(s, 'base64url')
    const rest = s.length % 4
    const last = VALUE[s.charCodeAt(s.length - 1)] ?? 0
    return rest !== 0 && (last & (rest === 2 ? 0x0f : 0x03)) !== 0 ? undefined : b
  },
})
compare('UTF-8 text of the payload', {
  'TextDecoder fatal': (i) => decoder.decode(bytes(i)),
  'isAscii + latin1': (i) => {
    const b = bytes(i)
    return isAscii(b) ? b.toString('latin1') : decoder.decode(b)
  },
})
compare('JSON.parse of the payload, then read 8 claims', {
  'setPrototypeOf(null)': (i) => {
    const v = JSON.parse(text(i)) as Record<string, unknown>
    Object.setPrototypeOf(v, null)
    return [v.iss, v.aud, v.exp, v.nbf, v.iat, v.sub, v.scope, v.client_id]
  },
  'keep prototype': (i) => {
    const v = JSON.parse(text(i)) as Record<string, unknown>
    return [v.iss, v.aud, v.exp, v.nbf, v.iat, v.sub, v.scope, v.client_id]
  },
  'assign into Object.create(null)': (i) => {
    const v = Object.assign(Object.create(null) as object, JSON.parse(text(i))) as Record<
      string,
      unknown
    >
    return [v.iss, v.aud, v.exp, v.nbf, v.iat, v.sub, v.scope, v.client_id]
  },
})
const headerCache = new Map<string, object>()
compare('header: decode + parse + check', {
  'every time': (i) => {
    const v = JSON.parse(decoder.decode(Buffer.from(header(i), 'base64url'))) as Record<
      string,
      unknown
    >
    Object.setPrototypeOf(v, null)
    return typeof v.alg === 'string' && typeof v.kid === 'string' ? v : undefined
  },
  'Map by segment': (i) => {
    const segment = header(i)
    let v = headerCache.get(segment)
    if (v === undefined) {
      v = JSON.parse(decoder.decode(Buffer.from(segment, 'base64url'))) as object
      headerCache.set(segment, v)
    }
    return v
  },
})
const parsed = texts.map((t) => {
  const v = JSON.parse(t) as Record<string, unknown>
  Object.setPrototypeOf(v, null)
  return v
})
compare('result object', {
  'frozen (4 freezes)': (i) => {
    const claims = { ...parsed[i % parsed.length] }
    return Object.freeze({
      claims: Object.freeze(claims),
      header: Object.freeze({ alg: 'RS256' }),
      audience: Object.freeze([claims.aud]),
      scopes: Object.freeze(['read']),
    })
  },
  'not frozen': (i) => {
    const claims = { ...parsed[i % parsed.length] }
    return { claims, header: { alg: 'RS256' }, audience: [claims.aud], scopes: ['read'] }
  },
})
const policies = new WeakMap<object, object>()
const POLICY = Symbol('policy')
const policy = {}
compare('scope policy binding (new object each time)', {
  'WeakMap.set': () => {
    const auth = Object.freeze({ token: '' })
    policies.set(auth, policy)
    return auth
  },
  'symbol property before freeze': () => {
    const auth = { token: '' }
    Object.defineProperty(auth, POLICY, { value: policy })
    return Object.freeze(auth)
  },
})
// eslint-disable-next-line @typescript-eslint/require-await -- the shape being measured
const innerAsync = async (v: number): Promise<number> => v
compare('promise shape around a synchronous body', {
  'async awaiting async': async (i) => {
    const v = await innerAsync(i)
    return v
  },
  'Promise.resolve': (i) => Promise.resolve(i),
})
process.stdout.write('\n| Floor (crypto.verify only) | ns per op |\n| --- | --- |\n')
for (const alg of BENCH_ALGORITHMS) {
  const algFixture = alg === 'RS256' ? fixture : await createFixture(alg, 64)
  const { hash, key } = nodeVerifyParams(alg, algFixture.publicKey)
  const split = algFixture.distinct.map((token) => {
    const dot = token.lastIndexOf('.')
    return [token.slice(0, dot), token.slice(dot + 1)] as const
  })
  const median1 = median(
    Array.from({ length: 5 }, () =>
      nsPerOp((i) => {
        const [input, signature] = split[i % split.length] ?? ['', '']
        return cryptoVerify(
          hash,
          Buffer.from(input, 'latin1'),
          key,
          Buffer.from(signature, 'base64url'),
        )
      }),
    ),
  )
  process.stdout.write(`| ${alg} | ${median1.toFixed(0)} |\n`)
  if (algFixture !== fixture) await algFixture.server.close()
}
// Read the sink once, so no engine can prove the measured work dead.
if (sink === Symbol.for('keyward.bench.never')) process.stdout.write('\n')
await fixture.server.close()
