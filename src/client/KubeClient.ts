/**
 * `KubeClient`: the service that sends the core's request values to the API
 * server and turns what comes back into decoded values or typed errors. It
 * is the I/O half of the journey of a request:
 *
 * 1. the base URL, `User-Agent`, `Authorization` (fresh per attempt, so a
 *    rotated token or a re-run exec plugin applies) and impersonation headers
 *    are added to the request;
 * 2. it goes through the `HttpClient` layer (Node with TLS, or fetch), under
 *    the client-side rate limiter if one is configured (watches are exempt);
 * 3. a failure becomes `KubeNetworkError`, an error response `KubeApiError`
 *    (a `Status` body) or `KubeHttpError`; reads are retried on transport
 *    errors, 429, 502, 503 and 504 with jittered exponential backoff that
 *    honours `Retry-After`, writes only on 429; a 401 re-reads credentials
 *    once (an exec plugin is re-run);
 * 4. a 2xx body is parsed once and decoded by the resource's schema; a body
 *    that is not JSON or does not match becomes `KubeDecodeError`;
 * 5. watches and logs are `Stream`s of lines, split and decoded one received
 *    batch of chunks at a time (one stream step per batch, not per line); a
 *    bad line fails the stream after the events before it; stopping the
 *    stream closes the connection.
 *
 * Every call is one span named `kube.<verb> <plural>` (see `Call`), with the
 * attributes `k8s.namespace.name`, `kube.name`, `kube.group`,
 * `kube.version`, `kube.resource`, `kube.subresource`, `kube.verb`,
 * `http.response.status_code` and `kube.retry_count`. No credential is ever
 * recorded.
 *
 * @since 0.1.0
 */
import {
  Array as Arr,
  Cause,
  Clock,
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  Pull,
  Redacted,
  Result,
  Schema,
  Stream
} from "effect"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import type * as Resource from "../core/Resource.js"
import * as Status from "../core/Status.js"
import * as WatchEvent from "../core/WatchEvent.js"
import { userAgent } from "../version.js"
import { ClusterConfig, type ClusterConfiguration } from "./ClusterConfig.js"
import { impersonationHeaders } from "./Impersonation.js"
import * as Errors from "./internal/errors.js"
import { LineSplitter } from "./internal/lines.js"
import * as Policy from "./internal/policy.js"
import * as RepeatedHeaders from "./internal/repeatedHeaders.js"
import { KubeApiError, KubeDecodeError, type KubeError } from "./KubeError.js"

export type { RateLimit, RetryPolicy } from "./internal/policy.js"
export { defaultRetryPolicy } from "./internal/policy.js"

/**
 * What a request is, for its span and its retry policy.
 *
 * @category models
 */
export interface Call {
  /** The Kubernetes verb: `list`, `get`, `create`, `replace`, `patch`, `delete`, `deletecollection`, `watch`, or a subresource verb such as `log`. */
  readonly verb: string
  readonly resource: Pick<Resource.ApiResource, "group" | "version" | "plural">
  readonly namespace?: string | undefined
  readonly name?: string | undefined
  readonly subresource?: string | undefined
  /** Overrides of the client's retry policy for this call. */
  readonly retry?: Partial<Policy.RetryPolicy> | undefined
  /** Overrides the client's request timeout; `"none"` for none. Streams never time out. */
  readonly timeout?: Duration.Input | "none" | undefined
}

/**
 * Decodes a parsed JSON body; fails with the schema's error.
 *
 * @category models
 */
export type Decoder<A> = (json: unknown) => Result.Result<A, Schema.SchemaError>

const decoders = new WeakMap<object, Decoder<unknown>>()

/**
 * The decoder of a schema, built once per schema and shared: every body,
 * list and watch event goes through this one function, so a faster decoder
 * applies everywhere at once.
 *
 * @category decoding
 */
export const decoderFor = <A>(schema: Schema.Codec<A, unknown>): Decoder<A> => {
  const cached = decoders.get(schema)
  if (cached !== undefined) return (json) => Result.map(cached(json), (value) => value as A)
  const decoder = Schema.decodeUnknownResult(schema)
  decoders.set(schema, decoder)
  return decoder
}

/**
 * Client settings.
 *
 * @category models
 */
export interface Options {
  /** Overrides of `defaultRetryPolicy` (5 retries, 250 ms doubling up to 30 s, writes only on 429). */
  readonly retry?: Partial<Policy.RetryPolicy>
  /** How long a non-streaming request (including reading its body) may take; default 60 s. */
  readonly requestTimeout?: Duration.Input
  /** A client-side token bucket; off by default. Watches and log streams are exempt. */
  readonly rateLimit?: Policy.RateLimit
  /** The longest watch or log line accepted; default 16 MiB (etcd's object limit is 1.5 MiB). */
  readonly maxLineBytes?: number
}

