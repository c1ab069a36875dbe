/**
 * The controller's delay queue: keys scheduled at a time, de-duplicated so
 * each key is queued at most once, at the earliest time asked for. `take`
 * waits on the Effect clock until the earliest key is due, and wakes early
 * when an earlier key arrives.
 *
 * @internal
 */
import { Clock, Deferred, Duration, Effect } from "effect"

interface Entry {
  readonly key: string
  readonly at: number
  /** Insertion order, so keys due at the same time come out first-in first-out. */
  readonly sequence: number
}

const before = (left: Entry, right: Entry): boolean =>
  left.at < right.at || (left.at === right.at && left.sequence < right.sequence)

/**
 * A de-duplicating delay queue of string keys.
 */
export interface Scheduler {
  /** Queues `key` at `at` (epoch milliseconds), unless it is already queued at or before that time. */
  readonly schedule: (key: string, at: number) => void
  /** Removes and returns the earliest key once it is due, waiting for it. */
  readonly take: Effect.Effect<string>
  /** The time `key` is queued at, if it is. */
  readonly scheduledAt: (key: string) => number | undefined
  /** How many keys are queued. */
  readonly size: () => number
}

/** Makes an empty scheduler. */
export const make = (): Scheduler => {
  // A binary min-heap; entries whose time no longer matches `times` are stale and skipped.
  const heap: Array<Entry> = []
  const times = new Map<string, number>()
  let sequence = 0
  let wake = Deferred.makeUnsafe<void>()

  const swap = (left: number, right: number) => {
    const entry = heap[left]!
    heap[left] = heap[right]!
    heap[right] = entry
  }
  const push = (entry: Entry) => {
    heap.push(entry)
    let index = heap.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!before(heap[index]!, heap[parent]!)) break
      swap(index, parent)
      index = parent
    }
  }
  const pop = () => {
    const last = heap.pop()
    if (last === undefined || heap.length === 0) return
    heap[0] = last
    let index = 0
    for (;;) {
      const left = 2 * index + 1
      const right = left + 1
      let smallest = index
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right
      if (smallest === index) break
      swap(index, smallest)
      index = smallest
    }
  }
  /** The earliest live entry, dropping stale ones. */
  const peek = (): Entry | undefined => {
    for (;;) {
      const head = heap[0]
      if (head === undefined) return undefined
      if (times.get(head.key) === head.at) return head
      pop()
    }
  }

  const schedule = (key: string, at: number) => {
    const current = times.get(key)
    if (current !== undefined && current <= at) return
    times.set(key, at)
    push({ key, at, sequence: sequence++ })
    const signal = wake
    wake = Deferred.makeUnsafe<void>()
    Deferred.doneUnsafe(signal, Effect.void)
  }

  const take: Effect.Effect<string> = Effect.suspend(() => {
    const head = peek()
    const signal = wake
    if (head === undefined) return Effect.andThen(Deferred.await(signal), take)
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      if (head.at <= now) {
        pop()
        times.delete(head.key)
        return Effect.succeed(head.key)
      }
      return Effect.raceFirst(Effect.sleep(Duration.millis(head.at - now)), Deferred.await(signal)).pipe(
        Effect.andThen(take)
      )
    })
  })

  return { schedule, take, scheduledAt: (key) => times.get(key), size: () => times.size }
}
