/**
 * The server a conformance run talks to, and the one list of the differences
 * between FakeKube and a real kube-apiserver that the suite knows about.
 *
 * The global setup (`globalSetup.ts`) starts the target chosen by
 * `CONFORMANCE_TARGET` and provides a `TargetInfo` to every test file; tests
 * read it through `target`. A test that FakeKube cannot pass for a documented
 * reason is written `it.skipIf(target.differs("…"))`, naming one entry of
 * `differences`, so every weakening is visible in one place.
 */
import { inject } from "vitest"

/** The targets the suite runs against. */
export type TargetName = "real" | "fakekube"

/** What the global setup hands to the test files (plain JSON: it crosses worker boundaries). */
export interface TargetInfo {
  readonly name: TargetName
  readonly server: string
  /** Kubeconfig texts: an admin (system:masters), a user with no permissions, and (real server only) a client certificate user. */
  readonly kubeconfigs: { readonly admin: string; readonly restricted: string; readonly cert: string | undefined }
  /** The admin bearer token, for the exec-plugin test. */
  readonly adminToken: string
  /** Whether a kube-controller-manager runs (namespace deletion, garbage collection, service accounts). */
  readonly controllerManager: boolean
}

declare module "vitest" {
  export interface ProvidedContext {
    conformanceTarget: TargetInfo
  }
}

/**
 * Every known difference between FakeKube and the real API server, with the
 * reason. A test skipped for one of these on FakeKube still runs on the real
 * server.
 */
export const differences = {
  "client-certificates":
    "FakeKube authenticates bearer tokens only; X.509 client certificates (the harness's cert kubeconfig) are a real-server feature"
} as const

/** The name of a known difference. */
export type Difference = keyof typeof differences

const knownDifferences: { readonly [name in TargetName]: ReadonlyArray<Difference> } = {
  real: [],
  fakekube: ["client-certificates"]
}

const info = inject("conformanceTarget")

/** The current target, with `differs` to mark a test a target knowingly fails. */
export const target = {
  ...info,
  differs: (difference: Difference): boolean => knownDifferences[info.name].includes(difference)
}
