/**
 * The test bed's PKI, made locally with the openssl CLI: a CA, the API server's serving cert for
 * 127.0.0.1/localhost and the kubernetes service IP, an admin client cert (O=system:masters), a
 * kubelet serving cert for the node agent, and the service-account key pair. Valid one day.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export interface TestbedCerts {
  caCert: string; caKey: string;
  serverCert: string; serverKey: string;
  adminCert: string; adminKey: string;
  kubeletCert: string; kubeletKey: string;
  saKey: string; saPub: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

/** A key and a certificate signed by the CA, with the given subject and extensions. */
function signed(dir: string, name: string, subject: string, exts: string[]): void {
  openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject, ...exts.flatMap((e) => ["-addext", e])], dir);
  openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-copy_extensions", "copyall", "-out", `${name}.crt`], dir);
}

/** Writes the PKI into `dir`; `kubeletIps` are the node agent's kubelet addresses. */
export function makeCerts(dir: string, kubeletIps: string[], serviceIp = "10.0.0.1"): TestbedCerts {
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=actlab-testbed-ca",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"], dir);
  signed(dir, "apiserver", "/CN=kube-apiserver", [`subjectAltName=IP:127.0.0.1,DNS:localhost,IP:${serviceIp},DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc`, "extendedKeyUsage=serverAuth"]);
  signed(dir, "admin", "/O=system:masters/CN=actlab-admin", ["extendedKeyUsage=clientAuth"]);
  signed(dir, "kubelet", "/CN=actlab-node-agent", [`subjectAltName=${["127.0.0.1", ...kubeletIps].map((ip) => `IP:${ip}`).join(",")}`, "extendedKeyUsage=serverAuth"]);
  openssl(["genrsa", "-out", "sa.key", "2048"], dir);
  openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  const p = (f: string) => join(dir, f);
  return {
    caCert: p("ca.crt"), caKey: p("ca.key"), serverCert: p("apiserver.crt"), serverKey: p("apiserver.key"),
    adminCert: p("admin.crt"), adminKey: p("admin.key"), kubeletCert: p("kubelet.crt"), kubeletKey: p("kubelet.key"),
    saKey: p("sa.key"), saPub: p("sa.pub"),
  };
}
