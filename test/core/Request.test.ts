import { describe, expect, it } from "@effect/vitest"
import * as Patch from "../../src/core/Patch.js"
import * as Request from "../../src/core/Request.js"
import * as Resource from "../../src/core/Resource.js"
import * as Selector from "../../src/core/Selector.js"
import { failure, render } from "./render.js"

const pods = Resource.dynamic({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true })
const deployments = Resource.dynamic({
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  namespaced: true
})
const nodes = Resource.dynamic({ group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false })
const clusterRoles = Resource.dynamic({
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "ClusterRole",
  plural: "clusterroles",
  namespaced: false
})
const inDefault = Resource.namespace("default")
const json = { accept: "application/json" }
const jsonBody = (length: number) => ({
  accept: "application/json",
  "content-type": "application/json",
  "content-length": String(length)
})

describe("Request.list", () => {
  it("addresses a namespace in the core group", () => {
    expect(render(Request.list(pods, inDefault))).toEqual({
      method: "GET",
      url: "/api/v1/namespaces/default/pods",
      headers: json
    })
  })

  it("addresses all namespaces in a named group", () => {
    expect(render(Request.list(deployments, Resource.allNamespaces))).toEqual({
      method: "GET",
      url: "/apis/apps/v1/deployments",
      headers: json
    })
  })

  it("addresses cluster-scoped kinds in the core and a named group", () => {
    expect(render(Request.list(nodes, Resource.cluster)).url).toBe("/api/v1/nodes")
    expect(render(Request.list(clusterRoles, Resource.cluster)).url).toBe(
      "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    )
    expect(render(Request.list(nodes, Resource.allNamespaces)).url).toBe("/api/v1/nodes")
  })

  it("renders every list parameter, selectors escaped", () => {
    const request = render(
      Request.list(deployments, inDefault, {
        labelSelector: [Selector.equals("app", "web"), Selector.notIn("tier", ["db", "cache"]), Selector.exists("x")],
        fieldSelector: [Selector.fieldEquals("metadata.name", "a,b=c\\d")],
        limit: 50,
        resourceVersion: "1234",
        resourceVersionMatch: "NotOlderThan",
        timeoutSeconds: 10
      })
    )
    expect(request.url).toBe(
      "/apis/apps/v1/namespaces/default/deployments" +
        "?labelSelector=app%3Dweb%2Ctier+notin+%28cache%2Cdb%29%2Cx" +
        "&fieldSelector=metadata.name%3Da%5C%2Cb%5C%3Dc%5C%5Cd" +
        "&limit=50&resourceVersion=1234&resourceVersionMatch=NotOlderThan&timeoutSeconds=10"
    )
  })

  it("passes a continue token and a string selector through", () => {
    expect(render(Request.list(pods, inDefault, { labelSelector: "app in (a)", limit: 2, continue: "tok" })).url).toBe(
      "/api/v1/namespaces/default/pods?labelSelector=app+in+%28a%29&limit=2&continue=tok"
    )
  })

  it('drops resourceVersion "0" (and its match) when a limit is set, so the limit is honoured', () => {
    expect(render(Request.list(pods, inDefault, { limit: 5, resourceVersion: "0" })).url).toBe(
      "/api/v1/namespaces/default/pods?limit=5"
    )
    expect(
      render(Request.list(pods, inDefault, { limit: 5, resourceVersion: "0", resourceVersionMatch: "NotOlderThan" }))
        .url
    ).toBe("/api/v1/namespaces/default/pods?limit=5")
    expect(render(Request.list(pods, inDefault, { resourceVersion: "0" })).url).toBe(
      "/api/v1/namespaces/default/pods?resourceVersion=0"
    )
  })

  it("reads an undefined resourceVersion (a list's optional metadata passed on) as unset", () => {
    expect(render(Request.list(pods, inDefault, { resourceVersion: undefined })).url).toBe(
      "/api/v1/namespaces/default/pods"
    )
    expect(render(Request.watch(pods, inDefault, { resourceVersion: undefined })).url).toBe(
      "/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=290"
    )
  })

  it("rejects invalid parameters before a request exists", () => {
    expect(failure(Request.list(pods, inDefault, { continue: "tok", resourceVersion: "5" }))).toMatch(/^continue: /)
    expect(failure(Request.list(pods, inDefault, { resourceVersionMatch: "Exact" }))).toBe(
      "resourceVersionMatch: requires a resourceVersion"
    )
    expect(failure(Request.list(pods, inDefault, { resourceVersion: "0", resourceVersionMatch: "Exact" }))).toBe(
      'resourceVersionMatch: Exact with resourceVersion "0" is invalid'
    )
    expect(failure(Request.list(pods, inDefault, { limit: 0 }))).toBe("limit: must be a positive integer, got 0")
    expect(failure(Request.list(pods, inDefault, { limit: 1.5 }))).toBe("limit: must be a positive integer, got 1.5")
    expect(failure(Request.list(pods, inDefault, { timeoutSeconds: -1 }))).toBe(
      "timeoutSeconds: must be a non-negative integer, got -1"
    )
    expect(failure(Request.list(pods, inDefault, { labelSelector: [Selector.equals("app", "no spaces")] }))).toMatch(
      /^labelSelector: value "no spaces"/
    )
    expect(failure(Request.list(pods, inDefault, { labelSelector: [Selector.isIn("app", [])] }))).toMatch(
      /^labelSelector: /
    )
    expect(failure(Request.list(pods, inDefault, { fieldSelector: [Selector.fieldEquals("bad path", "x")] }))).toMatch(
      /^fieldSelector: /
    )
  })

  it("rejects scopes that do not fit the kind", () => {
    expect(failure(Request.list(pods, Resource.cluster))).toBe("namespace: Pod is namespaced; give a namespace")
    expect(failure(Request.list(nodes, inDefault))).toBe(
      "namespace: Node is cluster-scoped; it cannot be addressed in a namespace"
    )
    expect(failure(Request.list(pods, Resource.namespace("Not_A_Label")))).toMatch(/^namespace: "Not_A_Label"/)
  })
})

describe("Request.watch", () => {
  it("turns bookmarks on and sets the default timeout", () => {
    expect(render(Request.watch(pods, inDefault))).toEqual({
      method: "GET",
      url: "/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=290",
      headers: json
    })
  })

  it("resumes from a resourceVersion with selectors, across all namespaces of a named group", () => {
    expect(
      render(
        Request.watch(deployments, Resource.allNamespaces, {
          resourceVersion: "77",
          labelSelector: "app=web",
          fieldSelector: "metadata.name=x",
          timeoutSeconds: 60
        })
      ).url
    ).toBe(
      "/apis/apps/v1/deployments?watch=true&labelSelector=app%3Dweb&fieldSelector=metadata.name%3Dx" +
        "&resourceVersion=77&allowWatchBookmarks=true&timeoutSeconds=60"
    )
  })

  it("asks for a streaming list with sendInitialEvents and NotOlderThan", () => {
    expect(render(Request.watch(pods, inDefault, { sendInitialEvents: true, resourceVersion: "" })).url).toBe(
      "/api/v1/namespaces/default/pods?watch=true&resourceVersion=&allowWatchBookmarks=true" +
        "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=290"
    )
  })

  it("can turn bookmarks off, and then refuses sendInitialEvents", () => {
    expect(render(Request.watch(pods, inDefault, { allowWatchBookmarks: false })).url).toBe(
      "/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=290"
    )
    expect(failure(Request.watch(pods, inDefault, { allowWatchBookmarks: false, sendInitialEvents: true }))).toMatch(
      /^sendInitialEvents: requires allowWatchBookmarks/
    )
    expect(failure(Request.watch(pods, inDefault, { timeoutSeconds: 0 }))).toBe(
      "timeoutSeconds: must be a positive integer, got 0"
    )
  })
})

describe("Request object verbs", () => {
  it("gets one object, with an optional resourceVersion", () => {
    expect(render(Request.get(pods, inDefault, "web-0"))).toEqual({
      method: "GET",
      url: "/api/v1/namespaces/default/pods/web-0",
      headers: json
    })
    expect(render(Request.get(nodes, Resource.cluster, "node-1", { resourceVersion: "9" })).url).toBe(
      "/api/v1/nodes/node-1?resourceVersion=9"
    )
  })

  it("path-escapes names and rejects empty or path-unsafe ones", () => {
    expect(render(Request.get(clusterRoles, Resource.cluster, "system:aggregate-to-edit")).url).toBe(
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aaggregate-to-edit"
    )
    expect(failure(Request.get(pods, inDefault, ""))).toBe("name: must not be empty")
    expect(failure(Request.get(pods, inDefault, ".."))).toBe('name: may not be ".."')
    expect(failure(Request.get(pods, inDefault, "a/b"))).toBe('name: may not contain "/" or "%": "a/b"')
    expect(failure(Request.get(pods, inDefault, "a%2F"))).toMatch(/^name: may not contain/)
    expect(failure(Request.get(pods, Resource.allNamespaces, "web-0"))).toBe(
      "namespace: Pod is namespaced; this request needs one namespace"
    )
  })

  it("creates with a JSON body and write parameters", () => {
    const object = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } }
    const text = JSON.stringify(object)
    expect(
      render(
        Request.create(deployments, inDefault, object, {
          dryRun: true,
          fieldManager: "my-controller",
          fieldValidation: "Strict"
        })
      )
    ).toEqual({
      method: "POST",
      url: "/apis/apps/v1/namespaces/default/deployments?dryRun=All&fieldManager=my-controller&fieldValidation=Strict",
      headers: jsonBody(text.length),
      body: object
    })
  })

  it("replaces with PUT on the object path", () => {
    const object = { metadata: { name: "node-1", resourceVersion: "3" } }
    expect(render(Request.replace(nodes, Resource.cluster, "node-1", object))).toEqual({
      method: "PUT",
      url: "/api/v1/nodes/node-1",
      headers: jsonBody(JSON.stringify(object).length),
      body: object
    })
  })

  it("rejects a field manager over 128 characters, empty or unprintable", () => {
    expect(failure(Request.create(pods, inDefault, {}, { fieldManager: "x".repeat(129) }))).toBe(
      "fieldManager: must be at most 128 characters, got 129"
    )
    expect(render(Request.create(pods, inDefault, {}, { fieldManager: "x".repeat(128) })).method).toBe("POST")
    expect(failure(Request.create(pods, inDefault, {}, { fieldManager: "" }))).toBe(
      "fieldManager: must not be empty when given"
    )
    expect(failure(Request.replace(pods, inDefault, "a", {}, { fieldManager: "tab\there" }))).toBe(
      "fieldManager: must contain only printable ASCII characters"
    )
    expect(failure(Request.create(pods, Resource.allNamespaces, {}))).toMatch(/^namespace: /)
  })

  it("sends each patch kind with its content type", () => {
    const cases: ReadonlyArray<readonly [Patch.Patch, string, unknown]> = [
      [
        Patch.merge({ metadata: { labels: { a: null } } }),
        "application/merge-patch+json",
        { metadata: { labels: { a: null } } }
      ],
      [
        Patch.json([
          { op: "test", path: Patch.pointer("metadata", "resourceVersion"), value: "5" },
          { op: "add", path: Patch.pointer("metadata", "labels", "app.kubernetes.io/name"), value: "web" }
        ]),
        "application/json-patch+json",
        [
          { op: "test", path: "/metadata/resourceVersion", value: "5" },
          { op: "add", path: "/metadata/labels/app.kubernetes.io~1name", value: "web" }
        ]
      ],
      [Patch.strategic({ spec: { replicas: 2 } }), "application/strategic-merge-patch+json", { spec: { replicas: 2 } }]
    ]
    for (const [patch, contentType, body] of cases) {
      const text = JSON.stringify(body)
      expect(render(Request.patch(deployments, inDefault, "web", patch))).toEqual({
        method: "PATCH",
        url: "/apis/apps/v1/namespaces/default/deployments/web",
        headers: { accept: "application/json", "content-type": contentType, "content-length": String(text.length) },
        body
      })
    }
  })

  it("server-side apply requires a field manager; force is apply-only", () => {
    const body = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } }
    expect(
      render(Request.patch(deployments, inDefault, "web", Patch.apply(body), { fieldManager: "me", force: true }))
    ).toEqual({
      method: "PATCH",
      url: "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=me&force=true",
      headers: {
        accept: "application/json",
        "content-type": "application/apply-patch+yaml",
        "content-length": String(JSON.stringify(body).length)
      },
      body
    })
    expect(failure(Request.patch(deployments, inDefault, "web", Patch.apply(body)))).toBe(
      "fieldManager: server-side apply requires a fieldManager"
    )
    expect(failure(Request.patch(deployments, inDefault, "web", Patch.merge({}), { force: true }))).toBe(
      "force: is only valid for server-side apply patches"
    )
  })

  it("deletes with a DeleteOptions body", () => {
    const body = {
      dryRun: ["All"],
      gracePeriodSeconds: 0,
      propagationPolicy: "Foreground",
      preconditions: { uid: "u-1", resourceVersion: "8" }
    }
    expect(
      render(
        Request.delete(pods, inDefault, "web-0", {
          dryRun: true,
          gracePeriodSeconds: 0,
          propagationPolicy: "Foreground",
          preconditions: { uid: "u-1", resourceVersion: "8" }
        })
      )
    ).toEqual({
      method: "DELETE",
      url: "/api/v1/namespaces/default/pods/web-0",
      headers: jsonBody(JSON.stringify(body).length),
      body
    })
    expect(render(Request.delete(nodes, Resource.cluster, "n")).body).toEqual({})
    expect(failure(Request.delete(pods, inDefault, "web-0", { gracePeriodSeconds: -5 }))).toBe(
      "gracePeriodSeconds: must be a non-negative integer, got -5"
    )
  })

  it("deletes a collection with selectors only", () => {
    expect(
      render(
        Request.deleteCollection(
          deployments,
          inDefault,
          { labelSelector: "app=web", fieldSelector: "metadata.name!=keep" },
          { propagationPolicy: "Background" }
        )
      )
    ).toEqual({
      method: "DELETE",
      url: "/apis/apps/v1/namespaces/default/deployments?labelSelector=app%3Dweb&fieldSelector=metadata.name%21%3Dkeep",
      headers: jsonBody(JSON.stringify({ propagationPolicy: "Background" }).length),
      body: { propagationPolicy: "Background" }
    })
    expect(failure(Request.deleteCollection(pods, Resource.allNamespaces))).toMatch(/^namespace: /)
  })
})

