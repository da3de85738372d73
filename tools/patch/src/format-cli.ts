export function cmdFormat(_argv: string[]): number {
  return 2;
}
export function cmdPatchId(_argv: string[]): number {
  return 2;
}
