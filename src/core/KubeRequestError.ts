/**
 * The one failure the pure core can produce: a request that must not be sent
 * (an empty or invalid name, a parameter the API server would reject, a
 * combination client-go and kube-rs refuse). It is raised while the request is
 * built, before any I/O, and names the offending field.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A request rejected while it was being built.
 *
 * @category errors
 */
export class KubeRequestError extends Schema.TaggedError<KubeRequestError>()("KubeRequestError", {
  /** The parameter or field at fault (`name`, `fieldManager`, `sendInitialEvents`, ...). */
  field: Schema.String,
  /** What is wrong with it, for a human. */
  detail: Schema.String
}) {
  override get message(): string {
    return `invalid request: ${this.field}: ${this.detail}`
  }
}
