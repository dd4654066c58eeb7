import type { Attributes, Meter } from '@opentelemetry/api'
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics'

/** A real OpenTelemetry SDK pipeline: a MeterProvider, a reader and the in-memory exporter. */
export interface Telemetry {
  readonly meter: Meter
  /** Collects now (cumulative temporality) and returns what the exporter received. */
  collect(): Promise<Collected>
  shutdown(): Promise<void>
}

export async function startTelemetry(): Promise<Telemetry> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Exports only when the test asks (forceFlush); the interval never fires during a test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const provider = new MeterProvider({ readers: [reader] })
  return Promise.resolve({
    meter: provider.getMeter('@keyward/opentelemetry-test'),
    async collect() {
      exporter.reset()
      await reader.forceFlush()
      const metrics = exporter
        .getMetrics()
        .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
      return new Collected(metrics)
    },
    shutdown: () => provider.shutdown(),
  })
}

/** One collection: instruments by name, data points by exact attribute set. */
export class Collected {
  readonly #metrics: readonly MetricData[]

  constructor(metrics: readonly MetricData[]) {
    this.#metrics = metrics
  }

  metric(name: string): MetricData | undefined {
    return this.#metrics.find((metric) => metric.descriptor.name === name)
  }

  /** Every data point of `name`, as attributes and value (a histogram's count). */
  points(name: string): { attributes: Attributes; value: number }[] {
    const metric = this.metric(name)
    if (metric === undefined) return []
    return metric.dataPoints.map((point) => ({
      attributes: point.attributes,
      value:
        metric.dataPointType === DataPointType.HISTOGRAM
          ? (point.value as { count: number }).count
          : (point.value as number),
    }))
  }

  /** The value (histograms: the count) of the point with exactly these attributes. */
  value(name: string, attributes: Attributes): number | undefined {
    const wanted = JSON.stringify(sorted(attributes))
    return this.points(name).find((point) => JSON.stringify(sorted(point.attributes)) === wanted)
      ?.value
  }

  /** A histogram point's sum, in the instrument's unit. */
  sum(name: string, attributes: Attributes): number | undefined {
    const metric = this.metric(name)
    const wanted = JSON.stringify(sorted(attributes))
    const point = metric?.dataPoints.find(
      (candidate) => JSON.stringify(sorted(candidate.attributes)) === wanted,
    )
    return (point?.value as { sum?: number } | undefined)?.sum
  }
}

function sorted(attributes: Attributes): [string, unknown][] {
  return Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b))
}
