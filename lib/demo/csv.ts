/** CSV quoting for the FSD50K-style tables the demo corpus writes (labels such as "Chicken_and_rooster,Crow"). */

/** Quotes a field when it contains a comma, quote or newline. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
