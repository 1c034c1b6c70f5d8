// @ts-check
/** The UI's entry: the login gate, the layout and the hash routes (`#/integrations`, `#/graph` …). */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, forgetToken, storedToken } from './api.js';
import { html } from './html.js';
import { AlertsPage } from './pages/alerts.js';
import { CoveragePage } from './pages/coverage.js';
import { EntityPage, GraphPage } from './pages/graph.js';
import { IntegrationPage, IntegrationsPage } from './pages/integrations.js';
import { LoginPage } from './pages/login.js';
import { MonitorPage, MonitorsPage } from './pages/monitors.js';
import { ValidationPage, ValidationsPage } from './pages/validations.js';
import { MeContext } from './ui.js';

/** @typedef {import('./ui.js').Me} Me */

const sections = [
  ['integrations', 'Integrations'],
  ['graph', 'Graph'],
  ['alerts', 'Alerts'],
  ['validations', 'Validations'],
  ['coverage', 'Coverage'],
  ['monitors', 'Monitors'],
];

/** The route of the current hash: its path segments (decoded) and query. */
function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?');
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  return { segments, query: new URLSearchParams(query) };
}

/** @param {{ route: { segments: string[], query: URLSearchParams } }} props */
function Page({ route }) {
  const [section, id] = route.segments;
  switch (section) {
    case 'integrations':
      return id === undefined ? html`<${IntegrationsPage} />` : html`<${IntegrationPage} name=${id} />`;
    case 'graph':
      return html`<${GraphPage} query=${route.query.get('q') ?? ''} />`;
    case 'entity':
      return html`<${EntityPage} entityKey=${id ?? ''} />`;
    case 'alerts':
      return html`<${AlertsPage} />`;
    case 'validations':
      return id === undefined ? html`<${ValidationsPage} />` : html`<${ValidationPage} id=${id} />`;
    case 'coverage':
      return html`<${CoveragePage} actor=${id} />`;
    case 'monitors':
      return id === undefined ? html`<${MonitorsPage} />` : html`<${MonitorPage} name=${id} />`;
    default:
      return html`<${IntegrationsPage} />`;
  }
}

/**
 * Moves focus to the page's heading (a plain `#main` link would change the hash route).
 * @param {Event} event
 */
function skipToContent(event) {
  event.preventDefault();
  document.getElementById('page-title')?.focus();
}

/** @param {{ me: Me, route: { segments: string[], query: URLSearchParams }, onSignOut: () => void }} props */
function Layout({ me, route, onSignOut }) {
  const section = route.segments[0] === 'entity' ? 'graph' : (route.segments[0] ?? 'integrations');
  return html`<${MeContext.Provider} value=${me}>
    <a class="skip" href="#main" onClick=${skipToContent}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/integrations">Vigil</a>
      <nav aria-label="Sections">
        <ul>
          ${sections.map(
            ([key, label]) =>
              html`<li><a href=${`#/${key}`} aria-current=${section === key ? 'page' : undefined}>${label}</a></li>`,
          )}
        </ul>
      </nav>
      <div class="who">
        <span>${me.name} (${me.role})</span>
        <button type="button" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <main id="main"><${Page} route=${route} /></main>
  <//>`;
}

function App() {
  const [route, setRoute] = useState(currentRoute);
  const [me, setMe] = useState(/** @type {Me | null} */ (null));
  const [status, setStatus] = useState(storedToken() === null ? 'signed-out' : 'checking');
  const [notice, setNotice] = useState(/** @type {string | undefined} */ (undefined));

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    /** @param {Event} event */
    const onSignedOut = (event) => {
      setMe(null);
      setStatus('signed-out');
      setNotice(String(/** @type {CustomEvent} */ (event).detail ?? 'Signed out.'));
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('vigil:signed-out', onSignedOut);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('vigil:signed-out', onSignedOut);
    };
  }, []);

  useEffect(() => {
    if (status !== 'checking') return;
    api('/me').then(
      (/** @type {Me} */ who) => {
        setMe(who);
        setStatus('signed-in');
      },
      (error) => {
        setNotice(error.message);
        setStatus('signed-out');
      },
    );
  }, [status]);

  // Move focus to the new page's heading, so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (status === 'signed-in') document.getElementById('page-title')?.focus({ preventScroll: true });
  }, [route, status]);

  if (status === 'checking') return html`<p class="loading" role="status">Checking the token…</p>`;
  if (status === 'signed-out' || me === null) {
    return html`<${LoginPage} notice=${notice} onSignedIn=${() => setStatus('checking')} />`;
  }
  const signOut = () => {
    forgetToken();
    setMe(null);
    setNotice('Signed out.');
    setStatus('signed-out');
  };
  return html`<${Layout} me=${me} route=${route} onSignOut=${signOut} />`;
}

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app');
root.textContent = '';
render(html`<${App} />`, root);
