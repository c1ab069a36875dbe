/**
 * The summaries the benches print: the median of a set of timings and its
 * spread.
 */

const sorted = (samples: ReadonlyArray<number>): Array<number> => [...samples].sort((a, b) => a - b)

/** The median of the samples (NaN for none). */
export const median = (samples: ReadonlyArray<number>): number => {
  const ordered = sorted(samples)
  const middle = ordered.length >> 1
  return ordered.length % 2 === 1
    ? (ordered[middle] ?? Number.NaN)
    : ((ordered[middle - 1] ?? Number.NaN) + (ordered[middle] ?? Number.NaN)) / 2
}

/** The smallest and largest sample as `min–max`, with `digits` decimals. */
export const range = (samples: ReadonlyArray<number>, digits: number): string => {
  const ordered = sorted(samples)
  return `${(ordered[0] ?? Number.NaN).toFixed(digits)}–${(ordered[ordered.length - 1] ?? Number.NaN).toFixed(digits)}`
}
