/**
 * effect-kube/runtime: the controller runtime on top of the client — the
 * `Watcher` (a watch that lists, resumes and relists by itself), the
 * `Store` (a cache fed by a watcher through `reflector`) and the
 * `Controller` (reconcile loops with per-object backoff), plus their
 * `Backoff` policy and `ObjectRef` identities; the `Finalizer` helper, the
 * event `Recorder` and Lease-based `LeaderElection`.
 *
 * @since 0.1.0
 */
export * as Backoff from "./Backoff.js"
export * as Controller from "./Controller.js"
export * as Finalizer from "./Finalizer.js"
export * as LeaderElection from "./LeaderElection.js"
export * as ObjectRef from "./ObjectRef.js"
export * as Recorder from "./Recorder.js"
export * as Store from "./Store.js"
export * as Watcher from "./Watcher.js"