/**
 * Options of a line stream.
 *
 * @category models
 */
export interface StreamOptions {
  readonly maxLineBytes?: number
}

/**
 * The `KubeClient` service.
 *
 * @category models
 */
export interface KubeClientService {
  /** The resolved configuration the client was built from. */
  readonly config: ClusterConfiguration
  /** Sends a request and decodes its JSON body. */
  readonly request: <A>(
    request: HttpClientRequest.HttpClientRequest,
    call: Call,
    decode: Decoder<A>
  ) => Effect.Effect<A, KubeError>
  /** Sends a request and returns its successful response with the body unread; for bodies that are not JSON. */
  readonly send: (
    request: HttpClientRequest.HttpClientRequest,
    call: Call
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, KubeError>
  /** Opens a watch and decodes each event's object; an `ERROR` event fails the stream with `KubeApiError`. */
  readonly watch: <A>(
    request: HttpClientRequest.HttpClientRequest,
    call: Call,
    decode: Decoder<A>,
    options?: StreamOptions
  ) => Stream.Stream<WatchEvent.WatchEvent<A>, KubeError>
  /** Streams the body's lines as text (container logs). */
  readonly lines: (
    request: HttpClientRequest.HttpClientRequest,
    call: Call,
    options?: StreamOptions
  ) => Stream.Stream<string, KubeError>
}

/**
 * The client service.
 *
 * @category services
 */
export class KubeClient extends Context.Service<KubeClient, KubeClientService>()("effect-kube/client/KubeClient") {}

const defaultRequestTimeout = Duration.seconds(60)
const defaultMaxLineBytes = 16 * 1024 * 1024

const spanName = (call: Call): string =>
  `kube.${call.verb} ${call.resource.plural}${call.subresource === undefined ? "" : `/${call.subresource}`}`

const spanAttributes = (call: Call): Record<string, unknown> => ({
  "kube.verb": call.verb,
  "kube.group": call.resource.group,
  "kube.version": call.resource.version,
  "kube.resource": call.resource.plural,
  ...(call.namespace === undefined ? {} : { "k8s.namespace.name": call.namespace }),
  ...(call.name === undefined ? {} : { "kube.name": call.name }),
  ...(call.subresource === undefined ? {} : { "kube.subresource": call.subresource })
})

const decodeStatus = decoderFor(Status.Status)
const decodeBookmark = decoderFor(WatchEvent.Bookmark)

const isObject = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Makes the client from a configuration and an `HttpClient`.
 *
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<KubeClientService, never, ClusterConfig | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const config = yield* ClusterConfig
    const http = yield* HttpClient.HttpClient
    const clientPolicy: Policy.RetryPolicy = { ...Policy.defaultRetryPolicy, ...options.retry }
    const requestTimeout = options.requestTimeout ?? defaultRequestTimeout
    const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes
    const limiter = options.rateLimit === undefined ? Effect.void : yield* Policy.makeRateLimiter(options.rateLimit)
    const fixedHeaders = config.impersonation === undefined ? [] : impersonationHeaders(config.impersonation)

    const withHeaders = (
      request: HttpClientRequest.HttpClientRequest,
      authorization: Option.Option<Redacted.Redacted<string>>
    ) => {
      let prepared = HttpClientRequest.setHeader(
        HttpClientRequest.prependUrl(request, config.server),
        "user-agent",
        userAgent
      )
      if (Option.isSome(authorization))
        prepared = HttpClientRequest.setHeader(prepared, "authorization", Redacted.value(authorization.value))
      if (fixedHeaders.length > 0) {
        const names = fixedHeaders.map(([name]) => name.toLowerCase())
        const repeated = names.some((name, index) => names.indexOf(name) !== index)
        prepared = repeated
          ? HttpClientRequest.setHeader(prepared, RepeatedHeaders.markerHeader, RepeatedHeaders.encode(fixedHeaders))
          : HttpClientRequest.setHeaders(prepared, Object.fromEntries(fixedHeaders))
      }
      return prepared
    }

    /** One attempt: credentials, transport, status check. Error bodies are read here. */
    const attempt = (
      request: HttpClientRequest.HttpClientRequest,
      label: Errors.RequestLabel,
      onAuthorization: (authorization: Option.Option<Redacted.Redacted<string>>) => void
    ) =>
      Effect.gen(function* () {
        const authorization = yield* config.credentials.authorization
        onAuthorization(authorization)
        const response = yield* http
          .execute(withHeaders(request, authorization))
          .pipe(Effect.mapError((error) => Errors.fromTransport(label, error)))
        if (response.status < 400) return response
        const body = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
        const now = yield* Clock.currentTimeMillis
        return yield* Effect.fail(Errors.fromErrorResponse(label, response.status, response.headers, body, now))
      })

