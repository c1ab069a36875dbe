/**
 * The defaults kube-apiserver 1.35 fills into built-in objects before it
 * validates them (`pkg/apis/<group>/v1/defaults.go`), the mutations of the
 * admission plugins enabled by default that touch common kinds
 * (DefaultTolerationSeconds, Priority), and the status a create leaves.
 * Keyed by `apiVersion/kind`; every function copies only what it changes, so
 * an object without missing fields is returned as is and a stored version
 * (which may share parts with the input of an update) is never mutated.
 */
import { isRecord, type JsonObject, recordAt, stringAt } from "./json.js"

/** `undefined` and JSON `null` both mean "not set", as Go's decoder reads them. */
const unset = (value: unknown): boolean => value === undefined || value === null

/** The object with each missing key of `defaults` added (in that order); the same object when none is missing. */
const withDefaults = (object: JsonObject, defaults: JsonObject): JsonObject => {
  let result = object
  for (const key of Object.keys(defaults)) {
    if (!unset(object[key])) continue
    if (result === object) result = { ...object }
    result[key] = defaults[key]
  }
  return result
}

/** The object with `update` applied to the object under `key` (when there is one). */
const mapRecord = (object: JsonObject, key: string, update: (value: JsonObject) => JsonObject): JsonObject => {
  const value = object[key]
  if (!isRecord(value)) return object
  const next = update(value)
  return next === value ? object : { ...object, [key]: next }
}

/** The object with `update` applied to each object of the list under `key`. */
const mapList = (object: JsonObject, key: string, update: (value: JsonObject) => JsonObject): JsonObject => {
  const value = object[key]
  if (!Array.isArray(value)) return object
  let changed = false
  const next = value.map((item) => {
    if (!isRecord(item)) return item
    const updated = update(item)
    if (updated !== item) changed = true
    return updated
  })
  return changed ? { ...object, [key]: next } : object
}

// ---------------------------------------------------------------- core/v1 pieces

const protocolDefault = (port: JsonObject) => withDefaults(port, { protocol: "TCP" })

/** `Always` for an image without a tag or tagged `latest`, `IfNotPresent` otherwise (a digest counts as a tag). */
const imagePullPolicyFor = (image: string): string => {
  if (image.includes("@")) return "IfNotPresent"
  const lastSegment = image.slice(image.lastIndexOf("/") + 1)
  const colon = lastSegment.lastIndexOf(":")
  return colon === -1 || lastSegment.slice(colon + 1) === "latest" ? "Always" : "IfNotPresent"
}

const httpGetDefault = (action: JsonObject) => withDefaults(action, { path: "/", scheme: "HTTP" })

const handlerDefault = (handler: JsonObject) => mapRecord(handler, "httpGet", httpGetDefault)

const probeDefault = (probe: JsonObject) =>
  withDefaults(handlerDefault(probe), {
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3
  })

const fieldReferenceDefault = (reference: JsonObject) => withDefaults(reference, { apiVersion: "v1" })

const environmentDefault = (variable: JsonObject) =>
  mapRecord(variable, "valueFrom", (source) => mapRecord(source, "fieldRef", fieldReferenceDefault))

const containerDefault = (container: JsonObject): JsonObject => {
  let next = mapList(container, "ports", protocolDefault)
  next = mapList(next, "env", environmentDefault)
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) next = mapRecord(next, probe, probeDefault)
  next = mapRecord(next, "lifecycle", (lifecycle) =>
    mapRecord(mapRecord(lifecycle, "postStart", handlerDefault), "preStop", handlerDefault)
  )
  const image = stringAt(next, "image")
  return withDefaults(next, {
    resources: {},
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    ...(image === undefined || image === "" ? {} : { imagePullPolicy: imagePullPolicyFor(image) })
  })
}

const defaultMode = (source: JsonObject) => withDefaults(source, { defaultMode: 420 })

const volumeSources = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image"
]

