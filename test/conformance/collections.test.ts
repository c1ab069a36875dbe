/**
 * Working on collections: label and field selectors (including the pod
 * fields `spec.nodeName` and `status.phase`), pagination with limit and
 * continue (`listAll` across pages), deleteCollection with a selector, and
 * dry-run writes that store nothing.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { ConfigMap, Pod } from "../../src/api/core/v1.js"
import * as Patch from "../../src/core/Patch.js"
import * as Selector from "../../src/core/Selector.js"
import { conformanceLayer, inNamespace, uniqueName } from "./support.js"

const names = (objects: ReadonlyArray<{ readonly metadata?: { readonly name?: string } }>) =>
  objects.map((object) => object.metadata?.name ?? "")

const pod = (name: string, nodeName?: string): Pod => ({
  metadata: { name, labels: { role: "selected" } },
  spec: {
    ...(nodeName === undefined ? {} : { nodeName }),
    containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }]
  }
})

layer(conformanceLayer("collections"), { excludeTestServices: true })("collections", (it) => {
  it.effect("label selectors: equality, inequality, set-based and existence", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("labels")
      const labelled = [
        { name: `${batch}-a`, labels: { batch, env: "prod", tier: "web" } },
        { name: `${batch}-b`, labels: { batch, env: "dev", tier: "web" } },
        { name: `${batch}-c`, labels: { batch, env: "test" } }
      ]
      for (const { name, labels } of labelled) yield* configMaps.create({ metadata: { name, labels } })
      const select = (selector: string) =>
        Effect.map(configMaps.list({ labelSelector: `batch=${batch},${selector}` }), (list) => names(list.items).sort())
      assert.deepStrictEqual(yield* select("env=prod"), [`${batch}-a`])
      assert.deepStrictEqual(yield* select("env!=prod"), [`${batch}-b`, `${batch}-c`])
      assert.deepStrictEqual(yield* select("env in (dev,test)"), [`${batch}-b`, `${batch}-c`])
      assert.deepStrictEqual(yield* select("env notin (dev,test)"), [`${batch}-a`])
      assert.deepStrictEqual(yield* select("tier"), [`${batch}-a`, `${batch}-b`])
      assert.deepStrictEqual(yield* select("!tier"), [`${batch}-c`])
      const typed = yield* configMaps.list({
        labelSelector: [Selector.isIn("batch", [batch]), Selector.notIn("env", ["prod"]), Selector.exists("tier")]
      })
      assert.deepStrictEqual(names(typed.items), [`${batch}-b`])
    })
  )

  it.effect("field selectors: metadata.name, and a pod's spec.nodeName and status.phase", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const configMapName = uniqueName("by-name")
      yield* configMaps.create({ metadata: { name: configMapName } })
      const byName = yield* configMaps.list({ fieldSelector: `metadata.name=${configMapName}` })
      assert.deepStrictEqual(names(byName.items), [configMapName])

      const pods = yield* inNamespace(Pod)
      const onNode = uniqueName("on-node")
      const unscheduled = uniqueName("unscheduled")
      yield* pods.create(pod(onNode, "node-a"))
      yield* pods.create(pod(unscheduled))
      const bound = yield* pods.list({ fieldSelector: "spec.nodeName=node-a" })
      assert.deepStrictEqual(names(bound.items), [onNode])
      const notBound = yield* pods.list({ fieldSelector: "spec.nodeName=", labelSelector: "role=selected" })
      assert.deepStrictEqual(names(notBound.items), [unscheduled])

      yield* pods.patchStatus(onNode, Patch.merge({ status: { phase: "Running" } }))
      const running = yield* pods.list({ fieldSelector: "status.phase=Running" })
      assert.deepStrictEqual(names(running.items), [onNode])
      const notRunning = yield* pods.list({ fieldSelector: [Selector.fieldNotEquals("status.phase", "Running")] })
      assert.deepStrictEqual(names(notRunning.items), [unscheduled])
    })
  )

  it.effect("pagination: a limited list returns a continue token, and listAll streams every page", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("pages")
      const expected = Array.from({ length: 7 }, (_, index) => `${batch}-${index}`)
      for (const name of expected) yield* configMaps.create({ metadata: { name, labels: { batch } }, data: { name } })

      const first = yield* configMaps.list({ labelSelector: `batch=${batch}`, limit: 3 })
      assert.deepStrictEqual(names(first.items), expected.slice(0, 3))
      assert.isString(first.metadata.continue)
      assert.notStrictEqual(first.metadata.continue, "")
      const second = yield* configMaps.list({
        labelSelector: `batch=${batch}`,
        limit: 3,
        continue: first.metadata.continue ?? ""
      })
      assert.deepStrictEqual(names(second.items), expected.slice(3, 6))

      const all = yield* Stream.runCollect(configMaps.listAll({ labelSelector: `batch=${batch}`, limit: 3 }))
      assert.deepStrictEqual(names(all), expected)
      assert.deepStrictEqual(
        all.map((configMap) => configMap.data?.name),
        expected,
        "items are decoded with their data"
      )
      const last = yield* configMaps.list({ labelSelector: `batch=${batch}`, limit: 7 })
      assert.isTrue(
        last.metadata.continue === undefined || last.metadata.continue === "",
        "no token after the last page"
      )
    })
  )

  it.effect("deleteCollection deletes what the selector matches, nothing else", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const batch = uniqueName("doomed")
      for (const [name, fate] of [
        ["a", "doomed"],
        ["b", "doomed"],
        ["c", "kept"]
      ] as const)
        yield* configMaps.create({ metadata: { name: `${batch}-${name}`, labels: { batch, fate } } })
      yield* configMaps.deleteCollection({ labelSelector: `batch=${batch},fate=doomed` })
      const left = yield* configMaps.list({ labelSelector: `batch=${batch}` })
      assert.deepStrictEqual(names(left.items), [`${batch}-c`])
    })
  )

  it.effect("dry-run create, replace, patch and delete answer as usual but store nothing", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const name = uniqueName("dry")
      const dryCreated = yield* configMaps.create({ metadata: { name }, data: { a: "1" } }, { dryRun: true })
      assert.strictEqual(dryCreated.metadata?.name, name)
      assert.deepStrictEqual(dryCreated.data, { a: "1" })
      assert.isTrue(Option.isNone(yield* configMaps.getOption(name)), "a dry-run create stores nothing")

      const created = yield* configMaps.create({ metadata: { name }, data: { a: "1" } })
      const dryReplaced = yield* configMaps.replace(name, { ...created, data: { a: "2" } }, { dryRun: true })
      assert.deepStrictEqual(dryReplaced.data, { a: "2" })
      const dryPatched = yield* configMaps.patch(name, Patch.merge({ data: { a: "3" } }), { dryRun: true })
      assert.deepStrictEqual(dryPatched.data, { a: "3" })
      yield* configMaps.delete(name, { dryRun: true })
      const stored = yield* configMaps.get(name)
      assert.deepStrictEqual(stored.data, { a: "1" })
      assert.strictEqual(stored.metadata?.resourceVersion, created.metadata?.resourceVersion)
    })
  )
})