    /** Attempts with rate limiting, the 401 refresh and the retry policy; annotates the span. */
    const sendWith = (request: HttpClientRequest.HttpClientRequest, call: Call, limited: boolean) => {
      const policy = call.retry === undefined ? clientPolicy : { ...clientPolicy, ...call.retry }
      const isRead = request.method === "GET" || request.method === "HEAD"
      const label = Errors.labelOf(request.method, `${config.server}${request.url}`)
      let sent: Option.Option<Redacted.Redacted<string>> = Option.none()
      const remember = (authorization: Option.Option<Redacted.Redacted<string>>) => {
        sent = authorization
      }
      const once = limited
        ? Effect.andThen(limiter, attempt(request, label, remember))
        : attempt(request, label, remember)
      const loop = (
        retry: number,
        refreshed: boolean
      ): Effect.Effect<HttpClientResponse.HttpClientResponse, KubeError> =>
        once.pipe(
          Effect.tap((response) =>
            Effect.annotateCurrentSpan({ "http.response.status_code": response.status, "kube.retry_count": retry })
          ),
          Effect.catch((error: KubeError) =>
            Effect.gen(function* () {
              if (error._tag === "KubeApiError" || error._tag === "KubeHttpError") {
                yield* Effect.annotateCurrentSpan({
                  "http.response.status_code": error.code,
                  "kube.retry_count": retry
                })
              }
              if (
                !refreshed &&
                (error._tag === "KubeApiError" || error._tag === "KubeHttpError") &&
                error.code === 401
              ) {
                const changed = yield* config.credentials.refreshAfterUnauthorized(sent)
                if (changed) return yield* loop(retry, true)
              }
              if (retry >= policy.maxRetries || !Policy.isRetryable(error, isRead, policy))
                return yield* Effect.fail(error)
              const delay = yield* Policy.delayFor(error, retry, policy)
              yield* Effect.sleep(delay)
              return yield* loop(retry + 1, refreshed)
            })
          )
        )
      return { label, effect: loop(0, false) }
    }

    const timeoutOf = (call: Call): Duration.Duration | undefined =>
      call.timeout === "none" ? undefined : Duration.fromInputUnsafe(call.timeout ?? requestTimeout)

    const withTimeout = <A>(call: Call, label: Errors.RequestLabel, effect: Effect.Effect<A, KubeError>) => {
      const timeout = timeoutOf(call)
      return timeout === undefined
        ? effect
        : Effect.timeoutOrElse(effect, {
            duration: timeout,
            orElse: () => Effect.fail(Errors.timedOut(label, timeout))
          })
    }

    const span = (call: Call) => Effect.withSpan(spanName(call), { kind: "client", attributes: spanAttributes(call) })

    const send: KubeClientService["send"] = (request, call) => {
      const { label, effect } = sendWith(request, call, true)
      return withTimeout(call, label, effect).pipe(span(call))
    }

    const request: KubeClientService["request"] = (request, call, decode) => {
      const { label, effect } = sendWith(request, call, true)
      return withTimeout(
        call,
        label,
        Effect.gen(function* () {
          const response = yield* effect
          const body = yield* response.text.pipe(Effect.mapError((error) => Errors.fromTransport(label, error)))
          const contentType = response.headers["content-type"]
          if (contentType !== undefined && !contentType.includes("json")) {
            return yield* Effect.fail(Errors.unexpectedContentType(label, response.status, contentType, body))
          }
          let json: unknown
          try {
            json = JSON.parse(body)
          } catch (error) {
            return yield* Effect.fail(Errors.notJson(label, error, body))
          }
          const decoded = decode(json)
          return Result.isSuccess(decoded)
            ? decoded.success
            : yield* Effect.fail(Errors.fromSchemaError(label, decoded.failure))
        })
      ).pipe(span(call))
    }

