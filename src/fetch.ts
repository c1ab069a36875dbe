/**
 * effect-kube for fetch-only runtimes (Cloudflare Workers, browsers, Deno,
 * Bun): everything in the main entry point that imports no Node built-in —
 * the pure request core, `KubeClient`, `Api`, the fetch transport with
 * `KubeFetch` (explicit server and token) and `KubeFetchConfig` (a
 * kubeconfig given as text), kubeconfig parsing and the errors. The main entry point
 * re-exports all of it and adds what needs Node (`Kube`, `KubeConfigLoader`,
 * `InCluster`, `Credentials`, `NodeTransport`); a bundle for a runtime
 * without Node modules imports this one.
 *
 * @since 0.1.0
 */
export * as Api from "./client/Api.js"
export * as ClusterConfig from "./client/ClusterConfig.js"
export * as FetchTransport from "./client/FetchTransport.js"
export * as Impersonation from "./client/Impersonation.js"
export * as KubeClient from "./client/KubeClient.js"
export * as KubeConfig from "./client/KubeConfig.js"
export {
  KubeApiError,
  KubeConfigError,
  KubeDecodeError,
  type KubeError,
  KubeHttpError,
  KubeNetworkError,
  KubeRequestError
} from "./client/KubeError.js"
export * as KubeFetch from "./client/KubeFetch.js"
export * as KubeFetchConfig from "./client/KubeFetchConfig.js"
export * as DynamicObject from "./core/DynamicObject.js"
export * as IntOrString from "./core/IntOrString.js"
export * as ObjectList from "./core/ObjectList.js"
export * as ObjectMeta from "./core/ObjectMeta.js"
export * as Params from "./core/Params.js"
export * as PartialObjectMetadata from "./core/PartialObjectMetadata.js"
export * as Patch from "./core/Patch.js"
export * as Quantity from "./core/Quantity.js"
export * as Request from "./core/Request.js"
export * as Resource from "./core/Resource.js"
export * as Selector from "./core/Selector.js"
export * as Status from "./core/Status.js"
export * as Time from "./core/Time.js"
export * as WatchEvent from "./core/WatchEvent.js"
export { userAgent, version } from "./version.js"
