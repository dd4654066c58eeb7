import { constants, crc32, deflateRawSync } from 'node:zlib'

const BLOCK_BYTES = 1 << 20

// Built on first use: importing the test utilities should not cost a megabyte of deflate.
let block: { plain: Buffer; compressed: Buffer } | undefined
const crcAfterBlocks = new Map<number, number>([[0, 0]])

function spaceBlock(): { plain: Buffer; compressed: Buffer } {
  if (block === undefined) {
    const plain = Buffer.alloc(BLOCK_BYTES, 0x20)
    // A full flush ends the deflate data on a byte boundary with no back-references into it, so
    // copies of this non-final block can simply be concatenated (RFC 1951 §3.2.3).
    const compressed = deflateRawSync(plain, { level: 9, finishFlush: constants.Z_FULL_FLUSH })
    block = { plain, compressed }
  }
  return block
}

/** CRC-32 of `count` space blocks, resumed from the longest prefix already computed. */
function crcOfBlocks(count: number): number {
  let known = 0
  for (const blocks of crcAfterBlocks.keys()) if (blocks <= count && blocks > known) known = blocks
  let crc = crcAfterBlocks.get(known) ?? 0
  for (let i = known; i < count; i += 1) crc = crc32(spaceBlock().plain, crc)
  crcAfterBlocks.set(count, crc)
  return crc
}

/**
 * Builds a gzip member (RFC 1952) that inflates to `decompressedBytes` bytes: JSON whitespace
 * followed by `document`, so the inflated text is still valid JSON. The compressed size is about
 * a thousandth of the inflated size, and building it never allocates the inflated bytes.
 *
 * @example
 * ```ts
 * const body = gzipBomb(100_000_000, Buffer.from('{"keys":[]}')) // about 100 KB
 * ```
 */
export function gzipBomb(decompressedBytes: number, document: Buffer): Buffer {
  const spaces = Math.max(0, decompressedBytes - document.length)
  const blocks = Math.floor(spaces / BLOCK_BYTES)
  const rest = Buffer.concat([Buffer.alloc(spaces - blocks * BLOCK_BYTES, 0x20), document])
  const crc = crc32(rest, crcOfBlocks(blocks))
  // RFC 1952 §2.3: magic, CM=8 (deflate), no flags, no mtime, XFL=0, OS=255 (unknown).
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
  const trailer = Buffer.alloc(8)
  trailer.writeUInt32LE(crc >>> 0, 0)
  // ISIZE is the inflated length modulo 2^32.
  trailer.writeUInt32LE((blocks * BLOCK_BYTES + rest.length) % 2 ** 32, 4)
  const blockCopies = Array.from({ length: blocks }, () => spaceBlock().compressed)
  return Buffer.concat([header, ...blockCopies, deflateRawSync(rest, { level: 9 }), trailer])
}