    /**
     * Opens a streaming response (no timeout, no rate limit) and turns each
     * of its lines into a value with `parse`, a pulled batch of chunks at a
     * time: one stream step per batch, not one per line. A line that fails
     * `parse` (or is too long) fails the stream after the values of the lines
     * before it were emitted.
     */
    const openLines = <B>(
      request: HttpClientRequest.HttpClientRequest,
      call: Call,
      options: StreamOptions | undefined,
      parse: (line: string, label: Errors.RequestLabel) => Result.Result<B, KubeError>
    ): Stream.Stream<B, KubeError> => {
      const { label, effect } = sendWith(request, call, false)
      const limit = options?.maxLineBytes ?? maxLineBytes
      const tooLong = (length: number) =>
        new KubeDecodeError({
          ...label,
          reason: "LineTooLong",
          path: "",
          detail: `a line of at least ${length} bytes exceeds the limit of ${limit} bytes`
        })
      return Stream.unwrap(
        effect.pipe(
          span(call),
          Effect.map((response) =>
            Stream.transformPull(
              Stream.mapError(response.stream, (error): KubeError => Errors.fromTransport(label, error)),
              (pullChunks) =>
                Effect.sync(() => {
                  const splitter = new LineSplitter(limit)
                  // Set once a line failed: the values before it go out first, then this.
                  let failure: KubeError | undefined
                  let ended = false
                  const parseAll = (lines: ReadonlyArray<string>, into: Array<B>): boolean => {
                    for (const line of lines) {
                      const parsed = parse(line, label)
                      if (Result.isFailure(parsed)) {
                        failure = parsed.failure
                        return false
                      }
                      into.push(parsed.success)
                    }
                    return true
                  }
                  const emit = (values: Array<B>, next: () => Pull.Pull<Arr.NonEmptyReadonlyArray<B>, KubeError>) =>
                    Arr.isArrayNonEmpty(values) ? Effect.succeed(values) : next()
                  const afterEnd = (): Pull.Pull<Arr.NonEmptyReadonlyArray<B>, KubeError> => {
                    ended = true
                    const last = splitter.end()
                    const values: Array<B> = []
                    if (last !== undefined) parseAll([last], values)
                    return emit(values, pull)
                  }
                  const fromChunks = (chunks: ReadonlyArray<Uint8Array>) => {
                    const values: Array<B> = []
                    for (const chunk of chunks) {
                      const fed = splitter.feed(chunk)
                      if (fed._tag === "TooLong") {
                        failure = tooLong(fed.length)
                        break
                      }
                      if (!parseAll(fed.lines, values)) break
                    }
                    return emit(values, pull)
                  }
                  const pull = (): Pull.Pull<Arr.NonEmptyReadonlyArray<B>, KubeError> => {
                    if (failure !== undefined) return Effect.fail(failure)
                    if (ended) return Cause.done()
                    return Pull.matchEffect(pullChunks, {
                      onSuccess: fromChunks,
                      onFailure: Effect.failCause,
                      onDone: afterEnd
                    })
                  }
                  return Effect.suspend(pull)
                })
            )
          )
        )
      )
    }

    const watch: KubeClientService["watch"] = <A>(
      request: HttpClientRequest.HttpClientRequest,
      call: Call,
      decode: Decoder<A>,
      options?: StreamOptions
    ) => openLines(request, call, options, (line, label) => decodeEvent(line, label, decode))

    const lines: KubeClientService["lines"] = (request, call, options) =>
      openLines(request, call, options, Result.succeed)

    return KubeClient.of({ config, request, send, watch, lines })
  })

/** Decodes one watch line: the envelope by hand (it is tiny), the object by its schema. */
const decodeEvent = <A>(
  line: string,
  label: Errors.RequestLabel,
  decode: Decoder<A>
): Result.Result<WatchEvent.WatchEvent<A>, KubeError> => {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch (error) {
    return Result.fail(Errors.notJson(label, error, line))
  }
  if (!isObject(json)) {
    return Result.fail(
      new KubeDecodeError({ ...label, reason: "SchemaMismatch", path: "", detail: "a watch event must be an object" })
    )
  }
  const object = json.object
  const schemaError = (error: Schema.SchemaError) => Errors.fromSchemaError(label, error, ["object"])
  switch (json.type) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED": {
      const type = json.type
      return Result.mapBoth(decode(object), { onSuccess: (value) => ({ type, object: value }), onFailure: schemaError })
    }
    case "BOOKMARK":
      return Result.mapBoth(decodeBookmark(object), {
        onSuccess: (value) => ({ type: "BOOKMARK" as const, object: value }),
        onFailure: schemaError
      })
    case "ERROR": {
      const status = decodeStatus(object)
      if (Result.isFailure(status)) return Result.fail(schemaError(status.failure))
      return Result.fail(new KubeApiError({ ...label, status: status.success, code: status.success.code ?? 500 }))
    }
    default:
      return Result.fail(
        new KubeDecodeError({
          ...label,
          reason: "SchemaMismatch",
          path: "type",
          detail: `unknown watch event type ${JSON.stringify(json.type)}`
        })
      )
  }
}

/**
 * The client, from `ClusterConfig` and an `HttpClient` (a transport layer).
 *
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<KubeClient, never, ClusterConfig | HttpClient.HttpClient> =>
  Layer.effect(KubeClient, make(options))
