/**
 * Bearer-token authentication for the embedded API server: a random token by default (written
 * only into a 0600 kubeconfig, never on a command line), checked in constant time so response
 * timing does not leak how much of a guess was right. The probes kube-apiserver lets anyone read
 * (system:public-info-viewer: /healthz, /livez, /readyz, /version) stay open.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh random token (256 bits, URL-safe base64). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Paths answered without a token, as kube-apiserver's public-info-viewer role allows. */
const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path);
}

/** True when the `Authorization` header carries exactly `Bearer <token>`; the comparison takes the same time whatever the header holds. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  // Hashing first gives both sides one length, which timingSafeEqual needs, without revealing the token's length.
  const got = createHash("sha256").update(header ?? "").digest();
  const want = createHash("sha256").update(`Bearer ${token}`).digest();
  return timingSafeEqual(got, want);
}

/** True for an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
