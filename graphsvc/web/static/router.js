// Views are addressed by the URL's hash (#/accounts/acc-00001), so every view can be bookmarked
// and the server only ever serves one page.
import { useEffect, useState } from 'preact/hooks';

export function useRoute() {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
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
