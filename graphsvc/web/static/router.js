// Views are addressed by the URL's hash (#/accounts/acc-00001), so every view can be bookmarked
// and the server only ever serves one page.
import { useEffect, useState } from 'preact/hooks';

export function useRoute() {
  // The path before any "?": a list's filters follow it (#/accounts?tier=1&orderBy=-score).
  const read = () => location.hash.replace(/^#\/?/, '').split('?')[0].split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function accountHref(id) {
  return `#/accounts/${encodeURIComponent(id)}`;
}

/** The filters and order of a list view, from the URL's hash after "?" (see listHref). */
export function useListParams() {
  const read = () => new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [params, setParams] = useState(read);
  useEffect(() => {
    const changed = () => setParams(read());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return params;
}

/** The account list with filters and order, e.g. {isTarget: true, missingRole: 'CHAMPION'}; empty values are left out. */
export function accountListHref(filters = {}) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value != null && value !== ''));
  const text = query.toString();
  return text ? `#/accounts?${text}` : '#/accounts';
}