describe("Request subresources", () => {
  it("reads, replaces and patches status", () => {
    expect(render(Request.getStatus(deployments, inDefault, "web")).url).toBe(
      "/apis/apps/v1/namespaces/default/deployments/web/status"
    )
    const object = { status: { replicas: 1 } }
    expect(render(Request.replaceStatus(nodes, Resource.cluster, "n1", object))).toEqual({
      method: "PUT",
      url: "/api/v1/nodes/n1/status",
      headers: jsonBody(JSON.stringify(object).length),
      body: object
    })
    const patched = render(Request.patchStatus(deployments, inDefault, "web", Patch.merge(object)))
    expect([patched.method, patched.url, patched.headers["content-type"]]).toEqual([
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/web/status",
      "application/merge-patch+json"
    ])
  })

  it("reads, replaces and patches scale", () => {
    expect(render(Request.getScale(deployments, inDefault, "web"))).toEqual({
      method: "GET",
      url: "/apis/apps/v1/namespaces/default/deployments/web/scale",
      headers: json
    })
    const scale = { spec: { replicas: 3 } }
    expect(render(Request.replaceScale(deployments, inDefault, "web", scale)).method).toBe("PUT")
    const patched = render(Request.patchScale(deployments, inDefault, "web", Patch.merge(scale), { dryRun: true }))
    expect(patched.url).toBe("/apis/apps/v1/namespaces/default/deployments/web/scale?dryRun=All")
    expect(patched.body).toEqual(scale)
  })

  it("evicts with a policy/v1 Eviction carrying deleteOptions", () => {
    expect(render(Request.evict(pods, inDefault, "web-0", { gracePeriodSeconds: 10 }))).toEqual({
      method: "POST",
      url: "/api/v1/namespaces/default/pods/web-0/eviction",
      headers: jsonBody(
        JSON.stringify({
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name: "web-0", namespace: "default" },
          deleteOptions: { gracePeriodSeconds: 10 }
        }).length
      ),
      body: {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: "web-0", namespace: "default" },
        deleteOptions: { gracePeriodSeconds: 10 }
      }
    })
    expect(render(Request.evict(pods, inDefault, "web-0", { dryRun: true })).url).toBe(
      "/api/v1/namespaces/default/pods/web-0/eviction?dryRun=All"
    )
  })

  it("requests logs as text with every log parameter", () => {
    expect(
      render(
        Request.log(pods, inDefault, "web-0", {
          container: "app",
          follow: true,
          limitBytes: 1024,
          previous: true,
          sinceTime: "2024-01-01T00:00:00Z",
          tailLines: 10,
          timestamps: true
        })
      )
    ).toEqual({
      method: "GET",
      url:
        "/api/v1/namespaces/default/pods/web-0/log?container=app&follow=true&limitBytes=1024&previous=true" +
        "&sinceTime=2024-01-01T00%3A00%3A00Z&tailLines=10&timestamps=true",
      headers: { accept: "text/plain, */*" }
    })
    expect(render(Request.log(pods, inDefault, "web-0", { sinceSeconds: 30 })).url).toBe(
      "/api/v1/namespaces/default/pods/web-0/log?sinceSeconds=30"
    )
    expect(failure(Request.log(pods, inDefault, "web-0", { sinceSeconds: 5, sinceTime: "2024-01-01T00:00:00Z" }))).toBe(
      "sinceSeconds: only one of sinceSeconds and sinceTime may be given"
    )
    expect(failure(Request.log(pods, inDefault, "web-0", { sinceTime: "yesterday" }))).toMatch(/^sinceTime: /)
    expect(failure(Request.log(pods, inDefault, "web-0", { limitBytes: 0 }))).toMatch(/^limitBytes: /)
    expect(failure(Request.log(pods, inDefault, "web-0", { tailLines: -1 }))).toMatch(/^tailLines: /)
  })

  it("addresses ephemeral containers and any named subresource", () => {
    expect(render(Request.getEphemeralContainers(pods, inDefault, "web-0")).url).toBe(
      "/api/v1/namespaces/default/pods/web-0/ephemeralcontainers"
    )
    expect(render(Request.replaceEphemeralContainers(pods, inDefault, "web-0", { spec: {} })).method).toBe("PUT")
    expect(
      render(Request.patchEphemeralContainers(pods, inDefault, "web-0", Patch.strategic({ spec: {} }))).headers[
        "content-type"
      ]
    ).toBe("application/strategic-merge-patch+json")
    const token = render(
      Request.createSubresource(
        Resource.dynamic({
          group: "",
          version: "v1",
          kind: "ServiceAccount",
          plural: "serviceaccounts",
          namespaced: true
        }),
        inDefault,
        "builder",
        "token",
        { spec: { expirationSeconds: 600 } }
      )
    )
    expect([token.method, token.url]).toEqual(["POST", "/api/v1/namespaces/default/serviceaccounts/builder/token"])
    expect(render(Request.getSubresource(pods, inDefault, "web-0", "resize")).url).toBe(
      "/api/v1/namespaces/default/pods/web-0/resize"
    )
    expect(failure(Request.getSubresource(pods, inDefault, "web-0", "../x"))).toMatch(/^subresource: /)
  })
})

describe("Request metadata-only", () => {
  const metadataList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json"
  const metadataObject = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json"

  it("lists, gets and watches metadata with the PartialObjectMetadata Accept header", () => {
    expect(render(Request.listMetadata(deployments, inDefault, { limit: 10 }))).toEqual({
      method: "GET",
      url: "/apis/apps/v1/namespaces/default/deployments?limit=10",
      headers: { accept: metadataList }
    })
    expect(render(Request.getMetadata(nodes, Resource.cluster, "n1"))).toEqual({
      method: "GET",
      url: "/api/v1/nodes/n1",
      headers: { accept: metadataObject }
    })
    expect(render(Request.watchMetadata(pods, Resource.allNamespaces, { resourceVersion: "5" }))).toEqual({
      method: "GET",
      url: "/api/v1/pods?watch=true&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=290",
      headers: { accept: metadataObject }
    })
    expect(failure(Request.getMetadata(pods, inDefault, ""))).toBe("name: must not be empty")
  })
})
