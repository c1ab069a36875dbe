import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import type { ClusterConfiguration } from "../../src/client/ClusterConfig.js"
import * as ClusterConfig from "../../src/client/ClusterConfig.js"
import * as InCluster from "../../src/client/InCluster.js"
import * as Kube from "../../src/client/Kube.js"
import * as KubeClient from "../../src/client/KubeClient.js"
import * as KubeConfig from "../../src/client/KubeConfig.js"
import * as KubeConfigLoader from "../../src/client/KubeConfigLoader.js"
import * as KubeFetchConfig from "../../src/client/KubeFetchConfig.js"
import * as NodeTransport from "../../src/client/NodeTransport.js"
import * as Resource from "../../src/core/Resource.js"
import { makeCertificates } from "../support/certificates.js"
import { json, startServer } from "../support/server.js"

const plugin = new URL("../fixtures/exec-plugin.mjs", import.meta.url).pathname

const directory = () => mkdtempSync(join(tmpdir(), "effect-kube-config-"))
const write = (dir: string, name: string, text: string) => {
  const path = join(dir, name)
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, text)
  return path
}

const header = (config: ClusterConfiguration) =>
  Effect.map(config.credentials.authorization, (value) => Option.getOrUndefined(Option.map(value, Redacted.value)))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((reason) => (reason._tag === "Fail" ? [reason.error] : []))[0]
    : undefined

