import type { HttpResult } from '../http/http-suite.js'
import type { JwksResult } from '../jwks/jwks-suite.js'
import type { MachineInfo } from '../machine.js'
import type { MemoryReport } from '../memory/memory-suite.js'
import type { DpopMicroResult } from '../micro/dpop-suite.js'
import type { MicroResult } from '../micro/micro-suite.js'

/** Everything one `pnpm bench` run measured. */
export interface BenchResults {
  readonly machine: MachineInfo
  readonly quick: boolean
  readonly command: string
  durationS: number
  micro?: MicroResult
  dpop?: DpopMicroResult
  jwks?: JwksResult
  http?: HttpResult
  memory?: MemoryReport
}
