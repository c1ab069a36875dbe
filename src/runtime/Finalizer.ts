/**
 * Finalizers for controllers: make sure a controller's cleanup runs before
 * Kubernetes deletes an object, as kube-rs's `finalizer` helper does.
 *
 * `finalizer(api, name, object, handler)` looks at the object and does one
 * of four things:
 *
 * - live, without the finalizer: adds it with a JSON patch guarded by a
 *   `test` of the finalizers as they were read (or of their absence), so a
 *   concurrent writer makes the patch fail instead of being overwritten; the
 *   handler does not run — the patch changes the object, and the watch brings
 *   it back for an `apply`;
 * - live, with the finalizer: runs `handler.apply`;
 * - being deleted (`deletionTimestamp` set), with the finalizer: runs
 *   `handler.cleanup`, and once it succeeds removes the finalizer with a JSON
 *   patch that tests the entry at its index before removing it (another
 *   controller removing its own finalizer at the same time shifts the
 *   indices and fails the test rather than removing the wrong entry);
 * - being deleted, without the finalizer: nothing is left to do.
 *
 * Unlike kube-rs, a removal answered 404 counts as done: the object is gone,
 * which is what removing the finalizer was for.
 *
 * The result is `Some` of the handler's value when it ran and `None` when it
 * did not: a controller maps `None` to "wait for the next change". Every
 * failure is one `FinalizerError` whose `reason` says which step failed
 * (`Effect.catchReason("FinalizerError", "CleanupFailed", ...)`).
 *
 * @since 0.1.0
 */
import { Data, Effect, Option } from "effect"
import type * as Api from "../client/Api.js"
import type { KubeError } from "../client/KubeError.js"
import * as Patch from "../core/Patch.js"
import type * as Resource from "../core/Resource.js"

/**
 * What to do with a live object and with one being deleted. Both return the
 * reconcile result type of the caller's controller.
 *
 * @category models
 */
export interface Handler<K, A, E, R> {
  /** Reconciles a live object that carries the finalizer. */
  readonly apply: (object: K) => Effect.Effect<A, E, R>
  /**
   * Releases what the object owns outside Kubernetes; the finalizer is
   * removed only after it succeeds, so it must be safe to run again.
   */
  readonly cleanup: (object: K) => Effect.Effect<A, E, R>
}

/**
 * The patch adding the finalizer failed (a concurrent change of the
 * finalizers answers Conflict or Invalid from the `test` operation).
 *
 * @category errors
 */
export class AddFinalizerFailed extends Data.TaggedError("AddFinalizerFailed")<{ readonly error: KubeError }> {}

/**
 * The patch removing the finalizer after a successful cleanup failed.
 *
 * @category errors
 */
export class RemoveFinalizerFailed extends Data.TaggedError("RemoveFinalizerFailed")<{ readonly error: KubeError }> {}

/**
 * The handler's `apply` failed.
 *
 * @category errors
 */
export class ApplyFailed<E> extends Data.TaggedError("ApplyFailed")<{ readonly error: E }> {}

/**
 * The handler's `cleanup` failed; the finalizer stays, so the deletion waits.
 *
 * @category errors
 */
export class CleanupFailed<E> extends Data.TaggedError("CleanupFailed")<{ readonly error: E }> {}

/**
 * The object has no `metadata.name`, so it cannot be patched.
 *
 * @category errors
 */
export class UnnamedObject extends Data.TaggedError("UnnamedObject")<{}> {}

/**
 * Why `finalizer` failed.
 *
 * @category models
 */
export type Reason<E> = AddFinalizerFailed | RemoveFinalizerFailed | ApplyFailed<E> | CleanupFailed<E> | UnnamedObject

/**
 * A failure of `finalizer`: the finalizer's name and the step that failed.
 *
 * @category errors
 */
export class FinalizerError<E> extends Data.TaggedError("FinalizerError")<{
  readonly finalizer: string
  readonly reason: Reason<E>
}> {
  override get message(): string {
    const detail = "error" in this.reason ? `: ${describe(this.reason.error)}` : ""
    return `finalizer ${this.finalizer}: ${this.reason._tag}${detail}`
  }
}

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : String(error)

/**
 * The JSON patch adding `name` to an object whose finalizers were read as
 * `current`: it tests that they are still exactly that list (or still
 * absent) before adding, as kube-rs does — Kubernetes does not de-duplicate
 * finalizers, so two controllers adding at once must not both succeed.
 *
 * @category constructors
 */
export const addPatch = (current: ReadonlyArray<string> | undefined, name: string): Patch.Patch =>
  Patch.json(
    current === undefined || current.length === 0
      ? [
          { op: "test", path: "/metadata/finalizers", value: null },
          { op: "add", path: "/metadata/finalizers", value: [name] }
        ]
      : [
          { op: "test", path: "/metadata/finalizers", value: current },
          { op: "add", path: "/metadata/finalizers/-", value: name }
        ]
  )

/**
 * The JSON patch removing the finalizer at `index`, testing first that the
 * entry there is still `name`.
 *
 * @category constructors
 */
export const removePatch = (index: number, name: string): Patch.Patch => {
  const path = Patch.pointer("metadata", "finalizers", index)
  return Patch.json([
    { op: "test", path, value: name },
    { op: "remove", path }
  ])
}

/**
 * Runs `handler` on `object` under the finalizer `name` (a qualified name such
 * as `example.com/cleanup`), adding and removing the finalizer as described
 * in the module comment. `api` must address the object's scope (its
 * namespace for a namespaced kind).
 *
 * @category combinators
 */
export const finalizer = <K extends Resource.KubeObject, A, E, R>(
  api: Api.Api<K>,
  name: string,
  object: K,
  handler: Handler<K, A, E, R>
): Effect.Effect<Option.Option<A>, FinalizerError<E>, R> => {
  const fail = (reason: Reason<E>) => Effect.fail(new FinalizerError({ finalizer: name, reason }))
  const metadata = object.metadata
  const finalizers = metadata?.finalizers
  const index = finalizers?.indexOf(name) ?? -1
  const deleting = metadata?.deletionTimestamp !== undefined
  const objectName = metadata?.name

  if (deleting && index === -1) return Effect.succeedNone
  if (!deleting && index !== -1) {
    return Effect.mapBoth(handler.apply(object), {
      onFailure: (error) => new FinalizerError({ finalizer: name, reason: new ApplyFailed({ error }) }),
      onSuccess: Option.some
    })
  }
  if (objectName === undefined || objectName === "") return fail(new UnnamedObject())
  if (!deleting) {
    return api.patch(objectName, addPatch(finalizers, name)).pipe(
      Effect.mapError((error) => new FinalizerError<E>({ finalizer: name, reason: new AddFinalizerFailed({ error }) })),
      Effect.as(Option.none<A>())
    )
  }
  return handler.cleanup(object).pipe(
    Effect.mapError((error) => new FinalizerError({ finalizer: name, reason: new CleanupFailed({ error }) })),
    Effect.flatMap((result) =>
      api.patch(objectName, removePatch(index, name)).pipe(
        Effect.mapError(
          (error) => new FinalizerError<E>({ finalizer: name, reason: new RemoveFinalizerFailed({ error }) })
        ),
        Effect.as(Option.some(result)),
        // Gone already: someone else removed the last finalizer and the deletion completed.
        Effect.catchIf(
          (error) => error.reason._tag === "RemoveFinalizerFailed" && isNotFound(error.reason.error),
          () => Effect.succeed(Option.some(result))
        )
      )
    )
  )
}

const isNotFound = (error: KubeError): boolean => error._tag === "KubeApiError" && error.isNotFound
