/**
 * The global through which an `expr // => value` line reaches the runtime. It lives apart from
 * the compiler-facing code so the test workers never load the TypeScript compiler.
 */
export const EQ_HELPER = '__rflDoctestEq';
