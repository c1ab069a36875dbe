/**
 * Objects as a 1.35 API server returns them (`kubectl get -o json`), one per
 * kind, each with managed fields and status where the kind has them, and a few
 * fields no schema knows (`x-future*`), to prove decode → encode keeps them.
 */
import { pod } from "../../bench/podList.js"

const managedFields = (manager: string, apiVersion: string, fields: Record<string, unknown>) => [
  {
    manager,
    operation: "Update",
    apiVersion,
    time: "2026-01-10T08:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: fields
  }
]

export const fixtures: ReadonlyArray<{ readonly apiVersion: string; readonly kind: string; readonly object: unknown }> =
  [
    {
      apiVersion: "v1",
      kind: "Pod",
      object: {
        apiVersion: "v1",
        kind: "Pod",
        ...pod(7),
        "x-futureTopLevel": { enabled: true }
      }
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name: "web",
          namespace: "shop",
          uid: "6c0e1d1e-8a8e-4bf3-9d7e-0a1f8f2f7b11",
          resourceVersion: "48213",
          generation: 4,
          creationTimestamp: "2026-01-10T08:00:00Z",
          labels: { app: "web" },
          annotations: { "deployment.kubernetes.io/revision": "4" },
          managedFields: managedFields("kubectl-client-side-apply", "apps/v1", {
            "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": {} } } }
          })
        },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: {
              labels: { app: "web" },
              annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-10T09:00:00Z" }
            },
            spec: {
              containers: [
                {
                  name: "web",
                  image: "nginx:1.27",
                  ports: [{ containerPort: 80, protocol: "TCP" }],
                  resources: { requests: { cpu: "100m", memory: "128Mi" } },
                  terminationMessagePath: "/dev/termination-log",
                  terminationMessagePolicy: "File",
                  imagePullPolicy: "IfNotPresent",
                  "x-futureContainerField": ["a", "b"]
                }
              ],
              restartPolicy: "Always",
              terminationGracePeriodSeconds: 30,
              dnsPolicy: "ClusterFirst",
              securityContext: {},
              schedulerName: "default-scheduler"
            }
          },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600
        },
        status: {
          observedGeneration: 4,
          replicas: 3,
          updatedReplicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
          conditions: [
            {
              type: "Available",
              status: "True",
              lastUpdateTime: "2026-01-10T08:01:00Z",
              lastTransitionTime: "2026-01-10T08:01:00Z",
              reason: "MinimumReplicasAvailable",
              message: "Deployment has minimum availability."
            },
            {
              type: "Progressing",
              status: "True",
              lastUpdateTime: "2026-01-10T09:00:20Z",
              lastTransitionTime: "2026-01-10T08:00:00Z",
              reason: "NewReplicaSetAvailable",
              message: 'ReplicaSet "web-7d4b9c8f6d" has successfully progressed.'
            }
          ]
        }
      }
    },
    {
      apiVersion: "v1",
      kind: "Service",
      object: {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: "web",
          namespace: "shop",
          uid: "0a7a1b6e-0f9e-4d1c-8a7e-5b6c1d2e3f40",
          resourceVersion: "48100",
          creationTimestamp: "2026-01-10T08:00:00Z"
        },
        spec: {
          ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: "http" }],
          selector: { app: "web" },
          clusterIP: "10.96.12.7",
          clusterIPs: ["10.96.12.7"],
          type: "ClusterIP",
          sessionAffinity: "None",
          ipFamilies: ["IPv4"],
          ipFamilyPolicy: "SingleStack",
          internalTrafficPolicy: "Cluster",
          trafficDistribution: "PreferClose"
        },
        status: { loadBalancer: {} }
      }
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "web-config",
          namespace: "shop",
          uid: "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
          resourceVersion: "47000",
          creationTimestamp: "2026-01-10T07:59:00Z"
        },
        data: { "app.yaml": "listen: 8080\nlog: json\n", LOG_LEVEL: "info" },
        binaryData: { "logo.png": "iVBORw0KGgo=" },
        immutable: false
      }
    },
    {
      apiVersion: "v1",
      kind: "Node",
      object: {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: "node-1",
          uid: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
          resourceVersion: "50000",
          creationTimestamp: "2026-01-01T00:00:00Z",
          labels: { "kubernetes.io/hostname": "node-1", "node-role.kubernetes.io/worker": "" },
          annotations: { "node.alpha.kubernetes.io/ttl": "0" }
        },
        spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"], providerID: "kind://docker/kind/node-1" },
        status: {
          capacity: { cpu: "8", memory: "32781016Ki", pods: "110", "ephemeral-storage": "102626232Ki" },
          allocatable: { cpu: "8", memory: "32678616Ki", pods: "110", "ephemeral-storage": "102626232Ki" },
          conditions: [
            {
              type: "Ready",
              status: "True",
              lastHeartbeatTime: "2026-01-10T09:00:00Z",
              lastTransitionTime: "2026-01-01T00:01:00Z",
              reason: "KubeletReady",
              message: "kubelet is posting ready status"
            }
          ],
          addresses: [
            { type: "InternalIP", address: "172.18.0.3" },
            { type: "Hostname", address: "node-1" }
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            machineID: "a1b2c3",
            systemUUID: "d4e5f6",
            bootID: "0718",
            kernelVersion: "6.8.0",
            osImage: "Debian GNU/Linux 12 (bookworm)",
            containerRuntimeVersion: "containerd://2.1.0",
            kubeletVersion: "v1.35.0",
            kubeProxyVersion: "",
            operatingSystem: "linux",
            architecture: "amd64",
            swap: { capacity: 0 }
          },
          images: [
            { names: ["docker.io/library/nginx@sha256:abc", "docker.io/library/nginx:1.27"], sizeBytes: 72099501 }
          ],
          features: { supplementalGroupsPolicy: true },
          runtimeHandlers: [{ name: "runc", features: { recursiveReadOnlyMounts: true, userNamespaces: true } }],
          "x-futureNodeStatus": 1
        }
      }
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      object: {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
          name: "web",
          namespace: "shop",
          uid: "2c3d4e5f-6071-4829-93a4-b5c6d7e8f901",
          resourceVersion: "48300",
          generation: 1,
          creationTimestamp: "2026-01-10T08:02:00Z"
        },
        spec: {
          ingressClassName: "nginx",
          tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
          rules: [
            {
              host: "shop.example.com",
              http: {
                paths: [
                  { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
                  { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } }
                ]
              }
            }
          ]
        },
        status: { loadBalancer: { ingress: [{ ip: "172.18.0.10", ports: [{ port: 443, protocol: "TCP" }] }] } }
      }
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      object: {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
          name: "web-allow-frontend",
          namespace: "shop",
          uid: "3d4e5f60-7182-493a-a4b5-c6d7e8f90112",
          resourceVersion: "48400",
          generation: 1,
          creationTimestamp: "2026-01-10T08:03:00Z"
        },
        spec: {
          podSelector: { matchLabels: { app: "web" } },
          ingress: [
            {
              from: [
                { podSelector: { matchLabels: { tier: "frontend" } } },
                { namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["shop", "ops"] }] } },
                { ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }
              ],
              ports: [
                { protocol: "TCP", port: 8080 },
                { protocol: "TCP", port: "metrics", endPort: 9100 }
              ]
            }
          ],
          policyTypes: ["Ingress"]
        }
      }
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      object: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: {
          name: "pod-reader",
          uid: "4e5f6071-8293-4a4b-b5c6-d7e8f9011223",
          resourceVersion: "100",
          creationTimestamp: "2026-01-01T00:00:00Z",
          labels: { "kubernetes.io/bootstrapping": "rbac-defaults" }
        },
        rules: [
          { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] },
          { nonResourceURLs: ["/healthz"], verbs: ["get"] }
        ],
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-view": "true" } }] }
      }
    },
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      object: {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: {
          name: "widgets.example.com",
          uid: "5f607182-93a4-4b5c-86d7-e8f901122334",
          resourceVersion: "2000",
          generation: 1,
          creationTimestamp: "2026-01-05T00:00:00Z"
        },
        spec: {
          group: "example.com",
          names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["wd"] },
          scope: "Namespaced",
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              subresources: {
                status: {},
                scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" }
              },
              additionalPrinterColumns: [{ name: "Replicas", type: "integer", jsonPath: ".spec.replicas" }],
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: {
                      type: "object",
                      required: ["size"],
                      properties: {
                        size: { type: "string", enum: ["small", "large"], default: "small" },
                        replicas: { type: "integer", minimum: 0, maximum: 10 },
                        port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
                        extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                        tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" }
                      },
                      "x-kubernetes-validations": [{ rule: "self.replicas <= 10", message: "too many" }]
                    },
                    status: { type: "object", properties: { replicas: { type: "integer" } } }
                  }
                }
              }
            }
          ],
          conversion: { strategy: "None" }
        },
        status: {
          conditions: [
            {
              type: "Established",
              status: "True",
              lastTransitionTime: "2026-01-05T00:00:01Z",
              reason: "InitialNamesAccepted",
              message: "the initial names have been accepted"
            }
          ],
          acceptedNames: {
            plural: "widgets",
            singular: "widget",
            kind: "Widget",
            listKind: "WidgetList",
            shortNames: ["wd"]
          },
          storedVersions: ["v1"]
        }
      }
    },
    {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      object: {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name: "node-1",
          namespace: "kube-node-lease",
          uid: "60718293-a4b5-4c6d-97e8-f90112233445",
          resourceVersion: "51000",
          creationTimestamp: "2026-01-01T00:00:00Z",
          ownerReferences: [
            { apiVersion: "v1", kind: "Node", name: "node-1", uid: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" }
          ]
        },
        spec: {
          holderIdentity: "node-1",
          leaseDurationSeconds: 40,
          renewTime: "2026-01-10T09:00:05.123456Z",
          "x-futureLeaseField": "v2"
        }
      }
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      object: {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: {
          name: "nightly",
          namespace: "shop",
          uid: "718293a4-b5c6-4d7e-88f9-011223344556",
          resourceVersion: "49000",
          generation: 2,
          creationTimestamp: "2026-01-02T00:00:00Z"
        },
        spec: {
          schedule: "0 3 * * *",
          timeZone: "Europe/Paris",
          concurrencyPolicy: "Forbid",
          suspend: false,
          jobTemplate: {
            metadata: {},
            spec: {
              backoffLimit: 2,
              ttlSecondsAfterFinished: 3600,
              template: {
                metadata: {},
                spec: {
                  restartPolicy: "OnFailure",
                  containers: [{ name: "report", image: "busybox:1.37", command: ["sh", "-c", "echo done"] }]
                }
              }
            }
          },
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1
        },
        status: { lastScheduleTime: "2026-01-10T03:00:00Z", lastSuccessfulTime: "2026-01-10T03:00:12Z" }
      }
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      object: {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: "web-x7k2p",
          generateName: "web-",
          namespace: "shop",
          uid: "8293a4b5-c6d7-4e8f-9901-122334455667",
          resourceVersion: "48500",
          generation: 3,
          creationTimestamp: "2026-01-10T08:00:00Z",
          labels: {
            "kubernetes.io/service-name": "web",
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"
          },
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Service",
              name: "web",
              uid: "0a7a1b6e-0f9e-4d1c-8a7e-5b6c1d2e3f40",
              controller: true,
              blockOwnerDeletion: true
            }
          ]
        },
        addressType: "IPv4",
        endpoints: [
          {
            addresses: ["10.244.1.7"],
            conditions: { ready: true, serving: true, terminating: false },
            targetRef: {
              kind: "Pod",
              namespace: "shop",
              name: "web-7d4b9c8f6d-abcde",
              uid: "93a4b5c6-d7e8-4f90-a112-233445566778"
            },
            nodeName: "node-1",
            zone: "zone-a"
          }
        ],
        ports: [{ name: "http", protocol: "TCP", port: 8080 }]
      }
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      object: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "shop-tls",
          namespace: "shop",
          uid: "a4b5c6d7-e8f9-4011-9223-344556677889",
          resourceVersion: "47500",
          creationTimestamp: "2026-01-10T07:58:00Z"
        },
        type: "kubernetes.io/tls",
        data: { "tls.crt": "LS0tLS1CRUdJTg==", "tls.key": "LS0tLS1CRUdJTg==" }
      }
    }
  ]
