// Where the account sits in its corporate tree: ultimate parent, parent, itself, subsidiaries.
import { html } from '../../html.js';
import { accountHref } from '../../router.js';
import { count, label } from '../../format.js';

function AccountLink({ account, role }) {
  return html`<a href=${accountHref(account.id)} data-role=${role}>${account.name}</a>`;
}

export function Hierarchy({ account }) {
  const { parent, ultimateParent, children } = account;
  // The ultimate parent is the parent itself for a second-level subsidiary: show it once.
  const top = ultimateParent && ultimateParent.id !== parent?.id ? ultimateParent : null;
  return html`<section class="panel" data-section="hierarchy">
    <h3>Corporate tree</h3>
    <ol class="tree">
      ${top && html`<li><${AccountLink} account=${top} role="ultimate-parent" /> <small>ultimate parent</small></li>`}
      ${parent && html`<li><${AccountLink} account=${parent} role="parent" /> <small>parent</small></li>`}
      <li class="self"><strong>${account.name}</strong>
        ${!parent && html`<small>top of its tree</small>`}
        <ul>
          ${children.edges.map(({ node }) => html`<li><${AccountLink} account=${node} role="child" /> <small>${label(node.stage)}</small></li>`)}
        </ul>
        <small data-metric="children">${count(children.totalCount)} subsidiaries${children.totalCount > children.edges.length ? `, first ${children.edges.length} shown` : ''}</small>
      </li>
    </ol>
  </section>`;
}
