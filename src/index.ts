/**
 * effect-kube: a Kubernetes client for Effect programs. This entry point
 * exports the pure request core (`Resource`, `Request`, `Params`, `Patch`,
 * `Selector`, protocol schemas), the client (`KubeClient`, `Api`, the
 * transports, configuration and errors); the controller runtime lives in
 * `effect-kube/runtime`, the in-memory API server in `effect-kube/testing`
 * and the generated API types in `effect-kube/api/<group>/<version>`.
 *
 * @since 0.1.0
 */
export * as Api from "./client/Api.js"
export * as ClusterConfig from "./client/ClusterConfig.js"
export * as Credentials from "./client/Credentials.js"
export * as FetchTransport from "./client/FetchTransport.js"
export * as Impersonation from "./client/Impersonation.js"
export * as InCluster from "./client/InCluster.js"
export * as Kube from "./client/Kube.js"
export * as KubeClient from "./client/KubeClient.js"
export * as KubeConfig from "./client/KubeConfig.js"
export * as KubeConfigLoader from "./client/KubeConfigLoader.js"
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
export * as NodeTransport from "./client/NodeTransport.js"
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
