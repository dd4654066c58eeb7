import { describe, expect, it } from 'vitest'
import { parseJsonObject } from '../src/json-object.js'

function parse(text: string): Record<string, unknown> | undefined {
  return parseJsonObject(Buffer.from(text, 'utf8'))
}

describe('parseJsonObject', () => {
  it('parses an object into a null-prototype record', () => {
    const value = parse('{"a":1,"b":{"c":[1,2]}}')
    expect(value).toEqual({ a: 1, b: { c: [1, 2] } })
    expect(Object.getPrototypeOf(value)).toBeNull()
  })

  it.each(['[]', '"a"', '1', 'null', 'true', '', 'not json', '{"a":1', "{'a':1}"])(
    'rejects %j',
    (text) => {
      expect(parse(text)).toBeUndefined()
    },
  )

  it('rejects a byte order mark', () => {
    expect(parse('\uFEFF{"a":1}')).toBeUndefined()
  })

  it.each([
    ['a repeated name', '{"a":1,"a":2}'],
    ['a name repeated through an escape', '{"sub":"a","\\u0073ub":"admin"}'],
    ['a repeated __proto__', '{"__proto__":1,"__proto__":2}'],
    ['a repeat after nested values', '{"a":{"x":"}"},"b":["{"],"a":3}'],
  ])('rejects %s', (_, text) => {
    expect(parse(text)).toBeUndefined()
  })

  it('accepts the same name in different nested objects', () => {
    expect(parse('{"a":{"x":1},"b":{"x":2},"c":"\\"x\\":"}')).toEqual({
      a: { x: 1 },
      b: { x: 2 },
      c: '"x":',
    })
  })

  it('accepts an empty object', () => {
    expect(parse(' { } ')).toEqual({})
  })

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('rejects invalid UTF-8: %s', (_, bytes) => {
    const text = Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')])
    expect(parseJsonObject(text)).toBeUndefined()
  })

  it('accepts valid multi-byte UTF-8', () => {
    expect(parse('{"name":"Zoë 🔑"}')).toEqual({ name: 'Zoë 🔑' })
  })

  it('reads only the first `length` bytes of a larger buffer', () => {
    const bytes = Buffer.from('{"a":1}{"a":2,"a":3} \u00e9')
    expect(parseJsonObject(bytes, 7)).toEqual({ a: 1 })
    // Leftover bytes of an earlier, longer segment neither count nor change the decoder.
    const reused = Buffer.from('{"b":"x"}"é\\')
    expect(parseJsonObject(reused, 9)).toEqual({ b: 'x' })
  })

  it('rejects a duplicate name in non-ASCII text too', () => {
    expect(parse('{"é":1,"é":2}')).toBeUndefined()
    expect(parse('{"é":1,"e":2}')).toEqual({ é: 1, e: 2 })
  })

  it('keeps __proto__ an own data property and leaves Object.prototype alone', () => {
    const value = parse('{"__proto__":{"polluted":true}}')!
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
