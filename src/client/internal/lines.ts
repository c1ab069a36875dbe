/**
 * Splitting a streamed HTTP body into lines, for watch events (one JSON
 * document per line) and container logs. Works on bytes: a line is decoded
 * as UTF-8 only once it is complete, so a chunk boundary inside a multi-byte
 * character cannot corrupt it. A line longer than the limit is reported
 * instead of buffered without end.
 *
 * @internal
 */

const newline = 0x0a
const carriageReturn = 0x0d

/** The outcome of feeding one chunk: the complete lines, or the limit was exceeded. */
export type Feed =
  | { readonly _tag: "Lines"; readonly lines: Array<string> }
  | { readonly _tag: "TooLong"; readonly length: number }

/**
 * A stateful splitter for one body. `feed` returns the lines completed by a
 * chunk; `end` returns the last line if the body did not end with a newline.
 * Empty lines are dropped; a trailing `\r` is removed.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8")
  /** Bytes of the line being assembled, in the chunks they came in. */
  private pending: Array<Uint8Array> = []
  private pendingLength = 0

  constructor(private readonly maxLineBytes: number) {}

  private take(last: Uint8Array): string {
    let bytes = last
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pendingLength + last.length)
      let offset = 0
      for (const part of this.pending) {
        bytes.set(part, offset)
        offset += part.length
      }
      bytes.set(last, offset)
      this.pending = []
      this.pendingLength = 0
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn ? bytes.length - 1 : bytes.length
    return this.decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end))
  }

  /** Feeds one chunk. */
  feed(chunk: Uint8Array): Feed {
    const lines: Array<string> = []
    let start = 0
    let index = chunk.indexOf(newline, start)
    while (index !== -1) {
      if (this.pendingLength + (index - start) > this.maxLineBytes)
        return { _tag: "TooLong", length: this.pendingLength + (index - start) }
      const line = this.take(chunk.subarray(start, index))
      if (line !== "") lines.push(line)
      start = index + 1
      index = chunk.indexOf(newline, start)
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      this.pendingLength += rest.length
      if (this.pendingLength > this.maxLineBytes) return { _tag: "TooLong", length: this.pendingLength }
      // Keep a copy: the transport may reuse the chunk's buffer.
      this.pending.push(rest.slice())
    }
    return { _tag: "Lines", lines }
  }

  /** The unterminated last line, if any. */
  end(): string | undefined {
    if (this.pendingLength === 0) return undefined
    const line = this.take(new Uint8Array(0))
    return line === "" ? undefined : line
  }
}
