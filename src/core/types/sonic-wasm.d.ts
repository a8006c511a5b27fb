// @echogarden/sonic-wasm ships no types: its default export is the Emscripten module factory (stretch.ts
// names the functions it uses).
declare module '@echogarden/sonic-wasm' {
  const Sonic: (options?: Record<string, unknown>) => Promise<unknown>;
  export default Sonic;
}