describe("merging kubeconfig files", () => {
  const dir = directory()
  const first = write(
    dir,
    "a/config",
    `apiVersion: v1
kind: Config
current-context: ""
clusters:
- name: shared
  cluster:
    server: https://first.example:6443
    insecure-skip-tls-verify: true
users:
- name: alice
  user:
    token: first-token
contexts:
- name: dev
  context: { cluster: shared, user: alice, namespace: team-a }
preferences: { colors: true }
unknownTopLevel: [1, 2]
`
  )
  const second = write(
    dir,
    "b/config",
    `current-context: dev
clusters:
- name: shared
  cluster:
    server: https://second.example:6443
- name: other
  cluster:
    server: https://other.example
    futureField: kept-quietly
users:
- name: alice
  user:
    token: second-token
- name: bob
  user:
    username: bob
    password: hunter2hunter2
contexts:
- name: dev
  context: { cluster: other, user: bob }
- name: ops
  context: { cluster: other, user: bob }
`
  )
  const third = write(dir, "c/config", `current-context: ops\nclusters: []\n`)
  const env = { KUBECONFIG: [first, join(dir, "missing"), second, third].join(":") }

  it.effect("the first file to define a name wins as a whole entry; the first non-empty current-context wins", () =>
    Effect.gen(function* () {
      const merged = yield* KubeConfigLoader.load({ env })
      assert.deepStrictEqual(merged.files, [first, second, third])
      assert.strictEqual(merged.currentContext, "dev")
      assert.strictEqual(merged.clusters.get("shared")?.value.server, "https://first.example:6443")
      assert.strictEqual(merged.clusters.get("shared")?.file, first)
      assert.strictEqual(merged.users.get("alice")?.value.token, "first-token")
      assert.strictEqual(merged.contexts.get("dev")?.value.cluster, "shared")
      assert.strictEqual(merged.contexts.get("ops")?.file, second)

      const config = yield* KubeConfigLoader.fromKubeconfig({ env })
      assert.strictEqual(config.server, "https://first.example:6443")
      assert.strictEqual(config.namespace, "team-a")
      assert.isTrue(config.insecureSkipTlsVerify)
      assert.strictEqual(yield* header(config), "Bearer first-token")
      assert.strictEqual(config.description, "context dev")
    })
  )

  it.effect("selection overrides: context, cluster, user and namespace", () =>
    Effect.gen(function* () {
      const ops = yield* KubeConfigLoader.fromKubeconfig({ env, context: "ops" })
      assert.strictEqual(ops.server, "https://other.example")
      assert.strictEqual(ops.namespace, "default")
      assert.strictEqual(yield* header(ops), `Basic ${Buffer.from("bob:hunter2hunter2").toString("base64")}`)
      const mixed = yield* KubeConfigLoader.fromKubeconfig({
        env,
        cluster: "other",
        user: "alice",
        namespace: "kube-system"
      })
      assert.strictEqual(mixed.server, "https://other.example")
      assert.strictEqual(yield* header(mixed), "Bearer first-token")
      assert.strictEqual(mixed.namespace, "kube-system")
    })
  )

  it.effect("missing entries, duplicates and malformed files are KubeConfigErrors naming the file and entry", () =>
    Effect.gen(function* () {
      const missingContext = failureOf(yield* Effect.exit(KubeConfigLoader.fromKubeconfig({ env, context: "prod" })))
      assert.strictEqual(missingContext?.reason, "MissingContext")
      assert.strictEqual(missingContext?.entry, 'context "prod"')
      const missingUser = failureOf(yield* Effect.exit(KubeConfigLoader.fromKubeconfig({ env, user: "carol" })))
      assert.strictEqual(missingUser?.reason, "MissingUser")
      const broken = write(dir, "broken/config", "clusters:\n  - name: [unclosed\n")
      const malformed = failureOf(yield* Effect.exit(KubeConfigLoader.fromKubeconfig({ path: broken })))
      assert.strictEqual(malformed?.reason, "Malformed")
      assert.strictEqual(malformed?.file, broken)
      const duplicate = write(
        dir,
        "dup/config",
        "clusters:\n- name: x\n  cluster: { server: https://a }\n- name: x\n  cluster: { server: https://b }\n"
      )
      const twice = failureOf(yield* Effect.exit(KubeConfigLoader.load({ path: duplicate })))
      assert.strictEqual(twice?.reason, "Invalid")
      assert.strictEqual(twice?.entry, 'cluster "x"')
      const nothing = failureOf(yield* Effect.exit(KubeConfigLoader.load({ env: { KUBECONFIG: join(dir, "nope") } })))
      assert.strictEqual(nothing?.reason, "NoConfiguration")
      const explicitMissing = failureOf(yield* Effect.exit(KubeConfigLoader.load({ path: join(dir, "nope") })))
      assert.strictEqual(explicitMissing?.reason, "FileUnreadable")
    })
  )

  it("validation follows client-go: a CA with insecure-skip-tls-verify, or token with basic auth, is invalid", () => {
    const invalid = (text: string) => {
      const parsed = KubeConfig.parse(text, "/k/config")
      if (Result.isFailure(parsed)) return parsed.failure.detail
      const selected = KubeConfig.select(KubeConfig.merge([parsed.success]))
      return Result.isFailure(selected) ? `${selected.failure.entry}: ${selected.failure.detail}` : "valid"
    }
    const base = (cluster: string, user: string) =>
      `current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nclusters: [{ name: k, cluster: { server: "https://k", ${cluster} } }]\nusers: [{ name: u, user: { ${user} } }]\n`
    assert.match(
      invalid(base("insecure-skip-tls-verify: true, certificate-authority-data: QUJD", "token: t")),
      /^cluster "k": insecure-skip-tls-verify together with a certificate authority/
    )
    assert.match(
      invalid(base("", "token: t, username: a, password: b")),
      /^user "u": more than one authentication method/
    )
    assert.match(invalid(base("", "client-certificate-data: QUJD")), /needs both the certificate and its key/)
    assert.match(invalid(base("", '"as-groups": [g]')), /require as/)
    assert.match(
      invalid(base("", "exec: { command: x, apiVersion: client.authentication.k8s.io/v1 }")),
      /interactiveMode is required/
    )
    assert.match(invalid(base("", "auth-provider: { name: gcp }")), /removed from client-go/)
    assert.strictEqual(invalid(base("", "tokenFile: /t")), "valid")
  })
})

