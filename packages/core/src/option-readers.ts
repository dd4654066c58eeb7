/**
 * Small readers that narrow one option from `unknown`, as it arrives from JavaScript callers and
 * configuration files. A reader receives `undefined` for an absent option and throws a
 * `TypeError` naming the option for anything it cannot accept.
 */
export type Reader<T> = (value: unknown, name: string) => T

/** A table of readers, one per option of `O`: a missing or an extra entry does not compile. */
export type Readers<O> = { readonly [K in keyof Required<O>]: Reader<unknown> }

/** What a table of readers produces. */
export type ReadResult<R> = { readonly [K in keyof R]: R[K] extends Reader<infer T> ? T : never }

/** A plain object: configuration, not an array or a class instance such as a `Map`. */
export type OptionRecord = Readonly<Record<string, unknown>>

/** Runs every reader of `readers` on the own property of `record` with its name. */
export function readAll<R extends Readonly<Record<string, Reader<unknown>>>>(
  record: OptionRecord,
  readers: R,
  prefix: string,
): ReadResult<R> {
  const result: Record<string, unknown> = {}
  for (const [key, read] of Object.entries(readers)) {
    result[key] = read(own(record, key), prefix + key)
  }
  // Each member was produced by the reader of the same name.
  return result as ReadResult<R>
}

/**
 * An own property only: a value inherited from a prototype (a polluted `Object.prototype`, say)
 * is never configuration.
 */
export function own(record: OptionRecord, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** Narrows an options object: any non-null, non-array object. */
export function optionRecord(value: unknown, name: string): OptionRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`"${name}" must be an object`)
  }
  return value as OptionRecord
}

/** Whether `value` is a plain object literal (or has a null prototype). */
export function isPlainObject(value: unknown): value is OptionRecord {
  if (typeof value !== 'object' || value === null) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** `fallback` when the option is absent. */
export function withDefault<T>(read: Reader<T>, fallback: T): Reader<T> {
  return (value, name) => (value === undefined ? fallback : read(value, name))
}

/** A default read when the option is resolved, for defaults that depend on the host. */
export function withDefaultFrom<T>(read: Reader<T>, fallback: () => T): Reader<T> {
  return (value, name) => (value === undefined ? fallback() : read(value, name))
}

/** `undefined` when the option is absent. */
export function optional<T>(read: Reader<T>): Reader<T | undefined> {
  return (value, name) => (value === undefined ? undefined : read(value, name))
}

/** A `TypeError` saying why when the option is absent. */
export function required<T>(read: Reader<T>, why: string): Reader<T> {
  return (value, name) => {
    if (value === undefined) throw new TypeError(`"${name}" is required: ${why}`)
    return read(value, name)
  }
}

export const duration: Reader<number> = (value, name) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`"${name}" must be a non-negative number of milliseconds`)
  }
  return value
}

export const positiveInteger: Reader<number> = (value, name) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive integer`)
  }
  return value
}

export const nonNegativeInteger: Reader<number> = (value, name) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`"${name}" must be a non-negative integer`)
  }
  return value
}

export const boolean: Reader<boolean> = (value, name) => {
  if (typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`)
  return value
}

export const nonEmptyString: Reader<string> = (value, name) => {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`"${name}" must be a non-empty string`)
  }
  return value
}

/** One of `choices`, compared exactly. */
export function oneOf<const T extends string>(choices: readonly T[]): Reader<T> {
  return (value, name) => {
    const found = choices.find((choice) => choice === value)
    if (found === undefined) {
      const quoted = choices.map((choice) => JSON.stringify(choice))
      const last = quoted.pop() ?? ''
      const list = quoted.length === 0 ? last : `${quoted.join(', ')} or ${last}`
      throw new TypeError(`"${name}" must be ${list}`)
    }
    return found
  }
}

/**
 * A function. Its signature cannot be checked before it is called: `T` is what the option's
 * documentation promises.
 */
export function callable<T extends (...args: never[]) => unknown>(): Reader<T> {
  return (value, name) => {
    if (typeof value !== 'function') throw new TypeError(`"${name}" must be a function`)
    return value as T
  }
}

/** A frozen copy of an array whose every entry passes `test`; `describe` is what it must hold. */
export function arrayOf<T>(
  test: (entry: unknown) => entry is T,
  describe: string,
  { nonEmpty }: { readonly nonEmpty: boolean },
): Reader<readonly T[]> {
  return (value, name) => {
    if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
      throw new TypeError(
        `"${name}" must be ${nonEmpty ? 'a non-empty' : 'an'} array of ${describe}`,
      )
    }
    const entries: readonly unknown[] = value
    const valid = entries.filter(test)
    if (valid.length !== entries.length) {
      throw new TypeError(`"${name}" must be an array of ${describe}`)
    }
    return Object.freeze(valid)
  }
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

export function isString(value: unknown): value is string {
  return typeof value === 'string'
}
