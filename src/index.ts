/**
 * effect-kube: a Kubernetes client for Effect programs. This entry point
 * exports the pure request core (`Resource`, `Request`, `Params`, `Patch`,
 * `Selector`, protocol schemas), the client (`KubeClient`, `Api`, the
 * transports, configuration and errors); the controller runtime lives in
 * `effect-kube/runtime`, the in-memory API server in `effect-kube/testing`
 * and the generated API types in `effect-kube/api/<group>/<version>`.
 * `effect-kube/fetch` is the part of this entry point that imports no Node
 * built-in, for bundles that run in Cloudflare Workers or browsers.
 *
 * @since 0.1.0
 */

export * as Credentials from "./client/Credentials.js"
export * as InCluster from "./client/InCluster.js"
export * as Kube from "./client/Kube.js"
export * as KubeConfigLoader from "./client/KubeConfigLoader.js"
export * as NodeTransport from "./client/NodeTransport.js"
export * from "./fetch.js"