describe("paths and credential kinds", () => {
  const certificates = makeCertificates()
  const dir = directory()
  write(dir, "certs/ca.crt", certificates.ca)
  write(dir, "certs/client.crt", certificates.clientCertificate)
  write(dir, "certs/client.key", certificates.clientKey)
  write(dir, "kube/token", "  file-token-1\n")

  const kubeconfig = (user: string, cluster = "certificate-authority: ../certs/ca.crt") =>
    write(
      dir,
      "kube/config",
      `current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://127.0.0.1:6443", ${cluster} } }]
users: [{ name: u, user: { ${user} } }]
`
    )

  it.effect("resolves certificate and key files relative to the kubeconfig that names them", () =>
    Effect.gen(function* () {
      const path = kubeconfig("client-certificate: ../certs/client.crt, client-key: ../certs/client.key")
      const config = yield* KubeConfigLoader.fromKubeconfig({ path })
      assert.strictEqual(config.certificateAuthority, certificates.ca)
      const identity = yield* config.credentials.clientIdentity
      assert.strictEqual(Option.getOrUndefined(identity)?.certificate, certificates.clientCertificate)
      assert.strictEqual(Option.isNone(yield* config.credentials.authorization), true)
    })
  )

  it.effect("reads *-data fields as base64, and they win over file paths", () =>
    Effect.gen(function* () {
      const data = (text: string) => Buffer.from(text).toString("base64")
      const path = kubeconfig(
        `client-certificate-data: ${data(certificates.clientCertificate)}, client-key-data: ${data(certificates.clientKey)}, client-certificate: /nonexistent`,
        `certificate-authority-data: ${data(certificates.ca)}, certificate-authority: /nonexistent`
      )
      const config = yield* KubeConfigLoader.fromKubeconfig({ path })
      assert.strictEqual(config.certificateAuthority, certificates.ca)
      const identity = Option.getOrUndefined(yield* config.credentials.clientIdentity)
      assert.strictEqual(identity === undefined ? undefined : Redacted.value(identity.key), certificates.clientKey)
    })
  )

  it.effect("a token file is read relative to its kubeconfig, trimmed, and a rotated token is picked up", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const config = yield* KubeConfigLoader.fromKubeconfig({ path: kubeconfig("tokenFile: token") })
      assert.strictEqual(yield* header(config), "Bearer file-token-1")
      write(dir, "kube/token", "file-token-2\n")
      yield* TestClock.adjust("30 seconds")
      assert.strictEqual(yield* header(config), "Bearer file-token-1", "not re-read before the interval")
      yield* TestClock.adjust("31 seconds")
      assert.strictEqual(yield* header(config), "Bearer file-token-2", "re-read after a minute")
      write(dir, "kube/token", "")
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual(yield* header(config), "Bearer file-token-2", "the last good token is kept")
      write(dir, "kube/token", "file-token-3")
      assert.isTrue(
        yield* config.credentials.refreshAfterUnauthorized(Option.some(Redacted.make("Bearer file-token-2")))
      )
      assert.strictEqual(yield* header(config), "Bearer file-token-3", "a 401 forces a re-read")
    })
  )

  it.effect("impersonation and proxies come from the kubeconfig and the environment", () =>
    Effect.gen(function* () {
      const path = kubeconfig(
        'token: t, as: jane, "as-uid": "42", "as-groups": [a, b], "as-user-extra": { "example.com/scope": [x] }'
      )
      const config = yield* KubeConfigLoader.fromKubeconfig({ path, env: { HTTPS_PROXY: "http://proxy:3128" } })
      assert.deepStrictEqual(config.impersonation, {
        user: "jane",
        uid: "42",
        groups: ["a", "b"],
        extra: { "example.com/scope": ["x"] }
      })
      assert.strictEqual(config.proxyUrl, "http://proxy:3128")
      const exempt = yield* KubeConfigLoader.fromKubeconfig({
        path,
        env: { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "localhost,127.0.0.1" }
      })
      assert.isUndefined(exempt.proxyUrl)
      const own = yield* KubeConfigLoader.fromKubeconfig({
        path: kubeconfig("token: t", 'certificate-authority: ../certs/ca.crt, "proxy-url": "socks5://own:1080"'),
        env: { HTTPS_PROXY: "http://proxy:3128" }
      })
      assert.strictEqual(own.proxyUrl, "socks5://own:1080")
    })
  )

  it.effect("printing or serialising a configuration never shows a secret", () =>
    Effect.gen(function* () {
      const path = kubeconfig(
        `token: super-secret-token-value, client-certificate: ../certs/client.crt, client-key: ../certs/client.key`
      )
      const config = yield* KubeConfigLoader.fromKubeconfig({ path })
      const identity = yield* config.credentials.clientIdentity
      const basic = yield* KubeConfigLoader.fromKubeconfig({
        path: kubeconfig("username: u, password: the-password-value")
      })
      const everything = [
        String(config),
        JSON.stringify(config),
        String(identity),
        JSON.stringify(identity),
        JSON.stringify(basic),
        String(basic)
      ]
      for (const text of everything) {
        assert.notInclude(text, "super-secret-token-value")
        assert.notInclude(text, "the-password-value")
        assert.notInclude(text, "PRIVATE KEY")
      }
    })
  )

  it.live("client-certificate auth from a kubeconfig works against an HTTPS server that requires it", () =>
    Effect.acquireUseRelease(
      Effect.promise(() =>
        startServer(
          (request, response) =>
            json(response, 200, {
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: request.url.split("/").at(-1) ?? "" }
            }),
          { key: certificates.serverKey, cert: certificates.serverCertificate, ca: certificates.ca, requestCert: true }
        )
      ),
      (server) =>
        Effect.gen(function* () {
          const path = write(
            dir,
            "kube/tls-config",
            `current-context: c
contexts: [{ name: c, context: { cluster: k, user: u, namespace: apps } }]
clusters: [{ name: k, cluster: { server: "${server.url}", certificate-authority: ../certs/ca.crt } }]
users: [{ name: u, user: { client-certificate: ../certs/client.crt, client-key: ../certs/client.key } }]
`
          )
          const object = yield* Effect.gen(function* () {
            const client = yield* KubeClient.KubeClient
            return yield* Api.make(client, ConfigMap, Resource.namespace(client.config.namespace)).get("settings")
          }).pipe(Effect.provide(Kube.layer({ path })))
          assert.strictEqual(object.metadata?.name, "settings")
          assert.strictEqual(server.received[0]?.url, "/api/v1/namespaces/apps/configmaps/settings")
        }),
      (server) => Effect.promise(() => server.close())
    )
  )
})

