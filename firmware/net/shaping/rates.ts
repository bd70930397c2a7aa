// Rates as technicians write them (`5mbit`, `512kbit`, `1gbit`, as tc does) and as the kernel is
// told them (whole kbit/s). Pure.
import { CAP_KBIT_MAX, CAP_KBIT_MIN } from '../../state/schemas.ts';

const UNITS: Record<string, number> = { kbit: 1, mbit: 1000, gbit: 1_000_000 };

/** `5mbit`, `2.5mbit`, `512kbit`, `1gbit` (case-insensitive) → kbit/s; throws a message naming the problem. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(kbit|mbit|gbit)\s*$/i.exec(text);
  if (!m) throw new Error(`"${text}" is not a rate: write it as tc does, e.g. 5mbit, 512kbit or 1gbit`);
  const kbit = Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (kbit < CAP_KBIT_MIN || kbit > CAP_KBIT_MAX) {
    throw new Error(`${text.trim()} is out of range: a cap is ${CAP_KBIT_MIN}kbit to ${CAP_KBIT_MAX / 1_000_000}gbit`);
  }
  return kbit;
}

/** The configuration's Mbit/s → kbit/s. */
export function mbitToKbit(mbit: number): number {
  return Math.round(mbit * 1000);
}

/** kbit/s for people: 20mbit, 1.5mbit, 512kbit. */
export function formatRate(kbit: number): string {
  if (kbit >= 1_000_000 && kbit % 1000 === 0) return `${kbit / 1_000_000}gbit`;
  if (kbit >= 1000) return `${Math.round(kbit / 10) / 100}mbit`;
  return `${kbit}kbit`;
}
