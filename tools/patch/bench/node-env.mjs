// What the benches do about NODE_EXTRA_CA_CERTS.
//
// Node 20 (with OpenSSL 3) reads and parses the certificate file NODE_EXTRA_CA_CERTS
// names, and builds its root store with it, when the process starts, before any script
// runs, whether or not the process ever opens a TLS connection (nodejs/node#40524). On
// the benchmark machine the variable names the system bundle (144 certificates): every
// Node process, `node -e 0` included, starts 70 ms later (about 100 instead of 30 ms).
// rfl-patch opens no TLS connection, and git and perl do not read the variable, so the
// comparisons run without it: they measure the tools, not the machine's CA bundle. When
// the variable is set, rfl-patch is also timed with it, and both figures are printed.

import { readFileSync } from 'node:fs';

/** The variable as the machine sets it, or undefined. */
export const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS || undefined;

/** `env` without NODE_EXTRA_CA_CERTS. */
export function withoutExtraCa(env) {
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env;
  return rest;
}

/** The line the benches print about the variable. */
export function extraCaNote() {
  if (!extraCaCerts) return 'NODE_EXTRA_CA_CERTS is not set on this machine';
  let certs = 'a file Node could not read';
  try {
    const n = readFileSync(extraCaCerts, 'latin1').split('-----BEGIN CERTIFICATE-----').length - 1;
    certs = `${n} certificates`;
  } catch {}
  return `NODE_EXTRA_CA_CERTS is set on this machine (${certs}): the comparisons run without it; the rows "with NODE_EXTRA_CA_CERTS" time rfl-patch with it (bench/node-env.mjs)`;
}
