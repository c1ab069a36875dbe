/**
 * effect-kube: a Kubernetes client for Effect programs. This entry point
 * re-exports the pure request core and the client; the controller runtime lives
 * in `effect-kube/runtime`, the in-memory API server in `effect-kube/testing`
 * and the generated API types in `effect-kube/api/<group>/<version>`.
 *
 * @since 0.1.0
 */
export {}