const volumeDefault = (volume: JsonObject): JsonObject => {
  if (!volumeSources.some((source) => !unset(volume[source]))) return { ...volume, emptyDir: {} }
  let next = volume
  for (const source of ["configMap", "secret", "downwardAPI", "projected"]) next = mapRecord(next, source, defaultMode)
  next = mapRecord(next, "hostPath", (hostPath) => withDefaults(hostPath, { type: "" }))
  return mapRecord(next, "downwardAPI", (downward) =>
    mapList(downward, "items", (item) => mapRecord(item, "fieldRef", fieldReferenceDefault))
  )
}

/** `SetDefaults_PodSpec` and what it recurses into: every pod template gets these. */
const podSpecDefault = (spec: JsonObject): JsonObject => {
  let next = mapList(spec, "volumes", volumeDefault)
  next = mapList(next, "initContainers", containerDefault)
  next = mapList(next, "containers", containerDefault)
  next = mapList(next, "ephemeralContainers", containerDefault)
  if (next.hostNetwork === true) {
    const hostPorts = (container: JsonObject) =>
      mapList(container, "ports", (port) => withDefaults(port, { hostPort: port.containerPort }))
    next = mapList(mapList(next, "initContainers", hostPorts), "containers", hostPorts)
  }
  return withDefaults(next, {
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    securityContext: {},
    schedulerName: "default-scheduler"
  })
}

const templateDefault = (owner: JsonObject): JsonObject =>
  mapRecord(owner, "template", (template) => mapRecord(template, "spec", podSpecDefault))

/** `SetDefaults_Pod`: requests default to limits, service links are on. */
const podOnlyDefault = (spec: JsonObject): JsonObject => {
  const requestsFromLimits = (container: JsonObject) =>
    mapRecord(container, "resources", (resources) => {
      const limits = resources.limits
      if (!isRecord(limits) || Object.keys(limits).length === 0) return resources
      const requests = isRecord(resources.requests) ? resources.requests : {}
      const filled = withDefaults(requests, limits)
      return filled === resources.requests ? resources : { ...resources, requests: filled }
    })
  const next = mapList(mapList(spec, "initContainers", requestsFromLimits), "containers", requestsFromLimits)
  return withDefaults(next, { enableServiceLinks: true })
}

const persistentVolumeClaimDefault = (claim: JsonObject): JsonObject => {
  const next = mapRecord(claim, "spec", (spec) => withDefaults(spec, { volumeMode: "Filesystem" }))
  return withDefaults(next, { status: { phase: "Pending" } })
}

const specDefault =
  (update: (spec: JsonObject) => JsonObject) =>
  (object: JsonObject): JsonObject =>
    mapRecord(withDefaults(object, { spec: {} }), "spec", update)

/** `{replicas: 1, ...spec}`: replicas is the spec's first field, as the server encodes it. */
const withReplicas = (spec: JsonObject): JsonObject => (unset(spec.replicas) ? { replicas: 1, ...spec } : spec)

/** `SetDefaults_Service`: the type, session affinity, port protocols and target ports, traffic policies. */
const serviceSpecDefault = (spec: JsonObject): JsonObject => {
  const type = stringAt(spec, "type") ?? "ClusterIP"
  let next = mapList(spec, "ports", (port) => {
    const withProtocol = protocolDefault(port)
    const missing = unset(port.targetPort) || port.targetPort === 0 || port.targetPort === ""
    return missing ? { ...withProtocol, targetPort: port.port } : withProtocol
  })
  next = withDefaults(next, { type, sessionAffinity: "None" })
  if (next.sessionAffinity === "ClientIP")
    next = withDefaults(next, { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } })
  if (type === "NodePort" || type === "LoadBalancer") next = withDefaults(next, { externalTrafficPolicy: "Cluster" })
  if (type === "LoadBalancer") next = withDefaults(next, { allocateLoadBalancerNodePorts: true })
  return type === "ExternalName" ? next : withDefaults(next, { internalTrafficPolicy: "Cluster" })
}

