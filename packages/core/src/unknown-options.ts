import type { OptionRecord } from './option-readers.js'

/** The option names valid in one object, and what to say about names that belong elsewhere. */
export interface OptionNames {
  readonly known: readonly string[]
  /** Names valid in another object, each with a sentence saying where it goes. */
  readonly elsewhere: ReadonlyMap<string, string>
}

/**
 * Throws a `TypeError` for the first own key of `record` that is not a known option, also when
 * its value is `undefined`: an ignored setting is a check the user believes is on and is off.
 * The message names the key and, for a near miss (equal ignoring case, or within two edits of
 * a known name), the name meant: `unknown option "audiance" (did you mean "audience"?)`.
 */
export function rejectUnknownOptions(
  record: OptionRecord,
  names: OptionNames,
  prefix: string,
): void {
  for (const key of Object.keys(record)) {
    if (!names.known.includes(key)) {
      throw new TypeError(`unknown option "${prefix}${key}"${hint(key, names, prefix)}`)
    }
  }
}

function hint(key: string, names: OptionNames, prefix: string): string {
  const elsewhere = names.elsewhere.get(key)
  if (elsewhere !== undefined) return `: ${elsewhere}`
  const meant = closestName(key, names.known)
  if (meant !== undefined) return ` (did you mean "${prefix}${meant}"?)`
  const other = closestName(key, [...names.elsewhere.keys()])
  return other === undefined
    ? ''
    : ` (did you mean "${other}"? ${names.elsewhere.get(other) ?? ''})`
}

/** The candidate `key` is a near miss of, if any: equal ignoring case, or within two edits. */
export function closestName(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  const lower = key.toLowerCase()
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and transpositions of
 * adjacent characters), or `limit` as soon as it cannot be below it.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMinimum = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(
        (previous[j] ?? limit) + 1,
        (current[j - 1] ?? limit) + 1,
        (previous[j - 1] ?? limit) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? limit) + 1)
      }
      current.push(value)
      rowMinimum = Math.min(rowMinimum, value)
    }
    if (rowMinimum >= limit) return limit
    before = previous
    previous = current
  }
  return Math.min(previous[b.length] ?? limit, limit)
}
