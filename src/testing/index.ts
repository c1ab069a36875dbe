/**
 * `effect-kube/testing`: FakeKube, an in-memory Kubernetes API server with
 * real semantics, to test Effect programs by swapping one layer
 * (`FakeKube.layer`) or to serve anything that speaks HTTP
 * (`FakeKube.serve`).
 *
 * @since 0.1.0
 */
export {
  type AuthorizationRequest,
  FakeKube,
  FakeKubeError,
  type FakeKubeService,
  type Options,
  type Server
} from "./FakeKube.js"
