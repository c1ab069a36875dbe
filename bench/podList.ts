/**
 * A realistic PodList for decode benchmarks: pods as a Deployment's
 * ReplicaSet creates them on a 1.35 cluster, with managedFields from three
 * managers, an owner reference, a projected service-account volume, two
 * containers (probes, resources, env, mounts) and a full status. Each pod is
 * about 6.5 KB of JSON; every pod differs (names, uids, IPs, timestamps) so no
 * engine can share strings across items.
 */

const hex = (seed: number, length: number): string => {
  let out = ""
  let state = seed * 2654435761 + 1013904223
  while (out.length < length) {
    state = (state * 1103515245 + 12345) >>> 0
    out += state.toString(16).padStart(8, "0")
  }
  return out.slice(0, length)
}

const uid = (seed: number): string =>
  `${hex(seed, 8)}-${hex(seed + 1, 4)}-${hex(seed + 2, 4)}-${hex(seed + 3, 4)}-${hex(seed + 4, 12)}`

const time = (seconds: number): string =>
  new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString().replace(".000", "")

const containerFields = {
  "f:env": { ".": {}, 'k:{"name":"LOG_LEVEL"}': { ".": {}, "f:name": {}, "f:value": {} } },
  "f:image": {},
  "f:imagePullPolicy": {},
  "f:livenessProbe": { ".": {}, "f:httpGet": { ".": {}, "f:path": {}, "f:port": {} } },
  "f:name": {},
  "f:ports": { ".": {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
  "f:resources": { ".": {}, "f:limits": { ".": {}, "f:memory": {} }, "f:requests": { ".": {}, "f:cpu": {} } },
  "f:terminationMessagePath": {}
}

/** One pod of a web Deployment, numbered `index`. */
export const pod = (index: number): Record<string, unknown> => {
  const app = `web-${index % 50}`
  const hash = hex(index % 50, 10)
  const name = `${app}-${hash}-${hex(index, 5)}`
  const node = `node-${index % 200}`
  const created = index * 7
  const podIp = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`
  const hostIp = `192.168.${(index % 200) >> 8}.${index % 200}`
  const container = (containerName: string, image: string, port: number) => ({
    name: containerName,
    image,
    ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.podIP" } } }
    ],
    resources: { limits: { cpu: "1", memory: "512Mi" }, requests: { cpu: "250m", memory: "256Mi" } },
    volumeMounts: [
      { name: "config", mountPath: "/etc/app", readOnly: true },
      { name: "kube-api-access-x7k2p", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true }
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port: port, scheme: "HTTP" },
      initialDelaySeconds: 5,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3
    },
    readinessProbe: { httpGet: { path: "/ready", port: "http", scheme: "HTTP" }, periodSeconds: 5 },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: "IfNotPresent"
  })
  const containerStatus = (containerName: string, image: string, started: number) => ({
    name: containerName,
    state: { running: { startedAt: time(started) } },
    lastState: {},
    ready: true,
    restartCount: index % 3,
    image,
    imageID: `${image.split(":")[0]}@sha256:${hex(index + image.length, 64)}`,
    containerID: `containerd://${hex(index * 3 + image.length, 64)}`,
    started: true
  })
  const condition = (type: string, at: number) => ({
    type,
    status: "True",
    lastProbeTime: null,
    lastTransitionTime: time(at)
  })
  return {
    metadata: {
      name,
      generateName: `${app}-${hash}-`,
      namespace: `team-${index % 20}`,
      uid: uid(index),
      resourceVersion: String(1_000_000 + index),
      creationTimestamp: time(created),
      labels: { app, "pod-template-hash": hash, "app.kubernetes.io/part-of": "shop", tier: "frontend" },
      annotations: { "prometheus.io/scrape": "true" },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${app}-${hash}`,
          uid: uid(index % 50),
          controller: true,
          blockOwnerDeletion: true
        }
      ],
      managedFields: [
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "v1",
          time: time(created),
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": {
              "f:annotations": { ".": {}, "f:prometheus.io/scrape": {} },
              "f:generateName": {},
              "f:labels": { ".": {}, "f:app": {}, "f:pod-template-hash": {}, "f:tier": {} },
              "f:ownerReferences": { ".": {}, [`k:{"uid":"${uid(index % 50)}"}`]: {} }
            },
            "f:spec": {
              "f:containers": { 'k:{"name":"app"}': containerFields },
              "f:dnsPolicy": {},
              "f:enableServiceLinks": {},
              "f:restartPolicy": {},
              "f:schedulerName": {},
              "f:securityContext": {},
              "f:terminationGracePeriodSeconds": {},
              "f:volumes": { ".": {}, 'k:{"name":"config"}': { ".": {}, "f:configMap": {}, "f:name": {} } }
            }
          }
        },
        {
          manager: "kubelet",
          operation: "Update",
          apiVersion: "v1",
          time: time(created + 4),
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:status": {
              "f:conditions": {
                'k:{"type":"ContainersReady"}': {
                  ".": {},
                  "f:lastProbeTime": {},
                  "f:lastTransitionTime": {},
                  "f:status": {},
                  "f:type": {}
                },
                'k:{"type":"Initialized"}': {
                  ".": {},
                  "f:lastProbeTime": {},
                  "f:lastTransitionTime": {},
                  "f:status": {},
                  "f:type": {}
                },
                'k:{"type":"Ready"}': {
                  ".": {},
                  "f:lastProbeTime": {},
                  "f:lastTransitionTime": {},
                  "f:status": {},
                  "f:type": {}
                }
              },
              "f:containerStatuses": {},
              "f:hostIP": {},
              "f:hostIPs": {},
              "f:phase": {},
              "f:podIP": {},
              "f:podIPs": { ".": {}, [`k:{"ip":"${podIp}"}`]: { ".": {}, "f:ip": {} } },
              "f:startTime": {}
            }
          },
          subresource: "status"
        }
      ]
    },
    spec: {
      volumes: [
        { name: "config", configMap: { name: `${app}-config`, defaultMode: 420 } },
        {
          name: "kube-api-access-x7k2p",
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              {
                downwardAPI: {
                  items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }]
                }
              }
            ],
            defaultMode: 420
          }
        }
      ],
      containers: [
        container("app", `registry.example.com/shop/${app}:1.${index % 9}.0`, 8080),
        container("sidecar", "registry.example.com/mesh/proxy:2.4.1", 15001)
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      serviceAccount: "default",
      nodeName: node,
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      schedulerName: "default-scheduler",
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority"
    },
    status: {
      phase: "Running",
      conditions: [
        condition("PodReadyToStartContainers", created + 2),
        condition("Initialized", created + 1),
        condition("Ready", created + 4),
        condition("ContainersReady", created + 4),
        condition("PodScheduled", created)
      ],
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      podIP: podIp,
      podIPs: [{ ip: podIp }],
      startTime: time(created + 1),
      containerStatuses: [
        containerStatus("app", `registry.example.com/shop/${app}:1.${index % 9}.0`, created + 3),
        containerStatus("sidecar", "registry.example.com/mesh/proxy:2.4.1", created + 3)
      ],
      qosClass: "Burstable"
    }
  }
}

/** The JSON text of a PodList of `count` pods, as the API server sends it. */
export const podListJson = (count: number): string =>
  JSON.stringify({
    kind: "PodList",
    apiVersion: "v1",
    metadata: { resourceVersion: String(1_000_000 + count) },
    items: Array.from({ length: count }, (_, index) => pod(index))
  })

/**
 * The body of a watch of `count` events, one JSON document per line as the
 * API server streams it: MODIFIED events of the pods above (one in a hundred
 * ADDED, one in a hundred DELETED), each with a rising resourceVersion, and a
 * BOOKMARK every 1000 events.
 */
export const watchEventsNdjson = (count: number): string => {
  const lines: Array<string> = []
  for (let index = 0; index < count; index++) {
    const resourceVersion = String(2_000_000 + index)
    if (index % 1000 === 999) {
      lines.push(
        JSON.stringify({ type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion } } })
      )
      continue
    }
    const { metadata, ...rest } = pod(index)
    const type = index % 100 === 0 ? "ADDED" : index % 100 === 50 ? "DELETED" : "MODIFIED"
    // The API server's field order: kind, apiVersion, metadata, spec, status.
    const object = {
      kind: "Pod",
      apiVersion: "v1",
      metadata: typeof metadata === "object" && metadata !== null ? { ...metadata, resourceVersion } : metadata,
      ...rest
    }
    lines.push(JSON.stringify({ type, object }))
  }
  return `${lines.join("\n")}\n`
}
