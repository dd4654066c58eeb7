import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { gzipBomb } from '../src/gzip-bomb.js'

const doc = Buffer.from('{"keys":[]}')

describe('gzipBomb', () => {
  it.each([0, 5, 11, 1000, 1 << 20, 3 * (1 << 20) + 7])(
    'inflates to exactly max(%i, document) bytes ending in the document',
    (size) => {
      const inflated = gunzipSync(gzipBomb(size, doc))
      expect(inflated).toHaveLength(Math.max(size, doc.length))
      expect(inflated.subarray(-doc.length).equals(doc)).toBe(true)
      expect(inflated.subarray(0, -doc.length).every((byte) => byte === 0x20)).toBe(true)
    },
  )

  it('compresses about a thousand to one', () => {
    expect(gzipBomb(64 * (1 << 20), doc).length).toBeLessThan((64 * (1 << 20)) / 900)
  })

  it('reuses the checksum of a shorter bomb for a longer one', () => {
    const size = 5 * (1 << 20)
    gzipBomb(2 * (1 << 20), doc)
    expect(gunzipSync(gzipBomb(size, doc))).toHaveLength(size)
  })
})
