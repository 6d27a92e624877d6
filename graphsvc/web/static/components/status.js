// What a view shows while its data loads or when the API refuses.
import { html } from '../html.js';

export function Loading({ what = 'Loading' }) {
  return html`<p class="loading" aria-busy="true">${what}…</p>`;
}

export function Failure({ error }) {
  return html`<p class="failure" role="alert">The API answered: ${error.message}</p>`;
}

/** Loading, failure or `render(data)`, for the usual three states of a query. */
export function Answer({ result, render }) {
  if (result.error) return html`<${Failure} error=${result.error} />`;
  if (!result.data) return html`<${Loading} />`;
  return render(result.data);
}
