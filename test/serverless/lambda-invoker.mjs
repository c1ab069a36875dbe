// Plays the AWS Lambda Node runtime for one instance: imports the bundled handler once (the
// init phase), then calls it with each event in turn, as Lambda does for the invocations an
// instance serves. Prints one JSON line: the init time and each result with its duration.
//   node lambda-invoker.mjs <bundle.mjs> '<JSON array of events>'
import { pathToFileURL } from "node:url"

const [bundle, events] = process.argv.slice(2)
const started = performance.now()
const { handler } = await import(pathToFileURL(bundle).href)
const initMillis = performance.now() - started
const invocations = []
for (const event of JSON.parse(events)) {
  const begun = performance.now()
  const result = await handler(event, { functionName: "effect-kube-example", awsRequestId: String(invocations.length) })
  invocations.push({ status: result.statusCode, body: JSON.parse(result.body), millis: performance.now() - begun })
}
process.stdout.write(`${JSON.stringify({ initMillis, invocations })}\n`)
