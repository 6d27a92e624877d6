// The dashboard's shell: asks for an API key when the server wants one, then shows the view the
// URL names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, graphql, setApiKey, UNAUTHENTICATED } from './api.js';
import { html } from './html.js';
import { useRoute } from './router.js';
import { KeyForm } from './components/key-form.js';
import { Failure } from './components/status.js';
import { ProgramView } from './views/program.js';
import { AccountList } from './views/account-list.js';
import { AccountView } from './views/account.js';
import { QueueView } from './views/queue.js';
import { CoverageView } from './views/coverage.js';
import { RulesView } from './views/rules.js';

const TABS = [
  ['program', 'Program'],
  ['accounts', 'Accounts'],
  ['queue', 'My queue'],
  ['coverage', 'Coverage'],
  ['rules', 'Rules'],
];

function View({ route: [name, id] }) {
  switch (name) {
    case 'accounts':
      return id ? html`<${AccountView} id=${id} />` : html`<${AccountList} />`;
    case 'queue':
      return html`<${QueueView} />`;
    case 'coverage':
      return html`<${CoverageView} />`;
    case 'rules':
      return html`<${RulesView} kind=${id} />`;
    default:
      return html`<${ProgramView} />`;
  }
}

function App() {
  const route = useRoute();
  // 'checking' until the server answers a trivial query, then 'open', 'key' when it wants a
  // (new) key, or the error that kept it from answering.
  const [access, setAccess] = useState('checking');
  const check = () =>
    graphql('query Ping { __typename }').then(
      () => setAccess('open'),
      (error) => setAccess(error.codes?.includes('UNAUTHENTICATED') ? 'key' : error),
    );
  useEffect(() => {
    check();
    const ask = () => setAccess('key');
    window.addEventListener(UNAUTHENTICATED, ask);
    return () => window.removeEventListener(UNAUTHENTICATED, ask);
  }, []);
  const chooseKey = (key) => {
    setApiKey(key);
    setAccess('checking');
    check();
  };
  const current = TABS.some(([name]) => name === route[0]) ? route[0] : 'program';
  return html`
    <header>
      <h1>graphsvc</h1>
      <nav>
        ${TABS.map(([name, title]) => html`<a href="#/${name}" aria-current=${name === current ? 'page' : null}>${title}</a>`)}
      </nav>
      ${apiKey() && html`<button class="quiet" onClick=${() => chooseKey(null)}>Forget API key</button>`}
    </header>
    <main>
      ${access === 'key' && html`<${KeyForm} onKey=${chooseKey} rejected=${Boolean(apiKey())} />`}
      ${access === 'open' && html`<${View} route=${route} />`}
      ${access instanceof Error && html`<${Failure} error=${access} />`}
    </main>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