describe("exec plugins", () => {
  const dir = directory()
  const pluginConfig = (env: Record<string, string>, extra = "") =>
    write(
      dir,
      `exec-${Object.values(env)
        .join("-")
        .replace(/[^a-z0-9]/gi, "")}/config`,
      `current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters:
- name: k
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${Buffer.from("CA PEM").toString("base64")}
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: { audience: tests }
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${plugin}
      args: [--flag]
      interactiveMode: Never
      provideClusterInfo: true
      env:
${Object.entries(env)
  .map(([name, value]) => `      - { name: ${name}, value: "${value}" }`)
  .join("\n")}
${extra}`
    )
  const runs = (log: string) => {
    try {
      return readFileSync(log, "utf8").split("\n").filter(Boolean).length
    } catch {
      return 0
    }
  }

  it.effect("caches the token until shortly before it expires, then runs the plugin again", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const log = join(dir, "expiring.log")
      const config = yield* KubeConfigLoader.fromKubeconfig({
        path: pluginConfig({ PLUGIN_LOG: log, PLUGIN_EXPIRES_IN: "600" })
      })
      assert.strictEqual(runs(log), 0, "the plugin runs on first use, not at load")
      assert.strictEqual(yield* header(config), "Bearer token-1")
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(yield* header(config), "Bearer token-1")
      assert.strictEqual(runs(log), 1)
      yield* TestClock.adjust("285 seconds")
      assert.strictEqual(yield* header(config), "Bearer token-2", "renewed within 30 s of expiry")
      assert.strictEqual(runs(log), 2)
      const info = JSON.parse(readFileSync(log, "utf8").split("\n")[0] ?? "{}")
      assert.deepStrictEqual(info, {
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        spec: {
          interactive: false,
          cluster: {
            server: "https://127.0.0.1:6443",
            "certificate-authority-data": Buffer.from("CA PEM").toString("base64"),
            config: { audience: "tests" }
          }
        }
      })
    })
  )

  it.effect("ten concurrent requests share one run", () =>
    Effect.gen(function* () {
      const log = join(dir, "concurrent.log")
      const config = yield* KubeConfigLoader.fromKubeconfig({ path: pluginConfig({ PLUGIN_LOG: log }) })
      const headers = yield* Effect.all(
        Array.from({ length: 10 }, () => header(config)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(new Set(headers), new Set(["Bearer token-1"]))
      assert.strictEqual(runs(log), 1)
    })
  )

  it.effect("a 401 runs the plugin again, once per credential generation", () =>
    Effect.gen(function* () {
      const log = join(dir, "unauthorized.log")
      const config = yield* KubeConfigLoader.fromKubeconfig({ path: pluginConfig({ PLUGIN_LOG: log }) })
      const rejected = Option.some(Redacted.make((yield* header(config)) ?? ""))
      yield* Effect.all(
        Array.from({ length: 5 }, () => config.credentials.refreshAfterUnauthorized(rejected)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(yield* header(config), "Bearer token-2")
      assert.strictEqual(runs(log), 2, "five 401s for the same token cause one re-run")
    })
  )

  it.live("a request rejected with 401 is retried once with the plugin's new token", () => {
    const log = join(dir, "client-401.log")
    return Effect.acquireUseRelease(
      Effect.promise(() =>
        startServer((request, response) =>
          request.headers.authorization === "Bearer token-2"
            ? json(response, 200, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } })
            : json(response, 401, {
                kind: "Status",
                apiVersion: "v1",
                status: "Failure",
                reason: "Unauthorized",
                code: 401
              })
        )
      ),
      (server) =>
        Effect.gen(function* () {
          const config = yield* KubeConfigLoader.fromKubeconfig({ path: pluginConfig({ PLUGIN_LOG: log }) })
          // The plugin's cluster is fake; send the requests to the loopback server instead.
          const { certificateAuthority: _unused, ...plain } = config
          const object = yield* Effect.gen(function* () {
            const client = yield* KubeClient.KubeClient
            return yield* Api.make(client, ConfigMap, Resource.namespace("default")).get("a")
          }).pipe(
            Effect.provide(
              KubeClient.layer().pipe(
                Layer.provide(NodeTransport.layer()),
                Layer.provide(Layer.succeed(ClusterConfig.ClusterConfig, { ...plain, server: server.url }))
              )
            )
          )
          assert.strictEqual(object.metadata?.name, "a")
          assert.strictEqual(runs(log), 2)
        }),
      (server) => Effect.promise(() => server.close())
    )
  })

  it.effect("a failing plugin is a typed error with its exit code and a stderr excerpt", () =>
    Effect.gen(function* () {
      const config = yield* KubeConfigLoader.fromKubeconfig({ path: pluginConfig({ PLUGIN_MODE: "fail" }) })
      const error = failureOf(yield* Effect.exit(config.credentials.authorization))
      assert.strictEqual(error?._tag, "KubeConfigError")
      assert.strictEqual(error?.reason, "ExecPluginFailed")
      assert.include(error?.detail ?? "", "exited with code 3")
      assert.include(error?.detail ?? "", "could not reach the identity provider")
      const garbage = yield* KubeConfigLoader.fromKubeconfig({ path: pluginConfig({ PLUGIN_MODE: "garbage" }) })
      assert.include(failureOf(yield* Effect.exit(garbage.credentials.authorization))?.detail ?? "", "not JSON")
      const wrongVersion = yield* KubeConfigLoader.fromKubeconfig({
        path: pluginConfig({ PLUGIN_API_VERSION: "client.authentication.k8s.io/v1beta1" })
      })
      assert.include(
        failureOf(yield* Effect.exit(wrongVersion.credentials.authorization))?.detail ?? "",
        "expected client.authentication.k8s.io/v1"
      )
    })
  )

  it.effect(
    "a relative command resolves against the kubeconfig, and interactiveMode Always without a terminal fails",
    () =>
      Effect.gen(function* () {
        const local = write(dir, "relative/plugin.mjs", readFileSync(plugin, "utf8"))
        const { chmodSync } = yield* Effect.promise(() => import("node:fs"))
        chmodSync(local, 0o755)
        const path = write(
          dir,
          "relative/config",
          `current-context: c
contexts: [{ name: c, context: { cluster: k, user: u } }]
clusters: [{ name: k, cluster: { server: "https://k" } }]
users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: ./plugin.mjs } } }]
`
        )
        const config = yield* KubeConfigLoader.fromKubeconfig({ path })
        assert.strictEqual(yield* header(config), "Bearer token-1")
        const always = yield* KubeConfigLoader.fromKubeconfig({
          path: write(
            dir,
            "always/config",
            readFileSync(path, "utf8").replace("./plugin.mjs", `${local}, interactiveMode: Always`)
          )
        })
        assert.include(
          failureOf(yield* Effect.exit(always.credentials.authorization))?.detail ?? "",
          "interactive terminal"
        )
      })
  )
})

