// asl-validator ships JavaScript only: the one call the tests make, as its README documents it.
declare module 'asl-validator' {
  interface Validation {
    isValid: boolean;
    errors: unknown[];
    errorsText: (separator?: string) => string;
  }
  export default function aslValidator(definition: unknown): Validation;
}
