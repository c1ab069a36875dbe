/**
 * Vitest global setup of the conformance suite: starts (or attaches to) the
 * target named by `CONFORMANCE_TARGET` and provides its `TargetInfo`.
 *
 * - `real`: the kube-apiserver harness. With `CONFORMANCE_HARNESS_DIR` set
 *   (the e2e runner starts one harness), it attaches to the harness running
 *   there; otherwise it builds if needed, starts one and stops it afterwards.
 * - `fakekube`: `FakeKube.serve` over TLS, with an admin and a restricted token.
 */
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { Effect, Exit, Scope } from "effect"
import type { TestProject } from "vitest/node"
import { FakeKube } from "../../src/testing/index.js"
import { readReady, startRealApiServer } from "../apiserver/harness.js"
import type { TargetInfo } from "./target.js"

const realTarget = async (): Promise<{ readonly info: TargetInfo; readonly stop: () => Promise<void> }> => {
  const attached = process.env.CONFORMANCE_HARNESS_DIR
  const harness =
    attached === undefined || attached === ""
      ? await startRealApiServer()
      : { ...readReady(attached), stop: () => Promise.resolve() }
  const text = (path: string) => readFileSync(path, "utf8")
  return {
    info: {
      name: "real",
      server: harness.server,
      kubeconfigs: {
        admin: text(harness.kubeconfigs.admin),
        restricted: text(harness.kubeconfigs.restricted),
        cert: text(harness.kubeconfigs.cert)
      },
      adminToken: harness.tokens.admin,
      controllerManager: harness.controllerManager
    },
    stop: harness.stop
  }
}

/**
 * FakeKube over TLS with the harness's users: an admin (system:masters, who
 * may do anything) and a restricted user (who may do nothing). Bookmarks
 * every second, as the real server sends one shortly before a watch times out.
 */
const fakeKubeTarget = async (): Promise<{ readonly info: TargetInfo; readonly stop: () => Promise<void> }> => {
  const tokens = { admin: randomBytes(16).toString("hex"), restricted: randomBytes(16).toString("hex") }
  const scope = await Effect.runPromise(Scope.make())
  const server = await Effect.runPromise(
    Scope.provide(
      FakeKube.serve({
        tls: true,
        bookmarkInterval: "1 second",
        tokens: [
          { token: tokens.admin, user: "admin", groups: ["system:masters"] },
          { token: tokens.restricted, user: "restricted" }
        ],
        authorize: (request) => request.groups.includes("system:masters")
      }),
      scope
    )
  )
  return {
    info: {
      name: "fakekube",
      server: server.url,
      kubeconfigs: {
        admin: server.kubeconfig,
        restricted: server.kubeconfig.replaceAll(tokens.admin, tokens.restricted),
        cert: undefined
      },
      adminToken: tokens.admin,
      controllerManager: false
    },
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Starts the target and provides it; the returned function stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = process.env.CONFORMANCE_TARGET ?? "real"
  if (name !== "real" && name !== "fakekube")
    throw new Error(`CONFORMANCE_TARGET must be real or fakekube, got ${JSON.stringify(name)}`)
  const { info, stop } = name === "real" ? await realTarget() : await fakeKubeTarget()
  project.provide("conformanceTarget", info)
  return stop
}
