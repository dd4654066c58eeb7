import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The parts of a V8 `.cpuprofile` this report reads. */
interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    children?: number[]
  }[]
  samples: number[]
  timeDeltas: number[]
}

/**
 * Where the time of a profile goes: self time per function, and inclusive time per keyward
 * stage (a function and everything it calls). Usage: analyse-profile.ts <file|dir>.
 */
const target = process.argv[2] ?? '.'
const file = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(target, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  : target
if (file === undefined) throw new Error(`no .cpuprofile in ${target}`)
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile

const self = new Map<number, number>()
profile.samples.forEach((id, index) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
})
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id)
const total = [...self.values()].reduce((a, b) => a + b, 0)
const pct = (us: number): string => `${((us / total) * 100).toFixed(1).padStart(5)} %`

const label = (id: number): string => {
  const frame = byId.get(id)?.callFrame
  if (frame === undefined) return '?'
  const where =
    frame.url === '' ? '' : ` ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`
  return `${frame.functionName === '' ? '(anonymous)' : frame.functionName}${where}`
}

const selfByLabel = new Map<string, number>()
for (const [id, us] of self) selfByLabel.set(label(id), (selfByLabel.get(label(id)) ?? 0) + us)
process.stdout.write(
  `${file}\ntotal ${(total / 1000).toFixed(0)} ms sampled\n\nself time, whole process:\n`,
)
for (const [name, us] of [...selfByLabel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  process.stdout.write(`${pct(us)}  ${name}\n`)
}

// keyward's own verify(): the bundle's `verify` frames. Everything sampled under one of them
// is the cost of verification (the workload's minting and loading are elsewhere).
const isKeywardVerify = (id: number): boolean => {
  const frame = byId.get(id)?.callFrame
  return frame?.functionName === 'verify' && frame.url.includes('/core/dist/')
}
const underVerify = (id: number): boolean => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if (isKeywardVerify(at)) return true
  }
  return false
}
let verifyTotal = 0
const verifySelf = new Map<string, number>()
const STAGES = [
  'decodeToken',
  'decodeObject',
  'decodeBase64Url',
  'parseJsonObject',
  'hasDuplicateMember',
  'checkHeader',
  'checkClaims',
  'scopes',
  'normaliseScopes',
  'attemptSignature',
  'verifySignature',
  'verifyOneShot',
  '#accept',
  'build',
  'VerifiedAccessToken',
  '#fromCache',
  'get',
  'set',
]
const inclusive = new Map<string, number>()
for (const [id, us] of self) {
  if (!underVerify(id)) continue
  verifyTotal += us
  verifySelf.set(label(id), (verifySelf.get(label(id)) ?? 0) + us)
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = byId.get(at)?.callFrame.functionName ?? ''
    if (STAGES.includes(name) && !seen.has(name)) {
      seen.add(name)
      inclusive.set(name, (inclusive.get(name) ?? 0) + us)
    }
    if (isKeywardVerify(at)) break
  }
}
const ofVerify = (us: number): string => `${((us / verifyTotal) * 100).toFixed(1).padStart(5)} %`
process.stdout.write(
  `\nkeyward verify(): ${pct(verifyTotal)} of the process; its time, by stage (inclusive):\n`,
)
for (const name of STAGES) process.stdout.write(`${ofVerify(inclusive.get(name) ?? 0)}  ${name}\n`)
process.stdout.write('\nverify() self time by function:\n')
for (const [name, us] of [...verifySelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  process.stdout.write(`${ofVerify(us)}  ${name}\n`)
}
