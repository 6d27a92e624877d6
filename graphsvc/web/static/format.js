// How numbers and times are shown; the browser tests format API answers with these same rules.

const DASH = '—';

export function count(value) {
  return value == null ? DASH : Math.round(value).toLocaleString('en-US');
}

export function decimal(value, digits = 1) {
  return value == null ? DASH : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A fraction (0.25) as a percentage ("25.0%"). */
export function percent(fraction) {
  return fraction == null ? DASH : `${decimal(fraction * 100)}%`;
}

export function money(value) {
  return value == null ? DASH : value.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
}

export function dateTime(iso) {
  return iso == null ? DASH : new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

/** Time left until a deadline, "3h 05m left", or how late it is, "overdue 12m". */
export function countdown(dueIso, nowMs) {
  if (dueIso == null) return DASH;
  const left = Date.parse(dueIso) - nowMs;
  const minutes = Math.floor(Math.abs(left) / 60000);
  const text = minutes >= 60 ? `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`;
  return left >= 0 ? `${text} left` : `overdue ${text}`;
}

// Funnel acronyms stay in capitals when enum values become words.
const ACRONYMS = new Set(['ABM', 'MQA', 'MQL', 'SAL', 'SQL']);

/** An enum value for people: "TECHNICAL_EVALUATOR" → "Technical evaluator", "MQA" → "MQA". */
export function label(value) {
  if (value == null) return DASH;
  const words = value.split('_').map((word) => (ACRONYMS.has(word) ? word : word.toLowerCase()));
  const text = words.join(' ');
  return text[0].toUpperCase() + text.slice(1);
}
