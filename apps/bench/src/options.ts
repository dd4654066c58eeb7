/** Command-line options of `pnpm bench`. */
export interface BenchOptions {
  /** Short rounds and small pools: validates the harness in about a minute. */
  readonly quick: boolean
  /** Suites to run. */
  readonly suites: ReadonlySet<Suite>
  /** Where the report goes; `null` prints it only. */
  readonly out: string | null
  /** Distinct tokens pushed through keyward in the memory run. */
  readonly memoryTokens: number
}

export type Suite = 'micro' | 'dpop' | 'jwks' | 'http' | 'memory'

const ALL_SUITES: readonly Suite[] = ['micro', 'dpop', 'jwks', 'http', 'memory']

function isSuite(value: string): value is Suite {
  return (ALL_SUITES as readonly string[]).includes(value)
}

/**
 * Parses `--quick`, `--only=micro,dpop,jwks`, `--out=path|-` and `--memory-tokens=N`.
 *
 * @example
 * ```ts
 * parseOptions(['--quick', '--only=micro'])
 * ```
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false
  let suites = new Set<Suite>(ALL_SUITES)
  let out: string | null | undefined
  let memoryTokens: number | undefined
  for (const arg of argv) {
    if (arg === '--') continue
    if (arg === '--quick') quick = true
    else if (arg.startsWith('--only=')) {
      const names = arg.slice('--only='.length).split(',')
      for (const name of names) {
        if (!isSuite(name))
          throw new TypeError(`unknown suite "${name}" (${ALL_SUITES.join(', ')})`)
      }
      suites = new Set(names as Suite[])
    } else if (arg.startsWith('--out=')) {
      const value = arg.slice('--out='.length)
      out = value === '-' ? null : value
    } else if (arg.startsWith('--memory-tokens=')) {
      memoryTokens = Number(arg.slice('--memory-tokens='.length))
      if (!Number.isInteger(memoryTokens) || memoryTokens < 1) {
        throw new TypeError('--memory-tokens must be a positive integer')
      }
    } else {
      throw new TypeError(`unknown argument "${arg}"`)
    }
  }
  return {
    quick,
    suites,
    // A quick run validates the harness; it must never overwrite the published numbers.
    out: out === undefined ? (quick ? null : 'docs/benchmarks.md') : out,
    memoryTokens: memoryTokens ?? (quick ? 50_000 : 1_000_000),
  }
}
