// @ts-check
/** The token login: the token is kept in sessionStorage and checked with GET /api/v1/me. */
import { useState } from 'preact/hooks';
import { storeToken } from '../api.js';
import { html } from '../html.js';

/** @param {{ notice: string | undefined, onSignedIn: () => void }} props */
export function LoginPage({ notice, onSignedIn }) {
  const [token, setToken] = useState('');
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    if (token.trim() === '') return;
    storeToken(token.trim());
    onSignedIn();
  };
  return html`<main class="login">
    <h1>Sign in to Vigil</h1>
    ${notice ? html`<p class="error" role="alert">${notice}</p>` : ''}
    <form class="stack" onSubmit=${submit}>
      <label>
        API token
        <input
          type="password"
          name="token"
          autocomplete="off"
          required
          value=${token}
          onInput=${(/** @type {any} */ e) => setToken(e.currentTarget.value)}
        />
        <span class="help">An admin creates tokens with <code>vigil tokens create --name N --role viewer</code>.</span>
      </label>
      <div class="actions"><button type="submit">Sign in</button></div>
    </form>
  </main>`;
}
