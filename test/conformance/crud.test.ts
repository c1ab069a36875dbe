/**
 * Create, read, replace and delete of core/v1 and apps/v1 kinds, with the
 * typed errors a user handles: 404 NotFound, 409 AlreadyExists, 409 Conflict
 * on a stale resourceVersion, 422 Invalid with its causes; defaults the server
 * fills in; and `metadata.generation`, which moves on spec changes only.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Deployment } from "../../src/api/apps/v1.js"
import { ConfigMap, Pod, Secret, Service } from "../../src/api/core/v1.js"
import * as Patch from "../../src/core/Patch.js"
import { conformanceLayer, expectApiError, inNamespace, TestNamespace, uniqueName } from "./support.js"

const container = { name: "app", image: "registry.k8s.io/pause:3.10" }

const deployment = (
  name: string,
  options: { readonly selector?: string; readonly replicas?: number } = {}
): Deployment => ({
  metadata: { name },
  spec: {
    replicas: options.replicas ?? 1,
    selector: { matchLabels: { app: options.selector ?? name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container] } }
  }
})

layer(conformanceLayer("crud"), { excludeTestServices: true })("CRUD of built-in kinds", (it) => {
  it.effect("a ConfigMap is created, read, replaced, and deleted; then it is gone", () =>
    Effect.gen(function* () {
      const { name: namespace } = yield* TestNamespace
      const configMaps = yield* inNamespace(ConfigMap)
      const name = uniqueName("settings")
      const created = yield* configMaps.create({ metadata: { name, labels: { tier: "a" } }, data: { color: "blue" } })
      assert.strictEqual(created.metadata?.name, name)
      assert.strictEqual(created.metadata?.namespace, namespace)
      assert.isString(created.metadata?.uid)
      assert.isString(created.metadata?.resourceVersion)
      assert.isString(created.metadata?.creationTimestamp)
      assert.deepStrictEqual(created.data, { color: "blue" })

      const read = yield* configMaps.get(name)
      assert.deepStrictEqual(read.data, { color: "blue" })
      assert.strictEqual(read.metadata?.uid, created.metadata?.uid)
      assert.strictEqual(read.metadata?.resourceVersion, created.metadata?.resourceVersion)

      const replaced = yield* configMaps.replace(name, { ...read, data: { color: "green", size: "L" } })
      assert.deepStrictEqual(replaced.data, { color: "green", size: "L" })
      assert.notStrictEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion)
      assert.strictEqual(replaced.metadata?.uid, created.metadata?.uid)

      const deleted = yield* configMaps.delete(name)
      assert.strictEqual(deleted._tag, "Deleted")
      assert.isTrue(Option.isNone(yield* configMaps.getOption(name)))
    })
  )

  it.effect("reading a missing object is a typed 404 NotFound naming it", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const error = yield* expectApiError(configMaps.get("does-not-exist"))
      assert.strictEqual(error.code, 404)
      assert.isTrue(error.isNotFound)
      assert.strictEqual(error.status.reason, "NotFound")
      assert.strictEqual(error.status.details?.name, "does-not-exist")
      assert.strictEqual(error.status.details?.kind, "configmaps")
      assert.strictEqual(error.status.message, 'configmaps "does-not-exist" not found')
      const deleteMissing = yield* expectApiError(configMaps.delete("does-not-exist"))
      assert.isTrue(deleteMissing.isNotFound)
    })
  )

  it.effect("creating an object twice is a typed 409 AlreadyExists", () =>
    Effect.gen(function* () {
      const secrets = yield* inNamespace(Secret)
      const name = uniqueName("token")
      yield* secrets.create({ metadata: { name }, stringData: { password: "s3cret" } })
      const error = yield* expectApiError(secrets.create({ metadata: { name }, stringData: { password: "other" } }))
      assert.strictEqual(error.code, 409)
      assert.isTrue(error.isAlreadyExists)
      assert.strictEqual(error.status.details?.name, name)
      assert.strictEqual(error.status.details?.kind, "secrets")
      assert.strictEqual(error.status.message, `secrets "${name}" already exists`)
    })
  )

  it.effect("a replace with a stale resourceVersion is a typed 409 Conflict and changes nothing", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const name = uniqueName("contended")
      const created = yield* configMaps.create({ metadata: { name }, data: { owner: "first" } })
      yield* configMaps.replace(name, { ...created, data: { owner: "second" } })
      const error = yield* expectApiError(configMaps.replace(name, { ...created, data: { owner: "stale" } }))
      assert.strictEqual(error.code, 409)
      assert.isTrue(error.isConflict)
      assert.strictEqual(error.status.details?.name, name)
      assert.strictEqual(
        error.status.message,
        `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`
      )
      assert.deepStrictEqual((yield* configMaps.get(name)).data, { owner: "second" })
    })
  )

  it.effect("an invalid object is a typed 422 Invalid whose causes name the fields", () =>
    Effect.gen(function* () {
      const deployments = yield* inNamespace(Deployment)
      const name = uniqueName("mismatched")
      const error = yield* expectApiError(deployments.create(deployment(name, { selector: "other", replicas: -1 })))
      assert.strictEqual(error.code, 422)
      assert.isTrue(error.isInvalid)
      assert.strictEqual(error.status.details?.name, name)
      assert.strictEqual(error.status.details?.kind, "Deployment")
      assert.strictEqual(error.status.details?.group, "apps")
      const fields = (error.status.details?.causes ?? []).map((cause) => cause.field)
      assert.include(fields, "spec.replicas")
      assert.include(fields, "spec.template.metadata.labels")
      const replicas = error.status.details?.causes?.find((cause) => cause.field === "spec.replicas")
      assert.strictEqual(replicas?.reason, "FieldValueInvalid")
      assert.strictEqual(replicas?.message, "Invalid value: -1: must be greater than or equal to 0")
      assert.isTrue(Option.isNone(yield* deployments.getOption(name)), "nothing was stored")
    })
  )

  it.effect("a Secret's stringData is stored base64-encoded in data", () =>
    Effect.gen(function* () {
      const secrets = yield* inNamespace(Secret)
      const name = uniqueName("credentials")
      const created = yield* secrets.create({ metadata: { name }, stringData: { password: "s3cret" } })
      assert.strictEqual(created.type, "Opaque")
      assert.deepStrictEqual(created.data, { password: Buffer.from("s3cret").toString("base64") })
      assert.isUndefined(created.stringData)
      assert.deepStrictEqual((yield* secrets.get(name)).data, created.data)
    })
  )

  it.effect("a Service gets a cluster IP and defaulted ports; its delete answers with the Service", () =>
    Effect.gen(function* () {
      const services = yield* inNamespace(Service)
      const name = uniqueName("web")
      const created = yield* services.create({
        metadata: { name },
        spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80 }] }
      })
      assert.strictEqual(created.spec?.type, "ClusterIP")
      assert.match(created.spec?.clusterIP ?? "", /^\d+\.\d+\.\d+\.\d+$/)
      assert.deepStrictEqual(created.spec?.clusterIPs, [created.spec?.clusterIP ?? ""])
      assert.deepStrictEqual(created.spec?.ports, [{ name: "http", port: 80, protocol: "TCP", targetPort: 80 }])
      assert.strictEqual(created.spec?.sessionAffinity, "None")
      // A Service's delete answers with the deleted Service, not a Status.
      const deleted = yield* services.delete(name)
      assert.strictEqual(deleted._tag, "Deleted")
      if (deleted._tag === "Deleted") assert.strictEqual(deleted.object?.metadata?.uid, created.metadata?.uid)
      assert.isTrue(Option.isNone(yield* services.getOption(name)))
    })
  )

  it.effect("a Pod is created Pending with the server's defaults", () =>
    Effect.gen(function* () {
      const pods = yield* inNamespace(Pod)
      const name = uniqueName("pod")
      const created = yield* pods.create({ metadata: { name }, spec: { containers: [container] } })
      assert.strictEqual(created.status?.phase, "Pending")
      assert.strictEqual(created.status?.qosClass, "BestEffort")
      assert.strictEqual(created.spec?.restartPolicy, "Always")
      assert.strictEqual(created.spec?.dnsPolicy, "ClusterFirst")
      assert.strictEqual(created.spec?.terminationGracePeriodSeconds, 30)
      assert.strictEqual(created.spec?.schedulerName, "default-scheduler")
      assert.strictEqual(created.spec?.containers[0]?.imagePullPolicy, "IfNotPresent")
      assert.strictEqual(created.spec?.containers[0]?.terminationMessagePath, "/dev/termination-log")
      const read = yield* pods.get(name)
      assert.strictEqual(read.metadata?.uid, created.metadata?.uid)
      // An unscheduled pod has no kubelet to wait for: it is gone at once.
      yield* pods.delete(name, { gracePeriodSeconds: 0 })
      assert.isTrue(Option.isNone(yield* pods.getOption(name)))
    })
  )

  it.effect("a Deployment is defaulted; generation moves on spec changes only", () =>
    Effect.gen(function* () {
      const deployments = yield* inNamespace(Deployment)
      const name = uniqueName("web")
      const created = yield* deployments.create(deployment(name))
      assert.strictEqual(created.metadata?.generation, 1)
      assert.strictEqual(created.spec?.strategy?.type, "RollingUpdate")
      assert.deepStrictEqual(created.spec?.strategy?.rollingUpdate, { maxSurge: "25%", maxUnavailable: "25%" })
      assert.strictEqual(created.spec?.revisionHistoryLimit, 10)
      assert.strictEqual(created.spec?.progressDeadlineSeconds, 600)

      const labelled = yield* deployments.patch(name, Patch.merge({ metadata: { labels: { team: "a" } } }))
      assert.strictEqual(labelled.metadata?.generation, 1, "a metadata change keeps the generation")

      const scaled = yield* deployments.patch(name, Patch.merge({ spec: { replicas: 3 } }))
      assert.strictEqual(scaled.metadata?.generation, 2, "a spec change bumps the generation")

      const statusOnly = yield* deployments.patchStatus(name, Patch.merge({ status: { collisionCount: 7 } }))
      assert.strictEqual(statusOnly.metadata?.generation, 2, "a status write keeps the generation")
      assert.strictEqual(statusOnly.status?.collisionCount, 7)
      assert.strictEqual(statusOnly.spec?.replicas, 3)

      const specAgain = yield* deployments.patch(
        name,
        Patch.merge({ spec: { replicas: 2 }, status: { collisionCount: 9 } })
      )
      assert.strictEqual(specAgain.metadata?.generation, 3)
      assert.strictEqual(specAgain.status?.collisionCount, 7, "the main resource ignores status")
    })
  )
})
