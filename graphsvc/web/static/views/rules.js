// Rules view (read only): the configuration documents in force and their history, one kind at a time.
// Changing them is for the API (setDocument, activateDocument) and the CLI (graphsvc documents).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { useQuery } from '../query.js';
import { Answer } from '../components/status.js';
import { dateTime } from '../format.js';

export const KINDS = [
  ['scoring', 'Scoring model'],
  ['icp', 'ICP model'],
  ['committees', 'Buying committees'],
  ['roles', 'Role rules'],
  ['routing', 'Routing and stages'],
];

const DOCUMENTS = `query Documents($kind: String!) {
  documents(kind: $kind) { kind version active savedAt document }
}`;

export function RulesView({ kind }) {
  const current = KINDS.some(([name]) => name === kind) ? kind : 'scoring';
  return html`
    <div class="view-title">
      <h2>Rules</h2>
      <nav class="kinds">
        ${KINDS.map(([name, title]) => html`
          <a href="#/rules/${name}" data-kind=${name} aria-current=${name === current ? 'page' : null}>${title}</a>`)}
      </nav>
    </div>
    <${Versions} key=${current} kind=${current} />
  `;
}

function Versions({ kind }) {
  const documents = useQuery(DOCUMENTS, { kind });
  // The version shown: the one in force until another row is chosen.
  const [chosen, setChosen] = useState(null);
  return html`<${Answer} result=${documents} render=${({ documents: versions }) => {
    const shown = versions.find((v) => v.version === chosen) ?? versions.find((v) => v.active) ?? versions[0];
    return html`
      <div class="document-versions">
        <section class="panel">
          <h3>History <small>newest first</small></h3>
          <table class="versions">
            <thead><tr><th>Version</th><th>Saved</th><th></th></tr></thead>
            <tbody>${versions.map((v) => html`
              <tr data-version=${v.version} data-active=${String(v.active)}
                  aria-selected=${v.version === shown.version ? 'true' : 'false'} onClick=${() => setChosen(v.version)}>
                <td><button class="quiet" type="button">version ${v.version}</button></td>
                <td>${dateTime(v.savedAt)}</td>
                <td>${v.active && html`<span class="badge">in force</span>`}</td>
              </tr>`)}</tbody>
          </table>
        </section>
        <section class="panel">
          <h3>${kind} version ${shown.version} <small>${shown.active ? 'in force' : 'not in force'}</small></h3>
          <pre class="document" data-kind=${kind} data-version=${shown.version}>${JSON.stringify(shown.document, null, 2)}</pre>
        </section>
      </div>
    `;
  }} />`;
}
