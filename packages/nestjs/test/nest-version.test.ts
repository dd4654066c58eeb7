import { HttpException } from '@nestjs/common'
import { describe, expect, it } from 'vitest'
import common from '@nestjs/common/package.json' with { type: 'json' }
import core from '@nestjs/core/package.json' with { type: 'json' }
import express from '@nestjs/platform-express/package.json' with { type: 'json' }
import fastify from '@nestjs/platform-fastify/package.json' with { type: 'json' }

const major = (version: string): number => Number(version.split('.')[0])
const expected = Number(process.env.KEYWARD_NEST_MAJOR)

describe('the Nest major under test', () => {
  it('is the one the vitest config names, for every Nest package', () => {
    expect([11, 12]).toContain(expected)
    for (const pkg of [common, core, express, fastify]) expect(major(pkg.version)).toBe(expected)
  })

  it('is the code that actually runs: only Nest 12 keeps an HttpException errorCode', () => {
    const options = { errorCode: 'probe' } as ConstructorParameters<typeof HttpException>[2]
    const exception = new HttpException('probe', 400, options) as HttpException & {
      errorCode?: string
    }
    expect(exception.errorCode).toBe(expected === 12 ? 'probe' : undefined)
  })

  it('runs on a Node that the Nest major supports (Nest 12 needs Node 22)', () => {
    expect(major(process.versions.node)).toBeGreaterThanOrEqual(expected === 12 ? 22 : 20)
  })
})
