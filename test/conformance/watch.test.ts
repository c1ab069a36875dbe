/**
 * Watches as the server streams them: ADDED, MODIFIED and DELETED in order
 * from a resourceVersion, bookmarks (`allowWatchBookmarks`), and streaming
 * lists (`sendInitialEvents`) that end their initial events with the
 * `k8s.io/initial-events-end` bookmark.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { ConfigMap } from "../../src/api/core/v1.js"
import type * as WatchEvent from "../../src/core/WatchEvent.js"
import { conformanceLayer, inNamespace, uniqueName } from "./support.js"

const isBookmark = <K>(event: WatchEvent.WatchEvent<K>): event is WatchEvent.BookmarkEvent => event.type === "BOOKMARK"

const describeEvent = (event: WatchEvent.WatchEvent<ConfigMap>): string =>
  event.type === "BOOKMARK"
    ? event.type
    : `${event.type} ${event.object.metadata?.name} ${JSON.stringify(event.object.data ?? {})}`

/** Guards a stream that should end by itself: a hang fails the test instead of stalling the run. */
const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Stream.runCollect(stream).pipe(
    Effect.timeoutOrElse({ duration: "40 seconds", orElse: () => Effect.die("watch hung") })
  )

layer(conformanceLayer("watch"), { excludeTestServices: true })("watch", (it) => {
  it.effect("a watch from a resourceVersion receives ADDED, MODIFIED and DELETED in order", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("events")
      const start = (yield* configMaps.list({ labelSelector: `batch=${batch}` })).metadata.resourceVersion
      const name = `${batch}-watched`
      const created = yield* configMaps.create({ metadata: { name, labels: { batch } }, data: { step: "1" } })
      const modified = yield* configMaps.replace(name, { ...created, data: { step: "2" } })
      yield* configMaps.delete(name)

      const events = yield* collect(
        configMaps
          .watch({ resourceVersion: start ?? "", labelSelector: `batch=${batch}`, allowWatchBookmarks: false })
          .pipe(Stream.takeUntil((event) => event.type === "DELETED"))
      )
      assert.deepStrictEqual(events.map(describeEvent), [
        `ADDED ${name} {"step":"1"}`,
        `MODIFIED ${name} {"step":"2"}`,
        `DELETED ${name} {"step":"2"}`
      ])
      const versions = events.flatMap((event) => (isBookmark(event) ? [] : [event.object.metadata?.resourceVersion]))
      assert.strictEqual(versions[0], created.metadata?.resourceVersion)
      assert.strictEqual(versions[1], modified.metadata?.resourceVersion)
    })
  )

  it.effect("a watch started without a resourceVersion first lists what exists as ADDED", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("existing")
      yield* configMaps.create({ metadata: { name: `${batch}-a`, labels: { batch } } })
      yield* configMaps.create({ metadata: { name: `${batch}-b`, labels: { batch } } })
      const events = yield* collect(
        configMaps.watch({ labelSelector: `batch=${batch}`, allowWatchBookmarks: false }).pipe(Stream.take(2))
      )
      assert.sameMembers(events.map(describeEvent), [`ADDED ${batch}-a {}`, `ADDED ${batch}-b {}`])
    })
  )

  it.effect("sendInitialEvents: the current objects as ADDED, then the initial-events-end bookmark, then changes", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("initial")
      const existing = yield* configMaps.create({
        metadata: { name: `${batch}-a`, labels: { batch } },
        data: { v: "1" }
      })
      const events: Array<WatchEvent.WatchEvent<ConfigMap>> = []
      yield* configMaps
        .watch({ labelSelector: `batch=${batch}`, sendInitialEvents: true, allowWatchBookmarks: true })
        .pipe(
          Stream.tap((event) =>
            Effect.gen(function* () {
              events.push(event)
              // Once the initial events are over, make a change the same watch must deliver.
              if (isBookmark(event) && event.object.metadata.annotations?.["k8s.io/initial-events-end"] === "true")
                yield* configMaps.create({ metadata: { name: `${batch}-b`, labels: { batch } } })
            })
          ),
          Stream.takeUntil((event) => event.type === "ADDED" && event.object.metadata?.name === `${batch}-b`),
          collect
        )
      const meaningful = events.filter(
        (event) => !isBookmark(event) || event.object.metadata.annotations?.["k8s.io/initial-events-end"] === "true"
      )
      assert.deepStrictEqual(meaningful.map(describeEvent), [
        `ADDED ${batch}-a {"v":"1"}`,
        "BOOKMARK",
        `ADDED ${batch}-b {}`
      ])
      const end = meaningful[1]
      assert.isTrue(end !== undefined && isBookmark(end))
      if (end !== undefined && isBookmark(end)) {
        assert.strictEqual(end.object.kind, "ConfigMap")
        assert.isAtLeast(Number(end.object.metadata.resourceVersion), Number(existing.metadata?.resourceVersion))
      }
    })
  )

  it.effect("with allowWatchBookmarks a filtered watch learns how far the server got; without, it hears nothing", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("quiet")
      const start = (yield* configMaps.list({ labelSelector: `batch=${batch}` })).metadata.resourceVersion ?? ""
      const watches = yield* Effect.forkChild(
        Effect.all(
          [
            collect(configMaps.watch({ resourceVersion: start, labelSelector: `batch=${batch}`, timeoutSeconds: 5 })),
            collect(
              configMaps.watch({
                resourceVersion: start,
                labelSelector: `batch=${batch}`,
                timeoutSeconds: 4,
                allowWatchBookmarks: false
              })
            )
          ],
          { concurrency: 2 }
        )
      )
      // Changes the watches' selector does not match move the server's resourceVersion on while they run.
      let lastWrite = start
      const writer = yield* Effect.forkChild(
        Effect.forever(
          configMaps.create({ metadata: { generateName: `${batch}-unrelated-`, labels: { batch: "other" } } }).pipe(
            Effect.tap((unrelated) =>
              Effect.sync(() => {
                lastWrite = unrelated.metadata?.resourceVersion ?? lastWrite
              })
            ),
            Effect.andThen(Effect.sleep("500 millis"))
          )
        )
      )
      const [withBookmarks, withoutBookmarks] = yield* Fiber.join(watches)
      yield* Fiber.interrupt(writer)
      assert.isAbove(withBookmarks.length, 0, "the server sent a bookmark before it ended the watch")
      for (const event of withBookmarks) {
        assert.strictEqual(event.type, "BOOKMARK")
        if (isBookmark(event)) {
          assert.strictEqual(event.object.kind, "ConfigMap")
          assert.isAbove(Number(event.object.metadata.resourceVersion), Number(start))
          assert.isAtMost(Number(event.object.metadata.resourceVersion), Number(lastWrite))
        }
      }
      assert.deepStrictEqual(withoutBookmarks, [])
    })
  )
})
