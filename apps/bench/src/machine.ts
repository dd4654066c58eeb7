import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem, type } from 'node:os'

/** The machine and software a run measured. */
export interface MachineInfo {
  readonly date: string
  readonly cpu: string
  readonly cores: number
  readonly memoryGb: number
  readonly os: string
  readonly node: string
  readonly openssl: string
  /** 1-minute load average when the run started and ended. */
  readonly loadStart: number
  loadEnd: number
  readonly versions: Readonly<Record<string, string>>
}

const PACKAGES = [
  'jose',
  'jsonwebtoken',
  'jwks-rsa',
  'aws-jwt-verify',
  'fast-jwt',
  'get-jwks',
  'express-oauth2-jwt-bearer',
  'express-jwt',
  'passport',
  'passport-jwt',
  'koa-jwt',
  '@fastify/jwt',
  'express',
  'koa',
  '@nestjs/core',
  '@nestjs/passport',
  'fastify',
  'autocannon',
]

function version(name: string): string {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return '?'
  }
}

/**
 * Describes this machine and the installed versions of every contender.
 *
 * @example
 * ```ts
 * const machine = describeMachine()
 * ```
 */
export function describeMachine(): MachineInfo {
  const cpu = cpus()
  return {
    date: new Date().toISOString(),
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    os: `${type()} ${release()}`,
    node: process.version,
    openssl: process.versions.openssl,
    loadStart: loadavg()[0] ?? 0,
    loadEnd: 0,
    versions: Object.fromEntries(PACKAGES.map((name) => [name, version(name)])),
  }
}