// ---------------------------------------------------------------- by kind

const defaulters: { readonly [apiVersionKind: string]: (object: JsonObject) => JsonObject } = {
  "v1/Pod": specDefault((spec) => podOnlyDefault(podSpecDefault(spec))),
  "v1/PodTemplate": templateDefault,
  "v1/ReplicationController": specDefault((spec) => templateDefault(withReplicas(spec))),
  "v1/Secret": (secret) => {
    const { stringData, ...rest } = secret
    const merged = isRecord(stringData)
      ? {
          ...rest,
          data: {
            ...recordAt(rest, "data"),
            ...Object.fromEntries(
              Object.entries(stringData).map(([key, value]) => [key, Buffer.from(String(value)).toString("base64")])
            )
          }
        }
      : secret
    return withDefaults(merged, { type: "Opaque" })
  },
  "v1/PersistentVolumeClaim": persistentVolumeClaimDefault,
  "v1/Service": specDefault(serviceSpecDefault),
  "v1/Endpoints": (endpoints) => mapList(endpoints, "subsets", (subset) => mapList(subset, "ports", protocolDefault)),
  "apps/v1/Deployment": specDefault((spec) => {
    const strategy = isRecord(spec.strategy) ? spec.strategy : {}
    const type = stringAt(strategy, "type") ?? "RollingUpdate"
    const rollingUpdate =
      type === "RollingUpdate"
        ? withDefaults(recordAt(strategy, "rollingUpdate"), { maxUnavailable: "25%", maxSurge: "25%" })
        : undefined
    const defaultedStrategy =
      strategy.type === type && (rollingUpdate === undefined || rollingUpdate === strategy.rollingUpdate)
        ? strategy
        : { ...strategy, type, ...(rollingUpdate === undefined ? {} : { rollingUpdate }) }
    const next = templateDefault(withReplicas(spec))
    return withDefaults(defaultedStrategy === spec.strategy ? next : { ...next, strategy: defaultedStrategy }, {
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600
    })
  }),
  "apps/v1/ReplicaSet": specDefault((spec) => templateDefault(withReplicas(spec))),
  "apps/v1/StatefulSet": specDefault((spec) => {
    const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {}
    const type = stringAt(strategy, "type") ?? "RollingUpdate"
    const updateStrategy =
      type === "RollingUpdate"
        ? { ...strategy, type, rollingUpdate: withDefaults(recordAt(strategy, "rollingUpdate"), { partition: 0 }) }
        : { ...strategy, type }
    const next = mapList(templateDefault(withReplicas(spec)), "volumeClaimTemplates", (claim) =>
      withDefaults(persistentVolumeClaimDefault(claim), { kind: "PersistentVolumeClaim", apiVersion: "v1" })
    )
    const ordered = withDefaults(
      { ...withDefaults(next, { serviceName: "", podManagementPolicy: "OrderedReady" }), updateStrategy },
      { revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: {} }
    )
    return mapRecord(ordered, "persistentVolumeClaimRetentionPolicy", (policy) =>
      withDefaults(policy, { whenDeleted: "Retain", whenScaled: "Retain" })
    )
  }),
  "apps/v1/DaemonSet": specDefault((spec) => {
    const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {}
    const type = stringAt(strategy, "type") ?? "RollingUpdate"
    const updateStrategy =
      type === "RollingUpdate"
        ? {
            ...strategy,
            type,
            rollingUpdate: withDefaults(recordAt(strategy, "rollingUpdate"), { maxUnavailable: 1, maxSurge: 0 })
          }
        : { ...strategy, type }
    return withDefaults({ ...templateDefault(spec), updateStrategy }, { revisionHistoryLimit: 10 })
  }),
  "batch/v1/Job": specDefault((spec) => jobSpecDefault(spec)),
  "batch/v1/CronJob": specDefault((spec) =>
    withDefaults(
      mapRecord(spec, "jobTemplate", (template) =>
        withDefaults(mapRecord(template, "spec", templateDefault), { metadata: {} })
      ),
      { concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 }
    )
  ),
  "networking.k8s.io/v1/NetworkPolicy": specDefault((spec) => {
    const withPorts = (rule: JsonObject) => mapList(rule, "ports", protocolDefault)
    const next = mapList(mapList(spec, "ingress", withPorts), "egress", withPorts)
    return withDefaults(next, {
      policyTypes: Array.isArray(spec.egress) && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]
    })
  })
}

