/**
 * The request and response shapes FakeKube's handler works on: a parsed
 * request (method, path, query, headers, body text) and either a complete
 * body or a watch stream the transport pumps. The Node server and the
 * in-process `HttpClient` both adapt to these, so they share one handler.
 */

/** A request, read completely. */
export interface ServerRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  /** A header by lower-case name. */
  readonly header: (name: string) => string | undefined
  readonly body: string
}

/** Where a watch writes its lines. */
export interface WatchSink {
  /** Writes one chunk (whole JSON lines). */
  readonly write: (chunk: string) => void
  /** Ends the response. */
  readonly end: () => void
}

/** A response. */
export type ServerResponse =
  | {
      readonly _tag: "Complete"
      readonly status: number
      readonly headers: { readonly [name: string]: string | ReadonlyArray<string> }
      readonly body: string
    }
  | {
      readonly _tag: "Stream"
      readonly status: number
      readonly headers: { readonly [name: string]: string }
      /** Starts the stream; the returned function stops it (the client went away). */
      readonly start: (sink: WatchSink) => () => void
    }

/** The most bytes a watch may have buffered for a slow client before the server closes it. */
export const maxBufferedWatchBytes = 8 * 1024 * 1024
