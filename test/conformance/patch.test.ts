/**
 * The four patch kinds as the server applies them: JSON merge patch, JSON
 * patch (with `test` operations that make it conditional), strategic merge
 * patch (lists merged by their merge key), and server-side apply with field
 * managers, conflicts and `force`.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Deployment } from "../../src/api/apps/v1.js"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Patch from "../../src/core/Patch.js"
import { conformanceLayer, expectApiError, inNamespace, uniqueName } from "./support.js"

const twoContainers = (name: string): Deployment => ({
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: "app", image: "registry.k8s.io/pause:3.10" },
          { name: "sidecar", image: "registry.k8s.io/pause:3.9" }
        ]
      }
    }
  }
})

const containerImages = (deployment: Deployment) =>
  (deployment.spec?.template.spec?.containers ?? []).map((container) => `${container.name}=${container.image}`)

layer(conformanceLayer("patch"), { excludeTestServices: true })("patches", (it) => {
  it.effect("a merge patch sets and removes (null) fields and replaces lists whole", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const name = uniqueName("merge")
      yield* configMaps.create({ metadata: { name, labels: { keep: "yes", drop: "yes" } }, data: { a: "1", b: "2" } })
      const patched = yield* configMaps.patch(
        name,
        Patch.merge({ metadata: { labels: { drop: null, added: "yes" } }, data: { b: null, c: "3" } })
      )
      assert.deepStrictEqual(patched.metadata?.labels, { keep: "yes", added: "yes" })
      assert.deepStrictEqual(patched.data, { a: "1", c: "3" })

      const deployments = yield* inNamespace(Deployment)
      const deploymentName = uniqueName("merge")
      yield* deployments.create(twoContainers(deploymentName))
      const replacedList = yield* deployments.patch(
        deploymentName,
        Patch.merge({
          spec: { template: { spec: { containers: [{ name: "sidecar", image: "registry.k8s.io/pause:3.8" }] } } }
        })
      )
      assert.deepStrictEqual(containerImages(replacedList), ["sidecar=registry.k8s.io/pause:3.8"])
    })
  )

  it.effect(
    "a JSON patch applies when its test operation holds and fails 422 Invalid, changing nothing, when not",
    () =>
      Effect.gen(function* () {
        const configMaps = yield* inNamespace(ConfigMap)
        const name = uniqueName("json")
        yield* configMaps.create({ metadata: { name, labels: { "app.kubernetes.io/name": "web" } }, data: { a: "1" } })
        const patched = yield* configMaps.patch(
          name,
          Patch.json([
            { op: "test", path: "/data/a", value: "1" },
            { op: "replace", path: "/data/a", value: "2" },
            { op: "add", path: "/data/b", value: "new" },
            { op: "remove", path: Patch.pointer("metadata", "labels", "app.kubernetes.io/name") }
          ])
        )
        assert.deepStrictEqual(patched.data, { a: "2", b: "new" })
        assert.isUndefined(patched.metadata?.labels?.["app.kubernetes.io/name"])

        const failedTest = yield* expectApiError(
          configMaps.patch(
            name,
            Patch.json([
              { op: "test", path: "/data/a", value: "1" },
              { op: "replace", path: "/data/a", value: "3" }
            ])
          )
        )
        assert.strictEqual(failedTest.code, 422)
        assert.isTrue(failedTest.isInvalid)
        const missingPath = yield* expectApiError(
          configMaps.patch(name, Patch.json([{ op: "remove", path: "/data/zz" }]))
        )
        assert.strictEqual(missingPath.code, 422)
        assert.deepStrictEqual((yield* configMaps.get(name)).data, { a: "2", b: "new" })
      })
  )

  it.effect("a strategic merge patch merges containers by name", () =>
    Effect.gen(function* () {
      const deployments = yield* inNamespace(Deployment)
      const name = uniqueName("strategic")
      yield* deployments.create(twoContainers(name))
      const patched = yield* deployments.patch(
        name,
        Patch.strategic({
          spec: {
            template: {
              spec: {
                containers: [
                  { name: "sidecar", image: "registry.k8s.io/pause:3.8" },
                  { name: "extra", image: "registry.k8s.io/pause:3.7" }
                ]
              }
            }
          }
        })
      )
      assert.sameMembers(containerImages(patched), [
        "app=registry.k8s.io/pause:3.10",
        "sidecar=registry.k8s.io/pause:3.8",
        "extra=registry.k8s.io/pause:3.7"
      ])
      const removed = yield* deployments.patch(
        name,
        Patch.strategic({ spec: { template: { spec: { containers: [{ name: "extra", $patch: "delete" }] } } } })
      )
      assert.sameMembers(containerImages(removed), [
        "app=registry.k8s.io/pause:3.10",
        "sidecar=registry.k8s.io/pause:3.8"
      ])
    })
  )

  it.effect(
    "server-side apply creates, reports a typed conflict with another manager's field, and force takes it",
    () =>
      Effect.gen(function* () {
        const configMaps = yield* inNamespace(ConfigMap)
        const name = uniqueName("applied")
        const created = yield* configMaps.apply(
          name,
          { metadata: { name }, data: { shared: "alice", alice: "only" } },
          { fieldManager: "alice" }
        )
        assert.deepStrictEqual(created.data, { shared: "alice", alice: "only" })
        const aliceEntry = created.metadata?.managedFields?.find((entry) => entry.manager === "alice")
        assert.strictEqual(aliceEntry?.operation, "Apply")
        assert.strictEqual(aliceEntry?.fieldsType, "FieldsV1")

        const conflict = yield* expectApiError(
          configMaps.apply(name, { metadata: { name }, data: { shared: "bob" } }, { fieldManager: "bob" })
        )
        assert.strictEqual(conflict.code, 409)
        assert.isTrue(conflict.isConflict)
        assert.strictEqual(conflict.status.message, 'Apply failed with 1 conflict: conflict with "alice": .data.shared')
        assert.deepStrictEqual(conflict.status.details?.causes, [
          { reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".data.shared" }
        ])
        assert.strictEqual((yield* configMaps.get(name)).data?.shared, "alice")

        const forced = yield* configMaps.apply(
          name,
          { metadata: { name }, data: { shared: "bob" } },
          { fieldManager: "bob", force: true }
        )
        assert.deepStrictEqual(forced.data, { shared: "bob", alice: "only" })
        const managers = (forced.metadata?.managedFields ?? []).map((entry) => entry.manager)
        assert.sameMembers(managers, ["alice", "bob"])

        // alice no longer owns .data.shared: applying without it leaves bob's value.
        const reapplied = yield* configMaps.apply(
          name,
          { metadata: { name }, data: { alice: "only" } },
          { fieldManager: "alice" }
        )
        assert.deepStrictEqual(reapplied.data, { shared: "bob", alice: "only" })
        // and a field a manager stops applying is removed when it alone owned it.
        const dropped = yield* configMaps.apply(name, { metadata: { name }, data: {} }, { fieldManager: "alice" })
        assert.deepStrictEqual(dropped.data, { shared: "bob" })
      })
  )

  it.effect("server-side apply of a built-in kind defaults it like a create", () =>
    Effect.gen(function* () {
      const deployments = yield* inNamespace(Deployment)
      const name = uniqueName("applied")
      const applied = yield* deployments.apply(name, twoContainers(name), { fieldManager: "deployer" })
      assert.strictEqual(applied.metadata?.generation, 1)
      assert.strictEqual(applied.spec?.replicas, 1)
      assert.strictEqual(applied.spec?.strategy?.type, "RollingUpdate")
      const again = yield* deployments.apply(name, twoContainers(name), { fieldManager: "deployer" })
      assert.strictEqual(again.metadata?.generation, 1, "an identical apply changes no spec")
    })
  )
})
