// With API keys configured, the page needs one before it can ask anything.
import { useState } from 'preact/hooks';
import { html } from '../html.js';

export function KeyForm({ onKey, rejected }) {
  const [key, setKey] = useState('');
  const submit = (event) => {
    event.preventDefault();
    if (key.trim()) onKey(key.trim());
  };
  return html`<form class="key-form" onSubmit=${submit}>
    <h2>API key</h2>
    <p>This server needs an API key (ask your administrator). It is kept in this tab only.</p>
    ${rejected && html`<p class="failure" role="alert">The server did not accept that key.</p>`}
    <label>Key <input type="password" name="api-key" autocomplete="off" value=${key} onInput=${(e) => setKey(e.target.value)} /></label>
    <button type="submit">Use key</button>
  </form>`;
}
