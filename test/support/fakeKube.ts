/**
 * Helpers for tests over FakeKube's loopback server: the project's client
 * configured from the served kubeconfig.
 */
import type { FakeKube } from "../../src/testing/index.js"
import { kubeconfigClient } from "./client.js"

/** The project's own client over loopback HTTP(S), configured from the served kubeconfig. */
export const loopbackClient = (server: FakeKube.Server) => kubeconfigClient(server.kubeconfig)