/** `SetDefaults_Job` (the selector and labels come with the uid, from `jobSelector`). */
const jobSpecDefault = (spec: JsonObject): JsonObject => {
  const completionsAndParallelism =
    unset(spec.completions) && unset(spec.parallelism) ? { parallelism: 1, completions: 1 } : { parallelism: 1 }
  const next = templateDefault(withDefaults(spec, completionsAndParallelism))
  return withDefaults(next, {
    backoffLimit: unset(spec.backoffLimitPerIndex) ? 6 : 2147483647,
    completionMode: "NonIndexed",
    suspend: false,
    podReplacementPolicy: unset(spec.podFailurePolicy) ? "TerminatingOrFailed" : "Failed"
  })
}

/** The object with the server's defaults for its kind (the same object when there are none to add). */
export const applyDefaults = (apiVersion: string, kind: string, object: JsonObject): JsonObject => {
  const defaulter = defaulters[`${apiVersion}/${kind}`]
  return defaulter === undefined ? object : defaulter(object)
}

/**
 * What the Job strategy adds on create unless `manualSelector` is set: a
 * selector on the job's uid, the uid and job-name labels on the template,
 * and the template's labels on a job that has none.
 */
export const jobSelector = (job: JsonObject, uid: string, name: string): JsonObject => {
  const spec = recordAt(job, "spec")
  if (spec.manualSelector === true) return job
  const template = recordAt(spec, "template")
  const templateMetadata = recordAt(template, "metadata")
  const labels = {
    ...recordAt(templateMetadata, "labels"),
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name
  }
  const metadata = recordAt(job, "metadata")
  return {
    ...job,
    metadata: Object.keys(recordAt(metadata, "labels")).length === 0 ? { ...metadata, labels } : metadata,
    spec: {
      ...spec,
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
      manualSelector: false,
      template: { ...template, metadata: { ...templateMetadata, labels } }
    }
  }
}

// ---------------------------------------------------------------- pods: admission and status

const notReady = "node.kubernetes.io/not-ready"
const unreachable = "node.kubernetes.io/unreachable"

const tolerates = (tolerations: ReadonlyArray<unknown>, key: string): boolean =>
  tolerations.some(
    (toleration) =>
      isRecord(toleration) &&
      (unset(toleration.effect) || toleration.effect === "" || toleration.effect === "NoExecute") &&
      (toleration.key === key || ((unset(toleration.key) || toleration.key === "") && toleration.operator === "Exists"))
  )

/** The built-in priority classes. */
const systemPriorities: { readonly [name: string]: number } = {
  "system-node-critical": 2000001000,
  "system-cluster-critical": 2000000000
}

/**
 * What the DefaultTolerationSeconds and Priority admission plugins add to a
 * pod on create: 300 s tolerations of not-ready and unreachable nodes, and
 * the priority of its class (`lookupPriorityClass` finds a PriorityClass
 * object; a class that exists nowhere is reported).
 */