describe("in-cluster and automatic selection", () => {
  const root = directory()
  write(root, "token", "sa-token-1\n")
  write(root, "ca.crt", "CLUSTER CA")
  write(root, "namespace", " apps \n")

  it.effect("reads the service environment, token, CA and namespace", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const env = { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }
      assert.isTrue(InCluster.isInCluster({ env, root }))
      const config = yield* InCluster.inCluster({ env, root })
      assert.strictEqual(config.server, "https://[fd00::1]:443")
      assert.strictEqual(config.namespace, "apps")
      assert.strictEqual(config.certificateAuthority, "CLUSTER CA")
      assert.strictEqual(yield* header(config), "Bearer sa-token-1")
      write(root, "token", "sa-token-2")
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual(yield* header(config), "Bearer sa-token-2")
      const named = yield* InCluster.inCluster({ env: { ...env, POD_NAMESPACE: "from-env" }, root })
      assert.strictEqual(named.namespace, "from-env")
    })
  )

  it.effect("Kube picks an explicit kubeconfig, then in-cluster, then ~/.kube/config", () =>
    Effect.gen(function* () {
      const home = directory()
      write(
        home,
        ".kube/config",
        "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: https://home } }]\n"
      )
      const other = write(
        directory(),
        "config",
        "current-context: c\ncontexts: [{ name: c, context: { cluster: k } }]\nclusters: [{ name: k, cluster: { server: https://explicit } }]\n"
      )
      const pod = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" }
      assert.strictEqual((yield* Kube.clusterConfig({ env: pod, root, home })).server, "https://10.0.0.1:443")
      assert.strictEqual(
        (yield* Kube.clusterConfig({ env: { ...pod, KUBECONFIG: other }, root, home })).server,
        "https://explicit"
      )
      assert.strictEqual((yield* Kube.clusterConfig({ env: {}, root, home })).server, "https://home")
      assert.strictEqual(
        (yield* Kube.clusterConfig({ env: { ...pod, EFFECT_KUBE_CONFIG_SOURCE: "kubeconfig" }, root, home })).server,
        "https://home"
      )
      const none = failureOf(yield* Effect.exit(Kube.clusterConfig({ env: {}, root, home: directory() })))
      assert.strictEqual(none?.reason, "NoConfiguration")
    })
  )

  it.effect("the fetch variant takes an inline token and refuses what needs Node", () =>
    Effect.gen(function* () {
      const text = (user: string, cluster = "") =>
        `current-context: c\ncontexts: [{ name: c, context: { cluster: k, user: u, namespace: ns } }]\nclusters: [{ name: k, cluster: { server: "https://k"${cluster} } }]\nusers: [{ name: u, user: { ${user} } }]\n`
      const config = yield* KubeFetchConfig.resolve(text("token: inline"))
      assert.strictEqual(config.namespace, "ns")
      assert.strictEqual(yield* header(config), "Bearer inline")
      for (const [user, cluster] of [
        ["tokenFile: /t", ""],
        ["exec: { command: x, apiVersion: client.authentication.k8s.io/v1beta1 }", ""],
        ["token: t", ", certificate-authority-data: QUJD"],
        ["token: t", ", proxy-url: http://proxy:3128"],
        ["token: t", ", tls-server-name: api.internal"]
      ] as const) {
        const error = failureOf(yield* Effect.exit(KubeFetchConfig.resolve(text(user, cluster))))
        assert.strictEqual(error?.reason, "Unsupported", `${user}${cluster}`)
      }
    })
  )
})
