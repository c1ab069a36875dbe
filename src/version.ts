/**
 * The package version, kept in one place: it goes into the `User-Agent`
 * header (`effect-kube/<version>`). A test checks it against package.json.
 *
 * @since 0.1.0
 */
export const version = "0.1.0"

/** The `User-Agent` every request carries. */
export const userAgent = `effect-kube/${version}`