export const admitPod = (
  pod: JsonObject,
  lookupPriorityClass: (name: string) => { readonly value: number; readonly preemptionPolicy: string } | undefined
):
  | { readonly _tag: "Admitted"; readonly pod: JsonObject }
  | { readonly _tag: "MissingPriorityClass"; readonly name: string } => {
  const spec = recordAt(pod, "spec")
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : []
  const added = [
    ...tolerations,
    ...[notReady, unreachable]
      .filter((key) => !tolerates(tolerations, key))
      .map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }))
  ]
  const className = stringAt(spec, "priorityClassName") ?? ""
  let priority = { value: 0, preemptionPolicy: "PreemptLowerPriority" }
  if (className !== "") {
    const system = systemPriorities[className]
    const found = system === undefined ? lookupPriorityClass(className) : { ...priority, value: system }
    if (found === undefined) return { _tag: "MissingPriorityClass", name: className }
    priority = found
  }
  const { enableServiceLinks, preemptionPolicy, ...rest } = spec
  return {
    _tag: "Admitted",
    pod: {
      ...pod,
      spec: {
        ...rest,
        tolerations: added,
        priority: priority.value,
        ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }),
        preemptionPolicy: typeof preemptionPolicy === "string" ? preemptionPolicy : priority.preemptionPolicy
      }
    }
  }
}

const qosResources = ["cpu", "memory"]

/** A pod's QoS class (`GetPodQOS`): BestEffort without requests or limits, Guaranteed when every container's limits equal its requests. */
export const qosClass = (spec: JsonObject): string => {
  const containers = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])
  ].filter(isRecord)
  let anySet = false
  let guaranteed = true
  for (const container of containers) {
    const resources = recordAt(container, "resources")
    const requests = recordAt(resources, "requests")
    const limits = recordAt(resources, "limits")
    for (const name of qosResources) {
      const request = requests[name]
      const limit = limits[name]
      const isSet = (quantity: unknown) => quantity !== undefined && quantity !== null && quantity !== "0"
      if (isSet(request) || isSet(limit)) anySet = true
      if (!isSet(limit) || (isSet(request) && String(request) !== String(limit))) guaranteed = false
    }
  }
  if (!anySet) return "BestEffort"
  return guaranteed ? "Guaranteed" : "Burstable"
}

/** The status each built-in kind with a status subresource starts with on create (its non-optional fields). */
export const statusOnCreate = (apiVersion: string, kind: string, object: JsonObject): JsonObject => {
  switch (`${apiVersion}/${kind}`) {
    case "v1/Pod":
      return { phase: "Pending", qosClass: qosClass(recordAt(object, "spec")) }
    case "v1/Service":
    case "networking.k8s.io/v1/Ingress":
      return { loadBalancer: {} }
    case "v1/PersistentVolumeClaim":
      return { phase: "Pending" }
    case "apps/v1/StatefulSet":
      return { replicas: 0, availableReplicas: 0 }
    case "apps/v1/ReplicaSet":
    case "v1/ReplicationController":
      return { replicas: 0 }
    case "apps/v1/DaemonSet":
      return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }
    default:
      return {}
  }
}

// ---------------------------------------------------------------- services: cluster IPs and node ports

/** The service CIDR, as the harness's `--service-cluster-ip-range=10.0.0.0/24`. */
export const serviceNetwork = { prefix: "10.0.0.", first: 1, last: 254, text: "10.0.0.0/24" }

/** The cluster IP of the `kubernetes` service: the first of the range. */
export const kubernetesServiceIp = `${serviceNetwork.prefix}${serviceNetwork.first}`

const nodePortRange = { first: 30000, last: 32767 }

/** What a Service allocation needs to know: addresses and node ports taken by other services. */
export interface ServiceAllocations {
  readonly clusterIps: ReadonlySet<string>
  readonly nodePorts: ReadonlySet<number>
}

/** An allocated spec, or why the allocation failed: a field error (422) or a full range (500). */
export type Allocation =
  | { readonly _tag: "Allocated"; readonly spec: JsonObject }
  | { readonly _tag: "Invalid"; readonly field: string; readonly value: unknown; readonly detail: string }
  | { readonly _tag: "Full"; readonly message: string }

