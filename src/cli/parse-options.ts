import { InvalidArgumentError } from 'commander';

export function parsePositiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
    }
    return n;
  };
}

export function parseNonNegativeInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} must be a whole number from 0, got "${value}"`);
    }
    return n;
  };
}
