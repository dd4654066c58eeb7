export { keywardMetrics } from './keyward-metrics.js'
export type { KeywardMetrics } from './keyward-metrics.js'
export type { KeywardMetricsOptions } from './options.js'