const randomFree = (first: number, last: number, taken: (candidate: number) => boolean): number | undefined => {
  const size = last - first + 1
  const start = Math.floor(Math.random() * size)
  for (let offset = 0; offset < size; offset++) {
    const candidate = first + ((start + offset) % size)
    if (!taken(candidate)) return candidate
  }
  return undefined
}

/**
 * A Service spec with its cluster IP(s), IP families and node ports
 * allocated, as the Service REST storage does: an update that omits them
 * keeps the previous ones; a requested address must be free and in range.
 */
export const allocateServiceAddresses = (
  spec: JsonObject,
  previous: JsonObject | undefined,
  taken: ServiceAllocations
): Allocation => {
  const type = stringAt(spec, "type") ?? "ClusterIP"
  if (type === "ExternalName") return { _tag: "Allocated", spec }
  let next = spec
  const previousIp = previous === undefined ? undefined : stringAt(previous, "clusterIP")
  if ((stringAt(next, "clusterIP") ?? "") === "" && previous !== undefined && previousIp !== undefined)
    next = withDefaults(
      { ...next, clusterIP: previousIp },
      { clusterIPs: previous.clusterIPs, ipFamilies: previous.ipFamilies, ipFamilyPolicy: previous.ipFamilyPolicy }
    )
  const requested = stringAt(next, "clusterIP") ?? ""
  if (requested === "None") {
    next = withDefaults(next, {
      clusterIPs: ["None"],
      ipFamilies: ["IPv4", "IPv6"],
      ipFamilyPolicy: "RequireDualStack"
    })
  } else {
    let address = requested
    if (address === "") {
      const free = randomFree(serviceNetwork.first, serviceNetwork.last, (candidate) =>
        taken.clusterIps.has(`${serviceNetwork.prefix}${candidate}`)
      )
      if (free === undefined) return { _tag: "Full", message: "failed to allocate a serviceIP: range is full" }
      address = `${serviceNetwork.prefix}${free}`
    } else if (address !== previousIp) {
      const failure = (reason: string): Allocation => ({
        _tag: "Invalid",
        field: "spec.clusterIPs",
        value: [address],
        detail: `failed to allocate IP ${address}: ${reason}`
      })
      const last = Number(address.slice(serviceNetwork.prefix.length))
      if (!address.startsWith(serviceNetwork.prefix))
        return failure("the provided network does not match the current range")
      if (
        !/^\d{1,3}$/.test(address.slice(serviceNetwork.prefix.length)) ||
        last < serviceNetwork.first ||
        last > serviceNetwork.last
      )
        return failure(
          `the provided IP (${address}) is not in the valid range. The range of valid IPs is ${serviceNetwork.text}`
        )
      if (taken.clusterIps.has(address)) return failure("provided IP is already allocated")
    }
    next = withDefaults(
      { ...next, clusterIP: address },
      { clusterIPs: [address], ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack" }
    )
  }
  if (type !== "NodePort" && type !== "LoadBalancer") return { _tag: "Allocated", spec: next }
  const previousPorts = previous !== undefined && Array.isArray(previous.ports) ? previous.ports.filter(isRecord) : []
  const used = new Set(taken.nodePorts)
  let full = false
  next = mapList(next, "ports", (port) => {
    if (!unset(port.nodePort) && port.nodePort !== 0) return port
    const kept = previousPorts.find((old) => old.port === port.port && old.protocol === port.protocol)?.nodePort
    const nodePort =
      typeof kept === "number"
        ? kept
        : randomFree(nodePortRange.first, nodePortRange.last, (candidate) => used.has(candidate))
    if (nodePort === undefined) {
      full = true
      return port
    }
    used.add(nodePort)
    return { ...port, nodePort }
  })
  return full
    ? { _tag: "Full", message: "failed to allocate a nodePort: range is full" }
    : { _tag: "Allocated", spec: next }
}
