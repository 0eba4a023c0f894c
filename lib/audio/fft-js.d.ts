// Minimal typings for fft.js 4 (the package ships none). Only what the kit uses.
declare module "fft.js" {
  class FFT {
    constructor(size: number);
    readonly size: number;
    createComplexArray(): number[];
    /** Real-input FFT: fills bins 0..size/2 of `output` (interleaved re, im); the upper half is left unspecified. */
    realTransform(output: ArrayLike<number> & { [index: number]: number }, input: ArrayLike<number>): void;
    completeSpectrum(spectrum: ArrayLike<number> & { [index: number]: number }): void;
    transform(output: ArrayLike<number> & { [index: number]: number }, input: ArrayLike<number>): void;
  }
  export = FFT;
}
